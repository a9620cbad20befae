"""A Ninebot One in Home Assistant: what its power-on added up to, and its entities.

Its coordinator is `wheel.coordinator.WheelCoordinator`; the protocol, free of Home Assistant, is
`ninebot/`. Each platform module here holds the wheel's entity descriptions and classes, which the
top-level platform of the same name adds for a wheel's entry.
"""
