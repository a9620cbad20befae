"""The benchmarks run on the test suite's Home Assistant, Bluetooth manager and virtual proxy."""

import asyncio

import pytest

from tests.conftest import auto_enable_custom_integrations, proxy  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def enable_event_loop_debug(event_loop: asyncio.AbstractEventLoop) -> None:
    """Run the loop as Home Assistant does in production, not in asyncio's debug mode.

    The test plugin turns debug mode on; it records a traceback for every task and callback
    scheduled, which costs more CPU than the code being measured.
    """
    event_loop.set_debug(False)
