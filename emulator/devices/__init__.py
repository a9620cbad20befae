"""The emulated devices: what a Mi Band 1 and a Ninebot One say, and how they appear on air.

- `band`: a Mi Band 1S (or 1 / 1A) and what it does; `band_air` its services, attribute tables,
  advertisement and link timing; `band_alarms` its three alarms; `band_memory` its activity
  memory and the blocks it sends it in.
- `wheel`: a Ninebot One (C/E/E+/P, and the One S2) with its register file, rides and charges.
- `replay`: a Mi Band 1 and a One E+ that answer with a capture's bytes only.
- `catalog`: the supported devices and the look-alikes, as they appear on air.
"""
