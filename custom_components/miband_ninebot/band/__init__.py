"""A Mi Band 1/1A/1S in Home Assistant: its statistics, alarm slots and entities.

Its coordinator is `band.coordinator.BandCoordinator`; the protocol, free of Home Assistant, is
`miband/`. Each platform module here holds the band's entity descriptions and classes, which the
top-level platform of the same name adds for a band's entry.
"""
