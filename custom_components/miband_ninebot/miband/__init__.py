"""Xiaomi Mi Band 1 / 1A / 1S protocol, shaped as a library: no Home Assistant, bleak only.

- `const`: the band's characteristics and how long each answer may take; `exceptions`.
- Codecs, pure bytes <-> values: `protocol` (user info, device info, dates, battery, steps,
  commands, heart rate), `latency` (LE params), `activity` (the memory's blocks), `alarm`,
  `advertisement` (which models a scan shows).
- `client.MiBandClient`: the conversation over a connection (pairing, initialisation,
  measurement, alarms, vibration, the activity sync), the connection latency it owns
  (`latency.ConnectionLatency`), the memory's transfer (`activity_transfer`).

Facts come from docs/protocols/mi-band-1.md, with their sources.
"""
