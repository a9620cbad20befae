"""How Home Assistant reaches the emulated devices: two Bluetooth proxies, one link model.

- `virtual_proxy`: a virtual Bluetooth proxy that plugs into Home Assistant's Bluetooth manager
  as a remote scanner and hands out an emulated BleakClient.
- `esphome`: an ESPHome Bluetooth proxy that Home Assistant's esphome integration reaches over
  TCP with the native API.
"""
