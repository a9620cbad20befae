"""A Ninebot One S2: discovered by its manufacturer data, read over the Nordic UART service.

Its speed is read in 0.01 km/h and its lock written with CMD 0x02, as the S2 sources have it
(WheelLog, eucWatch, 9BotONE; see `ninebot.protocol.ONE_S2`); the One E beside it keeps m/h and
CMD 0x03.
"""

from __future__ import annotations

from collections.abc import Callable
import logging

from homeassistant.components import bluetooth
from homeassistant.components.lock import LockState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
import pytest

from custom_components.miband_ninebot.const import CONF_KIND, CONF_MODEL, DOMAIN
from custom_components.miband_ninebot.ninebot import client as wheel_client
from emulator.devices import catalog
from emulator.devices.wheel import NinebotOne, NinebotOneS2
from emulator.link.peripheral import Peripheral

from . import add_entry_via_discovery, device_entry, state_of
from .helpers.wheel import enable_lock

AddDevice = Callable[[Peripheral], Peripheral]


async def test_an_s2_is_discovered_and_read(hass: HomeAssistant, add_device: AddDevice) -> None:
    wheel = add_device(catalog.ninebot_one_s2())
    assert isinstance(wheel, NinebotOneS2)
    wheel.state.speed = 13.5
    wheel.state.battery = 64

    entry = await add_entry_via_discovery(hass, wheel)

    assert entry.data[CONF_KIND] == "wheel"
    assert entry.data[CONF_MODEL] == "Ninebot One S2"
    assert entry.title == "Ninebot One S2 (0052)"
    # Only frames addressed 0x11 get an answer, and the speed sits at 0xBE on this wheel.
    assert state_of(hass, Platform.SENSOR, wheel.address, "speed") == "13.5"
    assert state_of(hass, Platform.SENSOR, wheel.address, "battery") == "64"
    device = device_entry(hass, wheel.address)
    assert device.model == "Ninebot One S2"
    assert device.sw_version == "1.1.0"  # 0x1410 as WheelLog prints an S2's version
    assert device.serial_number == wheel.identity.serial_number
    assert (0xB0, 15) in wheel.reads


async def test_an_s2_advertisement_is_told_from_a_mini_s(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    """The same company id with the Mini's data, and an S2-like name without it, are not S2s."""
    s2 = add_device(catalog.ninebot_one_s2())
    mini = add_device(catalog.ninebot_mini())
    named_n1 = add_device(catalog.nordic_uart_named_n1())

    await add_entry_via_discovery(hass, s2)

    for lookalike in (mini, named_n1):
        assert bluetooth.async_last_service_info(hass, lookalike.address, connectable=True)
    ours = [flow for flow in hass.config_entries.flow.async_progress() if flow["handler"] == DOMAIN]
    assert ours == []


async def test_an_s2_shows_its_speed_register_in_hundredths_of_a_km_h(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    """0xBE = 2716 is 27.16 km/h (WheelLog's S2 unit), not the One's 2.716."""
    wheel = add_device(catalog.ninebot_one_s2())
    wheel.state.speed = 27.16
    assert wheel.registers()[0xBE] == 2716

    await add_entry_via_discovery(hass, wheel)

    assert state_of(hass, Platform.SENSOR, wheel.address, "speed") == "27.16"


@pytest.mark.parametrize(
    ("make", "lock", "unlock"),
    [
        # eucWatch's One C/E/P module: CMD 0x03 (eucNinebotE.js L16-17).
        (catalog.ninebot_one_e, "55aa03090370017fff", "55aa030903700080ff"),
        # eucWatch's S2 module and 9BotONE: CMD 0x02 (eucNinebotS.js L17-18).
        (catalog.ninebot_one_s2, "55aa031102700178ff", "55aa031102700079ff"),
    ],
    ids=["one_e", "s2"],
)
async def test_the_lock_reaches_each_wheel_as_its_own_write(
    hass: HomeAssistant,
    add_device: AddDevice,
    make: Callable[[], NinebotOne],
    lock: str,
    unlock: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=wheel_client.__name__)
    wheel = add_device(make())
    assert wheel.state.speed == 0  # at a standstill
    entry = await add_entry_via_discovery(hass, wheel)
    lock_id = await enable_lock(hass, wheel, entry)

    await hass.services.async_call("lock", "lock", {"entity_id": lock_id}, blocking=True)
    assert wheel.state.locked
    assert hass.states.get(lock_id).state == LockState.LOCKED
    await hass.services.async_call("lock", "unlock", {"entity_id": lock_id}, blocking=True)
    assert not wheel.state.locked
    assert hass.states.get(lock_id).state == LockState.UNLOCKED

    assert [write.hex() for write in wheel.writes] == [lock, unlock]
    # Only the S2 answers its writes (`55 AA 03 11 02 70 01 ck`, unverified), and it was heard.
    answered = "Write of 0x70 answered: 01" in caplog.text
    assert answered == isinstance(wheel, NinebotOneS2)


async def test_an_s2_lock_whose_answer_never_comes_is_decided_by_the_read_back(
    hass: HomeAssistant,
    add_device: AddDevice,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The answer to a 0x02 write is awaited briefly, then the lock register is read back."""
    monkeypatch.setattr(wheel_client, "WRITE_ANSWER_TIMEOUT", 0.05)
    caplog.set_level(logging.DEBUG, logger=wheel_client.__name__)
    wheel = add_device(catalog.ninebot_one_s2())
    entry = await add_entry_via_discovery(hass, wheel)
    lock_id = await enable_lock(hass, wheel, entry)
    wheel.faults.unanswered_writes = True

    await hass.services.async_call("lock", "lock", {"entity_id": lock_id}, blocking=True)

    assert wheel.state.locked
    assert hass.states.get(lock_id).state == LockState.LOCKED
    assert "No answer to the write of 0x70" in caplog.text
