"""Home Assistant's cost before and after a change: CPU per wheel notification on a baseline
revision and on the working tree, measured side by side in one run.

The baseline is a git revision (`scripts/bench --before REV`, or the variable BEFORE_ENV names;
DEFAULT_BEFORE unless told). Its tree is taken out of git into a temporary directory (git
archive, so the clone's worktrees are left alone) and measures its own code with its own
bench/test_ha_cost.py: the per-notification test alone, selected by its id, in a subprocess of
this venv's Python whose working directory and PYTHONPATH are that tree, so that its
custom_components, emulator, tests and bench are the ones imported (each round records where
they came from, and the comparison fails if any came from the other tree). The after is the
working tree's same test, the one the bench runs.

In each round the two run at the same time, each in its own process: a test spends most of its
time waiting for the link's pace (a few % of a core), so the two hardly compete, and they see
the machine's load at the same moments. Each side's figure is the median of its rounds; the
ratio is the median of the rounds' ratios. On identical code, on two cores shared with other
work (single rounds scattered by 10-15 %), the ratio came out at 0.94-1.01 for the default row
and 0.96-1.08 for every cycle written over ten runs of 3-6 rounds; with the sides one after the
other instead (before, after, before, ...; ratio of the medians), at 0.96-1.20 over four.

Without git, or without the revision (a shallow clone), the comparison is skipped and the report
says why; the rest of the bench runs as usual.
"""

from __future__ import annotations

import ast
import asyncio
from dataclasses import dataclass
import json
import os
from pathlib import Path
import shutil
import statistics
import sys
import tempfile
import time
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from . import ha_cost_probe
from .test_ha_cost import RESULTS_ENV

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "ha_cost_before_after.json"
BEFORE_ENV = "BENCH_BEFORE"
DEFAULT_BEFORE = "1ccd489"  # the last commit before the shared coordinator's restructure
ROUNDS = 6  # each a subprocess per side, the two at the same time: 20-30 s
ROUND_TIMEOUT = 300.0  # s
TEST_FILE = "bench/test_ha_cost.py"
PER_NOTIFICATION_TEST = "test_cost_per_notification"
# Up to 1ccd489, the fleet was measured in the same test: it runs with the fleet left out.
COMBINED_TEST = "test_home_assistant_cost"
ROWS = ("default", "every_cycle_written")
PROBE = "ha_cost_probe"
# Of the probe's modules, those a round must have imported (from its own tree).
MEASURED = ("custom_components.miband_ninebot", "bench.test_ha_cost")


class UnavailableError(Exception):
    """The baseline cannot be had: the reason is reported instead of the comparison."""


@dataclass(frozen=True)
class _Side:
    name: str  # "before" or "after"
    label: str  # the revision, as the report names it
    tree: Path
    test: str
    skip_fleet: bool
    # Where a revision that predates RESULTS_ENV writes its figures: in its own tree.
    own_results: Path | None


class CommandError(Exception):
    """A command the comparison ran failed: its output."""


