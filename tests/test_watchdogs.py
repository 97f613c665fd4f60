"""The flame, and the watchdogs (issue 4): max-on time, unattended cooking, hazards, verified cut-off.

A small simulated stove is built from real helpers: input_booleans and an input_number drive template sensors
that play the flame probe (a binary_sensor, or a numeric temperature sensor with hysteresis), the kitchen's
presence sensor and two hazard sensors (smoke, gas). `stove.physics` makes the flame go out when the relay
cuts the loop, as the gas valve would; tests of a failing cut-off turn it off.

Time is simulated: every test starts at T0 and `clock.at(seconds)` moves to an instant after it.
"""

from __future__ import annotations

from typing import Any

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
import pytest

from custom_components.gas_stove_guard.const import (
    DOMAIN,
    EVENT_CUT_FAILED,
    EVENT_SHUT_OFF,
    EVENT_TIMER_CANCELLED,
    EVENT_TIMER_ENDED,
    EVENT_WARNING,
)

from .test_timers import (
    RELAY,
    VALVE,
    Clock,
    Notifications,
    Recorder,
    add_burner,
    at,
    call,
    iso,
    press,
    settle,
    state,
)

FLAME = "binary_sensor.left_burner_flame"
BURN_TIME = "sensor.left_burner_burn_time"
ENDS = "sensor.left_burner_timer_ends"
LAST = "sensor.left_burner_last_shut_off"
LOCKOUT = "switch.left_burner_lockout"
PROBE = "binary_sensor.flame_probe"
TEMPERATURE = "sensor.burner_temperature"
PRESENCE = "binary_sensor.kitchen_presence"
SMOKE = "binary_sensor.smoke"
GAS = "binary_sensor.gas_leak"
ON_ABOVE, OFF_BELOW = 50.0, 40.0
BINARY = {"flame_sensor": PROBE}
NUMERIC = {"flame_sensor": TEMPERATURE, "flame_on_above": ON_ABOVE, "flame_off_below": OFF_BELOW}
HAZARDS = {"hazard_sensors": [SMOKE, GAS]}
PRESENCE_OPTIONS = {"presence_sensor": PRESENCE}


def _available(flag: str) -> str:
    return "{{ is_state('input_boolean.%s', 'on') }}" % flag  # noqa: UP031 - Jinja braces


