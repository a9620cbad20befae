"""What every emulated device stands on, whichever transport carries it.

- `timing`: the radio link's timing model (connection events, MTU, supervision timeout, time
  scale) and the HCI reasons a link ends with.
- `peripheral`: an emulated device: advertisement, connections, fault hooks, behaviour hooks.
- `gatt`: a small GATT server model and the bleak objects a client sees of it.
"""
