"""Config, options and reconfigure flows: one burner per entry, everything kept in entry.options."""

from __future__ import annotations

from collections.abc import Mapping
import copy
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant, callback, split_entity_id, valid_entity_id
from homeassistant.data_entry_flow import section
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
import voluptuous as vol

from .const import (
    CONF_CUT_SECONDS,
    CONF_FLAME_OFF_BELOW,
    CONF_FLAME_ON_ABOVE,
    CONF_FLAME_SENSOR,
    CONF_HAZARD_SENSORS,
    CONF_MAX_ON_MINUTES,
    CONF_PRESENCE_SENSOR,
    CONF_RELAY,
    CONF_RELAY_RESTORES_ITSELF,
    CONF_UNATTENDED_MINUTES,
    CONF_VERIFY_SECONDS,
    CONF_WARNING_SECONDS,
    CONF_WIRING,
    DEFAULT_CUT_SECONDS,
    DEFAULT_MAX_ON_MINUTES,
    DEFAULT_UNATTENDED_MINUTES,
    DEFAULT_VERIFY_SECONDS,
    DEFAULT_WARNING_SECONDS,
    DEFAULT_WIRING,
    DOMAIN,
    RANGES,
    RELAY_DOMAINS,
    Wiring,
)

SECTION_FLAME = "flame"
SECTION_WATCHDOGS = "watchdogs"
_UNITS = {CONF_CUT_SECONDS: "s", CONF_WARNING_SECONDS: "s", CONF_VERIFY_SECONDS: "s"}


class FormNumberSelector(NumberSelector):
    """A number selector whose limits guide the form but are checked by the flow.

    Home Assistant's selector refuses an out-of-range number with an untranslated schema message before the
    flow sees it; the flow checks the range itself so the user gets a translated error on the field.
    """

    def __call__(self, data: Any) -> float:
        """Only make sure it is a number."""
        return float(vol.Coerce(float)(data))


class FormEntitySelector(EntitySelector):
    """An entity selector whose domain filter guides the form; the flow checks domain and existence."""

    def __call__(self, data: Any) -> str | list[str]:
        """Only make sure it is text (or a list of text)."""
        if self.config.get("multiple"):
            return [str(item) for item in vol.Schema([str])(data)]
        return str(vol.Schema(str)(data))


def _number(key: str, step: float = 1) -> FormNumberSelector:
    low, high = RANGES[key]
    unit = _UNITS.get(key, "min")
    return FormNumberSelector(
        NumberSelectorConfig(
            min=low, max=high, step=step, mode=NumberSelectorMode.BOX, unit_of_measurement=unit
        )
    )


def _entity(domains: list[str], *, multiple: bool = False) -> FormEntitySelector:
    return FormEntitySelector(EntitySelectorConfig(domain=domains, multiple=multiple))


