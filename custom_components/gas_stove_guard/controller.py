"""Home Assistant plumbing around one burner's guard.

The controller observes the burner's entities (relay, flame, presence, hazards), feeds the guard, carries out
its effects (relay service calls, bus events, repair issues, notifications), wakes it at its next deadline and
saves what must survive a restart. Entities only read the guard and call the controller.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
import logging
import time
from typing import Any

from homeassistant.components import persistent_notification
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
    split_entity_id,
)
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.event import (
    async_call_later,
    async_track_entity_registry_updated_event,
    async_track_state_change_event,
)
from homeassistant.helpers.storage import Store
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .const import (
    ATTR_BURNER,
    ATTR_ENDS_AT,
    ATTR_LATE,
    ATTR_LATE_SECONDS,
    ATTR_PROBLEM,
    ATTR_REASON,
    ATTR_SECONDS_LEFT,
    ATTR_VERIFIED,
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
    DEFAULT_TIMER_MINUTES,
    DEFAULT_UNATTENDED_MINUTES,
    DEFAULT_VERIFY_SECONDS,
    DEFAULT_WARNING_SECONDS,
    DEFAULT_WIRING,
    DOMAIN,
    EVENT_CUT_FAILED,
    EVENT_SHUT_OFF,
    EVENT_TIMER_CANCELLED,
    EVENT_TIMER_ENDED,
    EVENT_TIMER_STARTED,
    EVENT_WARNING,
    STORAGE_VERSION,
    Wiring,
)
from .guard import (
    LATE_TIMER_LIMIT,
    BurnerGuard,
    CutFailed,
    Effect,
    FlameThresholds,
    Problem,
    ProblemChanged,
    Reason,
    Relay,
    SendRelay,
    Settings,
    ShutOff,
    TimerChange,
    TimerMissed,
    TimerNotice,
    Warn,
    flame_from_state,
)
from .relay import relay_commands

_LOGGER = logging.getLogger(__name__)

SAVE_DELAY = 1  # seconds; Home Assistant flushes pending saves when it stops
CLOCK_STEP_TOLERANCE = timedelta(seconds=1)  # wall and monotonic clocks disagreeing by more: a clock step
# The longest the burner sleeps between wake-ups, however far its next deadline. Wake-ups wait on the
# monotonic clock, so a wall clock set forward while nothing else happens (a board that booted years behind,
# then NTP) is noticed within this, and a timer that has come due by the clock then ends (late) or is dropped
# as missed (as LATE_TIMER_LIMIT says) within it too.
MAX_WAKEUP_DELAY = LATE_TIMER_LIMIT
# Linux: counts the time suspended, unlike the monotonic clock.
_BOOTTIME: int | None = getattr(time, "CLOCK_BOOTTIME", None)
ISSUE_RELAY_MISSING = "relay_missing"
ISSUE_STORAGE_CORRUPT = "storage_corrupt"
NOTIFY_TIMER_MISSED = "timer_missed"
# Repair issues that describe something that happened, not a live condition: they outlive a restart.
PERSISTENT_PROBLEMS = {Problem.RESTORE_FAILED, Problem.FLAME_STILL_ON}
_TIMER_EVENTS = {
    TimerChange.STARTED: EVENT_TIMER_STARTED,
    TimerChange.EXTENDED: EVENT_TIMER_STARTED,
    TimerChange.ENDED: EVENT_TIMER_ENDED,
    TimerChange.CANCELLED: EVENT_TIMER_CANCELLED,
}

type GasStoveGuardConfigEntry = ConfigEntry[BurnerController]


def suspended_seconds() -> float:
    """How long the machine has been suspended since it booted (0 where that is unknown).

    The event loop's monotonic clock stops while the machine sleeps, the wall clock does not: without this a
    resume would look like a clock step and postpone every deadline by the time asleep, though that time
    really passed (a timer that ended meanwhile must end now, late).
    """
    if _BOOTTIME is None:
        return 0.0
    return time.clock_gettime(_BOOTTIME) - time.clock_gettime(time.CLOCK_MONOTONIC)


def settings_from_options(options: Mapping[str, Any]) -> Settings:
    """The guard's settings from a config entry's options."""
    return Settings(
        cut_seconds=float(options.get(CONF_CUT_SECONDS, DEFAULT_CUT_SECONDS)),
        relay_restores_itself=bool(options.get(CONF_RELAY_RESTORES_ITSELF, False)),
        warning_seconds=float(options.get(CONF_WARNING_SECONDS, DEFAULT_WARNING_SECONDS)),
        flame_sensor=bool(options.get(CONF_FLAME_SENSOR)),
        verify_seconds=float(options.get(CONF_VERIFY_SECONDS, DEFAULT_VERIFY_SECONDS)),
        max_on_minutes=float(options.get(CONF_MAX_ON_MINUTES, DEFAULT_MAX_ON_MINUTES)),
        presence_sensor=bool(options.get(CONF_PRESENCE_SENSOR)),
        unattended_minutes=float(options.get(CONF_UNATTENDED_MINUTES, DEFAULT_UNATTENDED_MINUTES)),
    )


def _known(state: State | None) -> str | None:
    """The raw state, or None when the entity is missing, unavailable or unknown."""
    if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
        return None
    return state.state


def _on_off(state: State | None) -> bool | None:
    return {STATE_ON: True, STATE_OFF: False}.get(_known(state) or "")


class BurnerController:
    """One burner: its guard, what it observes, and what it carries out."""

    def __init__(self, hass: HomeAssistant, entry: GasStoveGuardConfigEntry) -> None:
        """Read the options; nothing is observed or changed until async_start."""
        self.hass = hass
        self.entry = entry
        options = entry.options
        self.name: str = entry.title
        self.relay_entity_id: str = options[CONF_RELAY]
        self.wiring = Wiring(options.get(CONF_WIRING, DEFAULT_WIRING))
        self.flame_sensor: str | None = options.get(CONF_FLAME_SENSOR) or None
        self.presence_sensor: str | None = options.get(CONF_PRESENCE_SENSOR) or None
        self.hazard_sensors: list[str] = list(options.get(CONF_HAZARD_SENSORS) or [])
        self._flame_thresholds: FlameThresholds | None = None
        if self.flame_sensor and split_entity_id(self.flame_sensor)[0] == "sensor":
            self._flame_thresholds = FlameThresholds(
                float(options[CONF_FLAME_ON_ABOVE]), float(options[CONF_FLAME_OFF_BELOW])
            )
        self.timer_minutes: float = DEFAULT_TIMER_MINUTES
        self.guard = BurnerGuard(settings_from_options(options))
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}")
        self._saved: dict[str, Any] | None = None
        self._listeners: list[CALLBACK_TYPE] = []
        self._event_listeners: list[Callable[[str, dict[str, Any]], None]] = []
        self._unsub_wakeup: CALLBACK_TYPE | None = None
        self._relays = relay_commands(hass)
        self._commands_sent = 0  # numbers relay commands: only the latest one's failure concerns the guard
        self._refresh_pending = False
        self._wakeup_at: datetime | None = None
        self._wakeup_stale = False  # a clock step was seen: the wake-up must be planned again
        # (wall, loop's monotonic) seconds at the last now()
        self._clock_read: tuple[float, float] | None = None
        self._running = False

    # --- life cycle -----------------------------------------------------------------------------

    async def async_start(self) -> None:
        """Restore the saved state, start observing, and reconcile the relay with it."""
        saved: dict[str, Any] | None = None
        try:
            saved = await self._store.async_load()
            self.guard = BurnerGuard(self.guard.settings, (saved or {}).get("guard"))
            self.timer_minutes = float((saved or {}).get("timer_minutes", DEFAULT_TIMER_MINUTES))
        except Exception:
            _LOGGER.exception("%s: saved state could not be read; starting without it", self.name)
            self.guard = BurnerGuard(self.guard.settings)
            self._create_issue(ISSUE_STORAGE_CORRUPT, persistent=True)
        self._saved = saved
        # Events name the valve; on a burner's first start its entity is not registered yet: register it now.
        er.async_get(self.hass).async_get_or_create(
            "valve", DOMAIN, self.entry.entry_id, config_entry=self.entry, suggested_object_id=self.name
        )
        self._running = True
        watched = [self.relay_entity_id, *self.hazard_sensors]
        watched += [e for e in (self.flame_sensor, self.presence_sensor) if e]
        self.entry.async_on_unload(async_track_state_change_event(self.hass, watched, self._on_state_event))
        self.entry.async_on_unload(
            async_track_entity_registry_updated_event(
                self.hass, self.relay_entity_id, self._on_relay_registry
            )
        )
        relay = self._relay_from(self.hass.states.get(self.relay_entity_id))
        if relay is Relay.UNAVAILABLE:
            _LOGGER.warning("%s: relay %s is not available yet", self.name, self.relay_entity_id)
        self._apply(
            self.guard.start(
                self.now(),
                relay=relay,
                flame=self._flame_from(
                    self.hass.states.get(self.flame_sensor) if self.flame_sensor else None
                ),
                present=_on_off(self.hass.states.get(self.presence_sensor)) if self.presence_sensor else None,
                hazards={e: _on_off(self.hass.states.get(e)) for e in self.hazard_sensors},
            )
        )

    async def async_stop(self) -> None:
        """Stop waking and notifying entities, and save what must survive the unload."""
        self._running = False
        if self._unsub_wakeup:
            self._unsub_wakeup()
            self._unsub_wakeup = None
        self._wakeup_at = None
        self._listeners.clear()
        self._event_listeners.clear()
        await self._store.async_save(self._data_to_save())

    @callback
    def now(self) -> datetime:
        """The current time to hand the guard, once the guard has followed any step of the wall clock.

        The guard's deadlines are wall-clock instants (they must survive a restart), but the time they measure
        is real time. When the wall clock advanced more or less than the event loop's monotonic clock (plus
        any time suspended) since the last call, the clock was stepped (NTP, a real-time clock set right),
        not time passed. The guard follows a step back whatever its size, and of a step forward only its pulse
        and relay instants (BurnerGuard.clock_stepped says why): no promised shut-off is ever postponed. The
        wake-up is then planned again, as what comes due next may now be due sooner.
        """
        wall, monotonic = dt_util.utcnow(), self.hass.loop.time() + suspended_seconds()
        wall_seconds = wall.timestamp()
        if self._clock_read is not None:
            last_wall, last_monotonic = self._clock_read
            step = timedelta(seconds=(wall_seconds - last_wall) - (monotonic - last_monotonic))
            if abs(step) > CLOCK_STEP_TOLERANCE:
                forward = step > timedelta(0)
                _LOGGER.warning(
                    "%s: the clock was stepped %s by %s; %s",
                    self.name,
                    "forward" if forward else "back",
                    abs(step),
                    "timers and watchdogs come due by the clock, a pulse keeps its length"
                    if forward
                    else "every deadline keeps the time it had left",
                )
                self.guard.clock_stepped(step)
                self._wakeup_stale = True
                self._after_change()  # re-plans the wake-up even when the caller changes nothing
        self._clock_read = (wall_seconds, monotonic)
        return wall

    # --- requests from entities and services ------------------------------------------------------

    @callback
    def async_shut_off(self, reason: Reason = Reason.MANUAL) -> None:
        """Shut the burner off."""
        self._answer(self.guard.request_shut_off(reason, self.now()))

    @callback
    def async_set_lockout(self, on: bool) -> None:
        """Turn lockout on or off."""
        self._answer(self.guard.set_lockout(on, self.now()))

    @callback
    def async_start_timer(self, duration: timedelta | None = None) -> None:
        """Start the cooking timer; without a duration the timer duration entity's."""
        if duration is None:
            duration = timedelta(minutes=self.timer_minutes)
        self._answer(self.guard.start_timer(duration, self.now()))

    @callback
    def async_extend_timer(self, duration: timedelta) -> None:
        """Extend the cooking timer, or start one."""
        self._answer(self.guard.extend_timer(duration, self.now()))

    @callback
    def async_cancel_timer(self) -> None:
        """Cancel the cooking timer."""
        self._answer(self.guard.cancel_timer(self.now()))

    @callback
    def async_set_timer_minutes(self, minutes: float) -> None:
        """Set the default timer duration."""
        self.timer_minutes = minutes
        self._after_change()
        self._relays.async_flush()

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` whenever the burner's state may have changed; returns the remover."""
        self._listeners.append(update)

        @callback
        def remove() -> None:
            if update in self._listeners:
                self._listeners.remove(update)

        return remove

    @callback
    def async_after_sending(self, job: CALLBACK_TYPE) -> None:
        """Run `job` once this loop turn's relay commands are on their way."""
        self._relays.async_after_sending(job)

    @callback
    def async_add_event_listener(self, on_event: Callable[[str, dict[str, Any]], None]) -> CALLBACK_TYPE:
        """Call `on_event(event_type, data)` for every bus event this burner fires; returns the remover."""
        self._event_listeners.append(on_event)

        @callback
        def remove() -> None:
            if on_event in self._event_listeners:
                self._event_listeners.remove(on_event)

        return remove

    @property
    def valve_entity_id(self) -> str | None:
        """The burner's main entity, named in every event."""
        return er.async_get(self.hass).async_get_entity_id("valve", DOMAIN, self.entry.entry_id)

    @property
    def has_flame_sensor(self) -> bool:
        """Whether a flame sensor is configured."""
        return self.flame_sensor is not None

    def diagnostics(self) -> dict[str, Any]:
        """What the burner knows and what is scheduled, for the diagnostics download."""
        relay_state = self.hass.states.get(self.relay_entity_id)
        return {
            "relay_state": relay_state.state if relay_state else None,
            "guard": self.guard.describe(),
            "saved": self._data_to_save(),
            "wakeup_scheduled_at": self._wakeup_at,
            "timer_minutes": self.timer_minutes,
        }

    # --- observations ---------------------------------------------------------------------------

    def _relay_from(self, state: State | None) -> Relay:
        raw = _known(state)
        if raw not in (STATE_ON, STATE_OFF):
            return Relay.UNAVAILABLE
        return Relay.CUT if (raw == STATE_ON) == (self.wiring is Wiring.CUT_WHEN_ON) else Relay.RESTORED

    def _flame_from(self, state: State | None) -> bool | None:
        return flame_from_state(_known(state), self.guard.flame, self._flame_thresholds)

    @callback
    def _on_state_event(self, event: Event[EventStateChangedData]) -> None:
        if not self._running:
            return
        entity_id = event.data["entity_id"]
        new_state = event.data["new_state"]
        now = self.now()
        if entity_id == self.relay_entity_id:
            relay = self._relay_from(new_state)
            if (relay is Relay.UNAVAILABLE) != (self.guard.relay is Relay.UNAVAILABLE):
                if relay is Relay.UNAVAILABLE:
                    _LOGGER.warning("%s: relay %s became unavailable", self.name, entity_id)
                else:
                    _LOGGER.info("%s: relay %s is available again", self.name, entity_id)
            self._apply(self.guard.relay_changed(relay, now))
        elif entity_id == self.flame_sensor:
            self._apply(self.guard.flame_changed(self._flame_from(new_state), now))
        elif entity_id == self.presence_sensor:
            self._apply(self.guard.presence_changed(_on_off(new_state), now))
        if entity_id in self.hazard_sensors:
            self._apply(self.guard.hazard_changed(entity_id, _on_off(new_state), now))

    async def _on_relay_registry(self, event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        """Follow the relay when its entity id is renamed (the update listener reloads the burner)."""
        data = event.data
        if data["action"] == "update" and "entity_id" in data["changes"]:
            self.hass.config_entries.async_update_entry(
                self.entry, options={**self.entry.options, CONF_RELAY: data["entity_id"]}
            )

    @callback
    def _on_wakeup(self, _scheduled: datetime) -> None:
        self._unsub_wakeup = None
        self._wakeup_at = None
        if self._running:
            self._apply(self.guard.tick(self.now()))

    # --- carrying out effects ---------------------------------------------------------------------

    @callback
    def _apply(self, effects: list[Effect]) -> None:
        for effect in effects:
            try:
                self._carry_out(effect)
            except Exception:
                # One effect failing (say, a notification) must not keep the others from happening.
                _LOGGER.exception("%s: could not carry out %s", self.name, effect)
        self._after_change()

    @callback
    def _answer(self, effects: list[Effect]) -> None:
        """Carry out a caller's request: when the call returns, commands are sent and entities show it."""
        self._apply(effects)
        self._relays.async_flush()

    @callback
    def _after_change(self) -> None:
        if not self._running:
            return
        if not self._refresh_pending:
            # The next wake-up, saving and entity states can wait until this loop turn's relay commands are
            # on their way (the deadlines are all later than that).
            self._refresh_pending = True
            self._relays.async_after_sending(self._refresh)

    @callback
    def _refresh(self) -> None:
        self._refresh_pending = False
        if not self._running:
            return
        self._schedule_wakeup()
        data = self._data_to_save()
        if data != self._saved:
            self._saved = data
            self._store.async_delay_save(lambda: data, SAVE_DELAY)
        for update in list(self._listeners):
            update()

    def _data_to_save(self) -> dict[str, Any]:
        return {"guard": self.guard.as_saved(), "timer_minutes": self.timer_minutes}

    @callback
    def _schedule_wakeup(self) -> None:
        now = self.now()  # first: a clock step moves the deadlines (and makes the planned wake-up stale)
        at = self.guard.next_deadline()
        stale, self._wakeup_stale = self._wakeup_stale, False
        if not stale and at == self._wakeup_at and (at is None or self._unsub_wakeup is not None):
            return
        if self._unsub_wakeup:
            self._unsub_wakeup()
            self._unsub_wakeup = None
        self._wakeup_at = at
        if at is not None:
            # On the monotonic clock: a step of the wall clock does not move the wake-up, so it is planned
            # again whenever now() sees a step, and never more than MAX_WAKEUP_DELAY ahead (a step while
            # nothing else happens is then seen at the latest by that wake-up).
            delay = min(max(0.0, (at - now).total_seconds()), MAX_WAKEUP_DELAY.total_seconds())
            self._unsub_wakeup = async_call_later(self.hass, delay, self._on_wakeup)

    def _carry_out(self, effect: Effect) -> None:
        match effect:
            case SendRelay(cut=cut):
                self._send(cut)
            case ShutOff():
                data: dict[str, Any] = {ATTR_REASON: effect.reason, ATTR_VERIFIED: effect.verified}
                data[ATTR_LATE] = effect.late_seconds is not None
                if effect.late_seconds is not None:
                    data[ATTR_LATE_SECONDS] = effect.late_seconds
                self._fire(EVENT_SHUT_OFF, data)
            case Warn():
                self._fire(
                    EVENT_WARNING,
                    {
                        ATTR_REASON: effect.reason,
                        ATTR_SECONDS_LEFT: effect.seconds_left,
                        ATTR_ENDS_AT: effect.ends_at.isoformat(),
                    },
                )
            case CutFailed():
                data = {ATTR_REASON: effect.reason, ATTR_PROBLEM: effect.problem}
                if effect.error:
                    data["error"] = effect.error
                self._fire(EVENT_CUT_FAILED, data)
                _LOGGER.error("%s: shut-off (%s) failed: %s", self.name, effect.reason, effect.problem)
                self._notify(self._issue_key(effect.problem), f"{effect.problem}")
            case TimerNotice():
                self._fire_timer(effect)
            case TimerMissed():
                _LOGGER.warning("%s: timer that ended at %s was missed", self.name, effect.ends_at)
                self._notify(
                    NOTIFY_TIMER_MISSED,
                    NOTIFY_TIMER_MISSED,
                    {"ends_at": dt_util.as_local(effect.ends_at).strftime("%Y-%m-%d %H:%M:%S")},
                )
            case ProblemChanged(problem=problem, active=True):
                self._create_issue(self._issue_key(problem), persistent=problem in PERSISTENT_PROBLEMS)
            case ProblemChanged(problem=problem, active=False):
                ir.async_delete_issue(self.hass, DOMAIN, self._issue_id(problem))
                if problem is Problem.RELAY_UNAVAILABLE:
                    ir.async_delete_issue(self.hass, DOMAIN, self._issue_id(ISSUE_RELAY_MISSING))

    def _fire_timer(self, effect: TimerNotice) -> None:
        data: dict[str, Any] = {ATTR_ENDS_AT: effect.ends_at.isoformat()}
        if effect.change is TimerChange.ENDED:
            data["shut_off"] = effect.shut_off
            data[ATTR_LATE] = effect.late_seconds is not None
            if effect.late_seconds is not None:
                data[ATTR_LATE_SECONDS] = effect.late_seconds
        elif effect.change is TimerChange.CANCELLED:
            data["cause"] = effect.cause
        else:
            data["extended"] = effect.change is TimerChange.EXTENDED
        self._fire(_TIMER_EVENTS[effect.change], data)

    def _fire(self, event_type: str, data: dict[str, Any]) -> None:
        data = {ATTR_ENTITY_ID: self.valve_entity_id, ATTR_BURNER: self.name, **data}
        self.hass.bus.async_fire(event_type, data)
        for on_event in list(self._event_listeners):
            on_event(event_type, data)

    def _send(self, cut: bool) -> None:
        """Send a relay command (batched with other burners'); its failure is handed back to the guard.

        A failure that arrives after a newer command was sent (a call that timed out while the guard already
        retried) is stale: it must not be taken for the failure of the retry.
        """
        self._commands_sent += 1
        number = self._commands_sent
        turn_on = cut == (self.wiring is Wiring.CUT_WHEN_ON)

        @callback
        def is_current() -> bool:
            return self._running and number == self._commands_sent

        @callback
        def on_error(err: Exception) -> None:  # only called while is_current()
            self._apply(self.guard.relay_command_failed(cut, str(err) or type(err).__name__, self.now()))

        self._relays.async_send(
            self.relay_entity_id, SERVICE_TURN_ON if turn_on else SERVICE_TURN_OFF, on_error, is_current
        )

    # --- repair issues and notifications ------------------------------------------------------------

    def _issue_key(self, problem: Problem) -> str:
        """A relay that no longer exists at all is a configuration problem, with its own fix."""
        if problem is Problem.RELAY_UNAVAILABLE and self._relay_missing():
            return ISSUE_RELAY_MISSING
        return problem.value

    def _relay_missing(self) -> bool:
        return (
            self.hass.states.get(self.relay_entity_id) is None
            and er.async_get(self.hass).async_get(self.relay_entity_id) is None
        )

    def _issue_id(self, key: str) -> str:
        return f"{key}_{self.entry.entry_id}"

    def _placeholders(self) -> dict[str, str]:
        return {"burner": self.name, "relay": self.relay_entity_id}

    def _create_issue(self, key: str, *, persistent: bool = False) -> None:
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self._issue_id(key),
            is_fixable=key == ISSUE_RELAY_MISSING,
            is_persistent=persistent,
            severity=ir.IssueSeverity.ERROR,
            translation_key=key,
            translation_placeholders=self._placeholders(),
            data={"entry_id": self.entry.entry_id},
        )

    def _notify(self, key: str, notification: str, extra: Mapping[str, str] | None = None) -> None:
        """A persistent notification in the user's language, with the text of the matching issue."""
        self.entry.async_create_task(
            self.hass, self._async_notify(key, notification, {**self._placeholders(), **(extra or {})})
        )

    async def _async_notify(self, key: str, notification: str, placeholders: dict[str, str]) -> None:
        prefix = f"component.{DOMAIN}.issues.{key}"
        texts = await async_get_translations(self.hass, self.hass.config.language, "issues", [DOMAIN])
        if f"{prefix}.title" not in texts:  # a language without this text: fall back to English
            texts = await async_get_translations(self.hass, "en", "issues", [DOMAIN])
        title = texts.get(f"{prefix}.title", key)
        message = texts.get(f"{prefix}.description", key)
        for name, value in placeholders.items():
            title = title.replace(f"{{{name}}}", value)
            message = message.replace(f"{{{name}}}", value)
        persistent_notification.async_create(
            self.hass, message, title, f"{DOMAIN}_{self.entry.entry_id}_{notification}"
        )
