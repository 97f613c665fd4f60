"""Find a burner's entities and controller for device triggers, conditions and actions.

Device automations name an entity by its registry id (a UUID, so they survive renames). These helpers map a
device to the burner entities it carries, and an entity back to the burner's controller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_DEVICE_ID, CONF_ENTITY_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .const import DOMAIN

if TYPE_CHECKING:
    from .controller import BurnerController

# The entity keys device automations anchor to; None is the burner's main entity, the valve.
VALVE = "valve"
FLAME = "flame"
LOCKOUT = "lockout"


def _key(entity: er.RegistryEntry) -> str | None:
    """Which burner entity this is, from its unique id (`<entry_id>` or `<entry_id>_<key>`)."""
    entry_id = entity.config_entry_id
    if entity.platform != DOMAIN or entry_id is None:
        return None
    if entity.unique_id == entry_id:
        return VALVE
    prefix = f"{entry_id}_"
    return entity.unique_id.removeprefix(prefix) if entity.unique_id.startswith(prefix) else None


@callback
def async_burner_entities(hass: HomeAssistant, device_id: str) -> dict[str, er.RegistryEntry]:
    """The burner entities of a device by key ("valve", "flame", "lockout", ...); empty for other devices."""
    registry = er.async_get(hass)
    found: dict[str, er.RegistryEntry] = {}
    for entity in er.async_entries_for_device(registry, device_id):
        if (key := _key(entity)) is not None:
            found[key] = entity
    return found


@callback
def async_check_anchor(hass: HomeAssistant, config: ConfigType, key: str) -> None:
    """Raise vol.Invalid unless the automation's entity is this burner device's entity `key`.

    A hand-written automation naming another entity (or another burner's) would otherwise watch or act
    on something else than its device says.
    """
    registry = er.async_get(hass)
    entity_id = er.async_resolve_entity_id(registry, config[CONF_ENTITY_ID])
    entity = registry.async_get(entity_id) if entity_id else None
    if entity is None or _key(entity) != key or entity.device_id != config[CONF_DEVICE_ID]:
        raise vol.Invalid(
            f"{config[CONF_ENTITY_ID]} is not the {key} entity of this Gas Stove Guard burner",
            path=[CONF_ENTITY_ID],
        )


@callback
def async_resolve(hass: HomeAssistant, entity_id_or_uuid: str) -> str:
    """The entity id an automation refers to; a translated error when it no longer exists."""
    if (entity_id := er.async_resolve_entity_id(er.async_get(hass), entity_id_or_uuid)) is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_burner_entity",
            translation_placeholders={"entity_id": entity_id_or_uuid},
        )
    return entity_id


@callback
def async_controller(hass: HomeAssistant, entity_id_or_uuid: str) -> BurnerController | None:
    """The controller of the burner an entity belongs to, or None when it is not loaded (or no burner)."""
    registry = er.async_get(hass)
    entity_id = er.async_resolve_entity_id(registry, entity_id_or_uuid)
    entity = registry.async_get(entity_id) if entity_id else None
    if entity is None or _key(entity) is None or entity.config_entry_id is None:
        return None
    entry = hass.config_entries.async_get_entry(entity.config_entry_id)
    if entry is None or entry.state is not ConfigEntryState.LOADED:
        return None
    controller: BurnerController = entry.runtime_data
    return controller
