"""Home Assistant meets a One E+ through the frames NinebotClientTest captured from one.

The replayed wheel (`emulator.devices.replay.ReplayedNinebotOne`) answers each read with the
captured answer frames that carry its registers, streamed in 20-byte notifications as an E+ does,
and nothing for registers no capture holds. Discovery, the config flow's identity check and the
first readings go through Home Assistant's Bluetooth manager to the entities; every value below is
the client's own print of those frames (9BMetrics issue 6), converted by our decoders.
"""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant

from custom_components.miband_ninebot.const import CONF_MODEL
from emulator.devices.replay import ReplayedNinebotOne
from emulator.link.peripheral import Peripheral

from . import add_entry_via_discovery, device_entry, entity_id_of, until
from .helpers.esphome import ESPHomeProxies

AddDevice = Callable[[Peripheral], Peripheral]


async def test_the_captured_one_e_plus_is_added_and_read(
    hass: HomeAssistant, add_device: AddDevice
) -> None:
    wheel = add_device(ReplayedNinebotOne())
    await _added_and_read(hass, wheel)


async def test_the_captured_one_e_plus_through_an_esphome_proxy(
    hass: HomeAssistant, esphome_proxies: ESPHomeProxies, no_backoff: None
) -> None:
    proxy = await esphome_proxies.add()
    wheel = ReplayedNinebotOne()
    ESPHomeProxies.place(wheel, proxy)
    await _added_and_read(hass, wheel)


async def _added_and_read(hass: HomeAssistant, wheel: ReplayedNinebotOne) -> None:
    entry = await add_entry_via_discovery(hass, wheel)

    # Its serial "N2OEA1533A4512" names a One E (the E+ shares its letters).
    assert entry.data[CONF_MODEL] == "Ninebot One E"
    # The first reading waits for the lifetime runtime, which no capture holds, to go unanswered.
    await until(lambda: device_entry(hass, wheel.address).serial_number is not None)
    device = device_entry(hass, wheel.address)
    assert (device.serial_number, device.sw_version) == ("N2OEA1533A4512", "1.3.5")

    def state(key: str, platform: str = "sensor") -> str:
        return hass.states.get(entity_id_of(hass, platform, wheel.address, key)).state

    # [180: 51] battery; [181: 0] speed; [188: 5494, 189: 8] voltage and current;
    # [183: 19211, 184: 1] odometer; [187: 301] temperature; [37: 1388] range.
    assert state("battery") == "51"
    assert float(state("speed")) == 0.0
    assert float(state("voltage")) == 54.94
    assert float(state("current")) == 0.08
    assert float(state("total_distance")) == (1 << 16 | 19211) / 1000
    assert float(state("temperature")) == 30.1
    assert float(state("remaining_range")) == 13.88
    # 0x32-0x33 were never captured: the lifetime runtime stays unknown, the rest is read.
    assert state("total_ride_time") == STATE_UNKNOWN
    # Only reads went to the wheel: nothing in the setup writes to it.
    assert {frame[4] for frame in wheel.written} == {0x01}
