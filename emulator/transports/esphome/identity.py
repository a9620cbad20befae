"""What the emulated proxy tells Home Assistant about itself, and its settings out of the box.

The handshake (HelloResponse) and DeviceInfoResponse carry its build, its names and addresses
and the feature flags of a current `bluetooth_proxy` with `active: true` (esphome/components/
bluetooth_proxy; the flags as the installed aioesphomeapi knows them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aioesphomeapi import BluetoothProxyFeature, api_pb2

# The proxy's build, as Home Assistant shows it under the device. Newer than the esphome
# integration's STABLE_BLE_VERSION (2026.5.1 in 2026.10), which would otherwise raise a repair.
ESPHOME_VERSION = "2026.10.2"
# The native API version ESPHome 2026.10 speaks.
API_VERSION = (1, 14)

# A current `bluetooth_proxy` with `active: true`: every feature of these that the installed
# aioesphomeapi knows (the oldest supported Home Assistant's predates connection parameters).
FEATURE_FLAGS = sum(
    getattr(BluetoothProxyFeature, name, 0)
    for name in (
        "PASSIVE_SCAN",
        "ACTIVE_CONNECTIONS",
        "REMOTE_CACHING",
        "PAIRING",
        "CACHE_CLEARING",
        "RAW_ADVERTISEMENTS",
        "FEATURE_STATE_AND_MODE",
        "CONNECTION_PARAMS_SETTING",
    )
)
# ESPHome's default `connection_slots` with active connections.
DEFAULT_CONNECTION_SLOTS = 3


@dataclass(slots=True)
class ProxyIdentity:
    """What the proxy tells Home Assistant about itself (HelloResponse, DeviceInfoResponse)."""

    name: str = "bluetooth-proxy"
    friendly_name: str = "Bluetooth proxy"
    mac_address: str = "AC:67:B2:00:00:01"
    bluetooth_mac_address: str = "AC:67:B2:00:00:03"

    @classmethod
    def numbered(cls, number: int) -> ProxyIdentity:
        """The n-th proxy of a house (1, 2, ...), each with its own name and addresses."""
        suffix = "" if number == 1 else f"-{number}"
        label = "" if number == 1 else f" {number}"
        return cls(
            name=f"bluetooth-proxy{suffix}",
            friendly_name=f"Bluetooth proxy{label}",
            mac_address=f"AC:67:B2:00:{number:02X}:01",
            bluetooth_mac_address=f"AC:67:B2:00:{number:02X}:03",
        )

    def hello(self) -> Any:
        """The answer to the client's HelloRequest, the first message of a connection."""
        return api_pb2.HelloResponse(
            api_version_major=API_VERSION[0],
            api_version_minor=API_VERSION[1],
            server_info=f"{self.name} (esphome v{ESPHOME_VERSION})",
            name=self.name,
        )

    def device_info(self) -> Any:
        """The answer to DeviceInfoRequest: an ESP32 dev board running the proxy's firmware."""
        return api_pb2.DeviceInfoResponse(
            uses_password=False,
            name=self.name,
            friendly_name=self.friendly_name,
            mac_address=self.mac_address,
            bluetooth_mac_address=self.bluetooth_mac_address,
            esphome_version=ESPHOME_VERSION,
            compilation_time="Oct 20 2026, 12:00:00",
            model="esp32dev",
            manufacturer="Espressif",
            project_name="esphome.bluetooth-proxy",
            project_version="26.10.0",
            bluetooth_proxy_feature_flags=int(FEATURE_FLAGS),
            # Without encryption support Home Assistant does not try to provision a key.
            api_encryption_supported=False,
        )
