"""One naming rule per side: Home Assistant's `async_` prefix there, bleak's plain verbs in the
protocol libraries."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "miband_ninebot"
LIBRARIES = ("miband", "ninebot")


def _modules(*, libraries: bool) -> list[Path]:
    return sorted(
        path
        for path in INTEGRATION.rglob("*.py")
        if (path.relative_to(INTEGRATION).parts[0] in LIBRARIES) == libraries
    )


def _coroutines(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    return [node.name for node in ast.walk(tree) if isinstance(node, ast.AsyncFunctionDef)]


def _prefixed(name: str) -> bool:
    return name.startswith(("async_", "_async_"))


@pytest.mark.parametrize("path", _modules(libraries=True), ids=lambda path: path.name)
def test_protocol_library_coroutines_are_plain_verbs(path: Path) -> None:
    assert [name for name in _coroutines(path) if _prefixed(name)] == []


# The exceptions: `coordinator.DeviceSession` describes a protocol library's client, and
# `last_seen.HeardClient` overrides bleak's own coroutines.
LIBRARY_SHAPED = {
    ("coordinator.py", "start"),
    ("last_seen.py", "start_notify"),
    ("last_seen.py", "read_gatt_char"),
}


@pytest.mark.parametrize(
    "path", _modules(libraries=False), ids=lambda path: str(path.relative_to(INTEGRATION))
)
def test_home_assistant_side_coroutines_start_with_async(path: Path) -> None:
    unprefixed = [
        name
        for name in _coroutines(path)
        if not _prefixed(name)
        and not name.startswith("__")
        and (path.name, name) not in LIBRARY_SHAPED
    ]
    assert unprefixed == []
