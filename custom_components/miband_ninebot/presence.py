"""Whether a device is heard: by any adapter or proxy, connectable or not, without connecting.

Home Assistant's Bluetooth declares a device gone once nothing has heard it for a while; until
then it counts as here. Many devices stop advertising while connected, so the coordinator counts
a held link as presence too.
"""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.components import bluetooth
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback


class Presence:
    """Heard lately by any adapter or proxy, passively: it connects to nothing."""

    def __init__(self, hass: HomeAssistant, address: str, changed: Callable[[], None]) -> None:
        """Start from what Home Assistant knows now; `changed()` is called when it changes."""
        self.hass = hass
        self.address = address
        self.heard = bluetooth.async_address_present(hass, address, connectable=False)
        self._changed = changed

    @property
    def rssi(self) -> int | None:
        """The signal of the latest advertisement heard, by any adapter or proxy."""
        info = bluetooth.async_last_service_info(self.hass, self.address, connectable=False)
        return None if info is None else info.rssi

    @callback
    def async_start(self) -> list[CALLBACK_TYPE]:
        """Listen on every adapter and proxy; returns what stops listening."""
        return [
            bluetooth.async_register_callback(
                self.hass,
                self._async_on_heard,
                bluetooth.BluetoothCallbackMatcher(address=self.address, connectable=False),
                bluetooth.BluetoothScanningMode.PASSIVE,
            ),
            bluetooth.async_track_unavailable(
                self.hass, self._async_on_unheard, self.address, connectable=False
            ),
        ]

    @callback
    def _async_on_heard(
        self, _service_info: bluetooth.BluetoothServiceInfoBleak, _change: bluetooth.BluetoothChange
    ) -> None:
        # Home Assistant calls this for new advertisement data, not for a new RSSI alone.
        if not self.heard:
            self.heard = True
            self._changed()

    @callback
    def _async_on_unheard(self, _service_info: bluetooth.BluetoothServiceInfoBleak) -> None:
        self.heard = False
        self._changed()
