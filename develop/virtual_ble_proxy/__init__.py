"""Development only: an emulated Bluetooth proxy with an emulated Mi Band 1S and Ninebot One.

`scripts/develop` links this component into its Home Assistant config directory and puts the
repository on PYTHONPATH, so the emulators of the test suite serve a real Home Assistant. The
devices live on real time: the band counts steps as its wearer walks, answers measurements with
changing values and taps itself when asked to confirm a pairing; the wheel is being ridden.

The band comes with days of memory, as one worn away from any phone holds (the emulator's seeded
day: nights asleep, walks, an evening charge off the wrist), and keeps recording a minute every
minute, so the first sync after onboarding fills the statistics and sleep, and later syncs add
to them. What the band still held at a stop is recorded again at the next start (the integration
imports only minutes after its mark, so nothing counts twice).

By default they are behind an emulated ESPHome Bluetooth proxy, as most users' devices are: it
listens on 127.0.0.1 at the port scripts/develop gives it (MIBAND_NINEBOT_PROXY_PORT), and
`scripts/develop --onboard` adds it through Home Assistant's esphome config flow. With
`transport: virtual` they are behind the virtual proxy of the tests instead (a remote scanner
registered straight on Home Assistant's Bluetooth manager, nothing to add).
"""

from __future__ import annotations

from datetime import datetime, timedelta
import itertools
import logging
import os
import random
from typing import Any

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util
import voluptuous as vol

from emulator.devices import catalog
from emulator.devices.band import MiBand
from emulator.devices.band_memory import generate_minutes
from emulator.devices.wheel_state import ChargeProfile
from emulator.link.peripheral import Peripheral
from emulator.transports.esphome import EmulatedESPHomeProxy, ProxyIdentity
from emulator.transports.virtual_proxy import VirtualProxy

DOMAIN = "virtual_ble_proxy"
CONF_TRANSPORT = "transport"
ESPHOME, VIRTUAL = "esphome", "virtual"
CONFIG_SCHEMA = vol.Schema(
    {
        DOMAIN: vol.Any(
            None,
            vol.Schema({vol.Optional(CONF_TRANSPORT, default=ESPHOME): vol.In([ESPHOME, VIRTUAL])}),
        )
    },
    extra=vol.ALLOW_EXTRA,
)
# The ESPHome native API's own port, unless scripts/develop says otherwise.
PROXY_PORT_VARIABLE = "MIBAND_NINEBOT_PROXY_PORT"
DEFAULT_PROXY_PORT = 6053

_LOGGER = logging.getLogger(__name__)

ADVERTISE_EVERY = timedelta(seconds=5)  # well inside habluetooth's 195 s expiry
TAP_AFTER = 3.0  # s: the emulated wearer confirms a pairing this long after the vibration
HEART_RATES = (72, 78, 69, 81, 75, 66)  # every measurement reads the next one
RECHARGE_BELOW = 10  # % of wheel battery: the rider stops, charges, rides on
CHARGE_RATE = 3.0  # % per minute: a full charge in half an hour, to watch it happen
# A real band remembers whom it was paired with across Home Assistant's restarts; the emulated
# one is made anew at every start, so what it knows is kept in the config's .storage.
BAND_MEMORY = f"{DOMAIN}.band"
DAYS_OF_MEMORY = 3  # what the band holds at the first start
RECORD_EVERY = timedelta(minutes=1)


