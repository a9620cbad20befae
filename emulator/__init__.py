"""Emulated Bluetooth devices for development and tests; never shipped with the integration.

- `devices`: the emulated band and wheel, the captured conversations replayed as devices, and
  the catalog of devices as they appear on air.
- `link`: what every device stands on: the radio link's timing model, the peripheral (its
  advertisement, connections, fault and behaviour hooks) and its GATT table.
- `transports`: how Home Assistant reaches the devices: a virtual Bluetooth proxy on its
  Bluetooth manager, and an emulated ESPHome Bluetooth proxy over TCP, both through the same link
  model.
- `captures`: the capture corpus read back (btsnoop, HCI, ATT, hcidump).
"""
