"""Cooking timers (issue 3), driven through the services, buttons and number entity, on simulated time.

Every test starts at T0 (whole seconds, UTC) and moves the clock to absolute instants with
`clock.at(seconds)`, so each expected instant reads as "seconds after T0". The relay is an input_boolean wired
cut_when_on: "on" is a cut, "off" a restore; `rec.relay()` lists every switch with its instant.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import persistent_notification
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    issue_registry as ir,
)
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed_exact,
)

from custom_components.gas_stove_guard.const import (
    DOMAIN,
    EVENT_CUT_FAILED,
    EVENT_SHUT_OFF,
    EVENT_TIMER_CANCELLED,
    EVENT_TIMER_ENDED,
    EVENT_TIMER_STARTED,
    EVENT_WARNING,
)

from .conftest import add_burner as _add_burner

T0 = datetime(2031, 5, 4, 10, 0, 0, tzinfo=UTC)
RELAY = "input_boolean.relay"
RELAY2 = "input_boolean.relay2"
VALVE = "valve.left_burner"
VALVE2 = "valve.right_burner"
ENDS = "sensor.left_burner_timer_ends"
ENDS2 = "sensor.right_burner_timer_ends"
LAST = "sensor.left_burner_last_shut_off"
DURATION = "number.left_burner_timer_duration"
LOCKOUT = "switch.left_burner_lockout"
EVENTS = (
    EVENT_SHUT_OFF,
    EVENT_WARNING,
    EVENT_CUT_FAILED,
    EVENT_TIMER_STARTED,
    EVENT_TIMER_ENDED,
    EVENT_TIMER_CANCELLED,
)


def at(seconds: float) -> datetime:
    """The instant `seconds` after T0."""
    return T0 + timedelta(seconds=seconds)


def iso(seconds: float) -> str:
    """How the integration writes that instant in event data and attributes."""
    return at(seconds).isoformat()


async def settle(hass: HomeAssistant) -> None:
    """Let every consequence run: a tracked state change reaches its listeners one loop turn late.

    Home Assistant hands state changes to `async_track_state_change_event` listeners with `call_soon`, and
    one `async_block_till_done` waits only one turn for those; a chain (input -> template sensor -> burner
    -> relay -> ...) needs a few.
    """
    for _ in range(6):
        await hass.async_block_till_done()


async def add_burner(hass: HomeAssistant, title: str = "Left burner", **options: Any) -> MockConfigEntry:
    """The shared fixture's burner, with everything its start-up set off carried out."""
    entry = await _add_burner(hass, title, **options)
    await settle(hass)
    return entry


