"""A pytest plugin for the rounds of bench/test_ha_cost_before_after.py, loaded with `-p`.

The comparison copies this file next to the trees it measures, so that the plugin imports on
its own, from neither tree. It does two things:

- it records where the modules that ran were imported from (the file `PROBE_ENV` names), so
  that the comparison can prove that each tree measured its own code;
- when `COUNT_CALLS_ENV` is set, it counts the Python function calls of the test's call phase
  (cProfile: counted, not timed), in all and in the integration's own code, and writes them
  next to the origins: work that a noisy machine cannot blur;
- on a revision whose bench/test_ha_cost.py still measured the fleet in the same test as the
  per-notification rows (up to 1ccd489), it replaces that test module's `_fleet` with nothing,
  when `SKIP_FLEET_ENV` is set: the per-notification rows are measured by the revision's own
  code, without the half minute of the fleet, which the comparison does not use.
"""

from __future__ import annotations

from collections.abc import Generator
import cProfile
import json
import os
from pathlib import Path
import sys
from types import ModuleType
from typing import Any

import pytest

PROBE_ENV = "BENCH_HA_COST_PROBE"
SKIP_FLEET_ENV = "BENCH_HA_COST_SKIP_FLEET"
COUNT_CALLS_ENV = "BENCH_HA_COST_COUNT_CALLS"
CALLS_SUFFIX = ".calls"  # the counts go next to the origins, in a file of their own
INTEGRATION = "custom_components/miband_ninebot/"
_calls: dict[str, int] = {}
# The modules whose origin tells which tree a round measured.
MODULES = ("custom_components.miband_ninebot", "emulator", "bench.test_ha_cost", "tests.conftest")


async def _no_fleet(*_args: Any) -> dict[str, Any]:
    return {}


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Leave the fleet out of a revision's combined cost test, when asked to."""
    module = getattr(item, "module", None)
    if os.environ.get(SKIP_FLEET_ENV) and module is not None and hasattr(module, "_fleet"):
        module._fleet = _no_fleet  # noqa: SLF001 - the revision's own helper, by its name there


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None]:
    """Count the calls of the test itself (its fixtures' setup is not counted), when asked to."""
    if not os.environ.get(COUNT_CALLS_ENV):
        return (yield)
    profile = cProfile.Profile()
    profile.enable()
    try:
        return (yield)
    finally:
        profile.disable()
        profile.create_stats()
        stats: dict[Any, Any] = profile.stats
        _calls["total"] = _calls.get("total", 0) + sum(row[1] for row in stats.values())
        _calls["integration"] = _calls.get("integration", 0) + sum(
            row[1] for (file, _line, _name), row in stats.items() if INTEGRATION in file
        )


def _origin(module: ModuleType | None) -> list[str] | None:
    """The files (a package without __init__.py: the folders) a module was imported from."""
    if module is None:
        return None
    if file := getattr(module, "__file__", None):
        return [file]
    return list(getattr(module, "__path__", []))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write where the measured modules came from."""
    if not (probe := os.environ.get(PROBE_ENV)):
        return
    origins = {name: _origin(sys.modules.get(name)) for name in MODULES}
    Path(probe).write_text(json.dumps(origins, indent=2))
    if _calls:
        Path(f"{probe}{CALLS_SUFFIX}").write_text(json.dumps(_calls))
