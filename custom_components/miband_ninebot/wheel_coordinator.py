"""A Ninebot One's coordinator: the shared link lifecycle plus the wheel's polling session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bleak.backends.device import BLEDevice
from homeassistant.core import HomeAssistant, callback

from .coordinator import LinkCoordinator, LinkSettings
from .ninebot.protocol import model_from_serial
from .ninebot.session import WheelIdentity, WheelReading, WheelSession

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry


class WheelCoordinator(LinkCoordinator[WheelReading | None]):
    """Holds a wheel's link and publishes its readings; data is None until the first one."""

    session: WheelSession

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        ble_device: BLEDevice,
        settings: LinkSettings | None = None,
    ) -> None:
        """Prepare the link and the polling session that feeds it."""
        super().__init__(
            hass, entry, ble_device, WheelSession(self._async_on_reading), None, settings=settings
        )
        self._registered_identity: WheelIdentity | None = None

    @callback
    def _async_on_reading(self, reading: WheelReading) -> None:
        if (identity := reading.identity) != self._registered_identity:
            self._registered_identity = identity
            self.async_update_device_info(
                model=model_from_serial(identity.serial_number),
                sw_version=identity.firmware_version,
                serial_number=identity.serial_number,
            )
        self.async_publish(reading)