class Clock:
    """Simulated time: move to an instant, fire what is due there, let Home Assistant settle."""

    def __init__(self, hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
        self.hass = hass
        self.freezer = freezer

    def now(self) -> float:
        return (dt_util.utcnow() - T0).total_seconds()

    def jump(self, seconds: float) -> None:
        """Move the clock without firing anything (Home Assistant is "down")."""
        assert seconds >= self.now()
        self.freezer.move_to(at(seconds))

    async def at(self, seconds: float) -> None:
        self.jump(seconds)
        async_fire_time_changed_exact(self.hass, at(seconds))
        await settle(self.hass)


class Recorder:
    """This integration's bus events and the relays' switching, each with its instant (seconds after T0)."""

    def __init__(self, hass: HomeAssistant, relays: tuple[str, ...]) -> None:
        self.events: list[tuple[float, str, dict[str, Any]]] = []
        self.switching: list[tuple[float, str, str]] = []
        for event_type in EVENTS:
            hass.bus.async_listen(event_type, self._on_event)
        async_track_state_change_event(hass, list(relays), self._on_relay)

    @staticmethod
    def _now() -> float:
        return (dt_util.utcnow() - T0).total_seconds()

    @callback
    def _on_event(self, event: Event) -> None:
        self.events.append((self._now(), event.event_type, dict(event.data)))

    @callback
    def _on_relay(self, event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        self.switching.append((self._now(), event.data["entity_id"], new.state if new else "removed"))

    def of(self, event_type: str) -> list[tuple[float, dict[str, Any]]]:
        """The events of one type with their instants."""
        return [(t, data) for t, kind, data in self.events if kind == event_type]

    def relay(self, entity_id: str = RELAY) -> list[tuple[float, str]]:
        """The relay's switching: (instant, new state)."""
        return [(t, state) for t, e, state in self.switching if e == entity_id]


@pytest.fixture
def clock(hass: HomeAssistant, freezer: FrozenDateTimeFactory, relays: list[str]) -> Clock:
    freezer.move_to(T0)
    return Clock(hass, freezer)


@pytest.fixture
def rec(hass: HomeAssistant, relays: list[str], clock: Clock) -> Recorder:
    return Recorder(hass, (RELAY, RELAY2))


def state(hass: HomeAssistant, entity_id: str) -> str:
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


def shut_off(seconds: float, reason: str = "timer", **extra: Any) -> tuple[float, dict[str, Any]]:
    """The shut_off event expected at an instant."""
    data = {"entity_id": VALVE, "burner": "Left burner", "reason": reason, "verified": False, "late": False}
    return (seconds, {**data, **extra})


def warning(
    seconds: float, ends: float, seconds_left: int = 60, **extra: Any
) -> tuple[float, dict[str, Any]]:
    """The timer warning expected at an instant, for a timer ending at `ends`."""
    data = {
        "entity_id": VALVE,
        "burner": "Left burner",
        "reason": "timer",
        "seconds_left": seconds_left,
        "ends_at": iso(ends),
    }
    return (seconds, {**data, **extra})


def pulse(seconds: float, cut_seconds: float = 5) -> list[tuple[float, str]]:
    """One cut at `seconds` and its restore cut_seconds later."""
    return [(seconds, STATE_ON), (seconds + cut_seconds, STATE_OFF)]


async def call(hass: HomeAssistant, service: str, target: Any = VALVE, **data: Any) -> None:
    """Call one of the burner services, blocking."""
    data = {**target, **data} if isinstance(target, dict) else {"entity_id": target, **data}
    await hass.services.async_call(DOMAIN, service, data, blocking=True)
    await settle(hass)


def message(err: ServiceValidationError) -> str:
    """The translated message; Home Assistant drops a final period from exception messages."""
    return str(err).rstrip(".")


async def press(hass: HomeAssistant, button: str) -> None:
    await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
    await settle(hass)


async def refused(
    hass: HomeAssistant, service: str, target: Any = VALVE, **data: Any
) -> ServiceValidationError:
    """Call a service that must be refused with a translated validation error; return the error."""
    with pytest.raises(ServiceValidationError) as info:
        await call(hass, service, target, **data)
    err = info.value
    assert err.translation_domain == DOMAIN
    # The message is the translated text, not the bare key, with every placeholder filled in.
    assert str(err) != err.translation_key
    assert not re.search(r"\{[a-z_]+\}", str(err))
    return err


# --- the end of a timer ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "duration",
    ["00:12:00", 720, "720", {"minutes": 12}, {"minutes": 11, "seconds": 60}],
    ids=["hh_mm_ss", "seconds", "seconds_text", "dict", "dict_mixed"],
)
async def test_timer_cuts_at_its_exact_end(
    hass: HomeAssistant, clock: Clock, rec: Recorder, duration: Any
) -> None:
    await add_burner(hass)
    assert state(hass, ENDS) == STATE_UNKNOWN
    assert state(hass, LAST) == STATE_UNKNOWN

    await call(hass, "start_timer", duration=duration)
    assert state(hass, ENDS) == iso(720)
    assert rec.of(EVENT_TIMER_STARTED) == [
        (0, {"entity_id": VALVE, "burner": "Left burner", "ends_at": iso(720), "extended": False})
    ]

    await clock.at(719.999)
    assert rec.of(EVENT_SHUT_OFF) == []
    assert rec.relay() == []
    assert state(hass, ENDS) == iso(720)

    await clock.at(720)
    assert rec.of(EVENT_TIMER_ENDED) == [
        (
            720,
            {
                "entity_id": VALVE,
                "burner": "Left burner",
                "ends_at": iso(720),
                "shut_off": True,
                "late": False,
            },
        )
    ]
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(720)]
    assert rec.relay() == [(720, STATE_ON)]
    assert state(hass, LAST) == "timer"
    assert hass.states.get(LAST).attributes["at"] == iso(720)
    assert state(hass, ENDS) == STATE_UNKNOWN

    await clock.at(725)
    assert rec.relay() == pulse(720)
    assert state(hass, VALVE) == "closed"
    # Nothing more happens later: the timer is gone.
    await clock.at(4000)
    assert rec.relay() == pulse(720)
    assert len(rec.of(EVENT_SHUT_OFF)) == 1


async def test_timer_end_accuracy_under_a_late_wakeup(
    hass: HomeAssistant, clock: Clock, rec: Recorder
) -> None:
    """A wake-up that comes a moment late still cuts, within the 1 s the issue promises, and not as 'late'."""
    await add_burner(hass)
    await call(hass, "start_timer", duration=60)
    await clock.at(60.4)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(60.4)]
    assert rec.relay() == [(60.4, STATE_ON)]


async def test_starting_a_timer_marks_the_valve_open(
    hass: HomeAssistant, clock: Clock, rec: Recorder
) -> None:
    await add_burner(hass)
    assert state(hass, VALVE) == STATE_UNKNOWN
    await call(hass, "start_timer", duration=30)
    assert state(hass, VALVE) == "open"
    await clock.at(30)
    assert state(hass, VALVE) == "closing"
    await clock.at(35)
    assert state(hass, VALVE) == "closed"
    # A new timer says the burner was lit again.
    await call(hass, "start_timer", duration=30)
    assert state(hass, VALVE) == "open"


# --- warnings ----------------------------------------------------------------------------------------