async def _run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command to its end: its output, or CommandError with it."""
    process = await asyncio.create_subprocess_exec(
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with asyncio.timeout(ROUND_TIMEOUT):
            output, _ = await process.communicate()
    except TimeoutError, asyncio.CancelledError:  # cancelled: the other side's round failed
        process.kill()
        await process.wait()
        raise
    text = output.decode(errors="replace")
    if process.returncode:
        raise CommandError(f"`{' '.join(args)}` failed ({process.returncode}):\n{text[-4000:]}")
    return text


async def _git(*args: str) -> str:
    return (await _run("git", "-C", str(ROOT), *args)).strip()


def _test_names(test_file: Path) -> set[str]:
    if not test_file.exists():
        return set()
    tree = ast.parse(test_file.read_text())
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


async def _baseline(hass: HomeAssistant, revision: str, work: Path) -> _Side:
    """The baseline revision's tree, taken out of git into `work`."""
    try:
        await _git("rev-parse", "--git-dir")
    except FileNotFoundError as error:
        raise UnavailableError("git is not installed") from error
    except CommandError as error:
        raise UnavailableError(f"{ROOT} is not a git clone") from error
    try:
        commit = await _git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except CommandError as error:
        shallow = await _git("rev-parse", "--is-shallow-repository") == "true"
        raise UnavailableError(
            f"revision {revision} is not in this clone" + (" (a shallow clone)" if shallow else "")
        ) from error
    tree = work / "before"
    await hass.async_add_executor_job(tree.mkdir)
    await _git("archive", "--format=tar", "-o", str(work / "before.tar"), commit)
    await _run("tar", "-xf", str(work / "before.tar"), "-C", str(tree))
    names = await hass.async_add_executor_job(_test_names, tree / TEST_FILE)
    if PER_NOTIFICATION_TEST in names:
        test, skip_fleet = PER_NOTIFICATION_TEST, False
    elif COMBINED_TEST in names:
        test, skip_fleet = COMBINED_TEST, True
    else:
        raise UnavailableError(
            f"revision {revision} has no {TEST_FILE}::{PER_NOTIFICATION_TEST} (nor {COMBINED_TEST})"
        )
    own_results = tree / "bench" / "results" / "ha_cost.json"
    return _Side("before", revision, tree, test, skip_fleet, own_results)


def _origins_outside(origins: dict[str, list[str] | None], tree: Path) -> list[str]:
    """The modules that came from elsewhere than `tree`, and those measured that did not come."""
    return [
        f"{name}: {paths}"
        for name, paths in origins.items()
        if (paths is None and name in MEASURED)
        or not all(Path(path).resolve().is_relative_to(tree) for path in paths or ())
    ]


def _read_round(out: Path, own_results: Path | None, probe: Path) -> dict[str, Any]:
    path = out if out.exists() or own_results is None else own_results
    return {
        "figures": json.loads(path.read_text()),
        "imported_from": json.loads(probe.read_text()),
    }


def _forget(*paths: Path | None) -> None:
    for path in paths:
        if path is not None:
            path.unlink(missing_ok=True)


async def _round(
    hass: HomeAssistant, side: _Side, work: Path, number: int, *, count_calls: bool = False
) -> dict[str, Any]:
    """One run of the side's per-notification test: its figures (and its calls, if counted)."""
    out = work / f"{side.name}-{number}.json"
    probe = work / f"{side.name}-{number}-modules.json"
    await hass.async_add_executor_job(_forget, out, probe, side.own_results)
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTEST_", "COV_CORE_", "COVERAGE_"))
    }
    env |= {
        # The side's tree first, then the directory holding nothing but the probe.
        "PYTHONPATH": os.pathsep.join((str(side.tree), str(work / "probe"))),
        RESULTS_ENV: str(out),
        ha_cost_probe.PROBE_ENV: str(probe),
    }
    if side.skip_fleet:
        env[ha_cost_probe.SKIP_FLEET_ENV] = "1"
    if count_calls:
        env[ha_cost_probe.COUNT_CALLS_ENV] = "1"
    # As scripts/bench runs the benchmarks, plus the probe.
    await _run(
        *(sys.executable, "-m", "pytest", f"{TEST_FILE}::{side.test}", "-o", "testpaths=bench"),
        *("-p", "no:cacheprovider", "--no-cov", "-q", "-p", PROBE),
        cwd=side.tree,
        env=env,
    )
    result = await hass.async_add_executor_job(_read_round, out, side.own_results, probe)
    if count_calls:
        counted = Path(f"{probe}{ha_cost_probe.CALLS_SUFFIX}")
        result["calls"] = json.loads(await hass.async_add_executor_job(counted.read_text))
    outside = _origins_outside(result["imported_from"], side.tree.resolve())
    assert not outside, f"the {side.name} round imported code from elsewhere: {outside}"
    return result


def _spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _cpu(figures: dict[str, Any], row: str) -> float:
    if row == "bare_write":
        return float(figures["bare_write_cpu_s"])
    return float(figures[row]["cpu_per_notification_s"])


