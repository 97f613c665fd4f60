"""Device conditions of a burner: flame on or off, lockout on or off, a timer running.

They read the burner's guard rather than its entities' states: while the relay is unavailable the entities
show unavailable, but the guard still knows the flame, the lockout and the timer, and so do these conditions.
A burner that is not loaded, or a flame that is not known, satisfies none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.const import CONF_CONDITION, CONF_DEVICE_ID, CONF_DOMAIN, CONF_ENTITY_ID, CONF_TYPE
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.condition import ConditionCheckerType
from homeassistant.helpers.typing import ConfigType, TemplateVarsType
import voluptuous as vol

from .automation_helpers import (
    FLAME,
    LOCKOUT,
    VALVE,
    async_burner_entities,
    async_check_anchor,
    async_controller,
)
from .const import DOMAIN
from .guard import BurnerGuard

IS_FLAME_ON = "is_flame_on"
IS_FLAME_OFF = "is_flame_off"
IS_LOCKOUT_ON = "is_lockout_on"
IS_LOCKOUT_OFF = "is_lockout_off"
IS_TIMER_RUNNING = "is_timer_running"

# Each condition: the entity it is shown on, and the test of the guard.
CONDITIONS: dict[str, tuple[str, Callable[[BurnerGuard], bool]]] = {
    IS_FLAME_ON: (FLAME, lambda guard: guard.flame is True),
    IS_FLAME_OFF: (FLAME, lambda guard: guard.flame is False),
    IS_LOCKOUT_ON: (LOCKOUT, lambda guard: guard.lockout),
    IS_LOCKOUT_OFF: (LOCKOUT, lambda guard: not guard.lockout),
    IS_TIMER_RUNNING: (VALVE, lambda guard: guard.timer_ends_at is not None),
}

CONDITION_SCHEMA = cv.DEVICE_CONDITION_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_ENTITY_ID): cv.entity_id_or_uuid,
        vol.Required(CONF_TYPE): vol.In(list(CONDITIONS)),
    }
)


async def async_validate_condition_config(hass: HomeAssistant, config: ConfigType) -> ConfigType:
    """The schema, and the entity must be the device's one for this condition."""
    config = CONDITION_SCHEMA(config)
    async_check_anchor(hass, config, CONDITIONS[config[CONF_TYPE]][0])
    return config


async def async_get_conditions(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """The conditions a burner's device offers; the flame ones only with a flame sensor."""
    entities = async_burner_entities(hass, device_id)
    return [
        {
            CONF_CONDITION: "device",
            CONF_DEVICE_ID: device_id,
            CONF_DOMAIN: DOMAIN,
            CONF_ENTITY_ID: entity.id,
            CONF_TYPE: kind,
        }
        for kind, (key, _test) in CONDITIONS.items()
        if (entity := entities.get(key)) is not None
    ]


@callback
def async_condition_from_config(hass: HomeAssistant, config: ConfigType) -> ConditionCheckerType:
    """Test the burner's guard when the condition is checked."""
    entity = config[CONF_ENTITY_ID]
    _key, test = CONDITIONS[config[CONF_TYPE]]

    @callback
    def check(hass: HomeAssistant, variables: TemplateVarsType = None) -> bool:
        controller = async_controller(hass, entity)
        return controller is not None and test(controller.guard)

    return check