async def test_warning_fires_once_exactly_warning_seconds_before_the_end(
    hass: HomeAssistant, clock: Clock, rec: Recorder
) -> None:
    await add_burner(hass, warning_seconds=90)
    await call(hass, "start_timer", duration="00:05:00")
    await clock.at(209.999)
    assert rec.of(EVENT_WARNING) == []
    await clock.at(210)
    assert rec.of(EVENT_WARNING) == [warning(210, 300, 90)]
    await clock.at(250)
    await clock.at(299.999)
    assert len(rec.of(EVENT_WARNING)) == 1
    assert rec.relay() == []
    await clock.at(300)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(300)]
    assert len(rec.of(EVENT_WARNING)) == 1


async def test_default_warning_is_60_seconds(hass: HomeAssistant, clock: Clock, rec: Recorder) -> None:
    await add_burner(hass)
    await call(hass, "start_timer", duration=120)
    await clock.at(60)
    assert rec.of(EVENT_WARNING) == [warning(60, 120)]


@pytest.mark.parametrize(
    ("warning_seconds", "duration", "expected_warnings"),
    [
        (60, 30, []),  # the whole timer is shorter than the warning
        (60, 60, [(0, 60)]),  # exactly as long: not shorter, so the warning comes with the start
        (60, 61, [(1, 60)]),  # one second longer: warn one second in
        (0, 600, []),  # 0 disables warnings
        (1, 10, [(9, 1)]),
        (600, 601, [(1, 600)]),
    ],
)
async def test_when_a_warning_is_given(
    hass: HomeAssistant,
    clock: Clock,
    rec: Recorder,
    *,
    warning_seconds: int,
    duration: int,
    expected_warnings: list[tuple[float, int]],
) -> None:
    await add_burner(hass, warning_seconds=warning_seconds)
    await call(hass, "start_timer", duration=duration)
    for instant, _ in expected_warnings:
        await clock.at(instant)
    await clock.at(duration)
    assert rec.of(EVENT_WARNING) == [warning(t, duration, left) for t, left in expected_warnings]
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(duration)]


async def test_extend_before_the_warning_moves_it(hass: HomeAssistant, clock: Clock, rec: Recorder) -> None:
    await add_burner(hass)
    await call(hass, "start_timer", duration="00:05:00")
    await clock.at(120)
    await call(hass, "extend_timer", duration="00:03:00")
    assert state(hass, ENDS) == iso(480)
    assert rec.of(EVENT_TIMER_STARTED)[-1] == (
        120,
        {"entity_id": VALVE, "burner": "Left burner", "ends_at": iso(480), "extended": True},
    )
    await clock.at(240)  # the old warning instant
    await clock.at(300)  # the old end
    assert rec.of(EVENT_WARNING) == []
    assert rec.of(EVENT_SHUT_OFF) == []
    assert rec.relay() == []
    await clock.at(420)
    assert rec.of(EVENT_WARNING) == [warning(420, 480)]
    await clock.at(480)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(480)]
    assert rec.relay() == [(480, STATE_ON)]


async def test_extend_after_the_warning_arms_a_new_one(
    hass: HomeAssistant, clock: Clock, rec: Recorder
) -> None:
    await add_burner(hass)
    await call(hass, "start_timer", duration=300)
    await clock.at(240)
    assert rec.of(EVENT_WARNING) == [warning(240, 300)]
    await clock.at(270)
    await call(hass, "extend_timer", duration={"minutes": 2})
    assert state(hass, ENDS) == iso(420)
    await clock.at(300)
    assert rec.of(EVENT_SHUT_OFF) == []
    await clock.at(359.999)
    assert len(rec.of(EVENT_WARNING)) == 1
    await clock.at(360)
    assert rec.of(EVENT_WARNING) == [warning(240, 300), warning(360, 420)]
    await clock.at(420)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(420)]
    assert len(rec.of(EVENT_WARNING)) == 2


async def test_a_short_extension_after_the_warning_gives_no_new_warning(
    hass: HomeAssistant, clock: Clock, rec: Recorder
) -> None:
    """Extended by less than the warning time: the new countdown is shorter than a warning."""
    await add_burner(hass)
    await call(hass, "start_timer", duration=300)
    await clock.at(240)
    await clock.at(270)
    await call(hass, "extend_timer", duration=10)
    await clock.at(310)
    assert rec.of(EVENT_WARNING) == [warning(240, 300)]
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(310)]


async def test_extend_without_a_running_timer_starts_one(
    hass: HomeAssistant, clock: Clock, rec: Recorder
) -> None:
    await add_burner(hass)
    await call(hass, "extend_timer", duration="00:02:00")
    assert state(hass, ENDS) == iso(120)
    assert rec.of(EVENT_TIMER_STARTED) == [
        (0, {"entity_id": VALVE, "burner": "Left burner", "ends_at": iso(120), "extended": False})
    ]
    await clock.at(120)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(120)]


# --- cancel and replace ------------------------------------------------------------------------------


