"""What goes wrong talking to a wheel.

The ones that mean "this connection cannot go on" derive from bleak's `BleakError`, so a caller
that retries on a lost link retries on them too; a refused or unconfirmed write does not.
"""

from __future__ import annotations

from bleak.exc import BleakError


class MissingCharacteristicError(BleakError):
    """The connected device lacks the wheel's serial characteristic."""


class WheelNotAnsweringError(BleakError):
    """The link is up but the wheel does not answer read requests."""


class WheelMovingError(Exception):
    """A write was refused: the wheel did not report a standstill just before it."""


class WriteNotConfirmedError(Exception):
    """The wheel took a write but its register does not read back the value written."""
