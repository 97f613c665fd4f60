"""The burner's default cooking timer duration."""

from __future__ import annotations

from homeassistant.components.number import NumberEntity, NumberMode
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import TIMER_MINUTES_RANGE
from .controller import GasStoveGuardConfigEntry
from .entity import BurnerEntity

# Push only: states come from the controller, and every action returns at once.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: GasStoveGuardConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the timer duration."""
    async_add_entities([TimerDurationNumber(entry.runtime_data, "timer_duration")])


class TimerDurationNumber(BurnerEntity, NumberEntity):
    """Minutes a timer runs when started without a duration (restored across restarts)."""

    _attr_entity_category = EntityCategory.CONFIG
    _attr_mode = NumberMode.BOX
    _attr_native_min_value, _attr_native_max_value = TIMER_MINUTES_RANGE
    _attr_native_step = 1
    _attr_native_unit_of_measurement = UnitOfTime.MINUTES

    @property
    def native_value(self) -> float:
        """The duration."""
        return self.controller.timer_minutes

    async def async_set_native_value(self, value: float) -> None:
        """Change the duration."""
        self.controller.async_set_timer_minutes(value)
