"""develop/component_requirements.py, which `scripts/setup --newest` trusts for a working instance.

Run here against the release this venv holds: what it finds must cover what the pinned release's
development setup was found by hand to need (requirements_develop.txt, and the esphome part of
requirements_test.txt), and every pin must be the release's own constraint or ours.
"""

from __future__ import annotations

from pathlib import Path

from homeassistant.const import MAJOR_VERSION, MINOR_VERSION

from develop import component_requirements as components

ROOT = Path(__file__).resolve().parent.parent
# Found by hand on 2026.10.4 (requirements_develop.txt, requirements_test.txt's esphome block),
# and by the first 2026.11.0 instance that failed `usb` without it (aiohasupervisor).
NEEDED_AT_START = {
    "aioesphomeapi",
    "aiohasupervisor",
    "aiousbwatcher",
    "bleak",
    "bleak-esphome",
    "bleak-retry-connector",
    "bluetooth-adapters",
    "esphome-dashboard-api",
    "ha-ffmpeg",
    "habluetooth",
    "hassil",
    "home-assistant-frontend",
    "home-assistant-intents",
    "mutagen",
    "pymicro-vad",
    "pyspeex-noise",
    "pyturbojpeg",
    "sqlalchemy",
    "zeroconf",
}
# What 2026.10 added to what it sets up at start (infrared, radio_frequency, conversation's
# matcher, usb's serial library); 2025.8, which the suite also runs, has none of them.
NEEDED_SINCE_2026_10 = {"gazetteer-matcher", "infrared-protocols", "rf-protocols", "serialx"}


def test_what_the_instance_sets_up_at_start_is_all_found() -> None:
    found = components.requirements(components.home_assistant_dir())
    needed = NEEDED_AT_START
    if (MAJOR_VERSION, MINOR_VERSION) >= (2026, 10):
        needed = needed | NEEDED_SINCE_2026_10
    assert needed - found.keys() == set()


def test_pins_are_the_release_s_constraints_unless_ours_replace_them(tmp_path: Path) -> None:
    package = components.home_assistant_dir()
    constraints = components.pins((package / "package_constraints.txt").read_text().splitlines())
    ours = tmp_path / "pins.txt"
    ours.write_text("# ours win\naioesphomeapi==1.2.3\n")

    lines = components.pinned_requirements(package, ours)

    by_name = {components.package_name(line): line for line in lines}
    assert by_name["aioesphomeapi"] == "aioesphomeapi==1.2.3"
    assert by_name["bleak"] == constraints["bleak"]
    for name, line in by_name.items():
        if name in constraints and name != "aioesphomeapi":
            assert line == constraints[name]


def test_names_compare_as_pip_compares_them() -> None:
    assert components.package_name("PyTurboJPEG==1.8.3") == "pyturbojpeg"
    assert components.package_name("bleak_retry.connector>=4 ; python_version>'3'") == (
        "bleak-retry-connector"
    )
    assert components.package_name("# a comment") is None
    assert components.pins(["SQLAlchemy==2.0.54  # why", "numpy>=2"]) == {
        "sqlalchemy": "SQLAlchemy==2.0.54"
    }
