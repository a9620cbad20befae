"""Ninebot One protocol (C / E / E+ / P, A1 / S2), shaped as a library: no Home Assistant.

- `const`: the wheel's characteristics and how long each answer may take; `exceptions`.
- Codecs, pure bytes <-> values: `protocol` (frames, checksum, stream decoder, registers),
  `advertisement` (which models a scan shows).
- `transport`: each variant's characteristics, frame address and what is read how often.
- `client.NinebotClient`: identity once, then self-clocked polling, and the lock's checked write.
- `ride`, `charge`: what the readings add up to, on the wheel's own clock.
- `outing`: what the lifetime counters moved by while the wheel was not heard.

Facts come from docs/protocols/ninebot-one.md, with their sources.
"""
