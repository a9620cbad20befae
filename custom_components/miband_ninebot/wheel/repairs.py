"""The wheel's repair issue: raised while it reports an error code, gone once none is reported.

Not fixable from Home Assistant: the wheel clears the code itself (after a restart, or once the
cause is gone). One issue per entry, named after the wheel and its codes, with their meanings
where a source gives them (a Z's, from WheelLog: `ninebot.z_errors`).
"""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from ..const import DOMAIN

ERROR_ISSUE = "wheel_error"
ERROR_ISSUE_KNOWN = "wheel_error_known"  # a code reported has a known meaning


class WheelErrorIssue:
    """The entry's error issue, raised or deleted as the wheel's error code changes."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, name: str, meanings: Mapping[int, str]
    ) -> None:
        """Follow the error codes of the wheel of `entry_id`, called `name` in the issue."""
        self.hass = hass
        self.name = name
        self.issue_id = f"{ERROR_ISSUE}_{entry_id}"
        self._meanings = meanings
        self._raised: tuple[int, ...] = ()  # the codes the issue was last made for

    @callback
    def async_update(self, codes: tuple[int, ...]) -> None:
        """A repair issue while the wheel reports error codes; gone once it reports none."""
        if codes == self._raised:
            return
        self._raised = codes
        if not codes:
            ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)
            return
        code = ", ".join(map(str, codes))
        placeholders = {"name": self.name, "code": code}
        known = any(c in self._meanings for c in codes)
        if known:  # each code with its meaning where one is known, the number alone otherwise
            placeholders["errors"] = "; ".join(
                f"{c}: {self._meanings[c]}" if c in self._meanings else str(c) for c in codes
            )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self.issue_id,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ERROR_ISSUE_KNOWN if known else ERROR_ISSUE,
            translation_placeholders=placeholders,
        )

    @callback
    def async_delete(self) -> None:
        """The wheel is unloaded: it raises no repair any more."""
        ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)
