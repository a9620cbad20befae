"""The protocol libraries' own tests: `miband` and `ninebot` as a library user imports them.

The integration's directory goes on `sys.path`, so the two packages import as top-level
libraries, not through `custom_components.miband_ninebot` (whose `__init__` is Home Assistant's).
Home Assistant is blocked outright: an import of it anywhere in these tests fails. Run without
Home Assistant's test plugin: `pytest protocol_tests -p no:homeassistant` (scripts/test does).
"""

from __future__ import annotations

from pathlib import Path
import sys

sys.modules["homeassistant"] = None  # type: ignore[assignment]  # any import of it now fails
sys.path.insert(0, str(Path(__file__).parent.parent / "custom_components" / "miband_ninebot"))
