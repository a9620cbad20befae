"""Xiaomi Mi Band 1 / 1A / 1S protocol: pure bytes <-> values, free of Home Assistant.

Facts come from the project's protocol notes (shared/protocols/miband1s.md).
"""
