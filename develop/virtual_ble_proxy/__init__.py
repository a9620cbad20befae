"""Development only: a virtual Bluetooth proxy with an emulated Mi Band 1S and Ninebot One.

`scripts/develop` links this component into its Home Assistant config directory and puts the
repository on PYTHONPATH, so the emulators of the test suite serve a real Home Assistant. The
devices live on real time: the band counts steps as its wearer walks, answers measurements with
changing values and taps itself when asked to confirm a pairing; the wheel is being ridden. The
proxy advertises them every few seconds, so Home Assistant never marks them gone.
"""

from __future__ import annotations

from datetime import timedelta
import itertools
import logging
import random

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType

from emulator import catalog
from emulator.proxy import VirtualProxy

DOMAIN = "virtual_ble_proxy"
CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)

_LOGGER = logging.getLogger(__name__)

ADVERTISE_EVERY = timedelta(seconds=5)  # well inside habluetooth's 195 s expiry
TAP_AFTER = 3.0  # s: the emulated wearer confirms a pairing this long after the vibration
HEART_RATES = (72, 78, 69, 81, 75, 66)  # every measurement reads the next one
RECHARGE_BELOW = 10  # % of wheel battery: the rider stops, charges, rides on
# A real band remembers whom it was paired with across Home Assistant's restarts; the emulated
# one is made anew at every start, so what it knows is kept in the config's .storage.
BAND_MEMORY = f"{DOMAIN}.band"


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the proxy and put the emulated band and wheel in its range."""
    proxy = VirtualProxy(name="Virtual Bluetooth proxy (develop)")
    proxy.start()
    band = catalog.mi_band_1s()
    band.auto_tap_after = TAP_AFTER
    memory: Store[dict[str, list[int]]] = Store(hass, 1, BAND_MEMORY)
    if remembered := await memory.async_load():
        band.known_user_ids.update(remembered["known_user_ids"])
    band.activity.next_heart_rate = itertools.cycle(HEART_RATES).__next__
    wheel = catalog.ninebot_one_e()
    wheel.start_ride()
    proxy.add(band)
    proxy.add(wheel)
    steps = random.Random(1)  # the same walk on every start

    @callback
    def _live(_now: object) -> None:
        proxy.advertise_all()
        band.walk(steps.randint(0, 12))
        if wheel.state.battery <= RECHARGE_BELOW:  # about every 40 minutes of riding
            wheel.state.battery = 95
            wheel.start_ride()

    cancel_live = async_track_time_interval(hass, _live, ADVERTISE_EVERY)

    async def _stop(_event: Event) -> None:
        cancel_live()
        proxy.stop()
        await memory.async_save({"known_user_ids": sorted(band.known_user_ids)})

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stop)
    _LOGGER.warning(
        "Development proxy: emulated %s (%s) and %s (%s) in range",
        band.advertisement.local_name,
        band.address,
        wheel.advertisement.local_name,
        wheel.address,
    )
    return True
