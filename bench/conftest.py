"""The benchmarks run on the test suite's Home Assistant, Bluetooth manager and proxies."""

import asyncio

import pytest

from tests.conftest import auto_enable_custom_integrations, esphome_proxies, proxy  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
async def enable_event_loop_debug() -> None:
    """Run the loop as Home Assistant does in production, not in asyncio's debug mode.

    Overrides the test plugin's fixture of this name, which turns debug mode on: it records a
    traceback for every task and callback scheduled, which costs more CPU than the code measured.
    """
    asyncio.get_running_loop().set_debug(False)
