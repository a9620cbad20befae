"""A Ninebot One S2: discovered by its manufacturer data, read over the Nordic UART service."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.components import bluetooth
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from custom_components.miband_ninebot.const import CONF_KIND, CONF_MODEL, DOMAIN
from emulator import catalog
from emulator.peripheral import Peripheral
from emulator.wheel import NinebotOneS2

from . import add_entry_via_discovery, device_entry, state_of

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