def _summary(
    side: _Side, figures: list[dict[str, Any]], imported_from: dict[str, Any]
) -> dict[str, Any]:
    """Each row's median over the rounds, with their range, and the state writes."""
    rows: dict[str, Any] = {
        row: {
            "cpu_per_notification_s": _spread([_cpu(figure, row) for figure in figures]),
            "state_writes_per_notification": sum(figure[row]["state_writes"] for figure in figures)
            / sum(figure[row]["notifications"] for figure in figures),
            "notifications_per_round": statistics.mean(
                figure[row]["notifications"] for figure in figures
            ),
        }
        for row in ROWS
    }
    # The same Home Assistant code on both sides, and a 30 ms measurement: not compared.
    rows["bare_write"] = {
        "cpu_per_notification_s": _spread([_cpu(figure, "bare_write") for figure in figures])
    }
    return {
        "revision": side.label,
        "test": f"{TEST_FILE}::{side.test}",
        "fleet_left_out": side.skip_fleet,
        "rows": rows,
        "imported_from": imported_from,
        "rounds": figures,
    }


async def _compare(hass: HomeAssistant, revision: str, work: Path) -> dict[str, Any]:
    before = await _baseline(hass, revision, work)
    try:
        after_label = await _git("describe", "--always", "--dirty", "--abbrev=7")
    except CommandError:
        after_label = "the working tree"
    after = _Side("after", after_label, ROOT, PER_NOTIFICATION_TEST, False, None)
    probe_dir = work / "probe"
    await hass.async_add_executor_job(probe_dir.mkdir)
    await hass.async_add_executor_job(
        shutil.copyfile, ha_cost_probe.__file__, probe_dir / f"{PROBE}.py"
    )
    # Compiled beforehand, so that its first round does not compile while the other measures.
    await _run(sys.executable, "-m", "compileall", "-q", str(before.tree))
    rounds: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for number in range(ROUNDS):
        async with asyncio.TaskGroup() as group:
            before_round = group.create_task(_round(hass, before, work, number))
            after_round = group.create_task(_round(hass, after, work, number))
        rounds.append((before_round.result(), after_round.result()))
    # One more round each, counted rather than timed (cProfile slows it down: not a timing).
    calls = {
        side.name: (await _round(hass, side, work, ROUNDS, count_calls=True))["calls"]
        for side in (before, after)
    }
    before_figures = [before_round["figures"] for before_round, _ in rounds]
    after_figures = [after_round["figures"] for _, after_round in rounds]
    return {
        "rounds": ROUNDS,
        "before": _summary(before, before_figures, rounds[0][0]["imported_from"]),
        "after": _summary(after, after_figures, rounds[0][1]["imported_from"]),
        "calls": calls,
        "after_over_before": {
            row: _spread(
                [
                    _cpu(after_round, row) / _cpu(before_round, row)
                    for before_round, after_round in zip(before_figures, after_figures, strict=True)
                ]
            )
            for row in ROWS
        },
    }


async def test_cost_before_and_after(hass: HomeAssistant) -> None:
    revision = os.environ.get(BEFORE_ENV) or DEFAULT_BEFORE
    started = time.monotonic()
    work = Path(await hass.async_add_executor_job(tempfile.mkdtemp, None, "bench-before-after-"))
    try:
        results = await _compare(hass, revision, work)
    except UnavailableError as error:
        results = {"before": {"revision": revision}, "unavailable": str(error)}
    finally:
        await hass.async_add_executor_job(shutil.rmtree, work, True)
    results["wall_s"] = time.monotonic() - started
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    for side in ("before", "after"):
        if "rows" in results.get(side, {}):
            print(side, results[side]["revision"], json.dumps(results[side]["rows"]))
            print(side, "imported from", json.dumps(results[side]["imported_from"]))
    if "after_over_before" in results:
        print("after / before", json.dumps(results["after_over_before"]))
    if "unavailable" in results:
        pytest.skip(f"no before/after comparison: {results['unavailable']}")
