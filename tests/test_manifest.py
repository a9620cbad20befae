"""What hassfest and HACS check on the repository, checked here so CI catches it offline."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
from typing import Any

import pytest
import yaml

from custom_components.miband_ninebot.const import CONF_GENDER
from custom_components.miband_ninebot.miband.advertisement import (
    HUAMI_COMPANY_ID,
    MILI_SERVICE_UUID,
)
from custom_components.miband_ninebot.ninebot.advertisement import NINEBOT_COMPANY_ID
from custom_components.miband_ninebot.options import ConnectionPolicy
from custom_components.miband_ninebot.options_flow import (
    ACTIVITY_SCHEMA,
    LINK_SCHEMA,
    NIGHT_SYNC_SCHEMA,
    PROFILE_SCHEMA,
    REMINDERS_SCHEMA,
    WHEEL_SCHEMA,
)

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "miband_ninebot"
MANIFEST: dict[str, Any] = json.loads((INTEGRATION / "manifest.json").read_text())
STRINGS: dict[str, Any] = json.loads((INTEGRATION / "translations" / "en.json").read_text())
# Libraries Home Assistant's bluetooth integration already pins; repeating them breaks installs.
HA_BLUETOOTH_LIBRARIES = {
    "bleak",
    "bleak-retry-connector",
    "bluetooth-adapters",
    "bluetooth-data-tools",
    "habluetooth",
    "dbus-fast",
}
SHARED_SERIAL_SERVICES = {
    "0000ffe0-0000-1000-8000-00805f9b34fb",  # KingSong, Gotway, HM-10 modules
}


def test_manifest_keys_are_ordered_as_hassfest_wants() -> None:
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def test_manifest_has_what_hacs_and_home_assistant_require() -> None:
    assert MANIFEST["domain"] == INTEGRATION.name
    for key in ("documentation", "issue_tracker", "codeowners", "name", "version"):
        assert MANIFEST[key], key
    assert MANIFEST["documentation"].startswith("https://")
    assert MANIFEST["issue_tracker"].startswith("https://")
    assert MANIFEST["dependencies"] == ["bluetooth_adapters"]
    assert MANIFEST["integration_type"] == "device"
    assert MANIFEST["iot_class"] == "local_push"
    assert MANIFEST["config_flow"] is True
    pinned = {re.split(r"[=<>~!]", requirement)[0] for requirement in MANIFEST["requirements"]}
    assert not pinned & HA_BLUETOOTH_LIBRARIES
    # Home Assistant itself refuses a custom integration without a valid version.
    assert re.fullmatch(r"\d+\.\d+\.\d+", MANIFEST["version"])


@pytest.mark.parametrize(
    "matcher",
    MANIFEST["bluetooth"],
    ids=lambda m: str(m.get("local_name") or m.get("manufacturer_id") or m.get("service_uuid")),
)
def test_bluetooth_matchers_are_specific(matcher: dict[str, Any]) -> None:
    assert matcher["connectable"] is True
    # A shared serial service alone would offer KingSong wheels and HM-10 modules.
    assert matcher.get("service_uuid") not in SHARED_SERIAL_SERVICES or "local_name" in matcher
    if "local_name" in matcher:
        # Home Assistant indexes name matchers by their first three characters.
        assert "*" not in matcher["local_name"][:3]
    elif matcher.get("manufacturer_id") == NINEBOT_COMPANY_ID:
        # Ninebot's company id alone: S2s and Zs both carry it, and a Z's data is undocumented
        # (it cannot be matched by a name either: "N3*" has a pattern in its first three
        # characters). The integration refuses the Minis' data and scooters' names before it
        # offers anything (tests/test_discovery.py), and checks a Z over GATT.
        assert matcher == {"connectable": True, "manufacturer_id": NINEBOT_COMPANY_ID}
    else:
        # Huami's service and company id, which a real band's passive advertisement carries
        # alone (no name): the integration checks the address and the rest before it offers
        # anything (tests/test_discovery.py shows Huami's other devices are left alone).
        assert matcher in (
            {"connectable": True, "service_uuid": MILI_SERVICE_UUID},
            {"connectable": True, "manufacturer_id": HUAMI_COMPANY_ID},
        )


def test_hacs_json() -> None:
    hacs = json.loads((ROOT / "hacs.json").read_text())
    # Only keys both HACS and Home Assistant's Marketplace (2026.11, which replaced HACS) read: the
    # Marketplace's RepositoryManifest takes content_in_root, filename, hacs, hide_default_branch,
    # homeassistant, name, persistent_directory and zip_release, and ignores render_readme: it
    # always shows the README.
    assert set(hacs) == {"name", "homeassistant"}
    assert hacs["name"] == MANIFEST["name"]
    assert re.fullmatch(r"\d{4}\.\d+\.\d+", hacs["homeassistant"])
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_hacs_minimum_is_the_release_the_suite_runs_on() -> None:
    # HACS refuses to install on anything older than `homeassistant`; the claim is only as good as
    # the suite's second run (scripts/test), which installs exactly this release.
    hacs = json.loads((ROOT / "hacs.json").read_text())
    minimum = (ROOT / "requirements_minimum.txt").read_text()
    assert f"\nhomeassistant=={hacs['homeassistant']}\n" in minimum


def _string_arguments(keyword: str) -> set[str]:
    """Every literal string passed as `keyword=` anywhere in the integration."""
    found: set[str] = set()
    for path in INTEGRATION.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.keyword)
                and node.arg == keyword
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                found.add(node.value.value)
    return found


def test_every_abort_reason_and_step_is_translated() -> None:
    config, options = STRINGS["config"], STRINGS["options"]
    assert _string_arguments("reason") <= set(config["abort"])
    assert _string_arguments("step_id") <= set(config["step"]) | set(options["step"])
    assert _string_arguments("progress_action") <= set(config["progress"])
    # Every error a form can show: the pairing's (assigned to `_pairing_error`) and the wheel
    # check's (the strings `_async_check` returns).
    flow = (INTEGRATION / "config_flow.py").read_text()
    errors = set(re.findall(r'_pairing_error = "(\w+)"', flow))
    errors |= set(re.findall(r'return "(wheel_\w+)"', flow))
    assert errors == set(config["error"]), errors


def test_services_are_described_and_translated() -> None:
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    translated = STRINGS["services"]
    assert set(services) == set(translated)
    for name, service in services.items():
        assert set(service["fields"]) == set(translated[name]["fields"])
    icons = json.loads((INTEGRATION / "icons.json").read_text())
    assert set(icons["services"]) == set(services)


def test_option_choices_are_translated() -> None:
    choices = STRINGS["selector"]["connection_policy"]["options"]
    assert set(choices) == {policy.value for policy in ConnectionPolicy}
    genders = STRINGS["selector"]["gender"]["options"]
    assert set(genders) == set(PROFILE_SCHEMA.schema[CONF_GENDER].config["options"])
    options_fields = (
        set(LINK_SCHEMA.schema)
        | set(PROFILE_SCHEMA.schema)
        | set(ACTIVITY_SCHEMA.schema)
        | set(NIGHT_SYNC_SCHEMA.schema)
        | set(REMINDERS_SCHEMA.schema)
        | set(WHEEL_SCHEMA.schema)
    )
    assert set(STRINGS["options"]["step"]["init"]["data"]) == options_fields
    assert set(STRINGS["config"]["step"]["profile"]["data"]) == set(PROFILE_SCHEMA.schema)


def test_every_translation_key_is_translated() -> None:
    translated = set(STRINGS["exceptions"])
    for platform in STRINGS["entity"].values():
        translated |= set(platform)
    used = _string_arguments("translation_key")
    assert used
    assert used <= translated
