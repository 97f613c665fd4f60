"""The burner's flame, as its flame sensor reports it (only with a flame sensor)."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorDeviceClass, BinarySensorEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .controller import GasStoveGuardConfigEntry
from .entity import BurnerEntity

# Push only: states come from the controller, and every action returns at once.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: GasStoveGuardConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the flame entity when a flame sensor is configured."""
    if entry.runtime_data.has_flame_sensor:
        async_add_entities([FlameBinarySensor(entry.runtime_data, "flame")])


class FlameBinarySensor(BurnerEntity, BinarySensorEntity):
    """On while the burner burns; unknown when the flame sensor does not know."""

    _attr_device_class = BinarySensorDeviceClass.HEAT

    @property
    def is_on(self) -> bool | None:
        """Whether the flame burns."""
        return self.controller.guard.flame
