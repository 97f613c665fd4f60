"""Device triggers of a burner: flame on and off, shut off, warning, shut-off failed, and the timer.

They are built on Home Assistant's own trigger platforms: the flame triggers are state triggers on the
burner's flame entity; the others are event triggers on the burner's bus events, filtered by the
burner's valve entity (the `entity_id` in every event's data) and, optionally, by the reason.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger, state as state_trigger
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_ENTITY_ID,
    CONF_EVENT_DATA,
    CONF_FOR,
    CONF_PLATFORM,
    CONF_TYPE,
    STATE_OFF,
    STATE_ON,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
from homeassistant.helpers.translation import async_get_translations
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .automation_helpers import FLAME, VALVE, async_burner_entities, async_check_anchor, async_resolve
from .const import (
    ATTR_REASON,
    DOMAIN,
    EVENT_CUT_FAILED,
    EVENT_SHUT_OFF,
    EVENT_TIMER_CANCELLED,
    EVENT_TIMER_ENDED,
    EVENT_TIMER_STARTED,
    EVENT_WARNING,
)
from .guard import SHUT_OFF_REASONS, Reason

FLAME_ON = "flame_on"
FLAME_OFF = "flame_off"
SHUT_OFF = "shut_off"
WARNING = "warning"
CUT_FAILED = "cut_failed"
TIMER_STARTED = "timer_started"
TIMER_ENDED = "timer_ended"
TIMER_CANCELLED = "timer_cancelled"

# The flame triggers: the flame entity's state before and after.
FLAME_TRIGGERS = {FLAME_ON: (STATE_OFF, STATE_ON), FLAME_OFF: (STATE_ON, STATE_OFF)}
EVENT_TRIGGERS = {
    SHUT_OFF: EVENT_SHUT_OFF,
    WARNING: EVENT_WARNING,
    CUT_FAILED: EVENT_CUT_FAILED,
    TIMER_STARTED: EVENT_TIMER_STARTED,
    TIMER_ENDED: EVENT_TIMER_ENDED,
    TIMER_CANCELLED: EVENT_TIMER_CANCELLED,
}
# The reasons each trigger can be narrowed to, and the selector translation key of their names.
WARNING_REASONS = [Reason.TIMER.value, Reason.MAX_ON_TIME.value, Reason.UNATTENDED.value]
REASON_FILTERS: dict[str, tuple[list[str], str]] = {
    SHUT_OFF: (SHUT_OFF_REASONS, "shut_off_reason"),
    WARNING: (WARNING_REASONS, "warning_reason"),
}
TRIGGER_TYPES = [*FLAME_TRIGGERS, *EVENT_TRIGGERS]

_BASE_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_ENTITY_ID): cv.entity_id_or_uuid,
        vol.Required(CONF_TYPE): vol.In(TRIGGER_TYPES),
        vol.Optional(CONF_FOR): cv.positive_time_period_dict,
        vol.Optional(ATTR_REASON): vol.In(SHUT_OFF_REASONS),
    }
)


def _check_fields(config: ConfigType) -> ConfigType:
    """`for` only on the flame triggers; `reason` only where it can occur."""
    kind = config[CONF_TYPE]
    if CONF_FOR in config and kind not in FLAME_TRIGGERS:
        raise vol.Invalid(f"'{CONF_FOR}' is only allowed on the flame triggers", path=[CONF_FOR])
    if ATTR_REASON in config:
        reasons, _ = REASON_FILTERS.get(kind, ([], ""))
        if config[ATTR_REASON] not in reasons:
            raise vol.Invalid(
                f"reason '{config[ATTR_REASON]}' is not possible for the '{kind}' trigger", path=[ATTR_REASON]
            )
    return config


TRIGGER_SCHEMA = vol.All(_BASE_SCHEMA, _check_fields)


async def async_validate_trigger_config(hass: HomeAssistant, config: ConfigType) -> ConfigType:
    """The schema, and the entity must be the device's flame (flame triggers) or valve (the others)."""
    config = TRIGGER_SCHEMA(config)
    async_check_anchor(hass, config, FLAME if config[CONF_TYPE] in FLAME_TRIGGERS else VALVE)
    return config


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """The triggers a burner's device offers; the flame triggers only with a flame sensor."""
    entities = async_burner_entities(hass, device_id)
    triggers: list[dict[str, Any]] = []
    base = {CONF_PLATFORM: "device", CONF_DEVICE_ID: device_id, CONF_DOMAIN: DOMAIN}
    if flame := entities.get(FLAME):
        triggers += [{**base, CONF_ENTITY_ID: flame.id, CONF_TYPE: kind} for kind in FLAME_TRIGGERS]
    if valve := entities.get(VALVE):
        triggers += [{**base, CONF_ENTITY_ID: valve.id, CONF_TYPE: kind} for kind in EVENT_TRIGGERS]
    return triggers


