"""Device actions of a burner: shut off, the cooking timer, and lockout on or off.

Shut-off and timer actions call this integration's services, so they fail the same translated way (a bad
duration, a burner that is not loaded). Lockout uses the lockout switch's own service when the switch is
available, so the change is attributed to the automation; while the relay is unavailable the switch is
too, and Home Assistant would skip it silently, so the burner is then told directly (the guard keeps the
lockout and holds the loop as soon as the relay is back).
"""

from __future__ import annotations

from typing import Any

from homeassistant.const import (
    ATTR_ENTITY_ID,
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_ENTITY_ID,
    CONF_TYPE,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType, TemplateVarsType
import voluptuous as vol

from .automation_helpers import (
    LOCKOUT,
    VALVE,
    async_burner_entities,
    async_check_anchor,
    async_controller,
    async_resolve,
)
from .const import (
    ATTR_DURATION,
    DOMAIN,
    SERVICE_CANCEL_TIMER,
    SERVICE_EXTEND_TIMER,
    SERVICE_SHUT_OFF,
    SERVICE_START_TIMER,
)

SHUT_OFF = "shut_off"
START_TIMER = "start_timer"
EXTEND_TIMER = "extend_timer"
CANCEL_TIMER = "cancel_timer"
LOCKOUT_ON = "lockout_on"
LOCKOUT_OFF = "lockout_off"

SERVICES = {
    SHUT_OFF: SERVICE_SHUT_OFF,
    START_TIMER: SERVICE_START_TIMER,
    EXTEND_TIMER: SERVICE_EXTEND_TIMER,
    CANCEL_TIMER: SERVICE_CANCEL_TIMER,
}
LOCKOUT_ACTIONS = {LOCKOUT_ON: True, LOCKOUT_OFF: False}
ACTION_TYPES = [*SERVICES, *LOCKOUT_ACTIONS]
# The entity each action is shown on.
ANCHORS = {**dict.fromkeys(SERVICES, VALVE), **dict.fromkeys(LOCKOUT_ACTIONS, LOCKOUT)}

_BASE_SCHEMA = cv.DEVICE_ACTION_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_ENTITY_ID): cv.entity_id_or_uuid,
        vol.Required(CONF_TYPE): vol.In(ACTION_TYPES),
        vol.Optional(ATTR_DURATION): cv.positive_time_period_dict,
    }
)


def _check_duration(config: ConfigType) -> ConfigType:
    """A duration is required to extend the timer, optional to start it, and meaningless elsewhere."""
    kind = config[CONF_TYPE]
    if kind == EXTEND_TIMER and ATTR_DURATION not in config:
        raise vol.Invalid("extending the timer needs a duration", path=[ATTR_DURATION])
    if kind not in (START_TIMER, EXTEND_TIMER) and ATTR_DURATION in config:
        raise vol.Invalid(f"'{kind}' takes no duration", path=[ATTR_DURATION])
    return config


ACTION_SCHEMA = vol.All(_BASE_SCHEMA, _check_duration)


async def async_validate_action_config(hass: HomeAssistant, config: ConfigType) -> ConfigType:
    """The schema, and the entity must be the device's valve (shut-off, timer) or lockout switch."""
    config = ACTION_SCHEMA(config)
    async_check_anchor(hass, config, ANCHORS[config[CONF_TYPE]])
    return config


async def async_get_actions(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """The actions a burner's device offers."""
    entities = async_burner_entities(hass, device_id)
    return [
        {CONF_DEVICE_ID: device_id, CONF_DOMAIN: DOMAIN, CONF_ENTITY_ID: entity.id, CONF_TYPE: kind}
        for kind, key in ANCHORS.items()
        if (entity := entities.get(key)) is not None
    ]


async def async_get_action_capabilities(hass: HomeAssistant, config: ConfigType) -> dict[str, vol.Schema]:
    """The duration field of the timer actions."""
    kind = config[CONF_TYPE]
    if kind == START_TIMER:
        return {"extra_fields": vol.Schema({vol.Optional(ATTR_DURATION): cv.positive_time_period_dict})}
    if kind == EXTEND_TIMER:
        return {"extra_fields": vol.Schema({vol.Required(ATTR_DURATION): cv.positive_time_period_dict})}
    return {}


async def async_call_action_from_config(
    hass: HomeAssistant, config: ConfigType, variables: TemplateVarsType, context: Context | None
) -> None:
    """Carry the action out."""
    kind = config[CONF_TYPE]
    entity_id = async_resolve(hass, config[CONF_ENTITY_ID])
    if kind in SERVICES:
        data: dict[str, Any] = {ATTR_ENTITY_ID: entity_id}
        if ATTR_DURATION in config:
            data[ATTR_DURATION] = config[ATTR_DURATION]
        await hass.services.async_call(DOMAIN, SERVICES[kind], data, blocking=True, context=context)
        return
    on = LOCKOUT_ACTIONS[kind]
    state = hass.states.get(entity_id)
    if state is not None and state.state != STATE_UNAVAILABLE:
        await hass.services.async_call(
            Platform.SWITCH,
            SERVICE_TURN_ON if on else SERVICE_TURN_OFF,
            {ATTR_ENTITY_ID: entity_id},
            blocking=True,
            context=context,
        )
        return
    if (controller := async_controller(hass, entity_id)) is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="burner_not_loaded",
            translation_placeholders={"entity_id": entity_id},
        )
    controller.async_set_lockout(on)