async def test_cancel_stops_the_timer_and_its_warning(
    hass: HomeAssistant, clock: Clock, rec: Recorder
) -> None:
    await add_burner(hass)
    await call(hass, "start_timer", duration=300)
    await clock.at(100)
    await call(hass, "cancel_timer")
    assert state(hass, ENDS) == STATE_UNKNOWN
    assert rec.of(EVENT_TIMER_CANCELLED) == [
        (100, {"entity_id": VALVE, "burner": "Left burner", "ends_at": iso(300), "cause": "user"})
    ]
    await clock.at(240)
    await clock.at(300)
    await clock.at(1000)
    assert rec.of(EVENT_WARNING) == []
    assert rec.of(EVENT_SHUT_OFF) == []
    assert rec.of(EVENT_TIMER_ENDED) == []
    assert rec.relay() == []
    assert state(hass, LAST) == STATE_UNKNOWN


async def test_a_shut_off_before_the_end_cancels_the_timer(
    hass: HomeAssistant, clock: Clock, rec: Recorder
) -> None:
    """Shutting the burner off by hand does the timer's job: no second cut, no warning at its end."""
    await add_burner(hass)
    await call(hass, "start_timer", duration=300)
    await clock.at(100)
    await call(hass, "shut_off")
    assert [t for t, _ in rec.of(EVENT_SHUT_OFF)] == [100]
    assert rec.of(EVENT_TIMER_CANCELLED) == [
        (100, {"entity_id": VALVE, "burner": "Left burner", "ends_at": iso(300), "cause": "shut_off"})
    ]
    assert state(hass, ENDS) == STATE_UNKNOWN
    for instant in (105, 240, 300, 1000):
        await clock.at(instant)
    assert rec.of(EVENT_WARNING) == []
    assert rec.of(EVENT_TIMER_ENDED) == []
    assert [t for t, _ in rec.of(EVENT_SHUT_OFF)] == [100]
    assert rec.relay() == [(100, "on"), (105, "off")]


async def test_cancel_without_a_timer_is_no_error(hass: HomeAssistant, clock: Clock, rec: Recorder) -> None:
    await add_burner(hass)
    await call(hass, "cancel_timer")
    await press(hass, "button.left_burner_cancel_timer")
    assert rec.events == []
    assert state(hass, ENDS) == STATE_UNKNOWN


async def test_start_replaces_a_running_timer(hass: HomeAssistant, clock: Clock, rec: Recorder) -> None:
    await add_burner(hass)
    await call(hass, "start_timer", duration=600)
    await clock.at(60)
    await call(hass, "start_timer", duration=180)
    assert state(hass, ENDS) == iso(240)
    assert [data["ends_at"] for _, data in rec.of(EVENT_TIMER_STARTED)] == [iso(600), iso(240)]
    assert all(data["extended"] is False for _, data in rec.of(EVENT_TIMER_STARTED))
    await clock.at(180)
    assert rec.of(EVENT_WARNING) == [warning(180, 240)]
    await clock.at(240)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(240)]
    await clock.at(245)
    # The replaced timer's warning and end pass without anything happening.
    await clock.at(540)
    await clock.at(600)
    assert len(rec.of(EVENT_WARNING)) == 1
    assert len(rec.of(EVENT_SHUT_OFF)) == 1
    assert rec.relay() == pulse(240)


# --- buttons and the duration entity -----------------------------------------------------------------


async def test_buttons_and_default_duration(hass: HomeAssistant, clock: Clock, rec: Recorder) -> None:
    await add_burner(hass)
    assert state(hass, DURATION) == "15.0"
    await press(hass, "button.left_burner_start_timer")
    assert state(hass, ENDS) == iso(15 * 60)
    await press(hass, "button.left_burner_cancel_timer")
    assert state(hass, ENDS) == STATE_UNKNOWN
    assert [t for t, _ in rec.of(EVENT_TIMER_CANCELLED)] == [0]

    await hass.services.async_call("number", "set_value", {"entity_id": DURATION, "value": 2}, blocking=True)
    await settle(hass)
    assert state(hass, DURATION) == "2.0"
    await clock.at(10)
    await press(hass, "button.left_burner_start_timer")
    assert state(hass, ENDS) == iso(130)
    # The service without a duration uses the same default; `duration: null` counts as none given.
    await call(hass, "start_timer")
    assert state(hass, ENDS) == iso(130)
    await clock.at(20)
    await call(hass, "start_timer", duration=None)
    assert state(hass, ENDS) == iso(140)
    await clock.at(80)
    assert rec.of(EVENT_WARNING) == [warning(80, 140)]
    await clock.at(140)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(140)]


@pytest.mark.parametrize("value", [0, 0.5, 721, 10000, -5])
async def test_duration_entity_refuses_out_of_range(hass: HomeAssistant, clock: Clock, value: float) -> None:
    await add_burner(hass)
    with pytest.raises(ServiceValidationError) as info:
        await hass.services.async_call(
            "number", "set_value", {"entity_id": DURATION, "value": value}, blocking=True
        )
    assert info.value.translation_key == "out_of_range"
    assert state(hass, DURATION) == "15.0"
    await press(hass, "button.left_burner_start_timer")
    assert state(hass, ENDS) == iso(900)


