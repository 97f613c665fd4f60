"""The burner's safety event entity: shut-offs, warnings and failed shut-offs as they happen.

It carries the data of the matching bus event (reason, verified, late, seconds_left, ends_at, problem, ...)
so the history and the automation editor show them without YAML. The bus event's `entity_id` (the valve)
is left out of the attributes: on a state, an `entity_id` attribute makes Home Assistant treat the entity
as a group of that entity.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from homeassistant.components.event import EventEntity
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import EVENT_CUT_FAILED, EVENT_SHUT_OFF, EVENT_WARNING
from .controller import GasStoveGuardConfigEntry
from .entity import BurnerEntity

PARALLEL_UPDATES = 0

# Bus event type -> event entity event type.
EVENT_TYPES = {EVENT_SHUT_OFF: "shut_off", EVENT_WARNING: "warning", EVENT_CUT_FAILED: "cut_failed"}


async def async_setup_entry(
    hass: HomeAssistant, entry: GasStoveGuardConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the burner's safety event entity."""
    async_add_entities([SafetyEventEntity(entry.runtime_data, "safety")])


class SafetyEventEntity(BurnerEntity, EventEntity):
    """Shut off, warning, shut-off failed: what the guard did or could not do."""

    _attr_event_types = list(EVENT_TYPES.values())
    _queued: list[tuple[str, dict[str, Any]]]  # (event type, bus event data) not written yet

    @property
    def available(self) -> bool:
        """Always: a failed shut-off because the relay is unavailable is exactly what it must show."""
        return True

    async def async_added_to_hass(self) -> None:
        """Follow the burner's events (not its state: the last event stays until the next one)."""
        self._queued = []
        self.async_on_remove(self.controller.async_add_event_listener(self._on_event))

    @callback
    def _on_event(self, event_type: str, data: dict[str, Any]) -> None:
        if (kind := EVENT_TYPES.get(event_type)) is None:
            return
        if not self._queued:
            # Written once the relay commands of this loop turn are on their way, never before them.
            self.controller.async_after_sending(self._write_events)
        self._queued.append((kind, data))

    @callback
    def _write_events(self) -> None:
        queued, self._queued = self._queued, []
        for kind, data in queued:  # each event is its own state, in order
            self._trigger_event(
                kind, {key: _plain(value) for key, value in data.items() if key != ATTR_ENTITY_ID}
            )
            self.async_write_ha_state()


def _plain(value: Any) -> Any:
    """Enum members as their values, so the attributes are plain JSON."""
    return value.value if isinstance(value, Enum) else value
