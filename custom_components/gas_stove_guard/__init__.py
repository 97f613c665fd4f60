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
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType

from .const import CONF_RELAY, CONF_WIRING, DEFAULT_WIRING, DOMAIN, STORAGE_VERSION, Wiring
from .controller import BurnerController, GasStoveGuardConfigEntry
from .services import async_setup_services

_LOGGER = logging.getLogger(__name__)

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
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
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


async def _async_options_updated(hass: HomeAssistant, entry: GasStoveGuardConfigEntry) -> None:
    """Options changed: reload; the burner's state is saved on unload and restored on set-up."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: GasStoveGuardConfigEntry) -> bool:
    """Unload one burner, saving its state."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.async_stop()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: GasStoveGuardConfigEntry) -> None:
    """The burner is deleted: forget its state and issues, and never leave its loop cut."""
    await Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}").async_remove()
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain == DOMAIN and issue_id.endswith(f"_{entry.entry_id}"):
            ir.async_delete_issue(hass, DOMAIN, issue_id)
    relay = entry.options[CONF_RELAY]
    wiring = Wiring(entry.options.get(CONF_WIRING, DEFAULT_WIRING))
    cut_state = STATE_ON if wiring is Wiring.CUT_WHEN_ON else STATE_OFF
    if (state := hass.states.get(relay)) is None or state.state != cut_state:
        return
    _LOGGER.info("%s deleted while its relay %s was cut; restoring it", entry.title, relay)
    try:
        await hass.services.async_call(
            split_entity_id(relay)[0],
            SERVICE_TURN_OFF if cut_state == STATE_ON else SERVICE_TURN_ON,
            {ATTR_ENTITY_ID: relay},
            blocking=True,
        )
    except Exception:
        _LOGGER.exception("Could not restore relay %s of deleted burner %s", relay, entry.title)
