"""Ninebot One protocols (C / E / E+ / P, A1 / S2, Z6 / Z8 / Z10), as a library: no Home Assistant.

- `const`: the wheel's characteristics and how long each answer may take; `exceptions`.
- Codecs, pure bytes <-> values: `framing` (the stream decoder both framings share), `protocol`
  (55 AA: frames, registers, live values), `protocol_z` (the Z's 5A A5 and its key),
  `battery_pack` (a Z's packs), `z_errors` (what a Z's error codes mean), `advertisement` (which
  models a scan shows).
- `transport`: each variant's characteristics, framing and what is read how often; `dialect`:
  requests to bytes and notifications to answers, per framing.
- `client.NinebotClient`: identity once, then self-clocked polling, and the lock's checked write;
  `reading`: what it reports.
- `ride`, `charge`: what the readings add up to, on the wheel's own clock.
- `outing`: what the lifetime counters moved by while the wheel was not heard.

Facts come from docs/protocols/ninebot-one.md and ninebot-one-z.md, with their sources.
"""
