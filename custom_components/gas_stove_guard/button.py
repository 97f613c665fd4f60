"""Buttons of a burner: shut off now, start and cancel the cooking timer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .controller import BurnerController, GasStoveGuardConfigEntry
from .entity import BurnerEntity


@dataclass(frozen=True, kw_only=True)
class BurnerButtonDescription(ButtonEntityDescription):
    """A button and what it asks of the burner."""

    press: Callable[[BurnerController], None]


BUTTONS = (
    BurnerButtonDescription(key="shut_off", press=lambda c: c.async_shut_off()),
    BurnerButtonDescription(key="start_timer", press=lambda c: c.async_start_timer()),
    BurnerButtonDescription(key="cancel_timer", press=lambda c: c.async_cancel_timer()),
)

# Push only: states come from the controller, and every action returns at once.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: GasStoveGuardConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the burner's buttons."""
    async_add_entities(BurnerButton(entry.runtime_data, description) for description in BUTTONS)


class BurnerButton(BurnerEntity, ButtonEntity):
    """A burner button."""

    entity_description: BurnerButtonDescription

    def __init__(self, controller: BurnerController, description: BurnerButtonDescription) -> None:
        """Bind the description."""
        super().__init__(controller, description.key)
        self.entity_description = description

    async def async_press(self) -> None:
        """Ask the burner."""
        self.entity_description.press(self.controller)