RELAY_FIELDS: dict[vol.Marker, Any] = {
    vol.Required(CONF_RELAY): _entity(list(RELAY_DOMAINS)),
    vol.Required(CONF_WIRING, default=DEFAULT_WIRING): SelectSelector(
        SelectSelectorConfig(
            options=[w.value for w in Wiring], translation_key=CONF_WIRING, mode=SelectSelectorMode.LIST
        )
    ),
    vol.Required(CONF_CUT_SECONDS, default=DEFAULT_CUT_SECONDS): _number(CONF_CUT_SECONDS),
    vol.Required(CONF_RELAY_RESTORES_ITSELF, default=False): BooleanSelector(),
}
USER_SCHEMA = vol.Schema({vol.Required(CONF_NAME): TextSelector(), **RELAY_FIELDS})
RELAY_SCHEMA = vol.Schema(RELAY_FIELDS)
FLAME_FIELDS: dict[vol.Marker, Any] = {
    vol.Optional(CONF_FLAME_SENSOR): _entity(["binary_sensor", "sensor"]),
    vol.Optional(CONF_FLAME_ON_ABOVE): FormNumberSelector(NumberSelectorConfig(mode=NumberSelectorMode.BOX)),
    vol.Optional(CONF_FLAME_OFF_BELOW): FormNumberSelector(NumberSelectorConfig(mode=NumberSelectorMode.BOX)),
    vol.Required(CONF_VERIFY_SECONDS, default=DEFAULT_VERIFY_SECONDS): _number(CONF_VERIFY_SECONDS),
    vol.Required(CONF_MAX_ON_MINUTES, default=DEFAULT_MAX_ON_MINUTES): _number(CONF_MAX_ON_MINUTES),
}
WATCHDOG_FIELDS: dict[vol.Marker, Any] = {
    vol.Optional(CONF_PRESENCE_SENSOR): _entity(["binary_sensor"]),
    vol.Required(CONF_UNATTENDED_MINUTES, default=DEFAULT_UNATTENDED_MINUTES): _number(
        CONF_UNATTENDED_MINUTES
    ),
    vol.Optional(CONF_HAZARD_SENSORS, default=list): _entity(["binary_sensor"], multiple=True),
}
OPTIONS_SCHEMA = vol.Schema(
    {
        **RELAY_FIELDS,
        vol.Required(CONF_WARNING_SECONDS, default=DEFAULT_WARNING_SECONDS): _number(CONF_WARNING_SECONDS),
        vol.Required(SECTION_FLAME): section(vol.Schema(FLAME_FIELDS), {"collapsed": True}),
        vol.Required(SECTION_WATCHDOGS): section(vol.Schema(WATCHDOG_FIELDS), {"collapsed": True}),
    }
)
_INTEGER_OPTIONS = (
    CONF_CUT_SECONDS,
    CONF_WARNING_SECONDS,
    CONF_VERIFY_SECONDS,
    CONF_MAX_ON_MINUTES,
    CONF_UNATTENDED_MINUTES,
)


def _entity_error(hass: HomeAssistant, entity_id: str, domains: tuple[str, ...] | list[str]) -> str | None:
    """Why an entity cannot be used, as an error key; None when it can."""
    if not valid_entity_id(entity_id) or split_entity_id(entity_id)[0] not in domains:
        return "wrong_domain"
    if hass.states.get(entity_id) is None and er.async_get(hass).async_get(entity_id) is None:
        return "unknown_entity"
    return None


def validate_options(hass: HomeAssistant, options: Mapping[str, Any], entry_id: str | None) -> dict[str, str]:
    """Check a burner's options; returns form errors by field (empty when all is well)."""
    errors: dict[str, str] = {}
    if CONF_NAME in options and not str(options[CONF_NAME]).strip():
        errors[CONF_NAME] = "name_empty"
    relay = options.get(CONF_RELAY, "")
    if error := _entity_error(hass, relay, RELAY_DOMAINS):
        errors[CONF_RELAY] = f"relay_{error}"
    elif any(
        entry.options.get(CONF_RELAY) == relay
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.entry_id != entry_id
    ):
        errors[CONF_RELAY] = "relay_in_use"
    for key, (low, high) in RANGES.items():
        if key in options and not low <= options[key] <= high:
            errors[key] = f"{key}_out_of_range"
    if flame := options.get(CONF_FLAME_SENSOR):
        if error := _entity_error(hass, flame, ("binary_sensor", "sensor")):
            errors[CONF_FLAME_SENSOR] = f"sensor_{error}"
        elif split_entity_id(flame)[0] == "sensor":
            on_above, off_below = options.get(CONF_FLAME_ON_ABOVE), options.get(CONF_FLAME_OFF_BELOW)
            if on_above is None or off_below is None:
                errors[CONF_FLAME_ON_ABOVE] = "flame_thresholds_required"
            elif off_below > on_above:
                errors[CONF_FLAME_OFF_BELOW] = "flame_thresholds_order"
    if (presence := options.get(CONF_PRESENCE_SENSOR)) and (
        error := _entity_error(hass, presence, ("binary_sensor",))
    ):
        errors[CONF_PRESENCE_SENSOR] = f"sensor_{error}"
    for hazard in options.get(CONF_HAZARD_SENSORS, []):
        if error := _entity_error(hass, hazard, ("binary_sensor",)):
            errors[CONF_HAZARD_SENSORS] = f"sensor_{error}"
            break
    return errors


