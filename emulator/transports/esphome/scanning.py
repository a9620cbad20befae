"""The proxy's radio as a scanner: the devices in its range, its scan mode, its advertisements.

What it does as the firmware does (esphome/components/bluetooth_proxy and esp32_ble_tracker,
facts in aioesphomeapi and bleak-esphome as installed):
- a single advertisement subscriber (the newest wins), answered with the scanner's state;
- it scans in its configured mode (`esp32_ble_tracker`'s `active`, true by default) until Home
  Assistant sets another: a change restarts the scan and pushes the states stopping, idle,
  starting and running, each with the new mode; an unchanged mode gets no answer. Home
  Assistant 2026.x sets a proxy to passive at connect ("auto") and opens active windows;
- raw advertisements, batched: scanning actively, one per advertising event holding the
  advertisement and the scan response together (Bluedroid reports a scannable device only once
  its scan response came); passively, the advertisement alone.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aioesphomeapi import api_pb2
from bluetooth_data_tools import mac_to_int

from ...link.peripheral import Peripheral
from .frames import ApiConnection, Handlers
from .identity import ProxyIdentity

_LOGGER = logging.getLogger(__name__)

# SubscribeBluetoothLEAdvertisementsRequest.flags: raw advertisements wanted.
_RAW_ADVERTISEMENTS_FLAG = 1


class Scanner:
    """Who is in the proxy's range, how it listens to them, and the client it tells."""

    def __init__(
        self, identity: ProxyIdentity, *, advertising_interval: float, configured_active: bool
    ) -> None:
        """Scan as configured once `boot` is called; `advertising_interval` in wall seconds."""
        self._identity = identity
        self.advertising_interval = advertising_interval
        self.rssi: dict[str, int] = {}  # per-address RSSI as this proxy hears it, if not the ad's
        # The YAML's scan mode, which every boot starts with; Home Assistant may set another.
        self.configured_active = configured_active
        self.active = configured_active
        self.mode_changes: list[bool] = []  # every change Home Assistant asked for (active?)
        self._peripherals: dict[str, Peripheral] = {}
        self._subscriber: ApiConnection | None = None
        self._advertising: asyncio.TimerHandle | None = None

    @property
    def subscribed(self) -> bool:
        """Whether an API client (Home Assistant) has the advertisement subscription."""
        return self._subscriber is not None

    def boot(self) -> None:
        """Scan in the configured mode (the mode lives in RAM); forward advertisements from now."""
        self.active = self.configured_active
        loop = asyncio.get_running_loop()

        def advertise() -> None:
            self.advertise_now()
            self._advertising = loop.call_later(self.advertising_interval, advertise)

        self._advertising = loop.call_later(self.advertising_interval, advertise)

    def power_off(self) -> None:
        """The radio goes silent: no more advertisements."""
        if self._advertising is not None:
            self._advertising.cancel()
            self._advertising = None

    def client_gone(self, api: ApiConnection) -> None:
        """An API client went away: if it had the subscription, nobody has it now."""
        if self._subscriber is api:
            self._subscriber = None

    # -- the radio's range ------------------------------------------------------------------------

    def add(self, peripheral: Peripheral) -> None:
        """Put a peripheral in the proxy's range."""
        self._peripherals[peripheral.address] = peripheral
        self.advertise_now()

    def remove(self, address: str) -> Peripheral | None:
        """Take a peripheral out of the proxy's range."""
        return self._peripherals.pop(address.upper(), None)

    def peripheral(self, address: str) -> Peripheral | None:
        """Return the peripheral with this address, if the proxy hears it."""
        return self._peripherals.get(address.upper())

    def advertise_now(self) -> None:
        """Forward one advertisement of every peripheral in range to the subscriber."""
        subscriber = self._subscriber
        if subscriber is None:
            return
        response = api_pb2.BluetoothLERawAdvertisementsResponse()
        for peripheral in self._peripherals.values():
            if not peripheral.in_range:
                continue
            advertisement = peripheral.advertisement
            rssi = self.rssi.get(peripheral.address, advertisement.rssi)
            response.advertisements.add(
                address=mac_to_int(peripheral.address),
                rssi=rssi,
                address_type=peripheral.address_type,
                data=advertisement.heard(active=self.active),
            )
        if response.advertisements:
            subscriber.send(response)

    # -- the API ----------------------------------------------------------------------------------

    def handlers(self) -> Handlers:
        """The messages the scanner answers."""
        return {
            "SubscribeBluetoothLEAdvertisementsRequest": self._subscribe,
            "UnsubscribeBluetoothLEAdvertisementsRequest": self._unsubscribe,
            "BluetoothScannerSetModeRequest": self._set_mode,
        }

    def _subscribe(self, api: ApiConnection, message: Any) -> None:
        if not message.flags & _RAW_ADVERTISEMENTS_FLAG:
            _LOGGER.debug("%s: only raw advertisements are emulated", self._identity.name)
            return
        # One subscriber: the newest wins (esphome/esphome#17423).
        self._subscriber = api
        api.send(self._state())
        self.advertise_now()

    def _unsubscribe(self, api: ApiConnection, _message: Any) -> None:
        self.client_gone(api)

    def _set_mode(self, _api: ApiConnection, message: Any) -> None:
        active = message.mode == api_pb2.BluetoothScannerMode.BLUETOOTH_SCANNER_MODE_ACTIVE
        if active == self.active:
            return  # the firmware answers only a change
        self.active = active
        self.mode_changes.append(active)
        if (subscriber := self._subscriber) is None:
            return
        # The scan restarts; each step is reported with the new mode (Home Assistant takes the
        # mode as current only once the state is running).
        states = api_pb2.BluetoothScannerState
        for state in (
            states.BLUETOOTH_SCANNER_STATE_STOPPING,
            states.BLUETOOTH_SCANNER_STATE_IDLE,
            states.BLUETOOTH_SCANNER_STATE_STARTING,
            states.BLUETOOTH_SCANNER_STATE_RUNNING,
        ):
            subscriber.send(self._state(state))

    def _state(
        self, state: int = api_pb2.BluetoothScannerState.BLUETOOTH_SCANNER_STATE_RUNNING
    ) -> Any:
        modes = api_pb2.BluetoothScannerMode
        active, passive = modes.BLUETOOTH_SCANNER_MODE_ACTIVE, modes.BLUETOOTH_SCANNER_MODE_PASSIVE
        message = api_pb2.BluetoothScannerStateResponse(
            state=state, mode=active if self.active else passive
        )
        if "configured_mode" in message.DESCRIPTOR.fields_by_name:  # API 1.12 on
            message.configured_mode = active if self.configured_active else passive
        return message
