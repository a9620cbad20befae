"""An emulated ESPHome Bluetooth proxy: the native API, in plaintext, on a loopback TCP port.

- `proxy`: the proxy itself (slots, connections, GATT requests, faults);
- `frames`: the API's framing on the proxy's side of a TCP connection;
- `messages`: advertisements as AD structures, GATT services as the firmware describes them.
"""

from .proxy import (
    DEFAULT_CONNECTION_SLOTS,
    ESPHOME_VERSION,
    FEATURE_FLAGS,
    EmulatedESPHomeProxy,
    ProxyIdentity,
)

__all__ = [
    "DEFAULT_CONNECTION_SLOTS",
    "ESPHOME_VERSION",
    "FEATURE_FLAGS",
    "EmulatedESPHomeProxy",
    "ProxyIdentity",
]
