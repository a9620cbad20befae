"""An emulated ESPHome Bluetooth proxy: the native API, in plaintext, on a loopback TCP port.

- `proxy`: the proxy itself, the API server: its lifetime, its clients, the faults a test
  provokes; it hands each message to one of its parts:
- `identity`: what it tells Home Assistant about itself (handshake, device info, feature flags);
- `scanning`: the devices in its range, its scan mode, the advertisements it forwards;
- `connections`: its connection slots and the BLE links in them, connect to disconnect;
- `gatt_requests`: the client's requests on an open link (services, reads, writes,
  notifications, connection parameters);
- `frames`: the API's framing on the proxy's side of a TCP connection;
- `messages`: GATT services as the firmware describes them.
"""

from .identity import DEFAULT_CONNECTION_SLOTS, ESPHOME_VERSION, FEATURE_FLAGS, ProxyIdentity
from .proxy import EmulatedESPHomeProxy

__all__ = [
    "DEFAULT_CONNECTION_SLOTS",
    "ESPHOME_VERSION",
    "FEATURE_FLAGS",
    "EmulatedESPHomeProxy",
    "ProxyIdentity",
]
