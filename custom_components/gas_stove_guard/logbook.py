"""Logbook entries for a burner's events, attached to its valve: "Left burner was shut off: timer".

Home Assistant's logbook takes plain text from these callbacks, so the text is built here from the
integration's translations (the `common` section) in Home Assistant's language, falling back to English.
The callbacks run in the recorder's worker thread: they only read translations that are already cached
(Home Assistant loads them when the integration is set up, and again here when the language changes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.const import ATTR_ENTITY_ID, EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.translation import async_get_cached_translations, async_get_translations
from homeassistant.util import dt as dt_util

from .const import (
    ATTR_BURNER,
    ATTR_ENDS_AT,
    ATTR_LATE_SECONDS,
    ATTR_PROBLEM,
    ATTR_REASON,
    ATTR_SECONDS_LEFT,
    DOMAIN,
    EVENT_CUT_FAILED,
    EVENT_SHUT_OFF,
    EVENT_TIMER_CANCELLED,
    EVENT_TIMER_ENDED,
    EVENT_TIMER_STARTED,
    EVENT_WARNING,
)

CATEGORY = "common"
_PREFIX = f"component.{DOMAIN}.{CATEGORY}."


def _template(event_type: str, data: Mapping[str, Any]) -> str:
    """The translation key of the sentence for an event."""
    if event_type == EVENT_SHUT_OFF and data.get(ATTR_LATE_SECONDS) is not None:
        return "logbook_shut_off_late"
    if event_type == EVENT_TIMER_STARTED and data.get("extended"):
        return "logbook_timer_extended"
    if event_type == EVENT_TIMER_CANCELLED and data.get("cause") in ("flame_off", "shut_off"):
        return f"logbook_timer_cancelled_{data['cause']}"
    return f"logbook_{event_type.removeprefix(f'{DOMAIN}_')}"


def _local_time(value: Any) -> str:
    """An ISO time from an event as local HH:MM; anything else as it is."""
    parsed: datetime | None = dt_util.parse_datetime(value) if isinstance(value, str) else None
    return dt_util.as_local(parsed).strftime("%H:%M") if parsed else str(value)


def describe(hass: HomeAssistant, event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The logbook entry of one event, in Home Assistant's language."""
    texts = async_get_cached_translations(hass, hass.config.language, CATEGORY, DOMAIN)
    english = async_get_cached_translations(hass, "en", CATEGORY, DOMAIN)

    def text(key: str, default: str) -> str:
        return texts.get(_PREFIX + key) or english.get(_PREFIX + key) or default

    values = {
        ATTR_REASON: text(f"reason_{data.get(ATTR_REASON)}", str(data.get(ATTR_REASON))),
        ATTR_PROBLEM: text(f"problem_{data.get(ATTR_PROBLEM)}", str(data.get(ATTR_PROBLEM))),
        ATTR_SECONDS_LEFT: str(data.get(ATTR_SECONDS_LEFT)),
        ATTR_LATE_SECONDS: str(data.get(ATTR_LATE_SECONDS)),
        ATTR_ENDS_AT: _local_time(data.get(ATTR_ENDS_AT)),
    }
    key = _template(event_type, data)
    message = text(key, event_type.removeprefix(f"{DOMAIN}_").replace("_", " "))
    for name, value in values.items():
        message = message.replace(f"{{{name}}}", value)
    entry = {LOGBOOK_ENTRY_NAME: data.get(ATTR_BURNER) or DOMAIN, LOGBOOK_ENTRY_MESSAGE: message}
    if entity_id := data.get(ATTR_ENTITY_ID):
        entry[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
    return entry


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Any], dict[str, Any]]], None],
) -> None:
    """Describe the burner's events, and keep the texts of the current language cached."""

    def describer(event_type: str) -> Callable[[Any], dict[str, Any]]:
        return lambda event: describe(hass, event_type, event.data)

    for event_type in (
        EVENT_SHUT_OFF,
        EVENT_WARNING,
        EVENT_CUT_FAILED,
        EVENT_TIMER_STARTED,
        EVENT_TIMER_ENDED,
        EVENT_TIMER_CANCELLED,
    ):
        async_describe_event(DOMAIN, event_type, describer(event_type))

    async def load_language(_event: Event) -> None:
        await async_get_translations(hass, hass.config.language, CATEGORY, [DOMAIN])

    # Set-up loaded the language in use; a change of language loads the new one.
    hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, load_language)
