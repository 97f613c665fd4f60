"""Sensors of a burner: the last shut-off, when the timer ends, and how long the flame has burned."""

from __future__ import annotations

from datetime import datetime, timedelta
import math
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorStateClass
from homeassistant.const import UnitOfTime
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .const import ATTR_AT
from .controller import GasStoveGuardConfigEntry
from .entity import BurnerEntity
from .guard import SHUT_OFF_REASONS

# Push only: states come from the controller, and every action returns at once.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: GasStoveGuardConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the burner's sensors."""
    controller = entry.runtime_data
    entities: list[BurnerEntity] = [
        LastShutOffSensor(controller, "last_shut_off"),
        TimerEndsSensor(controller, "timer_ends"),
    ]
    if controller.has_flame_sensor:
        entities.append(BurnTimeSensor(controller, "burn_time"))
    async_add_entities(entities)


class LastShutOffSensor(BurnerEntity, SensorEntity):
    """Why the burner was last shut off, and when (restored across restarts)."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = SHUT_OFF_REASONS

    @property
    def native_value(self) -> str | None:
        """The reason."""
        last = self.controller.guard.last_shut_off
        return last[0].value if last else None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """When it happened."""
        last = self.controller.guard.last_shut_off
        return {ATTR_AT: last[1].isoformat() if last else None}


class TimerEndsSensor(BurnerEntity, SensorEntity):
    """When the running cooking timer ends; unknown when none runs."""

    _attr_device_class = SensorDeviceClass.TIMESTAMP

    @property
    def native_value(self) -> datetime | None:
        """The end time."""
        return self.controller.guard.timer_ends_at


class BurnTimeSensor(BurnerEntity, SensorEntity):
    """Whole minutes the flame has burned without a break; 0 when it is out."""

    _attr_device_class = SensorDeviceClass.DURATION
    _attr_native_unit_of_measurement = UnitOfTime.MINUTES
    _attr_state_class = SensorStateClass.MEASUREMENT
    _unsub_minute: CALLBACK_TYPE | None = None

    @property
    def native_value(self) -> int:
        """Minutes since the flame was lit."""
        since = self.controller.guard.burning_since
        return 0 if since is None else max(0, math.floor((dt_util.utcnow() - since).total_seconds() / 60))

    async def async_added_to_hass(self) -> None:
        """Follow the controller, and tick each minute while the flame burns."""
        self.async_on_remove(self.controller.async_add_listener(self._async_update))
        self.async_on_remove(self._cancel_minute)
        self._schedule_minute()

    @callback
    def _async_update(self) -> None:
        self._schedule_minute()
        self.async_write_ha_state()

    @callback
    def _schedule_minute(self) -> None:
        self._cancel_minute()
        since = self.controller.guard.burning_since
        if since is None:
            return
        next_minute = since + timedelta(minutes=self.native_value + 1)
        self._unsub_minute = async_track_point_in_utc_time(self.hass, self._on_minute, next_minute)

    @callback
    def _on_minute(self, _now: datetime) -> None:
        self._unsub_minute = None
        self._async_update()

    @callback
    def _cancel_minute(self) -> None:
        if self._unsub_minute:
            self._unsub_minute()
            self._unsub_minute = None
