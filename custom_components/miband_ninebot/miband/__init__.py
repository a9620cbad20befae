"""Xiaomi Mi Band 1 / 1A / 1S protocol: pure bytes <-> values, free of Home Assistant.

Facts come from docs/protocols/mi-band-1.md, with their sources.
"""
