"""Emulated Bluetooth devices for development and tests; never shipped with the integration.

- `gatt`: a small GATT server model and the bleak objects a client sees of it.
- `link`: the radio link's timing model (connection events, MTU, supervision timeout, time scale).
- `peripheral`: an emulated device: advertisement, connections, fault hooks, behaviour hooks.
- `proxy`: a virtual Bluetooth proxy that plugs into Home Assistant's Bluetooth manager.
- `esphome`: an ESPHome Bluetooth proxy that Home Assistant's esphome integration reaches over
  TCP, carrying the same devices through the same link model.
- `catalog`: the supported devices and the look-alikes, as they appear on air.
"""
