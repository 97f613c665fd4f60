"""The burner's main entity: a gas valve that can only be closed."""

from __future__ import annotations

from typing import Any

from homeassistant.components.valve import ValveDeviceClass, ValveEntity, ValveEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .controller import GasStoveGuardConfigEntry
from .entity import BurnerEntity
from .guard import Reason, ValveState

# Push only: states come from the controller, and every action returns at once.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: GasStoveGuardConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the burner's valve."""
    async_add_entities([BurnerValve(entry.runtime_data, None)])


class BurnerValve(BurnerEntity, ValveEntity):
    """Closing it opens the flame-failure loop for a moment; gas can only be turned on by hand."""

    _attr_name = None
    _attr_device_class = ValveDeviceClass.GAS
    _attr_supported_features = ValveEntityFeature.CLOSE
    _attr_reports_position = False

    @property
    def is_closed(self) -> bool | None:
        """Closed after a shut-off, while held, or when the flame sensor says so."""
        state = self.controller.guard.valve_state
        return None if state is None else state is not ValveState.OPEN

    @property
    def is_closing(self) -> bool:
        """During a shut-off pulse."""
        return self.controller.guard.valve_state is ValveState.CLOSING

    async def async_close_valve(self, **kwargs: Any) -> None:
        """Shut the burner off."""
        self.controller.async_shut_off(Reason.MANUAL)