def _clean(options: Mapping[str, Any]) -> dict[str, Any]:
    """Whole numbers where the option counts whole units; empty optional fields dropped."""
    cleaned = {k: v for k, v in options.items() if v not in (None, "", [])}
    for key in _INTEGER_OPTIONS:
        if key in cleaned and float(cleaned[key]).is_integer():
            cleaned[key] = int(cleaned[key])
    return cleaned


def _flatten(user_input: Mapping[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in user_input.items():
        if key in (SECTION_FLAME, SECTION_WATCHDOGS):
            flat.update(value)
        else:
            flat[key] = value
    return flat


def _nested(options: Mapping[str, Any]) -> dict[str, Any]:
    """Options as the sectioned form shows them."""
    sections = {
        SECTION_FLAME: [str(k.schema) for k in FLAME_FIELDS],
        SECTION_WATCHDOGS: [str(k.schema) for k in WATCHDOG_FIELDS],
    }
    nested: dict[str, Any] = {name: {} for name in sections}
    for key, value in options.items():
        owner = next((name for name, keys in sections.items() if key in keys), None)
        if owner:
            nested[owner][key] = value
        else:
            nested[key] = value
    return nested


def _with_values(schema: vol.Schema, values: Mapping[str, Any]) -> vol.Schema:
    """The schema with the current values suggested (not defaulted, so a cleared optional field stays clear).

    Like FlowHandler.add_suggested_values_to_schema, but without modifying the shared section objects, which
    Home Assistant 2025.4's version does (a suggestion could then leak from one burner's form into another's).
    """
    fields: dict[vol.Marker, Any] = {}
    for marker, validator in schema.schema.items():
        key = str(marker.schema)
        if isinstance(validator, section):
            fields[marker] = section(_with_values(validator.schema, values.get(key, {})), validator.options)
        elif key in values:
            suggested = copy.copy(marker)  # keeps the default; never modify the shared schema
            suggested.description = {"suggested_value": values[key]}
            fields[suggested] = validator
        else:
            fields[marker] = validator
    return vol.Schema(fields)


class GasStoveGuardConfigFlow(ConfigFlow, domain=DOMAIN):
    """Create a burner: name it and pick the relay wired into its flame-failure loop."""

    VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The only step."""
        errors: dict[str, str] = {}
        if user_input is not None and not (errors := validate_options(self.hass, user_input, None)):
            options = _clean(user_input)
            name = options.pop(CONF_NAME).strip()
            return self.async_create_entry(title=name, data={}, options={CONF_NAME: name, **options})
        return self.async_show_form(
            step_id="user", data_schema=_with_values(USER_SCHEMA, user_input or {}), errors=errors
        )

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Point the burner at another relay, or change how it is wired."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None and not (errors := validate_options(self.hass, user_input, entry.entry_id)):
            return self.async_update_reload_and_abort(entry, options={**entry.options, **_clean(user_input)})
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=_with_values(RELAY_SCHEMA, user_input or entry.options),
            errors=errors,
            description_placeholders={"burner": entry.title},
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> GasStoveGuardOptionsFlow:
        """Everything but the name."""
        return GasStoveGuardOptionsFlow()


class GasStoveGuardOptionsFlow(OptionsFlow):
    """Edit a burner's relay, timings and sensors; saving reloads it without losing its state."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """One form, the sensors in collapsed sections."""
        errors: dict[str, str] = {}
        if user_input is not None:
            options = _flatten(user_input)
            if not (errors := validate_options(self.hass, options, self.config_entry.entry_id)):
                return self.async_create_entry(
                    data={CONF_NAME: self.config_entry.options.get(CONF_NAME, self.config_entry.title)}
                    | _clean(options)
                )
        return self.async_show_form(
            step_id="init",
            data_schema=_with_values(OPTIONS_SCHEMA, user_input or _nested(self.config_entry.options)),
            errors=errors,
        )
