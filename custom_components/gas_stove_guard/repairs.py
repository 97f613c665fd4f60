"""Fix flow for a burner whose relay entity no longer exists: pick the new relay."""

from __future__ import annotations

from typing import Any

from homeassistant.components.repairs import RepairsFlow
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult

from .config_flow import RELAY_SCHEMA, _clean, _with_values, validate_options
from .const import CONF_RELAY


class RelayMissingRepairFlow(RepairsFlow):
    """Point the burner at a relay that exists."""

    def __init__(self, entry_id: str) -> None:
        """Remember the burner."""
        self._entry_id = entry_id

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> FlowResult:
        """Choose the relay; the burner reloads with it."""
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None:
            return self.async_abort(reason="burner_removed")
        if user_input is not None and CONF_RELAY not in user_input:
            user_input = None  # Home Assistant opens the flow with {"issue_id": ...}: nothing chosen yet
        errors: dict[str, str] = {}
        if user_input is not None and not (errors := validate_options(self.hass, user_input, entry.entry_id)):
            self.hass.config_entries.async_update_entry(
                entry, options={**entry.options, **_clean(user_input)}
            )
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="init",
            data_schema=_with_values(RELAY_SCHEMA, user_input or entry.options),
            errors=errors,
            description_placeholders={"burner": entry.title},
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """The only fixable issue is a missing relay."""
    assert data is not None
    return RelayMissingRepairFlow(str(data["entry_id"]))
