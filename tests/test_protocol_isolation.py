"""The device protocols stay free of Home Assistant, so they could be published as a library."""

from __future__ import annotations

import ast
from pathlib import Path
import subprocess
import sys

import pytest

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "miband_ninebot"
PROTOCOL_PACKAGES = ("miband", "ninebot")


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every module a file imports, with the relative level (0 for absolute imports)."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
    return found


@pytest.mark.parametrize("package", PROTOCOL_PACKAGES)
def test_protocol_package_imports_nothing_from_home_assistant(package: str) -> None:
    files = sorted((INTEGRATION / package).rglob("*.py"))
    assert len(files) >= 2, "the package is expected to hold modules"
    offending = {
        f"{path.relative_to(ROOT)}: {'.' * level}{module}"
        for path in files
        for module, level in _imports(path)
        # Absolute imports of Home Assistant or the integration, or relative ones that climb
        # out of the package into the integration.
        if module.split(".")[0] in {"homeassistant", "custom_components"} or level > 1
    }
    assert not offending


def test_protocol_packages_import_where_home_assistant_cannot() -> None:
    """Import every protocol module standalone, in a process where `homeassistant` is blocked."""
    script = f"""
import importlib, pkgutil, sys
sys.modules["homeassistant"] = None  # any import of it now raises ImportError
sys.path.insert(0, {str(INTEGRATION)!r})
imported = []
for package in {PROTOCOL_PACKAGES!r}:
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        importlib.import_module(info.name)
        imported.append(info.name)
print(" ".join(sorted(imported)))
"""
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    imported = result.stdout.split()
    assert "miband.advertisement" in imported
    assert "ninebot.advertisement" in imported
