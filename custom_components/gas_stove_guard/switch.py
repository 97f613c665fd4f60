"""The lockout switch: on holds the loop open so the burner cannot stay lit."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .controller import GasStoveGuardConfigEntry
from .entity import BurnerEntity

# Push only: states come from the controller, and every action returns at once.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: GasStoveGuardConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the burner's lockout switch."""
    async_add_entities([LockoutSwitch(entry.runtime_data, "lockout")])


class LockoutSwitch(BurnerEntity, SwitchEntity):
    """Child lock, away, cleaning: the burner cannot stay lit while this is on. Survives restarts."""

    @property
    def is_on(self) -> bool:
        """Whether lockout is on."""
        return self.controller.guard.lockout

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Hold the loop open."""
        self.controller.async_set_lockout(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Back to normal use."""
        self.controller.async_set_lockout(False)
