"""The browser test's Home Assistant: `scripts/develop --reset --onboard` in a fresh config.

It runs on its own port and config directory, so a developer's running instance is left alone,
and is stopped the way a developer stops it (Ctrl-C), which must end it cleanly, with nothing from
the integration in its log above an INFO (a deprecation Home Assistant reports names it there).

`E2E_RELEASE=newest` runs it on the newest release on the registry (`scripts/develop --newest`,
.venv-newest), on port 18124 unless `E2E_PORT` says otherwise; the default is the pinned release
(.venv) on 18123. The test itself runs from .venv either way: it reaches the instance over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
import os
from pathlib import Path
import re
import signal
import socket
import subprocess
import time
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
RELEASE = os.environ.get("E2E_RELEASE", "pinned")
# Each release's requirements name the Home Assistant the instance must report (test_browser.py).
REQUIREMENTS = {"pinned": "requirements_test.txt", "newest": "requirements_newest.txt"}
if RELEASE not in REQUIREMENTS:
    raise pytest.UsageError(f"E2E_RELEASE={RELEASE}: use one of {sorted(REQUIREMENTS)}")
PORT = int(os.environ.get("E2E_PORT", "18124" if RELEASE == "newest" else "18123"))
# s: a first run installs the venv before starting (.venv-newest: about 3.5 min on 2 busy cores)
READY_TIMEOUT = 600.0
STOP_TIMEOUT = 60.0  # s for Ctrl-C to end Home Assistant
# One record of Home Assistant's log: it starts with a timestamp; tracebacks follow on their lines.
RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\S* (\w+) ", re.MULTILINE)
# The integration, by its domain, its modules or its files; not the Python that scripts/setup may
# have put in ~/.cache/miband_ninebot/python/, which any traceback runs through.
OURS = re.compile(r"miband_ninebot(?!/python/)")
# The one warning about the integration every custom integration gets, whatever it does.
UNTESTED = "We found a custom integration miband_ninebot which has not been tested"
# Home Assistant's translation cache, when the system language changes (the German device page
# test), takes every loaded platform ("backup.sensor", "homeassistant.scene", ours alike) for an
# integration and warns that it is none: its own doing, not the integration's.
LANGUAGE_CHANGE = "Failed to load integration for translation: Invalid domain"


def expected_release() -> str:
    """The Home Assistant version the release's requirements pin."""
    text = (ROOT / REQUIREMENTS[RELEASE]).read_text()
    match = re.search(r"^homeassistant==(\S+)", text, re.MULTILINE)
    assert match is not None, f"{REQUIREMENTS[RELEASE]} pins no homeassistant"
    return match.group(1)


def integration_complaints(log: str) -> list[str]:
    """Log records above INFO that name the integration or pass through its code."""
    starts = [match.start() for match in RECORD.finditer(log)]
    records = [log[start:end] for start, end in zip(starts, [*starts[1:], len(log)], strict=True)]
    return [
        record
        for record in records
        if (level := RECORD.match(record)) is not None
        and level.group(1) in ("WARNING", "ERROR", "CRITICAL")
        and OURS.search(record)
        and UNTESTED not in record
        and LANGUAGE_CHANGE not in record
    ]


@pytest.fixture(scope="session")
def develop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A running, onboarded development Home Assistant; its login and device ids."""
    # Home Assistant's port, and the emulated ESPHome proxy's (scripts/develop: PORT - 2070).
    for port in (PORT, PORT - 2070):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                pytest.fail(f"port {port} is taken (another Home Assistant?); set E2E_PORT")
    config = tmp_path_factory.mktemp("config")
    log_path = config.parent / "develop.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own script
            [
                ROOT / "scripts" / "develop",
                "--reset",
                "--onboard",
                "--config",
                config,
                "--port",
                str(PORT),
                *(["--newest"] if RELEASE == "newest" else []),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal gives it
        )
        try:
            login_file = config / ".develop.json"
            started = time.monotonic()
            while not login_file.exists():
                if process.poll() is not None or time.monotonic() - started > READY_TIMEOUT:
                    pytest.fail(
                        f"scripts/develop did not get ready:\n{log_path.read_text()[-4000:]}"
                    )
                time.sleep(0.5)
            login = json.loads(login_file.read_text())
            login["ready_after"] = time.monotonic() - started
            login["release"] = expected_release()
            yield login
        finally:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl-C
            returncode: int | None
            try:
                returncode = process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                returncode = None
    assert returncode == 0, f"Ctrl-C did not stop cleanly:\n{log_path.read_text()[-4000:]}"
    complaints = integration_complaints(log_path.read_text())
    assert not complaints, "the log has this about the integration:\n" + "".join(complaints)


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: the README's on the pinned release, a scratch folder on the newest."""
    if RELEASE == "pinned":
        folder = ROOT / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")
