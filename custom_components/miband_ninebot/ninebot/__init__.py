"""Ninebot One (legacy "55 AA" protocol): frames, checksum, registers; free of Home Assistant.

Facts come from docs/protocols/ninebot-one.md, with their sources.
"""