@pytest.mark.parametrize("value", [1, 720])
async def test_duration_entity_limits(hass: HomeAssistant, clock: Clock, rec: Recorder, value: int) -> None:
    await add_burner(hass)
    await hass.services.async_call(
        "number", "set_value", {"entity_id": DURATION, "value": value}, blocking=True
    )
    await press(hass, "button.left_burner_start_timer")
    assert state(hass, ENDS) == iso(value * 60)


async def test_duration_entity_restored_across_reload_and_restart(hass: HomeAssistant, clock: Clock) -> None:
    entry = await add_burner(hass)
    await hass.services.async_call("number", "set_value", {"entity_id": DURATION, "value": 7}, blocking=True)
    await settle(hass)

    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert state(hass, DURATION) == "7.0"

    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)
    clock.jump(3600)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    assert state(hass, DURATION) == "7.0"
    await press(hass, "button.left_burner_start_timer")
    assert state(hass, ENDS) == iso(3600 + 7 * 60)


# --- bad durations -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "key"),
    [
        (0, "duration_out_of_range"),
        ("00:00:00", "duration_out_of_range"),
        ({"seconds": 0.5}, "duration_out_of_range"),
        ("-00:05:00", "duration_out_of_range"),
        ("24:00:01", "duration_out_of_range"),
        ({"hours": 25}, "duration_out_of_range"),
        (86401, "duration_out_of_range"),
        ("soon", "invalid_duration"),
        ("1 day", "invalid_duration"),
        ({"minutes": "x"}, "invalid_duration"),
        ([5], "invalid_duration"),
    ],
)
@pytest.mark.parametrize("service", ["start_timer", "extend_timer"])
async def test_bad_durations_change_nothing(
    hass: HomeAssistant, clock: Clock, rec: Recorder, *, service: str, duration: Any, key: str
) -> None:
    await add_burner(hass)
    await call(hass, "start_timer", duration=300)
    before = list(rec.events)
    await clock.at(10)
    err = await refused(hass, service, duration=duration)
    assert err.translation_key == key
    if key == "invalid_duration":
        assert err.translation_placeholders == {"duration": str(duration)}
        assert str(duration) in str(err)
    else:
        assert err.translation_placeholders == {"burner": "Left burner"}
        assert message(err) == "A timer duration must be between 1 second and 24 hours (Left burner)"
    assert state(hass, ENDS) == iso(300)
    assert rec.events == before
    await clock.at(240)
    await clock.at(300)
    assert rec.of(EVENT_WARNING) == [warning(240, 300)]
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(300)]


@pytest.mark.parametrize("service", ["start_timer", "extend_timer"])
async def test_bad_duration_without_a_timer_starts_none(
    hass: HomeAssistant, clock: Clock, rec: Recorder, service: str
) -> None:
    await add_burner(hass)
    err = await refused(hass, service, duration="25:00:00")
    assert err.translation_key == "duration_out_of_range"
    assert state(hass, ENDS) == STATE_UNKNOWN
    assert state(hass, VALVE) == STATE_UNKNOWN  # not marked open either
    assert rec.events == []


@pytest.mark.parametrize(("duration", "ends"), [(1, 1), ("24:00:00", 86400), ({"hours": 24}, 86400)])
async def test_duration_limits_are_inclusive(
    hass: HomeAssistant, clock: Clock, rec: Recorder, duration: Any, ends: int
) -> None:
    await add_burner(hass)
    await call(hass, "start_timer", duration=duration)
    assert state(hass, ENDS) == iso(ends)
    await clock.at(ends)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(ends)]


async def test_extend_to_more_than_24_hours_is_refused(
    hass: HomeAssistant, clock: Clock, rec: Recorder
) -> None:
    await add_burner(hass)
    await call(hass, "start_timer", duration="23:00:00")
    await clock.at(600)
    # 23 h - 10 min left + 1 h 10 min = exactly 24 h from now: allowed.
    await call(hass, "extend_timer", duration="01:10:00")
    assert state(hass, ENDS) == iso(86400 + 600)
    await clock.at(601)
    before = list(rec.events)
    err = await refused(hass, "extend_timer", duration=2)
    assert err.translation_key == "timer_total_too_long"
    assert err.translation_placeholders == {"burner": "Left burner"}
    assert message(err) == "The timer of Left burner would end more than 24 hours from now"
    assert state(hass, ENDS) == iso(86400 + 600)
    assert rec.events == before
    # One second later it fits.
    await clock.at(602)
    await call(hass, "extend_timer", duration=2)
    assert state(hass, ENDS) == iso(86400 + 602)


