"""The wheel's repair issue: raised while it reports an error code, gone once the code reads 0.

Not fixable from Home Assistant: the wheel clears the code itself (after a restart, or once the
cause is gone). One issue per entry, named after the wheel and its code.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from ..const import DOMAIN

ERROR_ISSUE = "wheel_error"


class WheelErrorIssue:
    """The entry's error issue, raised or deleted as the wheel's error code changes."""

    def __init__(self, hass: HomeAssistant, entry_id: str, name: str) -> None:
        """Follow the error code of the wheel of `entry_id`, called `name` in the issue."""
        self.hass = hass
        self.name = name
        self.issue_id = f"{ERROR_ISSUE}_{entry_id}"
        self._raised: int | None = None  # the code the issue was last made for (0: none)

    @callback
    def async_update(self, code: int) -> None:
        """A repair issue while the wheel reports an error code; gone once it reads 0."""
        if code == self._raised:
            return
        self._raised = code
        if not code:
            ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self.issue_id,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ERROR_ISSUE,
            translation_placeholders={"name": self.name, "code": str(code)},
        )

    @callback
    def async_delete(self) -> None:
        """The wheel is unloaded: it raises no repair any more."""
        ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)
