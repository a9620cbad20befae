"""The browser test's Home Assistant: `scripts/develop --reset --onboard` in a fresh config.

It runs on its own port and config directory, so a developer's running instance is left alone,
and is stopped the way a developer stops it (Ctrl-C), which must end it cleanly.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
import os
from pathlib import Path
import signal
import socket
import subprocess
import time
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("E2E_PORT", "18123"))
READY_TIMEOUT = 300.0  # s: a first run installs the frontend before starting
STOP_TIMEOUT = 60.0  # s for Ctrl-C to end Home Assistant


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
            yield login
        finally:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl-C
            try:
                returncode = process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                returncode = None
    assert returncode == 0, f"Ctrl-C did not stop cleanly:\n{log_path.read_text()[-4000:]}"