class _DevelopmentProxy:
    """Either transport, behind the few calls this component makes."""

    def __init__(self, transport: str) -> None:
        self.esphome: EmulatedESPHomeProxy | None = None
        self.virtual: VirtualProxy | None = None
        if transport == ESPHOME:
            self.esphome = EmulatedESPHomeProxy(ProxyIdentity(), advertising_interval=2.0)
            self.esphome.port = int(os.environ.get(PROXY_PORT_VARIABLE, DEFAULT_PROXY_PORT))
        else:
            self.virtual = VirtualProxy(name="Virtual Bluetooth proxy (develop)")

    async def start(self, hass: HomeAssistant) -> None:
        if self.esphome is not None:
            await self.esphome.start()
            _LOGGER.warning(
                "Development proxy: an ESPHome Bluetooth proxy on 127.0.0.1:%s", self.esphome.port
            )
            if not hass.config_entries.async_entries("esphome"):
                _LOGGER.warning(
                    "Development proxy: Home Assistant has no ESPHome entry yet, so it hears "
                    "nothing through the proxy: run scripts/develop --onboard, or add ESPHome "
                    "with host 127.0.0.1 and port %s",
                    self.esphome.port,
                )
        elif self.virtual is not None:
            self.virtual.start()

    def add(self, peripheral: Peripheral) -> None:
        if self.esphome is not None:
            self.esphome.add(peripheral)
        elif self.virtual is not None:
            self.virtual.add(peripheral)

    def advertise(self) -> None:
        if self.virtual is not None:  # the ESPHome proxy advertises on its own
            self.virtual.advertise_all()

    async def stop(self) -> None:
        if self.esphome is not None:
            await self.esphome.stop()
        elif self.virtual is not None:
            self.virtual.stop()


class _BandRecorder:
    """The band's memory on real time, in its clock (local time, which the integration sets).

    The minutes since `memory_from` (or days of them) at the start, then every minute's.
    """

    def __init__(self, band: MiBand, memory_from: str | None) -> None:
        self.band = band
        now = _local_minute()
        start = now - timedelta(days=DAYS_OF_MEMORY)
        if memory_from is not None:
            start = max(start, datetime.fromisoformat(memory_from))
        self._recorded_until = start
        self.record()

    @callback
    def record(self, _now: object = None) -> None:
        """Record the minutes from the last one recorded up to now."""
        start, now = self._recorded_until, _local_minute()
        count = int((now - start).total_seconds() // 60)
        if count <= 0:
            return
        # A seed of its own for each stretch: the same day pattern, different walks.
        seed = int(start.timestamp()) // 60
        self.band.memory.record(start, generate_minutes(start, count, seed=seed))
        self._recorded_until = now

    def held_from(self) -> str:
        """Where the band's memory starts now (where it ends, if it holds none)."""
        runs = self.band.memory.runs
        return (runs[0].start if runs else self._recorded_until).isoformat()


def _local_minute() -> datetime:
    return dt_util.now().replace(tzinfo=None, second=0, microsecond=0)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Start the proxy and put the emulated band and wheel in its range."""
    transport = (config.get(DOMAIN) or {}).get(CONF_TRANSPORT, ESPHOME)
    proxy = _DevelopmentProxy(transport)
    await proxy.start(hass)
    band = catalog.mi_band_1s()
    band.auto_tap_after = TAP_AFTER
    memory: Store[dict[str, Any]] = Store(hass, 1, BAND_MEMORY)
    remembered = await memory.async_load() or {}
    band.known_user_ids.update(remembered.get("known_user_ids", []))
    recorder = _BandRecorder(band, remembered.get("memory_from"))
    band.activity.next_heart_rate = itertools.cycle(HEART_RATES).__next__
    wheel = catalog.ninebot_one_e()
    wheel.start_ride()
    proxy.add(band)
    proxy.add(wheel)
    steps = random.Random(1)  # the same walk on every start

    cancel_recording = async_track_time_interval(hass, recorder.record, RECORD_EVERY)

    @callback
    def _live(_now: object) -> None:
        proxy.advertise()
        band.walk(steps.randint(0, 12))
        if wheel.ride is not None and wheel.state.battery <= RECHARGE_BELOW:
            wheel.do(ChargeProfile(rate=CHARGE_RATE))  # about every 40 minutes of riding
        elif isinstance(wheel.activity, ChargeProfile) and wheel.state.battery >= 100:
            wheel.start_ride()

    cancel_live = async_track_time_interval(hass, _live, ADVERTISE_EVERY)

    async def _stop(_event: Event) -> None:
        cancel_live()
        cancel_recording()
        await proxy.stop()
        await memory.async_save(
            {"known_user_ids": sorted(band.known_user_ids), "memory_from": recorder.held_from()}
        )

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stop)
    _LOGGER.warning(
        "Development proxy: emulated %s (%s) and %s (%s) in range",
        band.advertisement.local_name,
        band.address,
        wheel.advertisement.local_name,
        wheel.address,
    )
    return True
