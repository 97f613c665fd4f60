"""The burner services: shut off, and the cooking timer's start, extend and cancel.

They are registered by hand rather than as entity services: a burner whose relay is unavailable shows
unavailable entities, which Home Assistant's entity services skip silently. A shut-off asked of such a burner
must instead fail loudly and be carried out when the relay is back; and a target that is no burner must be
told so, not ignored.
"""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, entity_registry as er
import voluptuous as vol

from .const import (
    ATTR_DURATION,
    DOMAIN,
    SERVICE_CANCEL_TIMER,
    SERVICE_EXTEND_TIMER,
    SERVICE_SHUT_OFF,
    SERVICE_START_TIMER,
)
from .controller import BurnerController
from .guard import InvalidDuration

try:  # Home Assistant 2025.8 and newer
    from homeassistant.helpers.target import TargetSelection, async_extract_referenced_entity_ids

    def _referenced(call: ServiceCall) -> tuple[set[str], set[str]]:
        selected = async_extract_referenced_entity_ids(call.hass, TargetSelection(call.data))
        return selected.referenced, selected.indirectly_referenced

except ImportError:  # pragma: no cover - depends on the installed Home Assistant
    from homeassistant.helpers.service import async_extract_referenced_entity_ids

    def _referenced(call: ServiceCall) -> tuple[set[str], set[str]]:
        selected = async_extract_referenced_entity_ids(call.hass, call)
        return selected.referenced, selected.indirectly_referenced


# The duration is checked in the handler so that a bad one gets a translated error, not a schema message.
TARGET_SCHEMA = cv.make_entity_service_schema({})
OPTIONAL_DURATION_SCHEMA = cv.make_entity_service_schema({vol.Optional(ATTR_DURATION): object})
REQUIRED_DURATION_SCHEMA = cv.make_entity_service_schema({vol.Required(ATTR_DURATION): object})


def _controllers(call: ServiceCall) -> list[BurnerController]:
    """The burners a call targets; a target that is not a burner, or none at all, is an error."""
    hass = call.hass
    registry = er.async_get(hass)
    explicit, indirect = _referenced(call)
    controllers: list[BurnerController] = []

    def controller_of(entity_id: str) -> BurnerController | None:
        entity = registry.async_get(entity_id)
        if entity is None or entity.platform != DOMAIN or entity.domain != "valve":
            return None
        entry = hass.config_entries.async_get_entry(entity.config_entry_id or "")
        if entry is None or getattr(entry, "runtime_data", None) is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="burner_not_loaded",
                translation_placeholders={"entity_id": entity_id},
            )
        controller: BurnerController = entry.runtime_data
        return controller

    for entity_id in sorted(explicit):
        if (controller := controller_of(entity_id)) is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="not_a_burner",
                translation_placeholders={"entity_id": entity_id},
            )
        controllers.append(controller)
    for entity_id in sorted(indirect - explicit):
        if (controller := controller_of(entity_id)) is not None:
            controllers.append(controller)
    if not controllers:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_burner_targeted")
    return list(dict.fromkeys(controllers))  # once each, in order


def _duration(call: ServiceCall) -> timedelta | None:
    if (raw := call.data.get(ATTR_DURATION)) is None:
        return None
    try:
        duration: timedelta = cv.time_period(raw)
    except vol.Invalid as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_duration",
            translation_placeholders={"duration": str(raw)},
        ) from err
    return duration


def _refused(err: InvalidDuration, controller: BurnerController) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=err.key,
        translation_placeholders={"burner": controller.name},
    )


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the services."""

    async def shut_off(call: ServiceCall) -> None:
        for controller in _controllers(call):
            controller.async_shut_off()

    async def start_timer(call: ServiceCall) -> None:
        duration = _duration(call)
        controllers = _controllers(call)
        # Check every burner before changing any: a refused call changes nothing.
        for controller in controllers:
            try:
                controller.guard.check_duration(
                    timedelta(minutes=controller.timer_minutes) if duration is None else duration
                )
            except InvalidDuration as err:
                raise _refused(err, controller) from err
        for controller in controllers:
            controller.async_start_timer(duration)

    async def extend_timer(call: ServiceCall) -> None:
        duration = _duration(call)
        assert duration is not None  # required by the schema
        controllers = _controllers(call)
        for controller in controllers:
            try:
                controller.guard.check_extend(duration, controller.now())
            except InvalidDuration as err:
                raise _refused(err, controller) from err
        for controller in controllers:
            controller.async_extend_timer(duration)

    async def cancel_timer(call: ServiceCall) -> None:
        for controller in _controllers(call):
            controller.async_cancel_timer()

    services = (
        (SERVICE_SHUT_OFF, shut_off, TARGET_SCHEMA),
        (SERVICE_START_TIMER, start_timer, OPTIONAL_DURATION_SCHEMA),
        (SERVICE_EXTEND_TIMER, extend_timer, REQUIRED_DURATION_SCHEMA),
        (SERVICE_CANCEL_TIMER, cancel_timer, TARGET_SCHEMA),
    )
    for name, handler, schema in services:
        hass.services.async_register(DOMAIN, name, handler, schema=schema)