class Stove:
    """The simulated stove and kitchen around one burner, driven through real helper entities."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self.physics = True  # the flame goes out when the relay cuts the loop
        self.temperature_on = 200.0
        self.temperature_off = 20.0
        async_track_state_change_event(hass, [RELAY], self._on_relay)

    @callback
    def _on_relay(self, event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if self.physics and new is not None and new.state == STATE_ON:
            self.hass.async_create_task(self._valve_drops())

    async def _valve_drops(self) -> None:
        await self._switch("flame", False)
        await self._set_number(self.temperature_off)

    async def _switch(self, name: str, on: bool) -> None:
        await self.hass.services.async_call(
            "input_boolean",
            "turn_on" if on else "turn_off",
            {"entity_id": f"input_boolean.{name}"},
            blocking=True,
        )

    async def _set_number(self, value: float) -> None:
        await self.hass.services.async_call(
            "input_number",
            "set_value",
            {"entity_id": "input_number.burner_temp", "value": value},
            blocking=True,
        )

    async def _tri(self, name: str, value: str, online: str, known: str | None = None) -> None:
        """Drive a template sensor to on/off/unknown/unavailable."""
        if value == STATE_UNAVAILABLE:
            await self._switch(online, False)
        elif value == STATE_UNKNOWN:
            assert known is not None
            await self._switch(known, False)
            await self._switch(online, True)
        else:
            await self._switch(name, value == STATE_ON)
            await self._switch(online, True)
            if known:
                await self._switch(known, True)
        await settle(self.hass)

    async def flame(self, value: str) -> None:
        """The flame as both probes report it: on, off, unknown or unavailable."""
        if value in (STATE_ON, STATE_OFF):
            await self._set_number(self.temperature_on if value == STATE_ON else self.temperature_off)
        await self._tri("flame", value, "probe_online", "flame_known")

    async def temperature(self, value: str | float) -> None:
        """The numeric probe: a temperature, or unknown / unavailable."""
        if isinstance(value, str):
            await self._tri("flame", value, "probe_online", "flame_known")
            return
        # The value first: while unknown or unavailable it is not seen, so no reading in between leaks out.
        await self._set_number(value)
        await self._switch("probe_online", True)
        await self._switch("flame_known", True)
        await settle(self.hass)

    async def presence(self, value: str) -> None:
        await self._tri("present", value, "presence_online")

    async def hazard(self, name: str, value: str) -> None:
        await self._tri(name, value, f"{name}_online")


@pytest.fixture
async def stove(hass: HomeAssistant, clock: Clock) -> Stove:
    booleans = {name: {} for name in ("relay", "relay2", "flame", "present", "smoke", "gas")}
    for flag in ("probe_online", "flame_known", "presence_online", "smoke_online", "gas_online"):
        booleans[flag] = {"initial": True}
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": booleans})
    assert await async_setup_component(
        hass,
        "input_number",
        {"input_number": {"burner_temp": {"min": -500, "max": 1000, "step": 0.1, "initial": 20}}},
    )

    def binary(name: str, source: str, online: str, known: str | None = None) -> dict[str, str]:
        value = f"is_state('input_boolean.{source}', 'on')"
        if known:
            # A binary template sensor is unknown only when its template fails: 1 / 0 plays "not known".
            value = f"{value} if is_state('input_boolean.{known}', 'on') else (1 / 0)"
        return {"name": name, "state": "{{ %s }}" % value, "availability": _available(online)}  # noqa: UP031

    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "binary_sensor": [
                        binary("Flame probe", "flame", "probe_online", "flame_known"),
                        binary("Kitchen presence", "present", "presence_online"),
                        binary("Smoke", "smoke", "smoke_online"),
                        binary("Gas leak", "gas", "gas_online"),
                    ],
                    "sensor": [
                        {
                            "name": "Burner temperature",
                            "state": "{{ states('input_number.burner_temp') "
                            "if is_state('input_boolean.flame_known', 'on') else none }}",
                            "availability": _available("probe_online"),
                        }
                    ],
                }
            ]
        },
    )
    await settle(hass)
    assert state(hass, PROBE) == STATE_OFF
    assert state(hass, TEMPERATURE) == "20.0"
    assert state(hass, PRESENCE) == STATE_OFF
    return Stove(hass)


@pytest.fixture
def clock(hass: HomeAssistant, freezer: Any) -> Clock:
    freezer.move_to(at(0))
    return Clock(hass, freezer)


@pytest.fixture
def rec(hass: HomeAssistant, stove: Stove) -> Recorder:
    return Recorder(hass, (RELAY,))


def shut_off(seconds: float, reason: str, *, verified: bool) -> tuple[float, dict[str, Any]]:
    return (
        seconds,
        {"entity_id": VALVE, "burner": "Left burner", "reason": reason, "verified": verified, "late": False},
    )


def warning(seconds: float, reason: str, ends: float, seconds_left: int = 60) -> tuple[float, dict[str, Any]]:
    return (
        seconds,
        {
            "entity_id": VALVE,
            "burner": "Left burner",
            "reason": reason,
            "seconds_left": seconds_left,
            "ends_at": iso(ends),
        },
    )


# --- the flame ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["binary", "numeric"])
async def test_flame_entity_burn_time_and_valve(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder, kind: str
) -> None:
    await add_burner(hass, **(BINARY if kind == "binary" else NUMERIC))
    assert hass.states.get(FLAME).attributes["device_class"] == "heat"
    assert state(hass, FLAME) == STATE_OFF
    assert state(hass, BURN_TIME) == "0"
    assert state(hass, VALVE) == "closed"

    await clock.at(10)
    await stove.flame(STATE_ON)
    assert state(hass, FLAME) == STATE_ON
    assert state(hass, VALVE) == "open"
    assert state(hass, BURN_TIME) == "0"
    await clock.at(69.999)
    assert state(hass, BURN_TIME) == "0"
    await clock.at(70)
    assert state(hass, BURN_TIME) == "1"
    await clock.at(190)
    assert state(hass, BURN_TIME) == "3"

    # The probe drops out: the flame is unknown, the burn time and the valve keep what was last known.
    await stove.flame(STATE_UNAVAILABLE)
    assert state(hass, FLAME) == STATE_UNKNOWN
    assert state(hass, VALVE) == "open"
    await clock.at(250)
    assert state(hass, BURN_TIME) == "4"
    await stove.flame(STATE_ON)
    assert state(hass, FLAME) == STATE_ON
    await clock.at(310)
    assert state(hass, BURN_TIME) == "5"  # counted from 10 s: the outage was no break in the flame

    await stove.flame(STATE_OFF)
    assert state(hass, FLAME) == STATE_OFF
    assert state(hass, BURN_TIME) == "0"
    assert state(hass, VALVE) == "closed"
    await clock.at(400)
    await stove.flame(STATE_ON)
    await clock.at(459.999)
    assert state(hass, BURN_TIME) == "0"  # a new flame counts from its own start
    await clock.at(460)
    assert state(hass, BURN_TIME) == "1"
    assert rec.events == []  # no watchdog configured: nothing happens
    assert rec.relay() == []


async def test_binary_flame_unknown(hass: HomeAssistant, stove: Stove, clock: Clock) -> None:
    await add_burner(hass, **BINARY)
    await stove.flame(STATE_ON)
    await stove.flame(STATE_UNKNOWN)
    assert state(hass, PROBE) == STATE_UNKNOWN
    assert state(hass, FLAME) == STATE_UNKNOWN
    assert state(hass, VALVE) == "open"
    await stove.flame(STATE_OFF)
    assert state(hass, FLAME) == STATE_OFF


async def test_without_a_flame_sensor_there_is_no_flame_entity(
    hass: HomeAssistant, stove: Stove, clock: Clock
) -> None:
    await add_burner(hass)
    assert hass.states.get(FLAME) is None
    assert hass.states.get(BURN_TIME) is None
    assert state(hass, VALVE) == STATE_UNKNOWN


# Hysteresis with "on above 50, off below 40": each row is the probe's readings in order and what the
# burner's flame entity shows after the last one.
@pytest.mark.parametrize(
    ("readings", "expected"),
    [
        ([100], STATE_ON),
        ([0], STATE_OFF),
        ([45], STATE_UNKNOWN),  # between the thresholds with nothing known before
        ([50], STATE_UNKNOWN),  # exactly on_above is not above it
        ([40], STATE_UNKNOWN),  # exactly off_below is not below it
        ([50.1], STATE_ON),
        ([39.9], STATE_OFF),
        ([100, 50], STATE_ON),
        ([0, 50], STATE_OFF),
        ([0, 50.1], STATE_ON),
        ([100, 40], STATE_ON),
        ([0, 40], STATE_OFF),
        ([100, 39.9], STATE_OFF),
        ([100, 45], STATE_ON),
        ([0, 45], STATE_OFF),
        ([0, 45, 49.9, 40.1], STATE_OFF),
        ([0, 45, 60, 45, 41], STATE_ON),
        ([100, 45, 30, 45], STATE_OFF),
        ([-20], STATE_OFF),
        ([100, STATE_UNKNOWN], STATE_UNKNOWN),
        ([100, STATE_UNAVAILABLE], STATE_UNKNOWN),
        ([0, STATE_UNAVAILABLE], STATE_UNKNOWN),
        ([100, STATE_UNAVAILABLE, 45], STATE_UNKNOWN),  # what was known before the outage is forgotten
        ([100, STATE_UNKNOWN, 45], STATE_UNKNOWN),
        ([0, STATE_UNAVAILABLE, 60], STATE_ON),
        ([100, STATE_UNKNOWN, 39], STATE_OFF),
    ],
)
async def test_numeric_flame_hysteresis(
    hass: HomeAssistant, stove: Stove, clock: Clock, readings: list[float | str], expected: str
) -> None:
    await stove.temperature(STATE_UNKNOWN)
    await add_burner(hass, **NUMERIC)
    assert state(hass, FLAME) == STATE_UNKNOWN
    for reading in readings:
        await stove.temperature(reading)
    last = readings[-1]
    assert state(hass, TEMPERATURE) == (last if isinstance(last, str) else str(float(last)))
    assert state(hass, FLAME) == expected
    if expected == STATE_ON:
        assert state(hass, VALVE) == "open"
    elif expected == STATE_OFF:
        assert state(hass, VALVE) == "closed"


@pytest.mark.parametrize(("on_above", "off_below"), [(50, 50), (0, -10)])
@pytest.mark.parametrize(
    ("reading", "before", "expected"),
    [
        ("above", None, STATE_ON),
        ("at_on", STATE_ON, STATE_ON),
        ("at_on", STATE_OFF, STATE_OFF),
        ("at_off", STATE_ON, STATE_ON),
        ("below", STATE_ON, STATE_OFF),
    ],
)
async def test_numeric_threshold_edges(
    hass: HomeAssistant,
    stove: Stove,
    clock: Clock,
    *,
    on_above: float,
    off_below: float,
    reading: str,
    before: str | None,
    expected: str,
) -> None:
    """Exactly at a threshold the previous reading stands; equal thresholds leave only the one point."""
    await stove.temperature(STATE_UNKNOWN)
    await add_burner(hass, flame_sensor=TEMPERATURE, flame_on_above=on_above, flame_off_below=off_below)
    if before is not None:
        await stove.temperature(on_above + 100 if before == STATE_ON else off_below - 100)
        assert state(hass, FLAME) == before
    value = {"above": on_above + 0.1, "at_on": on_above, "at_off": off_below, "below": off_below - 0.1}[
        reading
    ]
    await stove.temperature(value)
    assert state(hass, FLAME) == expected


# --- timers and the flame ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["binary", "numeric"])
async def test_timer_cancelled_after_the_flame_is_off_for_60_s(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder, kind: str
) -> None:
    await add_burner(hass, **(BINARY if kind == "binary" else NUMERIC))
    await stove.flame(STATE_ON)
    await call(hass, "start_timer", duration=600)
    await clock.at(30)
    await stove.flame(STATE_OFF)
    await clock.at(89.999)
    assert state(hass, ENDS) == iso(600)
    assert rec.of(EVENT_TIMER_CANCELLED) == []
    await clock.at(90)
    assert rec.of(EVENT_TIMER_CANCELLED) == [
        (90, {"entity_id": VALVE, "burner": "Left burner", "ends_at": iso(600), "cause": "flame_off"})
    ]
    assert state(hass, ENDS) == STATE_UNKNOWN
    await clock.at(540)
    await clock.at(600)
    assert rec.of(EVENT_WARNING) == []
    assert rec.of(EVENT_SHUT_OFF) == []
    assert rec.of(EVENT_TIMER_ENDED) == []
    assert rec.relay() == []


@pytest.mark.parametrize(
    ("script", "cancelled_at"),
    [
        # The flame comes back within the minute: no cancel.
        ([(30, STATE_OFF), (60, STATE_ON)], None),
        # Unknown is not "off for 60 s straight": the minute starts again when it is seen off again.
        ([(30, STATE_OFF), (50, STATE_UNAVAILABLE), (70, STATE_OFF)], 130),
        ([(30, STATE_OFF), (50, STATE_UNKNOWN), (70, STATE_OFF)], 130),
        ([(30, STATE_OFF), (89, STATE_ON), (100, STATE_OFF)], 160),
    ],
)
async def test_flame_off_cancel_needs_a_straight_minute(
    hass: HomeAssistant,
    stove: Stove,
    clock: Clock,
    rec: Recorder,
    *,
    script: list[tuple[float, str]],
    cancelled_at: float | None,
) -> None:
    await add_burner(hass, **BINARY)
    await stove.flame(STATE_ON)
    await call(hass, "start_timer", duration=300)
    for instant, flame in script:
        await clock.at(instant)
        await stove.flame(flame)
    if cancelled_at is not None:
        await clock.at(cancelled_at - 0.001)
        assert rec.of(EVENT_TIMER_CANCELLED) == []
        await clock.at(cancelled_at)
        assert [(t, d["cause"]) for t, d in rec.of(EVENT_TIMER_CANCELLED)] == [(cancelled_at, "flame_off")]
        assert state(hass, ENDS) == STATE_UNKNOWN
    else:
        await clock.at(240)
        await clock.at(300)
        assert rec.of(EVENT_TIMER_CANCELLED) == []
        assert rec.of(EVENT_SHUT_OFF) == [shut_off(300, "timer", verified=True)]


async def test_timer_started_while_the_flame_is_off_is_cancelled_a_minute_later(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder
) -> None:
    await add_burner(hass, **BINARY)
    await clock.at(100)
    await call(hass, "start_timer", duration=600)
    assert state(hass, VALVE) == "closed"  # the flame sensor knows better than the timer's guess
    await clock.at(159.999)
    assert state(hass, ENDS) == iso(700)
    await clock.at(160)
    assert [(t, d["cause"]) for t, d in rec.of(EVENT_TIMER_CANCELLED)] == [(160, "flame_off")]


async def test_no_pulse_at_timer_end_when_the_flame_is_known_off(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder
) -> None:
    await add_burner(hass, **BINARY)
    await stove.flame(STATE_ON)
    await call(hass, "start_timer", duration=120)
    await clock.at(90)
    await stove.flame(STATE_OFF)
    await clock.at(120)
    assert rec.of(EVENT_TIMER_ENDED) == [
        (
            120,
            {
                "entity_id": VALVE,
                "burner": "Left burner",
                "ends_at": iso(120),
                "shut_off": False,
                "late": False,
            },
        )
    ]
    assert rec.of(EVENT_SHUT_OFF) == []
    assert rec.relay() == []
    assert state(hass, LAST) == STATE_UNKNOWN
    assert state(hass, ENDS) == STATE_UNKNOWN
    await clock.at(150)
    assert rec.of(EVENT_TIMER_CANCELLED) == []  # it ended; nothing left to cancel


@pytest.mark.parametrize(
    ("flame_at_end", "verified"),
    [(STATE_ON, True), (STATE_UNKNOWN, False), (STATE_UNAVAILABLE, False)],
)
async def test_timer_end_pulses_unless_the_flame_is_known_off(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder, *, flame_at_end: str, verified: bool
) -> None:
    await add_burner(hass, **BINARY)
    await stove.flame(STATE_ON)
    await call(hass, "start_timer", duration=120)
    await clock.at(100)
    await stove.flame(flame_at_end)
    await clock.at(120)
    assert rec.relay() == [(120, STATE_ON)]
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(120, "timer", verified=verified)]
    assert state(hass, FLAME) == (STATE_OFF if verified else STATE_UNKNOWN)


# --- watchdogs ---------------------------------------------------------------------------------------


# Which watchdog fires, and when: each row gives options, a script of (instant, what changes) and the
# expected warnings and shut-off as (instant, reason[, ends]). The flame goes out when the relay cuts.
WATCHDOG_CASES = {
    "max_on": (
        {"max_on_minutes": 10},
        [(0, "flame", STATE_ON), (0, "presence", STATE_ON)],
        [(540, "max_on_time", 600)],
        (600, "max_on_time"),
    ),
    "max_on_resets_when_flame_goes_off": (
        {"max_on_minutes": 10},
        [(0, "flame", STATE_ON), (300, "flame", STATE_OFF), (360, "flame", STATE_ON)],
        [(900, "max_on_time", 960)],
        (960, "max_on_time"),
    ),
    "max_on_not_reset_by_an_unknown_flame": (
        {"max_on_minutes": 10},
        [(0, "flame", STATE_ON), (300, "flame", STATE_UNAVAILABLE), (360, "flame", STATE_ON)],
        [(540, "max_on_time", 600)],
        (600, "max_on_time"),
    ),
    "unattended": (
        {**PRESENCE_OPTIONS, "unattended_minutes": 5},
        [(0, "flame", STATE_ON)],  # the presence sensor reads off from the start
        [(240, "unattended", 300)],
        (300, "unattended"),
    ),
    "unattended_from_leaving": (
        {**PRESENCE_OPTIONS, "unattended_minutes": 2},
        [(0, "presence", STATE_ON), (0, "flame", STATE_ON), (100, "presence", STATE_OFF)],
        [(160, "unattended", 220)],
        (220, "unattended"),
    ),
    "unattended_from_lighting": (
        {**PRESENCE_OPTIONS, "unattended_minutes": 2},
        [(100, "flame", STATE_ON)],
        [(160, "unattended", 220)],
        (220, "unattended"),
    ),
    "unknown_presence_counts_as_absent": (
        # One minute unattended, one minute of warning: not shorter, so the warning comes at once.
        {**PRESENCE_OPTIONS, "unattended_minutes": 1},
        [(0, "presence", STATE_UNAVAILABLE), (10, "flame", STATE_ON)],
        [(10, "unattended", 70)],
        (70, "unattended"),
    ),
    "max_on_before_unattended": (
        {**PRESENCE_OPTIONS, "unattended_minutes": 5, "max_on_minutes": 3},
        [(0, "flame", STATE_ON)],
        [(120, "max_on_time", 180)],
        (180, "max_on_time"),
    ),
    "unattended_before_max_on": (
        {**PRESENCE_OPTIONS, "unattended_minutes": 5, "max_on_minutes": 10, "warning_seconds": 30},
        [(0, "flame", STATE_ON)],
        [(270, "unattended", 300)],
        (300, "unattended"),
    ),
    "timer_before_watchdogs": (
        {**PRESENCE_OPTIONS, "unattended_minutes": 5, "max_on_minutes": 10},
        [(0, "flame", STATE_ON), (0, "timer", 120)],
        [(60, "timer", 120)],
        (120, "timer"),
    ),
    "no_warning_when_disabled": (
        {"max_on_minutes": 2, "warning_seconds": 0},
        [(0, "flame", STATE_ON)],
        [],
        (120, "max_on_time"),
    ),
    "nobody_leaves": (
        {**PRESENCE_OPTIONS, "unattended_minutes": 1},
        [(0, "presence", STATE_ON), (0, "flame", STATE_ON)],
        [],
        None,
    ),
    "max_on_off_means_never": (
        {"max_on_minutes": 0},
        [(0, "flame", STATE_ON)],
        [],
        None,
    ),
}


@pytest.mark.parametrize("kind", ["binary", "numeric"])
@pytest.mark.parametrize("case", list(WATCHDOG_CASES))
async def test_which_watchdog_fires(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder, *, case: str, kind: str
) -> None:
    options, script, warnings, expected = WATCHDOG_CASES[case]
    await add_burner(hass, **(BINARY if kind == "binary" else NUMERIC), **options)
    # Visit every instant that matters, and the moment just before each expected one, so that an event
    # coming early or late shows up at the wrong instant.
    instants = {t for t, _, _ in script}
    for t, *_ in warnings:
        instants |= {t - 0.001, t}
    if expected:
        instants |= {expected[0] - 0.001, expected[0], expected[0] + 5}
    instants.add(4 * 3600)
    for instant in sorted(instants):
        await clock.at(instant)
        for when, what, value in script:
            if when != instant:
                continue
            if what == "timer":
                await call(hass, "start_timer", duration=value)
            else:
                await getattr(stove, what)(value)
    left = int(options.get("warning_seconds", 60))
    assert rec.of(EVENT_WARNING) == [warning(t, reason, ends, left) for t, reason, ends in warnings]
    if expected is None:
        assert rec.of(EVENT_SHUT_OFF) == []
        assert rec.relay() == []
        assert state(hass, FLAME) == STATE_ON
        return
    when, reason = expected
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(when, reason, verified=True)]
    assert rec.relay() == [(when, STATE_ON), (when + 5, STATE_OFF)]
    assert state(hass, LAST) == reason
    assert hass.states.get(LAST).attributes["at"] == iso(when)
    assert state(hass, FLAME) == STATE_OFF
    assert state(hass, VALVE) == "closed"


async def test_unattended_cancelled_silently_when_someone_comes_back(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder
) -> None:
    await add_burner(hass, **BINARY, **PRESENCE_OPTIONS, unattended_minutes=5)
    await stove.flame(STATE_ON)
    await clock.at(240)
    assert rec.of(EVENT_WARNING) == [warning(240, "unattended", 300)]
    await clock.at(270)
    await stove.presence(STATE_ON)
    await clock.at(300)
    await clock.at(3600)
    assert rec.of(EVENT_SHUT_OFF) == []
    assert rec.relay() == []
    assert len(rec.events) == 1  # the warning only; no "cancelled" noise
    # Leaving again starts a new countdown, with a new warning.
    await stove.presence(STATE_OFF)
    await clock.at(3840)
    await clock.at(3900)
    assert rec.of(EVENT_WARNING)[1:] == [warning(3840, "unattended", 3900)]
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(3900, "unattended", verified=True)]


async def test_max_on_cancelled_silently_when_the_flame_goes_out(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder
) -> None:
    await add_burner(hass, **BINARY, max_on_minutes=3)
    await stove.flame(STATE_ON)
    await clock.at(120)
    await clock.at(150)
    await stove.flame(STATE_OFF)
    await clock.at(180)
    await clock.at(3600)
    assert rec.of(EVENT_WARNING) == [warning(120, "max_on_time", 180)]
    assert rec.of(EVENT_SHUT_OFF) == []
    assert rec.relay() == []


async def test_max_on_time_counts_across_a_restart(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder
) -> None:
    entry = await add_burner(hass, **BINARY, max_on_minutes=10)
    await stove.flame(STATE_ON)
    await clock.at(300)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)
    clock.jump(400)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    assert state(hass, BURN_TIME) == "6"
    await clock.at(540)
    await clock.at(600)
    assert rec.of(EVENT_WARNING) == [warning(540, "max_on_time", 600)]
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(600, "max_on_time", verified=True)]


async def test_watchdog_without_a_flame_sensor_counts_from_the_timer_start(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder
) -> None:
    """Without a flame sensor, starting a timer is the only sign of a flame; max-on time counts from it."""
    await add_burner(hass, max_on_minutes=5)
    await call(hass, "start_timer", duration="01:00:00")
    await clock.at(240)
    await clock.at(300)
    assert rec.of(EVENT_WARNING) == [warning(240, "max_on_time", 300)]
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(300, "max_on_time", verified=False)]
    assert rec.relay() == [(300, STATE_ON)]
    await clock.at(305)
    assert state(hass, ENDS) == "unknown"  # the shut-off did the timer's job: it was cancelled with it
    await clock.at(3600)
    assert [(t, d["reason"]) for t, d in rec.of(EVENT_SHUT_OFF)] == [(300, "max_on_time")]
    assert rec.relay() == [(300, STATE_ON), (305, STATE_OFF)]


# --- hazards -----------------------------------------------------------------------------------------


async def test_hazard_shuts_off_at_once_and_holds_until_all_clear(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder
) -> None:
    await add_burner(hass, **HAZARDS)
    assert hass.states.get(FLAME) is None  # no flame sensor needed
    await call(hass, "start_timer", duration=600)
    await clock.at(100)
    await stove.hazard("smoke", STATE_ON)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(100, "hazard", verified=False)]
    assert rec.of(EVENT_WARNING) == []
    assert rec.relay() == [(100, STATE_ON)]
    assert state(hass, LAST) == "hazard"
    assert state(hass, VALVE) == "closed"
    assert state(hass, ENDS) == "unknown"  # the shut-off did the timer's job: it was cancelled with it
    await clock.at(105)
    await clock.at(300)
    assert rec.relay() == [(100, STATE_ON)]  # held, not pulsed

    # A second hazard: reported, the loop simply stays open.
    await stove.hazard("gas", STATE_ON)
    assert rec.of(EVENT_SHUT_OFF) == [
        shut_off(100, "hazard", verified=False),
        shut_off(300, "hazard", verified=False),
    ]
    await clock.at(400)
    await stove.hazard("smoke", STATE_OFF)
    await clock.at(500)
    assert rec.relay() == [(100, STATE_ON)]  # gas still on
    # A hazard sensor that drops out keeps the hold: only "off" releases it.
    await stove.hazard("gas", STATE_UNAVAILABLE)
    await clock.at(540)
    assert rec.relay() == [(100, STATE_ON)]
    await clock.at(550)
    await stove.hazard("gas", STATE_OFF)
    assert rec.relay() == [(100, STATE_ON), (550, STATE_OFF)]
    assert state(hass, VALVE) == "closed"
    # No timer is left to warn or cut later.
    await clock.at(600)
    assert [(t, d["reason"]) for t, d in rec.of(EVENT_SHUT_OFF)] == [(100, "hazard"), (300, "hazard")]
    assert rec.of(EVENT_WARNING) == []
    assert rec.relay() == [(100, STATE_ON), (550, STATE_OFF)]


async def test_hazard_release_waits_for_lockout(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder
) -> None:
    await add_burner(hass, **HAZARDS)
    await stove.hazard("gas", STATE_ON)
    await clock.at(10)
    await hass.services.async_call("switch", "turn_on", {"entity_id": LOCKOUT}, blocking=True)
    await clock.at(20)
    await stove.hazard("gas", STATE_OFF)
    await clock.at(100)
    assert rec.relay() == [(0, STATE_ON)]
    assert state(hass, VALVE) == "closed"
    await hass.services.async_call("switch", "turn_off", {"entity_id": LOCKOUT}, blocking=True)
    await settle(hass)
    assert rec.relay() == [(0, STATE_ON), (100, STATE_OFF)]
    assert [d["reason"] for _, d in rec.of(EVENT_SHUT_OFF)] == ["hazard"]


async def test_lockout_off_during_a_hazard_keeps_the_hold(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder
) -> None:
    await add_burner(hass, **HAZARDS)
    await hass.services.async_call("switch", "turn_on", {"entity_id": LOCKOUT}, blocking=True)
    await settle(hass)
    await clock.at(10)
    await stove.hazard("smoke", STATE_ON)
    # The loop is open already: the hazard is reported without a new pulse.
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(10, "hazard", verified=False)]
    await hass.services.async_call("switch", "turn_off", {"entity_id": LOCKOUT}, blocking=True)
    await clock.at(60)
    assert rec.relay() == [(0, STATE_ON)]
    await stove.hazard("smoke", STATE_OFF)
    assert rec.relay() == [(0, STATE_ON), (60, STATE_OFF)]


async def test_hazard_already_on_at_start_up_is_held_at_once(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder
) -> None:
    await stove.hazard("smoke", STATE_ON)
    entry = await add_burner(hass, **HAZARDS)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(0, "hazard", verified=False)]
    assert rec.relay() == [(0, STATE_ON)]
    await clock.at(60)
    # A restart while the hazard is still on keeps the hold, without reporting it again.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    await clock.at(120)
    assert rec.relay() == [(0, STATE_ON)]
    assert len(rec.of(EVENT_SHUT_OFF)) == 1
    # So does a restart while the hazard sensor is not back yet.
    await stove.hazard("smoke", STATE_UNAVAILABLE)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    await clock.at(180)
    assert rec.relay() == [(0, STATE_ON)]
    await stove.hazard("smoke", STATE_OFF)
    assert rec.relay() == [(0, STATE_ON), (180, STATE_OFF)]
    assert len(rec.of(EVENT_SHUT_OFF)) == 1


async def test_hazard_cleared_while_down_releases_at_start_up(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder
) -> None:
    entry = await add_burner(hass, **HAZARDS)
    await stove.hazard("smoke", STATE_ON)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)
    await stove.hazard("smoke", STATE_OFF)
    clock.jump(60)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    assert rec.relay() == [(0, STATE_ON), (60, STATE_OFF)]
    assert len(rec.of(EVENT_SHUT_OFF)) == 1


async def test_hazard_with_a_flame_sensor_is_verified(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder
) -> None:
    await add_burner(hass, **BINARY, **HAZARDS)
    await stove.flame(STATE_ON)
    await clock.at(30)
    await stove.hazard("gas", STATE_ON)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(30, "hazard", verified=True)]
    assert state(hass, FLAME) == STATE_OFF
    assert state(hass, VALVE) == "closed"


# --- verified cut-off --------------------------------------------------------------------------------


# What the flame does after a shut-off pulse at 0 (verify_seconds 30): (instant, flame) steps, then the
# expected relay switching and the one outcome (shut_off verified or not, or cut_failed).
VERIFY_CASES = {
    "goes_out": ([(3, STATE_OFF)], [(0, STATE_ON), (5, STATE_OFF)], ("shut_off", 3, True)),
    "goes_out_after_the_retry": (
        [(40, STATE_OFF)],
        [(0, STATE_ON), (5, STATE_OFF), (30, STATE_ON), (35, STATE_OFF)],
        ("shut_off", 40, True),
    ),
    "sensor_drops_out": ([(10, STATE_UNAVAILABLE)], [(0, STATE_ON), (5, STATE_OFF)], ("shut_off", 30, False)),
    "sensor_drops_out_after_the_retry": (
        [(45, STATE_UNKNOWN)],
        [(0, STATE_ON), (5, STATE_OFF), (30, STATE_ON), (35, STATE_OFF)],
        ("shut_off", 60, False),
    ),
    "stays_on": (
        [],
        [(0, STATE_ON), (5, STATE_OFF), (30, STATE_ON), (35, STATE_OFF)],
        ("cut_failed", 60, None),
    ),
}


@pytest.mark.parametrize("kind", ["binary", "numeric"])
@pytest.mark.parametrize("case", list(VERIFY_CASES))
async def test_verified_cut_off(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder, *, case: str, kind: str
) -> None:
    steps, switching, (outcome, when, verified) = VERIFY_CASES[case]
    stove.physics = False  # a welded contact, a wrong wiring, a valve that holds
    notes = Notifications(hass)
    entry = await add_burner(hass, **(BINARY if kind == "binary" else NUMERIC), verify_seconds=30)
    await stove.flame(STATE_ON)
    await press(hass, "button.left_burner_shut_off")
    assert state(hass, VALVE) == "closing"
    instants = {t for t, _ in steps} | {t for t, _ in switching} | {when - 0.001, when, 600}
    for instant in sorted(instants):
        await clock.at(instant)
        for step_at, flame in steps:
            if step_at == instant:
                await stove.flame(flame)
        if instant < when:
            assert rec.of(EVENT_SHUT_OFF) == []
            assert rec.of(EVENT_CUT_FAILED) == []
    assert rec.relay() == switching
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"flame_still_on_{entry.entry_id}")
    if outcome == "shut_off":
        assert rec.of(EVENT_SHUT_OFF) == [shut_off(when, "manual", verified=verified)]
        assert rec.of(EVENT_CUT_FAILED) == []
        assert state(hass, LAST) == "manual"
        assert issue is None
        assert notes.current == {}
        return
    assert rec.of(EVENT_SHUT_OFF) == []
    assert rec.of(EVENT_CUT_FAILED) == [
        (
            when,
            {"entity_id": VALVE, "burner": "Left burner", "reason": "manual", "problem": "flame_still_on"},
        )
    ]
    assert state(hass, LAST) == STATE_UNKNOWN  # nothing was shut off
    assert state(hass, VALVE) == "open"  # honest: the flame sensor still sees a flame
    assert issue is not None
    assert issue.translation_key == "flame_still_on"
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.is_persistent
    assert issue.translation_placeholders == {"burner": "Left burner", "relay": RELAY}
    assert list(notes.current) == [f"{DOMAIN}_{entry.entry_id}_flame_still_on"]
    note = notes.current[f"{DOMAIN}_{entry.entry_id}_flame_still_on"]
    assert note["title"] == "Left burner: the flame did not go out"
    assert note["message"].startswith(
        "The flame sensor of Left burner still reported a flame after two shut-off pulses of relay "
        "input_boolean.relay."
    )


async def test_verification_uses_the_default_60_seconds(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder
) -> None:
    stove.physics = False
    await add_burner(hass, **BINARY)
    await stove.flame(STATE_ON)
    await call(hass, "shut_off")
    await clock.at(5)
    await clock.at(59.999)
    assert rec.relay() == [(0, STATE_ON), (5, STATE_OFF)]
    await clock.at(60)
    await clock.at(65)
    await clock.at(119.999)
    assert rec.of(EVENT_CUT_FAILED) == []
    await clock.at(120)
    assert rec.relay() == [(0, STATE_ON), (5, STATE_OFF), (60, STATE_ON), (65, STATE_OFF)]
    assert [(t, d["problem"]) for t, d in rec.of(EVENT_CUT_FAILED)] == [(120, "flame_still_on")]
    # A later shut-off that is seen to work clears the problem.
    stove.physics = True
    await clock.at(200)
    await call(hass, "shut_off")
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(200, "manual", verified=True)]
    assert rec.of(EVENT_CUT_FAILED)[1:] == []
    assert ir.async_get(hass).async_get_issue(DOMAIN, "flame_still_on_" + _entry_id(hass)) is None


def _entry_id(hass: HomeAssistant) -> str:
    (entry,) = hass.config_entries.async_entries(DOMAIN)
    return entry.entry_id


async def test_watchdog_shut_off_waits_for_the_flame(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder
) -> None:
    """A watchdog's shut-off is verified like any other: with the flame still on, no shut_off event yet."""
    stove.physics = False
    await add_burner(hass, **BINARY, max_on_minutes=1, verify_seconds=20)
    await stove.flame(STATE_ON)
    await clock.at(60)
    assert rec.relay() == [(60, STATE_ON)]
    assert rec.of(EVENT_SHUT_OFF) == []
    await clock.at(65)
    await clock.at(70)
    await stove.flame(STATE_OFF)
    assert rec.of(EVENT_SHUT_OFF) == [shut_off(70, "max_on_time", verified=True)]
    assert state(hass, LAST) == "max_on_time"


async def test_flame_still_on_notification_falls_back_to_english(
    hass: HomeAssistant, stove: Stove, clock: Clock, rec: Recorder
) -> None:
    hass.config.language = "de"
    stove.physics = False
    notes = Notifications(hass)
    entry = await add_burner(hass, **BINARY, verify_seconds=5)
    await stove.flame(STATE_ON)
    await call(hass, "shut_off")
    for instant in (5, 10, 15):
        await clock.at(instant)
    assert [(t, d["problem"]) for t, d in rec.of(EVENT_CUT_FAILED)] == [(10, "flame_still_on")]
    note = notes.current[f"{DOMAIN}_{entry.entry_id}_flame_still_on"]
    assert note["title"] == "Left burner: the flame did not go out"