async def test_several_targets_one_refused_changes_none(
    hass: HomeAssistant, clock: Clock, rec: Recorder
) -> None:
    await add_burner(hass)
    await add_burner(hass, "Right burner", relay=RELAY2)
    await call(hass, "start_timer", VALVE, duration=600)
    await call(hass, "start_timer", VALVE2, duration="23:55:00")
    before = list(rec.events)
    await clock.at(30)
    err = await refused(hass, "extend_timer", [VALVE, VALVE2], duration="00:10:00")
    assert err.translation_key == "timer_total_too_long"
    assert err.translation_placeholders == {"burner": "Right burner"}
    assert state(hass, ENDS) == iso(600)
    assert state(hass, ENDS2) == iso(86100)
    assert rec.events == before
    # The same extension for the burner it fits works.
    await call(hass, "extend_timer", VALVE, duration="00:10:00")
    assert state(hass, ENDS) == iso(1200)
    assert state(hass, ENDS2) == iso(86100)


async def test_several_targets_start_and_cancel_all(hass: HomeAssistant, clock: Clock, rec: Recorder) -> None:
    await add_burner(hass)
    await add_burner(hass, "Right burner", relay=RELAY2)
    await call(hass, "start_timer", [VALVE, VALVE2], duration=90)
    assert state(hass, ENDS) == iso(90)
    assert state(hass, ENDS2) == iso(90)
    await call(hass, "cancel_timer", [VALVE, VALVE2])
    assert state(hass, ENDS) == STATE_UNKNOWN
    assert state(hass, ENDS2) == STATE_UNKNOWN
    assert sorted(d["entity_id"] for _, d in rec.of(EVENT_TIMER_CANCELLED)) == [VALVE, VALVE2]


# --- burners and areas -------------------------------------------------------------------------------


async def test_two_burners_have_independent_timers(hass: HomeAssistant, clock: Clock, rec: Recorder) -> None:
    await add_burner(hass)
    await add_burner(hass, "Right burner", relay=RELAY2)
    await call(hass, "start_timer", VALVE, duration=300)
    await clock.at(60)
    await call(hass, "start_timer", VALVE2, duration=300)
    await clock.at(240)
    assert [(t, d["entity_id"]) for t, d in rec.of(EVENT_WARNING)] == [(240, VALVE)]
    await clock.at(300)
    assert [(t, d["entity_id"], d["burner"]) for t, d in rec.of(EVENT_SHUT_OFF)] == [
        (300, VALVE, "Left burner")
    ]
    assert rec.relay(RELAY) == [(300, STATE_ON)]
    assert rec.relay(RELAY2) == []
    assert state(hass, ENDS) == STATE_UNKNOWN
    assert state(hass, ENDS2) == iso(360)
    assert state(hass, "sensor.right_burner_last_shut_off") == STATE_UNKNOWN
    # Cancelling one leaves the other alone.
    await call(hass, "cancel_timer", VALVE)
    await clock.at(305)
    assert rec.relay(RELAY) == pulse(300)
    assert state(hass, ENDS2) == iso(360)
    await clock.at(360)
    assert [(t, d["entity_id"]) for t, d in rec.of(EVENT_SHUT_OFF)] == [(300, VALVE), (360, VALVE2)]
    assert rec.relay(RELAY2) == [(360, STATE_ON)]
    assert state(hass, "sensor.right_burner_last_shut_off") == "timer"
    await clock.at(365)
    assert rec.relay(RELAY) == pulse(300)
    assert rec.relay(RELAY2) == pulse(360)


async def test_area_target_starts_one_timer_per_burner(
    hass: HomeAssistant, clock: Clock, rec: Recorder
) -> None:
    left = await add_burner(hass)
    right = await add_burner(hass, "Right burner", relay=RELAY2)
    await add_burner(hass, "Back burner", relay="input_boolean.relay3")
    kitchen = ar.async_get(hass).async_create("Kitchen")
    devices = dr.async_get(hass)
    for entry in (left, right):
        (device,) = dr.async_entries_for_config_entry(devices, entry.entry_id)
        devices.async_update_device(device.id, area_id=kitchen.id)
    await settle(hass)

    await call(hass, "start_timer", {"area_id": kitchen.id}, duration=120)
    assert state(hass, ENDS) == iso(120)
    assert state(hass, ENDS2) == iso(120)
    assert state(hass, "sensor.back_burner_timer_ends") == STATE_UNKNOWN
    # Once per burner, although each device has several entities in the area.
    assert sorted(d["entity_id"] for _, d in rec.of(EVENT_TIMER_STARTED)) == [VALVE, VALVE2]

    await clock.at(30)
    await call(hass, "extend_timer", {"area_id": kitchen.id}, duration=30)
    assert state(hass, ENDS) == iso(150)
    assert state(hass, ENDS2) == iso(150)
    await clock.at(150)
    assert sorted(d["entity_id"] for _, d in rec.of(EVENT_SHUT_OFF)) == [VALVE, VALVE2]
    assert rec.relay(RELAY) == [(150, STATE_ON)]
    assert rec.relay(RELAY2) == [(150, STATE_ON)]


async def test_area_without_a_burner_is_refused(hass: HomeAssistant, clock: Clock, rec: Recorder) -> None:
    await add_burner(hass)
    pantry = ar.async_get(hass).async_create("Pantry")
    err = await refused(hass, "start_timer", {"area_id": pantry.id}, duration=60)
    assert err.translation_key == "no_burner_targeted"
    assert state(hass, ENDS) == STATE_UNKNOWN
    assert rec.events == []


