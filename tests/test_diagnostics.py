"""Diagnostics of a band and of a wheel, as a bug report carries them: redacted, whole.

The band's user id and its wearer's profile, and the wheel's PIN, show as **REDACTED**. The
wheel's polling counters grow for as long as the link is held: their type is kept, not their
value.
"""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.matchers import path_type

from emulator.link.peripheral import Peripheral

from .helpers.snapshots import SNAPSHOT_MARK, add_device_read_once

pytestmark = SNAPSHOT_MARK

GROWING = path_type(
    {
        "wheel.polling.requests": (int,),
        "wheel.polling.live_cycles": (int,),
        "wheel.decoder.frames": (int,),
        # The band's FF03 codes of the connection: its two conversations (the parameter update,
        # the authentication) interleave at the central's pace (tests/test_band_session.py).
        "band.statuses": (list,),
    }
)


@pytest.mark.parametrize("device", ["mi_band_1s", "ninebot_one_e", "ninebot_one_z10"])
async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
    add_device: Callable[[Peripheral], Peripheral],
    device: str,
) -> None:
    entry = await add_device_read_once(hass, add_device, device)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert diagnostics == snapshot(matcher=GROWING)
