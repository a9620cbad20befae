"""What goes wrong talking to a band.

The errors of the link itself are bleak's (`BleakError` and its kin): the ones here that mean
"this connection cannot go on" derive from it, so a caller that retries on a lost link retries on
them too.
"""

from __future__ import annotations

from bleak.exc import BleakError


class MalformedValueError(ValueError):
    """Bytes from the band that do not have the layout the protocol gives them."""


class MissingCharacteristicError(BleakError):
    """The connected device lacks a characteristic the band's protocol needs."""


class TapRequiredError(BleakError):
    """The band does not know this user id: it vibrates and waits for a tap (first pairing)."""


class TapTimeoutError(TapRequiredError):
    """Pairing: the band asked for a tap, and none came in time."""


class AuthenticationRejectedError(BleakError):
    """The band refused the user info outright."""


class NoHeartRateError(Exception):
    """The band gave no heart-rate value in time (or only "no reading")."""


class ActivityTransferError(BleakError):
    """The band's activity transfer broke off or sent what cannot be its memory."""