async def async_get_trigger_capabilities(hass: HomeAssistant, config: ConfigType) -> dict[str, vol.Schema]:
    """The extra fields the automation editor shows: `for` on the flame triggers, `reason` where useful."""
    kind = config[CONF_TYPE]
    if kind in FLAME_TRIGGERS:
        return {"extra_fields": vol.Schema({vol.Optional(CONF_FOR): cv.positive_time_period_dict})}
    if kind in REASON_FILTERS:
        reasons, translation_key = REASON_FILTERS[kind]
        return {
            "extra_fields": vol.Schema(
                {vol.Optional(ATTR_REASON): await _reason_selector(hass, reasons, translation_key)}
            )
        }
    return {}


async def _reason_selector(hass: HomeAssistant, reasons: list[str], translation_key: str) -> SelectSelector:
    """A reason picker whose labels are already in Home Assistant's language.

    The editor does not translate select options of device automation fields itself, so the labels are
    looked up here; the translation key is kept for frontends that do.
    """
    texts = await async_get_translations(hass, hass.config.language, "selector", [DOMAIN])
    prefix = f"component.{DOMAIN}.selector.{translation_key}.options"
    return SelectSelector(
        SelectSelectorConfig(
            options=[SelectOptionDict(value=r, label=texts.get(f"{prefix}.{r}", r)) for r in reasons],
            translation_key=translation_key,
            mode=SelectSelectorMode.DROPDOWN,
        )
    )


async def async_attach_trigger(
    hass: HomeAssistant, config: ConfigType, action: TriggerActionType, trigger_info: TriggerInfo
) -> CALLBACK_TYPE:
    """Attach a state trigger (flame) or an event trigger (everything else)."""
    kind = config[CONF_TYPE]
    entity_id = async_resolve(hass, config[CONF_ENTITY_ID])
    if kind in FLAME_TRIGGERS:
        from_state, to_state = FLAME_TRIGGERS[kind]
        state_config: dict[str, Any] = {
            CONF_PLATFORM: "state",
            CONF_ENTITY_ID: entity_id,
            state_trigger.CONF_FROM: from_state,
            state_trigger.CONF_TO: to_state,
        }
        if CONF_FOR in config:
            state_config[CONF_FOR] = config[CONF_FOR]
        state_config = await state_trigger.async_validate_trigger_config(hass, state_config)
        return await state_trigger.async_attach_trigger(
            hass, state_config, action, trigger_info, platform_type="device"
        )
    event_data: dict[str, Any] = {CONF_ENTITY_ID: entity_id}
    if ATTR_REASON in config:
        event_data[ATTR_REASON] = config[ATTR_REASON]
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            CONF_PLATFORM: "event",
            event_trigger.CONF_EVENT_TYPE: EVENT_TRIGGERS[kind],
            CONF_EVENT_DATA: event_data,
        }
    )
    return await event_trigger.async_attach_trigger(
        hass, event_config, action, trigger_info, platform_type="device"
    )
