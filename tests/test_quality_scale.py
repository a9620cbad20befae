"""quality_scale.yaml: every rule up to Platinum, each done or exempt, and what code can check."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

INTEGRATION = Path(__file__).resolve().parent.parent / "custom_components" / "miband_ninebot"
RULES: dict[str, Any] = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]

# The Integration Quality Scale's rules up to Platinum, as Home Assistant 2026.10's own
# integrations list them in their quality_scale.yaml (hassfest, which defines them, does not ship).
BRONZE = (
    "action-setup", "appropriate-polling", "brands", "common-modules",
    "config-flow-test-coverage", "config-flow", "dependency-transparency", "docs-actions",
    "docs-conditions", "docs-high-level-description", "docs-installation-instructions",
    "docs-removal-instructions", "docs-triggers", "entity-event-setup", "entity-unique-id",
    "has-entity-name", "runtime-data", "test-before-configure", "test-before-setup",
    "unique-config-entry",
)  # fmt: skip
SILVER = (
    "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
    "docs-installation-parameters", "entity-unavailable", "integration-owner",
    "log-when-unavailable", "parallel-updates", "reauthentication-flow", "test-coverage",
)  # fmt: skip
GOLD = (
    "devices", "diagnostics", "discovery-update-info", "discovery", "docs-data-update",
    "docs-examples", "docs-known-limitations", "docs-supported-devices",
    "docs-supported-functions", "docs-troubleshooting", "docs-use-cases", "dynamic-devices",
    "entity-category", "entity-device-class", "entity-disabled-by-default", "entity-translations",
    "exception-translations", "icon-translations", "reconfiguration-flow", "repair-issues",
    "stale-devices",
)  # fmt: skip
PLATINUM = ("async-dependency", "inject-websession", "strict-typing")


def _status(rule: str) -> str:
    entry = RULES[rule]
    return entry if isinstance(entry, str) else str(entry["status"])


def test_every_rule_up_to_platinum_is_done_or_exempt_with_a_reason() -> None:
    assert set(RULES) == {*BRONZE, *SILVER, *GOLD, *PLATINUM}
    for rule, entry in RULES.items():
        assert _status(rule) in {"done", "exempt"}, rule
        if _status(rule) == "exempt":
            assert str(entry.get("comment", "")).strip(), f"{rule}: exempt without a reason"


@pytest.mark.parametrize("platform", ["binary_sensor", "button", "sensor", "switch"])
def test_parallel_updates_is_set_on_every_platform(platform: str) -> None:
    assert _status("parallel-updates") == "done"
    tree = ast.parse((INTEGRATION / f"{platform}.py").read_text())
    assigned = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert "PARALLEL_UPDATES" in assigned


def test_done_rules_that_name_files_have_them() -> None:
    assert _status("brands") == "done"
    assert (INTEGRATION / "brand" / "icon.png").is_file()
    assert _status("diagnostics") == "done"
    assert (INTEGRATION / "diagnostics.py").is_file()
    assert _status("icon-translations") == "done"
    assert json.loads((INTEGRATION / "icons.json").read_text())["entity"]
    assert _status("reauthentication-flow") == "done"
    assert "async def async_step_reauth(" in (INTEGRATION / "config_flow.py").read_text()
    assert _status("integration-owner") == "done"
    assert json.loads((INTEGRATION / "manifest.json").read_text())["codeowners"]


def test_config_flow_fields_are_described() -> None:
    # config-flow: every field of every form has a data_description.
    strings = json.loads((INTEGRATION / "translations" / "en.json").read_text())
    for section in ("config", "options"):
        for step_id, step in strings[section]["step"].items():
            assert set(step.get("data", {})) == set(step.get("data_description", {})), step_id


def test_no_requirements_as_the_exemption_says() -> None:
    assert _status("dependency-transparency") == "exempt"
    assert json.loads((INTEGRATION / "manifest.json").read_text())["requirements"] == []