# --- lockout -----------------------------------------------------------------------------------------


async def test_timer_ending_during_lockout_reports_without_a_second_pulse(
    hass: HomeAssistant, clock: Clock, rec: Recorder
) -> None:
    await add_burner(hass)
    await call(hass, "start_timer", duration=120)
    await clock.at(10)
    await hass.services.async_call("switch", "turn_on", {"entity_id": LOCKOUT}, blocking=True)
    await settle(hass)
    assert rec.relay() == [(10, STATE_ON)]
    assert state(hass, VALVE) == "closed"
    assert state(hass, ENDS) == iso(120)  # a timer may run during lockout

    await clock.at(60)
    assert rec.of(EVENT_WARNING) == [warning(60, 120)]
    await clock.at(120)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(120)]
    assert state(hass, LAST) == "timer"
    assert state(hass, ENDS) == STATE_UNKNOWN
    await clock.at(200)
    assert rec.relay() == [(10, STATE_ON)]  # held all along, never pulsed again
    assert state(hass, RELAY) == STATE_ON

    await hass.services.async_call("switch", "turn_off", {"entity_id": LOCKOUT}, blocking=True)
    await settle(hass)
    assert rec.relay() == [(10, STATE_ON), (200, STATE_OFF)]
    assert len(rec.of(EVENT_SHUT_OFF)) == 1


async def test_timer_started_during_lockout(hass: HomeAssistant, clock: Clock, rec: Recorder) -> None:
    await add_burner(hass)
    await hass.services.async_call("switch", "turn_on", {"entity_id": LOCKOUT}, blocking=True)
    await settle(hass)
    await call(hass, "start_timer", duration=30)
    assert state(hass, VALVE) == "closed"  # held: the lockout wins over the user's "it burns"
    await clock.at(30)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(30)]
    assert rec.relay() == [(0, STATE_ON)]


# --- restarts ----------------------------------------------------------------------------------------


async def restart(hass: HomeAssistant, clock: Clock, entry: MockConfigEntry, back_at: float) -> None:
    """Stop the burner now, let time pass with nothing running, start it again at `back_at`."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)
    clock.jump(back_at)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)


async def test_restart_keeps_a_running_timer(hass: HomeAssistant, clock: Clock, rec: Recorder) -> None:
    entry = await add_burner(hass)
    await call(hass, "start_timer", duration="00:10:00")
    await clock.at(100)
    await restart(hass, clock, entry, 400)
    assert state(hass, ENDS) == iso(600)
    assert state(hass, VALVE) == "open"
    await clock.at(540)
    assert rec.of(EVENT_WARNING) == [warning(540, 600)]
    await clock.at(599.999)
    assert rec.of(EVENT_SHUT_OFF) == []
    await clock.at(600)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(600)]
    assert rec.relay() == [(600, STATE_ON)]


async def test_reload_keeps_the_timer_and_its_warning(
    hass: HomeAssistant, clock: Clock, rec: Recorder
) -> None:
    entry = await add_burner(hass)
    await call(hass, "start_timer", duration=300)
    await clock.at(240)
    assert rec.of(EVENT_WARNING) == [warning(240, 300)]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert state(hass, ENDS) == iso(300)
    await clock.at(250)
    await clock.at(300)
    # Warned once before the reload; not again after it.
    assert rec.of(EVENT_WARNING) == [warning(240, 300)]
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(300)]


async def test_options_change_keeps_the_timer(hass: HomeAssistant, clock: Clock, rec: Recorder) -> None:
    entry = await add_burner(hass)
    await call(hass, "start_timer", duration=300)
    await clock.at(60)
    hass.config_entries.async_update_entry(entry, options={**entry.options, "warning_seconds": 120})
    await settle(hass)
    assert state(hass, ENDS) == iso(300)
    await clock.at(180)
    assert rec.of(EVENT_WARNING) == [warning(180, 300, 120)]
    await clock.at(300)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(300)]


@pytest.mark.parametrize("down_for", [0.5, 1, 1.5, 30, 1800, 3600])
async def test_timer_ended_while_down_fires_late_at_start(
    hass: HomeAssistant, clock: Clock, rec: Recorder, down_for: float
) -> None:
    entry = await add_burner(hass)
    await call(hass, "start_timer", duration=600)
    await clock.at(300)
    back = 600 + down_for
    await restart(hass, clock, entry, back)
    late = down_for > 1  # within a second of the promise is on time
    expected: dict[str, Any] = {"late": late}
    if late:
        expected["late_seconds"] = down_for
    assert rec.of(EVENT_TIMER_ENDED) == [
        (
            back,
            {
                "entity_id": VALVE,
                "burner": "Left burner",
                "ends_at": iso(600),
                "shut_off": True,
                **expected,
            },
        )
    ]
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(back, **expected)]
    assert rec.relay() == [(back, STATE_ON)]
    assert state(hass, LAST) == "timer"
    assert state(hass, ENDS) == STATE_UNKNOWN
    assert rec.of(EVENT_WARNING) == []  # a warning after the end would be meaningless
    await clock.at(back + 5)
    assert rec.relay() == pulse(back)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert len(rec.of(EVENT_SHUT_OFF)) == 1  # not again after another restart


class Notifications:
    """Persistent notifications as they are created, through the callback API the frontend's feed uses."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.current: dict[str, dict[str, Any]] = {}
        persistent_notification.async_register_callback(hass, self._on_update)

    @callback
    def _on_update(self, kind: Any, notes: dict[str, Any]) -> None:
        if str(kind) == str(persistent_notification.UpdateType.REMOVED):
            for notification_id in notes:
                self.current.pop(notification_id, None)
        else:
            self.current.update({nid: dict(note) for nid, note in notes.items()})


