"""Recorder cost: state writes per entity and hour at default settings, wheel ridden, band worn.

Every state write is a row in the recorder's states table, so this counts `state_changed` events
per entity over a window of real time on the real-time link model and scales to an hour. The
wheel is ridden all along (its values change at every poll: the throttle decides); the band's
wearer walks a step every second.
"""

from __future__ import annotations

import asyncio
from collections import Counter
import json
from pathlib import Path

from homeassistant.const import CONF_ADDRESS, EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miband_ninebot.const import CONF_KIND, CONF_MODEL, CONF_USER_ID, DOMAIN
from emulator import catalog
from emulator.proxy import VirtualProxy

RESULTS = Path(__file__).parent / "results" / "state_writes.json"
WINDOW = 30.0  # s of real time
USER_ID = 0x5EED5EED


async def test_state_writes_per_entity_hour(hass: HomeAssistant, proxy: VirtualProxy) -> None:
    wheel = catalog.ninebot_one_e()
    wheel.start_ride()
    band = catalog.mi_band_1s()
    band.known_user_ids.add(USER_ID)
    proxy.add(wheel)
    proxy.add(band)
    for device, data in (
        (wheel, {CONF_KIND: "wheel", CONF_MODEL: "Ninebot One E"}),
        (band, {CONF_KIND: "band", CONF_MODEL: "Mi Band 1S", CONF_USER_ID: USER_ID}),
    ):
        entry = MockConfigEntry(
            domain=DOMAIN,
            unique_id=device.address,
            title=str(data[CONF_MODEL]),
            data={CONF_ADDRESS: device.address, **data},
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
    await asyncio.sleep(3)  # both links up, first values written

    writes: Counter[str] = Counter()

    @callback
    def count(event: Event) -> None:
        writes[event.data["entity_id"]] += 1

    stop_counting = hass.bus.async_listen(EVENT_STATE_CHANGED, count)
    for _ in range(int(WINDOW)):
        band.walk(1)
        await asyncio.sleep(1)
    stop_counting()

    per_hour = {entity: round(n * 3600 / WINDOW) for entity, n in sorted(writes.items())}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"window_s": WINDOW, "per_hour": per_hour}, indent=2))
    print(json.dumps(per_hour, indent=2))
    for entry in hass.config_entries.async_entries(DOMAIN):
        await hass.config_entries.async_unload(entry.entry_id)
