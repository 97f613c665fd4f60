"""Gas Stove Guard: a relay in a gas burner's flame-failure loop becomes one safe shut-off entity."""

from __future__ import annotations

import logging

from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    Platform,
)
from homeassistant.core import HomeAssistant, split_entity_id
from homeassistant.helpers import config_validation as cv, entity_registry as er, issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType

from .const import CONF_RELAY, CONF_WIRING, DEFAULT_WIRING, DOMAIN, STORAGE_VERSION, Wiring
from .controller import BurnerController, GasStoveGuardConfigEntry
from .services import async_setup_services

_LOGGER = logging.getLogger(__name__)

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.VALVE,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the services once, whether or not any burner is set up."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: GasStoveGuardConfigEntry) -> bool:
    """Set up one burner."""
    controller = BurnerController(hass, entry)
    entry.runtime_data = controller
    await controller.async_start()
    _remove_flame_entities_without_sensor(hass, controller)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


def _remove_flame_entities_without_sensor(hass: HomeAssistant, controller: BurnerController) -> None:
    """The flame entities exist only with a flame sensor; once it is removed from the options, so are they."""
    if controller.has_flame_sensor:
        return
    registry = er.async_get(hass)
    for domain, key in (("binary_sensor", "flame"), ("sensor", "burn_time")):
        unique_id = f"{controller.entry.entry_id}_{key}"
        if entity_id := registry.async_get_entity_id(domain, DOMAIN, unique_id):
            registry.async_remove(entity_id)


async def _async_options_updated(hass: HomeAssistant, entry: GasStoveGuardConfigEntry) -> None:
    """Options changed: reload; the burner's state is saved on unload and restored on set-up."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: GasStoveGuardConfigEntry) -> bool:
    """Unload one burner, saving its state; a relay it no longer uses (options changed) is not left cut."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        controller = entry.runtime_data
        await controller.async_stop()
        if controller.relay_entity_id != entry.options[CONF_RELAY]:
            await _async_release_relay(hass, entry.title, controller.relay_entity_id, controller.wiring)
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: GasStoveGuardConfigEntry) -> None:
    """The burner is deleted: forget its state and issues, and never leave its loop cut."""
    await Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}").async_remove()
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain == DOMAIN and issue_id.endswith(f"_{entry.entry_id}"):
            ir.async_delete_issue(hass, DOMAIN, issue_id)
    wiring = Wiring(entry.options.get(CONF_WIRING, DEFAULT_WIRING))
    await _async_release_relay(hass, entry.title, entry.options[CONF_RELAY], wiring)


async def _async_release_relay(hass: HomeAssistant, title: str, relay: str, wiring: Wiring) -> None:
    """The burner lets go of this relay: restore it if it is cut, so the loop is not left open."""
    cut_state = STATE_ON if wiring is Wiring.CUT_WHEN_ON else STATE_OFF
    if (state := hass.states.get(relay)) is None or state.state != cut_state:
        return
    _LOGGER.info("%s let go of its relay %s while it was cut; restoring it", title, relay)
    try:
        await hass.services.async_call(
            split_entity_id(relay)[0],
            SERVICE_TURN_OFF if cut_state == STATE_ON else SERVICE_TURN_ON,
            {ATTR_ENTITY_ID: relay},
            blocking=True,
        )
    except Exception:
        _LOGGER.exception("Could not restore relay %s of burner %s", relay, title)
