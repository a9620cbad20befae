"""Ninebot One (legacy "55 AA" protocol): frames, checksum, registers; free of Home Assistant.

Facts come from the project's protocol notes (shared/protocols/ninebot_one.md).
"""