@pytest.mark.parametrize("down_for", [3600.001, 3601, 7200, 86400 * 3])
async def test_timer_missed_long_ago_is_dropped_and_notified(
    hass: HomeAssistant, clock: Clock, rec: Recorder, down_for: float
) -> None:
    notes = Notifications(hass)
    entry = await add_burner(hass)
    await call(hass, "start_timer", duration=600)
    await clock.at(300)
    back = 600 + down_for
    await restart(hass, clock, entry, back)
    assert rec.of(EVENT_SHUT_OFF) == []
    assert rec.of(EVENT_TIMER_ENDED) == []
    assert rec.relay() == []
    assert state(hass, ENDS) == STATE_UNKNOWN
    assert state(hass, LAST) == STATE_UNKNOWN
    assert list(notes.current) == [f"{DOMAIN}_{entry.entry_id}_timer_missed"]
    note = notes.current[f"{DOMAIN}_{entry.entry_id}_timer_missed"]
    assert note["title"] == "Left burner: a timer was missed"
    ends_local = dt_util.as_local(at(600)).strftime("%Y-%m-%d %H:%M:%S")
    assert note["message"] == (
        f"The timer of Left burner ended at {ends_local} while Home Assistant was not running, more than an "
        "hour ago. It was dropped rather than shutting the burner off now. Check the stove."
    )
    # Not a repair issue: nothing is broken.
    assert [i for (d, i) in ir.async_get(hass).issues if d == DOMAIN] == []
    # Dropped for good: nothing fires later, nor after another restart.
    await clock.at(back + 3600)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert rec.relay() == []
    assert rec.of(EVENT_SHUT_OFF) == []
    assert len(notes.current) == 1


async def test_missed_timer_notification_is_visible_in_the_notification_list(
    hass: HomeAssistant, clock: Clock, rec: Recorder
) -> None:
    """The notification service's own list shows it, and dismissing it works as for any notification."""
    assert await async_setup_component(hass, "persistent_notification", {})
    notes = Notifications(hass)
    entry = await add_burner(hass)
    await call(hass, "start_timer", duration=60)
    await restart(hass, clock, entry, 60 + 3601)
    notification_id = f"{DOMAIN}_{entry.entry_id}_timer_missed"
    assert list(notes.current) == [notification_id]
    await hass.services.async_call(
        "persistent_notification", "dismiss", {"notification_id": notification_id}, blocking=True
    )
    await settle(hass)
    assert notes.current == {}
    assert rec.relay() == []


async def test_restart_during_the_pulse_restores_the_loop_without_a_new_shut_off(
    hass: HomeAssistant, clock: Clock, rec: Recorder
) -> None:
    entry = await add_burner(hass)
    await call(hass, "start_timer", duration=60)
    await clock.at(60)
    assert rec.relay() == [(60, STATE_ON)]
    await restart(hass, clock, entry, 62)
    assert rec.relay() == [(60, STATE_ON), (62, STATE_OFF)]
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(60)]
    assert state(hass, LAST) == "timer"
    assert state(hass, ENDS) == STATE_UNKNOWN


async def test_unreadable_saved_state_starts_fresh_and_says_so(
    hass: HomeAssistant, clock: Clock, rec: Recorder, hass_storage: dict[str, Any]
) -> None:
    entry = await add_burner(hass)
    await hass.services.async_call("number", "set_value", {"entity_id": DURATION, "value": 9}, blocking=True)
    await call(hass, "start_timer", duration=600)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)
    stored = hass_storage[f"{DOMAIN}.{entry.entry_id}"]["data"]
    assert stored["guard"]["timer"]["ends_at"] == iso(600)  # what a restart would have restored
    stored["guard"]["timer"] = "soon"
    clock.jump(100)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"storage_corrupt_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "storage_corrupt"
    assert issue.is_persistent
    assert state(hass, ENDS) == STATE_UNKNOWN
    assert float(state(hass, DURATION)) == 15  # the default again
    await clock.at(600)
    assert rec.relay() == []
    assert rec.of(EVENT_SHUT_OFF) == []
    # The burner works normally from here.
    await call(hass, "start_timer", duration=60)
    await clock.at(660)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(660)]
