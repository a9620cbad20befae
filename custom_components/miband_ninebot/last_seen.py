"""When a device was last heard, and where: its advertisements and its link, for both kinds.

Two things say a device is there. Its advertisements, as Home Assistant's Bluetooth keeps the
latest one through whichever adapter or proxy hears it best (the one core's
`PassiveBluetoothDataUpdateCoordinator.last_seen` reads); and, while connected, the data that
comes over the link, a notification or a read's answer: a connected band stops advertising, so
the link is what says it is still there. `LastSeen` takes the newer of the two, and says which
adapter or proxy heard the device best and which one the link goes through.

The link stamps its data through `HeardClient`, the connection's client class: a notification
costs one clock read, no state is written from here (the sensor decides when, link_entities.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak_retry_connector import BleakClientWithServiceCache
from bluetooth_data_tools import monotonic_time_coarse
from homeassistant.components import bluetooth
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

type NotifyCallback = Callable[[BleakGATTCharacteristic, bytearray], Awaitable[None] | None]


class HeardClient(BleakClientWithServiceCache):
    """The link's client: calls `on_data` for every notification and every read's answer."""

    on_data: Callable[[], None] | None = None

    async def start_notify(
        self, char_specifier: Any, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        """Subscribe, stamping each notification before the session's callback takes it."""

        def heard(char: BleakGATTCharacteristic, data: bytearray) -> Awaitable[None] | None:
            if self.on_data is not None:
                self.on_data()
            return callback(char, data)

        await super().start_notify(char_specifier, heard, **kwargs)

    async def read_gatt_char(self, char_specifier: Any, **kwargs: Any) -> bytearray:
        """Read, stamping the answer."""
        data = await super().read_gatt_char(char_specifier, **kwargs)
        if self.on_data is not None:
            self.on_data()
        return data


def connection_source(hass: HomeAssistant, client: object, address: str) -> str | None:
    """The source of the adapter or proxy a fresh connection goes through.

    habluetooth's client wrapper picks the path itself (the best signal among the paths with a
    free slot), not necessarily the BLEDevice handed in, and no public API names its choice: the
    wrapper keeps it as `_connected_scanner` (habluetooth 7, Home Assistant 2026.x). Without it,
    the best connectable path Home Assistant knows, the one the wrapper ranks first.
    """
    scanner = getattr(client, "_connected_scanner", None)
    if isinstance(source := getattr(scanner, "source", None), str):
        return source
    info = bluetooth.async_last_service_info(hass, address, connectable=True)
    return None if info is None else info.source


@dataclass(frozen=True, slots=True)
class Where:
    """The adapter or proxy that heard the device best, and the one its link goes through."""

    heard_by: str | None = None  # its name, as Home Assistant's Bluetooth shows it
    source: str | None = None  # its source (an adapter's or a proxy's address)
    rssi: int | None = None  # the signal it heard, dBm
    connected_via: str | None = None  # the name of the one the link goes through, if connected

    @property
    def place(self) -> tuple[str | None, str | None]:
        """Who heard it best and what the link goes through, without the signal (which varies)."""
        return self.source, self.connected_via

    def attributes(self) -> dict[str, Any]:
        """The sensor's state attributes."""
        return {
            "heard_by": self.heard_by,
            "source": self.source,
            "rssi": self.rssi,
            "connected_via": self.connected_via,
        }


class LastSeen:
    """The newer of the latest advertisement heard and the latest data over the link."""

    def __init__(self, hass: HomeAssistant, address: str) -> None:
        """Nothing heard yet; the link hands in its stamps and its path as they come."""
        self.hass, self.address = hass, address
        self.link_data: datetime | None = None  # the latest notification or read's answer
        self.link_source: str | None = None  # the path of the latest connection
        self._heard: bluetooth.BluetoothServiceInfoBleak | None = None
        self._advertised: tuple[float, datetime] | None = None  # monotonic, and as a date

    def link_heard(self) -> None:
        """Data came over the link: called for every notification, so only the clock is read."""
        self.link_data = dt_util.utcnow()

    @property
    def when(self) -> datetime | None:
        """When the device was last heard, advertising or over its link; None before that."""
        advertised = self._advertisement_time()
        if advertised is None or (self.link_data is not None and self.link_data > advertised):
            return self.link_data
        return advertised

    def where(self, *, connected: bool) -> Where:
        """Who heard it best (the last one known while it is away), and the link's path."""
        self._latest_advertisement()
        heard, via = self._heard, None
        if connected and self.link_source is not None:
            scanner = bluetooth.async_scanner_by_source(self.hass, self.link_source)
            via = self.link_source if scanner is None else scanner.name
        if heard is None:
            return Where(connected_via=via)
        scanner = bluetooth.async_scanner_by_source(self.hass, heard.source)
        name = heard.source if scanner is None else scanner.name
        return Where(name, heard.source, heard.rssi, via)

    def _latest_advertisement(self) -> bluetooth.BluetoothServiceInfoBleak | None:
        info = bluetooth.async_last_service_info(self.hass, self.address, connectable=False)
        if info is not None:
            self._heard = info
        return self._heard

    def _advertisement_time(self) -> datetime | None:
        """The latest advertisement's time on the wall clock (Home Assistant keeps it monotonic).

        Converted once per advertisement, so that the value stays put until another is heard.
        """
        if (info := self._latest_advertisement()) is None:
            return None
        if self._advertised is None or self._advertised[0] != info.time:
            age = max(0.0, monotonic_time_coarse() - info.time)
            self._advertised = (info.time, dt_util.utcnow() - timedelta(seconds=age))
        return self._advertised[1]
