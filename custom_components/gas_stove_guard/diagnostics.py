"""Diagnostics for a burner: its options, the relay, lockout, the last shut-off and what is scheduled."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant

from .controller import GasStoveGuardConfigEntry


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: GasStoveGuardConfigEntry
) -> dict[str, Any]:
    """Nothing here is secret: entity ids and timings."""
    return {"options": dict(entry.options), **entry.runtime_data.diagnostics()}
