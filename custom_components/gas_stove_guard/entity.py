"""The base of every burner entity: one device per burner, state read from its controller."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import DOMAIN
from .controller import BurnerController


class BurnerEntity(Entity):
    """An entity of one burner; it reflects the burner's guard and asks the controller for changes."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, controller: BurnerController, key: str | None) -> None:
        """Name the entity by its translation key; `None` is the burner's main entity."""
        self.controller = controller
        entry_id = controller.entry.entry_id
        self._attr_unique_id = entry_id if key is None else f"{entry_id}_{key}"
        if key is not None:
            self._attr_translation_key = key
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry_id)},
            name=controller.name,
            manufacturer="Gas Stove Guard",
            model="Burner guard",
            entry_type=DeviceEntryType.SERVICE,
        )

    @property
    def available(self) -> bool:
        """A burner whose relay is unavailable cannot be shut off; say so on every entity."""
        return self.controller.guard.available

    async def async_added_to_hass(self) -> None:
        """Follow the controller."""
        self.async_on_remove(self.controller.async_add_listener(self.async_write_ha_state))
