"""Fast unit tests of the pure burner guard (no Home Assistant): edges that are hard to reach through HA.

`Sim` plays a well-behaved relay: every relay command is reported back at once, unless told otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import json
from typing import Any

import pytest

from custom_components.gas_stove_guard.guard import (
    CONFIRM_TIMEOUT,
    LATE_TIMER_LIMIT,
    MAX_TIMER,
    MIN_TIMER,
    UNAVAILABLE_GRACE,
    BurnerGuard,
    CutFailed,
    Effect,
    FlameThresholds,
    InvalidDuration,
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
    ValveState,
    Warn,
    flame_from_state,
    hazards_from_states,
)

T0 = datetime(2031, 5, 4, 10, 0, 0, tzinfo=UTC)
SMOKE = "binary_sensor.smoke"
GAS = "binary_sensor.gas"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# --- reading a flame sensor ----------------------------------------------------------------------------

HYST = FlameThresholds(on_above=50, off_below=40)
EQUAL = FlameThresholds(on_above=50, off_below=50)


@pytest.mark.parametrize(
    ("state", "previous", "thresholds", "expected"),
    [
        # A binary sensor: only "on" and "off" mean something.
        ("on", None, None, True),
        ("off", True, None, False),
        ("on", False, None, True),
        ("ON", True, None, None),
        ("true", None, None, None),
        ("unknown", True, None, None),
        ("", True, None, None),
        ("42", True, None, None),
        (None, True, None, None),
        (None, True, HYST, None),
        # A numeric sensor, with hysteresis.
        ("50.0001", None, HYST, True),
        ("1e3", False, HYST, True),
        (" 60 ", False, HYST, True),
        ("50", None, HYST, None),
        ("50", True, HYST, True),
        ("50", False, HYST, False),
        ("45", True, HYST, True),
        ("45", False, HYST, False),
        ("40", True, HYST, True),
        ("40", None, HYST, None),
        ("39.9999", True, HYST, False),
        ("-273.15", None, HYST, False),
        ("nan", True, HYST, None),
        ("NaN", False, HYST, None),
        ("inf", False, HYST, None),
        ("-inf", True, HYST, None),
        ("Infinity", None, HYST, None),
        ("1e400", False, HYST, None),  # overflows to inf
        ("abc", True, HYST, None),
        ("", True, HYST, None),
        ("0x40", True, HYST, None),
        ("on", True, HYST, None),
        # Equal thresholds: only the exact value keeps the previous reading.
        ("50", True, EQUAL, True),
        ("50", False, EQUAL, False),
        ("50.001", False, EQUAL, True),
        ("49.999", True, EQUAL, False),
    ],
)
def test_flame_from_state(
    state: str | None, previous: bool | None, thresholds: FlameThresholds | None, expected: bool | None
) -> None:
    assert flame_from_state(state, previous, thresholds) is expected


def test_hazards_from_states() -> None:
    states = [(SMOKE, "on"), (GAS, "off"), ("binary_sensor.co", None), ("binary_sensor.heat", "unavailable")]
    assert hazards_from_states(states) == {
        SMOKE: True,
        GAS: False,
        "binary_sensor.co": None,
        "binary_sensor.heat": None,
    }


# --- a small driver ------------------------------------------------------------------------------------


@dataclass
class Sim:
    """A guard with a relay that reports every command at once (unless `relay_obeys` is False).

    With `physics`, a cut puts the flame out, as the dropping gas valve would.
    """

    settings: Settings = field(default_factory=Settings)
    relay_obeys: bool = True
    physics: bool = False
    guard: BurnerGuard = field(init=False)
    now: datetime = T0
    log: list[tuple[float, Effect]] = field(default_factory=list)
    relay: Relay = Relay.RESTORED

    def __post_init__(self) -> None:
        self.guard = BurnerGuard(self.settings)

    def _take(self, effects: list[Effect]) -> list[Effect]:
        seconds = (self.now - T0).total_seconds()
        self.log.extend((seconds, e) for e in effects)
        for effect in effects:
            if isinstance(effect, SendRelay) and self.relay_obeys:
                self.relay = Relay.CUT if effect.cut else Relay.RESTORED
                self._take(self.guard.relay_changed(self.relay, self.now))
                if effect.cut and self.physics:
                    self._take(self.guard.flame_changed(False, self.now))
        return effects

    def start(self, seconds: float = 0, **observed: Any) -> list[Effect]:
        self.now = at(seconds)
        self.relay = observed.pop("relay", self.relay)
        return self._take(self.guard.start(self.now, relay=self.relay, **observed))

    def do(self, seconds: float, method: str, *args: Any) -> list[Effect]:
        """Call an input of the guard at an instant (the instant is passed as its last argument)."""
        self.now = at(seconds)
        return self._take(getattr(self.guard, method)(*args, self.now))

    def run_until(self, seconds: float) -> None:
        """Tick at every deadline up to an instant, as the controller's wake-up would."""
        while (deadline := self.guard.next_deadline()) is not None and deadline <= at(seconds):
            assert deadline >= self.now, "a deadline in the past was not handled"
            self.now = deadline
            self._take(self.guard.tick(deadline))
        self.now = at(seconds)
        self._take(self.guard.tick(self.now))

    def of(self, kind: type) -> list[tuple[float, Any]]:
        return [(t, e) for t, e in self.log if isinstance(e, kind)]

    def relay_commands(self) -> list[tuple[float, bool]]:
        return [(t, e.cut) for t, e in self.of(SendRelay)]


# --- durations ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "ok"),
    [
        (MIN_TIMER, True),
        (MIN_TIMER - timedelta(microseconds=1), False),
        (timedelta(0), False),
        (timedelta(seconds=-5), False),
        (MAX_TIMER, True),
        (MAX_TIMER + timedelta(microseconds=1), False),
    ],
)
def test_check_duration_limits(duration: timedelta, ok: bool) -> None:
    guard = BurnerGuard(Settings())
    if ok:
        guard.check_duration(duration)
        assert [type(e) for e in guard.start_timer(duration, T0)] == [TimerNotice]
        assert guard.timer_ends_at == T0 + duration
        return
    with pytest.raises(InvalidDuration) as info:
        guard.check_duration(duration)
    assert info.value.key == "duration_out_of_range"
    assert isinstance(info.value, ValueError)
    with pytest.raises(InvalidDuration):
        guard.start_timer(duration, T0)
    with pytest.raises(InvalidDuration):
        guard.extend_timer(duration, T0)
    assert guard.timer is None
    assert guard.assumed_open is None


def test_extend_total_limit_is_inclusive_and_leaves_the_timer_alone() -> None:
    guard = BurnerGuard(Settings())
    guard.start_timer(timedelta(hours=23), T0)
    now = at(600)
    exact = MAX_TIMER - (guard.timer.ends_at - now)
    guard.check_extend(exact, now)
    with pytest.raises(InvalidDuration) as info:
        guard.check_extend(exact + timedelta(microseconds=1), now)
    assert info.value.key == "timer_total_too_long"
    with pytest.raises(InvalidDuration):
        guard.extend_timer(exact + timedelta(microseconds=1), now)
    assert guard.timer_ends_at == at(23 * 3600)
    effects = guard.extend_timer(exact, now)
    assert effects == [TimerNotice(TimerChange.EXTENDED, now + MAX_TIMER)]
    assert guard.timer_ends_at == now + MAX_TIMER
    # With no timer running only the duration itself is checked.
    guard.cancel_timer(now)
    guard.check_extend(MAX_TIMER, now)


def test_cancel_without_a_timer_says_nothing() -> None:
    guard = BurnerGuard(Settings())
    assert guard.cancel_timer(T0) == []


# --- timer ends, warnings, lateness ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wake_after", "late_seconds"),
    [(0, None), (0.5, None), (1, None), (1.5, 1.5), (90, 90.0), (3600, 3600.0)],
)
def test_timer_end_lateness(wake_after: float, late_seconds: float | None) -> None:
    """A wake-up up to 1 s after the end is on time; later is reported late, to 0.1 s."""
    sim = Sim(Settings(warning_seconds=0))
    sim.start()
    sim.do(0, "start_timer", timedelta(seconds=60))
    sim.now = at(60 + wake_after)
    sim._take(sim.guard.tick(sim.now))
    assert [e for _, e in sim.of(ShutOff)] == [
        ShutOff(Reason.TIMER, at(60 + wake_after), False, late_seconds)
    ]
    (_, ended) = sim.of(TimerNotice)[-1]
    assert ended == TimerNotice(TimerChange.ENDED, at(60), True, late_seconds)


@pytest.mark.parametrize(("wake_late", "left"), [(0, 60), (0.5, 60), (1.2, 59), (59.5, 1)])
def test_warning_seconds_left_rounds_up(wake_late: float, left: int) -> None:
    guard = BurnerGuard(Settings(warning_seconds=60))
    guard.start(T0, relay=Relay.RESTORED)
    guard.start_timer(timedelta(minutes=5), T0)
    assert guard.next_deadline() == at(240)
    assert guard.tick(at(240 + wake_late)) == [Warn(Reason.TIMER, left, at(300))]
    assert guard.next_deadline() == at(300)
    assert guard.tick(at(250)) == []


def test_a_wake_up_past_the_end_skips_the_warning() -> None:
    guard = BurnerGuard(Settings(warning_seconds=60))
    guard.start(T0, relay=Relay.RESTORED)
    guard.start_timer(timedelta(minutes=5), T0)
    effects = guard.tick(at(300))
    assert not [e for e in effects if isinstance(e, Warn)]
    assert ShutOff(Reason.TIMER, at(300), False, None) not in effects  # the cut is not confirmed yet
    assert SendRelay(cut=True) in effects


@pytest.mark.parametrize(
    ("down_for", "missed"),
    [
        (LATE_TIMER_LIMIT, False),
        (LATE_TIMER_LIMIT + timedelta(microseconds=1), True),
        (timedelta(days=30), True),
    ],
)
def test_timer_missed_limit(down_for: timedelta, missed: bool) -> None:
    old = BurnerGuard(Settings())
    old.start(T0, relay=Relay.RESTORED)
    old.start_timer(timedelta(minutes=10), T0)
    ends = at(600)
    saved = json.loads(json.dumps(old.as_saved()))
    guard = BurnerGuard(Settings(), saved)
    effects = guard.start(ends + down_for, relay=Relay.RESTORED)
    assert guard.timer is None
    if missed:
        assert effects == [TimerMissed(ends)]
        assert guard.next_deadline() is None
    else:
        late = round(down_for.total_seconds(), 1)
        assert effects == [TimerNotice(TimerChange.ENDED, ends, True, late), SendRelay(cut=True)]


def test_timer_due_while_the_relay_has_not_appeared_waits_for_it() -> None:
    """At start-up the relay gets UNAVAILABLE_GRACE to show up before a due timer fails loudly."""
    old = BurnerGuard(Settings())
    old.start(T0, relay=Relay.RESTORED)
    old.start_timer(timedelta(minutes=1), T0)
    sim = Sim()
    sim.guard = BurnerGuard(Settings(), old.as_saved())
    sim.start(120, relay=Relay.UNAVAILABLE)
    assert sim.relay_commands() == []
    assert sim.guard.next_deadline() == at(120) + UNAVAILABLE_GRACE
    sim.run_until(179.999)
    assert sim.of(CutFailed) == []
    sim.run_until(180)
    assert [e for _, e in sim.of(CutFailed)] == [CutFailed(Reason.TIMER, Problem.RELAY_UNAVAILABLE)]
    assert (180, ProblemChanged(Problem.RELAY_UNAVAILABLE, True)) in sim.log
    # The relay comes back: the shut-off is carried out late.
    sim.relay = Relay.RESTORED
    sim.do(200, "relay_changed", Relay.RESTORED)
    assert [e for _, e in sim.of(ShutOff)] == [ShutOff(Reason.TIMER, at(200), False, 140.0)]


# --- persistence -------------------------------------------------------------------------------------


def _saved_example() -> dict[str, Any]:
    burning = at(-300)
    return {
        "lockout": True,
        "last_shut_off": {"reason": "hazard", "at": at(-3600).isoformat()},
        "timer": {"armed_at": at(-60).isoformat(), "ends_at": at(540).isoformat()},
        "assumed_open": True,
        "burning_since": burning.isoformat(),
        "hazards": [GAS, SMOKE],
        "warned": {"timer": at(540).isoformat()},
        "fired": {"max_on_time": (burning + timedelta(minutes=10)).isoformat()},
        "pending": [{"reason": "manual", "due": at(-2).isoformat(), "late_seconds": None}],
        "late": [{"reason": "unattended", "due": at(-100).isoformat(), "late_seconds": 3.5}],
    }


def test_saved_state_round_trip() -> None:
    settings = Settings(max_on_minutes=10)
    saved = _saved_example()
    guard = BurnerGuard(settings, saved)
    assert guard.as_saved() == saved
    assert guard.lockout is True
    assert guard.last_shut_off == (Reason.HAZARD, at(-3600))
    assert guard.timer_ends_at == at(540)
    assert guard.hazards == {GAS, SMOKE}
    # JSON and back gives the same again.
    again = BurnerGuard(settings, json.loads(json.dumps(guard.as_saved())))
    assert again.as_saved() == saved


def test_saved_state_drops_stale_warnings_and_firings() -> None:
    """A warning or firing for a countdown that no longer exists (or ends elsewhere) is not kept."""
    saved = _saved_example()
    saved["warned"] = {"timer": at(999).isoformat(), "unattended": at(5).isoformat()}
    saved["fired"] = {"max_on_time": at(1).isoformat()}
    # Shut-offs carried out at start would end the timer (tested elsewhere): none here.
    saved["pending"] = saved["late"] = []
    guard = BurnerGuard(Settings(max_on_minutes=10), saved)
    out = guard.as_saved()
    assert out["warned"] == {}
    assert out["fired"] == {}
    # A stale "warned" must not suppress the warning of the real countdown (the timer's; no max-on here).
    guard = BurnerGuard(Settings(), saved)
    guard.start(T0, relay=Relay.CUT, hazards={GAS: True, SMOKE: True})
    assert guard.next_deadline() == at(480)


def test_empty_saved_state_is_a_fresh_guard() -> None:
    fresh = BurnerGuard(Settings()).as_saved()
    assert BurnerGuard(Settings(), {}).as_saved() == fresh
    assert BurnerGuard(Settings(), None).as_saved() == fresh
    assert fresh == {
        "lockout": False,
        "last_shut_off": None,
        "timer": None,
        "assumed_open": None,
        "burning_since": None,
        "hazards": [],
        "warned": {},
        "fired": {},
        "pending": [],
        "late": [],
    }


def test_driven_guard_round_trip_keeps_its_promises() -> None:
    """Save mid-verification (watchdog fired, flame still on) and restore: the promise is carried on."""
    settings = Settings(flame_sensor=True, max_on_minutes=1, warning_seconds=30, verify_seconds=20)
    sim = Sim(settings)
    sim.start(flame=True)
    sim.do(10, "start_timer", timedelta(minutes=30))
    sim.run_until(60)
    assert [e for _, e in sim.of(Warn)] == [Warn(Reason.MAX_ON_TIME, 30, at(60))]
    assert sim.relay_commands() == [(60, True)]
    assert sim.of(ShutOff) == []  # the flame still burns: not verified yet
    saved = sim.guard.as_saved()
    assert saved["warned"] == {"max_on_time": at(60).isoformat()}
    assert saved["fired"] == {"max_on_time": at(60).isoformat()}
    assert saved["pending"] == [{"reason": "max_on_time", "due": at(60).isoformat(), "late_seconds": None}]
    assert saved["timer"] == {"armed_at": at(10).isoformat(), "ends_at": at(1810).isoformat()}

    restored = Sim(settings)
    restored.guard = BurnerGuard(settings, json.loads(json.dumps(saved)))
    assert restored.guard.as_saved() == saved
    # Back 2 s later, the flame now seen out: the pending shut-off is announced, verified, 2 s late.
    restored.start(62, relay=Relay.CUT, flame=False)
    assert [e for _, e in restored.of(ShutOff)] == [ShutOff(Reason.MAX_ON_TIME, at(62), True, 2.0)]
    assert restored.of(Warn) == []  # not warned twice, not fired twice
    restored.run_until(3600)
    assert [e.reason for _, e in restored.of(ShutOff)] == [Reason.MAX_ON_TIME]
    # The shut-off ended the timer's job: it was cancelled with it.
    assert [(t, e) for t, e in restored.of(TimerNotice)] == [
        (62, TimerNotice(TimerChange.CANCELLED, at(1810), cause="shut_off"))
    ]


@pytest.mark.parametrize(
    "saved",
    [
        {"last_shut_off": {"reason": "bogus", "at": T0.isoformat()}},
        {"last_shut_off": {"reason": "timer"}},
        {"last_shut_off": "timer"},
        {"timer": {"armed_at": "yesterday", "ends_at": T0.isoformat()}},
        {"timer": {"ends_at": T0.isoformat()}},
        {"timer": "soon"},
        {"burning_since": 12},
        {"hazards": 5},
        {"warned": ["timer"]},
        {"warned": {"nope": T0.isoformat()}},
        {"fired": {"max_on_time": "later"}},
        {"pending": [{"reason": "manual"}]},
        {"pending": [{"reason": "lunch", "due": T0.isoformat()}]},
        {"late": [None]},
        {"late": 3},
        ["not", "a", "mapping"],
    ],
    ids=lambda v: json.dumps(v)[:40],
)
def test_corrupt_saved_state_raises_value_error(saved: Any) -> None:
    with pytest.raises(ValueError, match=r"^unreadable saved state"):
        BurnerGuard(Settings(), saved)


# --- next_deadline -----------------------------------------------------------------------------------


def test_next_deadline_none_when_idle() -> None:
    guard = BurnerGuard(Settings())
    guard.start(T0, relay=Relay.RESTORED)
    assert guard.next_deadline() is None
    assert guard.tick(at(10_000)) == []


def test_next_deadline_is_the_earliest_candidate() -> None:
    """Warnings, ends, the flame-off cancel, a relay command and the pulse, each when it is the earliest."""
    settings = Settings(flame_sensor=True, max_on_minutes=3, warning_seconds=60, cut_seconds=8)
    guard = BurnerGuard(settings)
    guard.start(T0, relay=Relay.RESTORED, flame=True)
    assert guard.next_deadline() == at(120)  # max-on warning (3 min - 60 s)
    guard.start_timer(timedelta(seconds=90), T0)
    assert guard.next_deadline() == at(30)  # the timer's warning comes first
    assert guard.tick(at(30)) == [Warn(Reason.TIMER, 60, at(90))]
    assert guard.next_deadline() == at(90)  # the timer's end
    guard.flame_changed(False, at(40))  # no max-on countdown any more; flame-off cancel at 100
    assert guard.next_deadline() == at(90)
    guard.extend_timer(timedelta(seconds=60), at(43))
    assert guard.timer_ends_at == at(150)
    assert guard.next_deadline() == at(90)  # the new warning, armed by the extension
    assert guard.tick(at(90)) == [Warn(Reason.TIMER, 60, at(150))]
    assert guard.next_deadline() == at(103)  # off since 40, but the minute counts from the extension
    assert guard.request_shut_off(Reason.MANUAL, at(95)) == [SendRelay(cut=True)]
    assert guard.next_deadline() == at(95) + CONFIRM_TIMEOUT  # the relay has 5 s to report
    # The shut-off also ends the timer, so the flame-off cancel at 103 is gone with it.
    assert guard.relay_changed(Relay.CUT, at(96)) == [
        ShutOff(Reason.MANUAL, at(96), True),
        TimerNotice(TimerChange.CANCELLED, at(150), cause="shut_off"),
    ]
    assert guard.next_deadline() == at(104)
    assert guard.tick(at(104)) == [SendRelay(cut=False)]
    assert guard.next_deadline() == at(109)
    assert guard.relay_changed(Relay.RESTORED, at(105)) == []
    assert guard.next_deadline() is None


def test_next_deadline_waits_for_an_unavailable_relay_and_backs_off() -> None:
    guard = BurnerGuard(Settings())
    guard.start(T0, relay=Relay.UNAVAILABLE)
    assert guard.next_deadline() == T0 + UNAVAILABLE_GRACE
    assert guard.tick(T0 + UNAVAILABLE_GRACE) == [ProblemChanged(Problem.RELAY_UNAVAILABLE, True)]
    assert guard.next_deadline() is None  # reported; now it waits for the relay itself
    guard.relay_changed(Relay.RESTORED, at(100))
    assert guard.problems == set()
    # A relay that never reports: two attempts, then a back-off before the next try.
    assert guard.request_shut_off(Reason.MANUAL, at(200)) == [SendRelay(cut=True)]
    assert guard.tick(at(205)) == [SendRelay(cut=True)]
    effects = guard.tick(at(210))
    assert effects == [
        CutFailed(Reason.MANUAL, Problem.RELAY_NOT_CONFIRMED),
        ProblemChanged(Problem.RELAY_NOT_CONFIRMED, True),
    ]
    assert guard.next_deadline() == at(240)  # a back-off before the relay is commanded again
    assert guard.tick(at(240)) == []  # nothing is owed: no retry
    assert guard.next_deadline() is None


# --- flame, presence and watchdogs -------------------------------------------------------------------


def test_flame_reports_are_ignored_without_a_flame_sensor() -> None:
    guard = BurnerGuard(Settings(max_on_minutes=1))
    guard.start(T0, relay=Relay.RESTORED, flame=True)
    assert guard.flame is None
    guard.flame_changed(True, at(1))
    assert guard.flame is None
    assert guard.burning_since is None
    assert guard.next_deadline() is None
    assert guard.valve_state is None


@pytest.mark.parametrize(
    ("present_at_start", "changes", "unattended_at"),
    [
        (None, [], 300),  # unknown presence counts as absent
        (False, [], 300),
        (True, [], None),
        (True, [(100, False)], 400),
        (True, [(100, None)], 400),
        (False, [(100, True)], None),
        (False, [(100, True), (200, False)], 500),
        (False, [(100, None), (150, False)], 300),  # still absent: the countdown goes on
    ],
)
def test_unattended_countdown(
    present_at_start: bool | None, changes: list[tuple[float, bool | None]], unattended_at: float | None
) -> None:
    settings = Settings(flame_sensor=True, presence_sensor=True, unattended_minutes=5, warning_seconds=0)
    sim = Sim(settings, physics=True)
    sim.start(flame=True, present=present_at_start)
    for seconds, present in changes:
        sim.run_until(seconds)
        sim.do(seconds, "presence_changed", present)
    sim.run_until(3600)
    expected = [] if unattended_at is None else [ShutOff(Reason.UNATTENDED, at(unattended_at), True)]
    assert [e for _, e in sim.of(ShutOff)] == expected
    assert sim.relay_commands() == (
        [] if unattended_at is None else [(unattended_at, True), (unattended_at + 5, False)]
    )
    assert sim.of(CutFailed) == []


def test_burning_since_survives_an_unknown_flame_and_resets_on_off() -> None:
    guard = BurnerGuard(Settings(flame_sensor=True))
    guard.start(T0, relay=Relay.RESTORED, flame=True)
    assert guard.burning_since == T0
    guard.flame_changed(None, at(10))
    assert guard.burning_since == T0
    assert guard.valve_state is ValveState.OPEN  # the last known flame stands
    guard.flame_changed(True, at(20))
    assert guard.burning_since == T0
    guard.flame_changed(False, at(30))
    assert guard.burning_since is None
    assert guard.valve_state is ValveState.CLOSED
    guard.flame_changed(True, at(40))
    assert guard.burning_since == at(40)


def test_restart_keeps_burning_since_only_while_the_flame_burns() -> None:
    settings = Settings(flame_sensor=True, max_on_minutes=10)
    old = BurnerGuard(settings)
    old.start(T0, relay=Relay.RESTORED, flame=True)
    saved = old.as_saved()
    still = BurnerGuard(settings, saved)
    still.start(at(300), relay=Relay.RESTORED, flame=True)
    assert still.burning_since == T0
    assert still.next_deadline() == at(540)
    out = BurnerGuard(settings, saved)
    out.start(at(300), relay=Relay.RESTORED, flame=False)
    assert out.burning_since is None
    assert out.next_deadline() is None


# --- hazards and holds -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("saved_hazards", "observed", "held", "new_shut_off"),
    [
        ([], {SMOKE: True}, True, True),
        ([SMOKE], {SMOKE: True}, True, False),
        ([SMOKE], {SMOKE: None}, True, False),  # not known yet: the hold stays
        ([SMOKE], {SMOKE: False}, False, False),
        ([], {SMOKE: None}, False, False),
        ([SMOKE], {}, False, False),  # no longer configured
        ([SMOKE], {SMOKE: None, GAS: True}, True, True),
    ],
)
def test_hazards_at_start_up(
    saved_hazards: list[str], observed: dict[str, bool | None], held: bool, new_shut_off: bool
) -> None:
    saved = BurnerGuard(Settings()).as_saved() | {"hazards": saved_hazards}
    sim = Sim()
    sim.guard = BurnerGuard(Settings(), saved)
    sim.relay = Relay.CUT if saved_hazards else Relay.RESTORED
    sim.start(hazards=observed)
    sim.run_until(600)
    assert sim.guard.held is held
    assert sim.relay is (Relay.CUT if held else Relay.RESTORED)
    assert [e.reason for _, e in sim.of(ShutOff)] == ([Reason.HAZARD] if new_shut_off else [])


def test_hazard_release_keeps_lockout_and_unknown_is_no_release() -> None:
    sim = Sim()
    sim.start()
    sim.do(10, "hazard_changed", SMOKE, True)
    assert sim.relay is Relay.CUT
    assert [e for _, e in sim.of(ShutOff)] == [ShutOff(Reason.HAZARD, at(10), False)]
    sim.do(20, "hazard_changed", SMOKE, None)
    sim.do(30, "set_lockout", True)
    sim.do(40, "hazard_changed", SMOKE, False)
    sim.run_until(100)
    assert sim.relay is Relay.CUT
    assert sim.guard.valve_state is ValveState.CLOSED
    sim.do(100, "set_lockout", False)
    assert sim.relay is Relay.RESTORED
    assert sim.relay_commands() == [(10, True), (100, False)]
    assert len(sim.of(ShutOff)) == 1
    # Lockout switched on twice or off twice changes nothing.
    assert sim.do(110, "set_lockout", False) == []


def test_valve_state_while_a_hold_waits_for_the_relay() -> None:
    sim = Sim(relay_obeys=False)
    sim.start()
    sim.do(0, "set_lockout", True)
    assert sim.guard.valve_state is ValveState.CLOSING
    sim.guard.relay_changed(Relay.CUT, at(1))
    assert sim.guard.valve_state is ValveState.CLOSED


# --- verification ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flame_after", "outcome", "pulses"),
    [
        ([(3, False)], ShutOff(Reason.MANUAL, at(3), True), [0]),
        ([(50, False)], ShutOff(Reason.MANUAL, at(50), True), [0, 30]),
        ([(10, None)], ShutOff(Reason.MANUAL, at(30), False), [0]),
        ([(40, None)], ShutOff(Reason.MANUAL, at(60), False), [0, 30]),
        ([(10, None), (20, True)], CutFailed(Reason.MANUAL, Problem.FLAME_STILL_ON), [0, 30]),
        ([], CutFailed(Reason.MANUAL, Problem.FLAME_STILL_ON), [0, 30]),
    ],
)
def test_verification_outcomes(
    flame_after: list[tuple[float, bool | None]], outcome: Effect, pulses: list[float]
) -> None:
    sim = Sim(Settings(flame_sensor=True, verify_seconds=30, cut_seconds=5))
    sim.start(flame=True)
    sim.do(0, "request_shut_off", Reason.MANUAL)
    for seconds, flame in flame_after:
        sim.run_until(seconds)
        sim.do(seconds, "flame_changed", flame)
    sim.run_until(600)
    outcomes = [e for _, e in sim.log if isinstance(e, ShutOff | CutFailed)]
    assert outcomes == [outcome]
    assert [t for t, cut in sim.relay_commands() if cut] == pulses
    assert (Problem.FLAME_STILL_ON in sim.guard.problems) is isinstance(outcome, CutFailed)


def test_verification_retry_is_absorbed_by_a_hold() -> None:
    """Lockout switched on while waiting for the flame: the loop is held open, no separate retry pulse."""
    sim = Sim(Settings(flame_sensor=True, verify_seconds=30))
    sim.start(flame=True)
    sim.do(0, "request_shut_off", Reason.MANUAL)
    sim.run_until(10)
    sim.do(10, "set_lockout", True)
    sim.run_until(31)
    assert sim.relay_commands() == [(0, True), (5, False), (10, True)]
    sim.do(31, "flame_changed", False)
    assert [e for _, e in sim.of(ShutOff)] == [ShutOff(Reason.MANUAL, at(31), True)]


def test_flame_going_out_clears_a_flame_still_on_problem_on_the_next_verified_cut() -> None:
    sim = Sim(Settings(flame_sensor=True, verify_seconds=10))
    sim.start(flame=True)
    sim.do(0, "request_shut_off", Reason.MANUAL)
    sim.run_until(100)
    assert Problem.FLAME_STILL_ON in sim.guard.problems
    sim.do(200, "request_shut_off", Reason.MANUAL)
    sim.do(201, "flame_changed", False)
    assert sim.guard.problems == set()
    assert sim.log[-1] == (201, ProblemChanged(Problem.FLAME_STILL_ON, False))


# --- diagnostics -------------------------------------------------------------------------------------


def test_describe_tells_everything_known() -> None:
    sim = Sim(Settings(flame_sensor=True, max_on_minutes=5), relay_obeys=False)
    sim.start(flame=True, present=True, hazards={SMOKE: False})
    sim.do(1, "start_timer", timedelta(minutes=2))
    sim.do(2, "request_shut_off", Reason.MANUAL)
    info = sim.guard.describe()
    assert info["relay"] is Relay.RESTORED
    assert info["phase"] == "cutting"
    assert info["command"] == {"cut": True, "attempt": 1, "deadline": at(7)}
    assert info["held"] is False
    assert info["flame"] is True
    assert info["present"] is True
    assert info["burning_since"] == T0
    assert info["valve_state"] is ValveState.CLOSING
    assert info["timer"] == {"armed_at": at(1), "ends_at": at(121)}
    assert info["countdowns"] == {Reason.TIMER: at(121), Reason.MAX_ON_TIME: at(300)}
    assert info["waiting_for_cut"] == [Reason.MANUAL]
    assert info["verifying"] == []
    assert info["problems"] == []
    assert info["next_deadline"] == at(7)
    assert set(info) == {
        "relay",
        "phase",
        "phase_deadline",
        "command",
        "backoff_until",
        "held",
        "lockout",
        "hazards",
        "flame",
        "present",
        "burning_since",
        "valve_state",
        "timer",
        "countdowns",
        "waiting_for_cut",
        "verifying",
        "verify_deadline",
        "late",
        "problems",
        "next_deadline",
    }


# --- the relay under the timers and watchdogs ----------------------------------------------------------


def test_external_cut_is_a_shut_off_and_a_return_from_an_outage_is_not() -> None:
    sim = Sim(relay_obeys=False)
    sim.start()
    assert sim.guard.phase == "idle"
    assert sim.do(10, "relay_changed", Relay.CUT) == [ShutOff(Reason.EXTERNAL, at(10), False)]
    assert sim.guard.phase == "holding"
    assert sim.do(15, "tick") == [SendRelay(cut=False)]
    assert sim.do(16, "relay_changed", Relay.RESTORED) == []
    assert sim.guard.phase == "idle"
    # Unavailable, then back cut: restored without a shut-off.
    assert sim.do(20, "relay_changed", Relay.UNAVAILABLE) == []
    assert sim.do(25, "relay_changed", Relay.CUT) == [SendRelay(cut=False)]
    assert sim.do(26, "relay_changed", Relay.RESTORED) == []
    assert [e.reason for _, e in sim.of(ShutOff)] == [Reason.EXTERNAL]


@pytest.mark.parametrize(("flame_when_back", "late_shut_off"), [(None, True), (True, True), (False, False)])
def test_timer_ending_while_the_relay_is_unavailable(
    flame_when_back: bool | None, late_shut_off: bool
) -> None:
    """Fails loudly at once, and is carried out late when the relay is back, unless the flame is out."""
    sim = Sim(Settings(flame_sensor=True, warning_seconds=0), physics=True)
    sim.start(flame=True)
    sim.do(0, "start_timer", timedelta(seconds=60))
    sim.do(30, "relay_changed", Relay.UNAVAILABLE)
    sim.run_until(60)
    assert [(t, e) for t, e in sim.log if isinstance(e, CutFailed | ProblemChanged)] == [
        (60, CutFailed(Reason.TIMER, Problem.RELAY_UNAVAILABLE)),
        (60, ProblemChanged(Problem.RELAY_UNAVAILABLE, True)),
    ]
    sim.do(100, "flame_changed", flame_when_back)
    sim.relay = Relay.RESTORED
    sim.do(120, "relay_changed", Relay.RESTORED)
    assert (120, ProblemChanged(Problem.RELAY_UNAVAILABLE, False)) in sim.log
    expected = [ShutOff(Reason.TIMER, at(120), flame_when_back is True, 60.0)] if late_shut_off else []
    assert [e for _, e in sim.of(ShutOff)] == expected
    assert sim.relay_commands() == ([(120, True)] if late_shut_off else [])


@pytest.mark.parametrize("hold", ["lockout", "hazard"])
def test_a_hold_the_unavailable_relay_cannot_apply_is_reported_once(hold: str) -> None:
    sim = Sim()
    sim.start()
    sim.do(1, "relay_changed", Relay.UNAVAILABLE)
    sim.run_until(61)
    assert sim.log == [(61, ProblemChanged(Problem.RELAY_UNAVAILABLE, True))]
    if hold == "lockout":
        effects = sim.do(70, "set_lockout", True)
        assert effects == [CutFailed(Reason.LOCKOUT, Problem.RELAY_UNAVAILABLE)]
    else:
        effects = sim.do(70, "hazard_changed", SMOKE, True)
        assert effects == [CutFailed(Reason.HAZARD, Problem.RELAY_UNAVAILABLE)]
    assert sim.guard.hazard_active is (hold == "hazard")
    assert sim.do(80, "hazard_changed", GAS, True) == [CutFailed(Reason.HAZARD, Problem.RELAY_UNAVAILABLE)]
    sim.run_until(600)
    # Back: the hold is applied at once (and the late hazard shut-off is announced with it).
    sim.do(600, "relay_changed", Relay.RESTORED)
    assert sim.relay is Relay.CUT
    assert [e.reason for _, e in sim.of(ShutOff)] == [Reason.HAZARD]


def test_relay_commands_that_raise_are_retried_then_reported() -> None:
    sim = Sim(relay_obeys=False)
    sim.start()
    assert sim.do(0, "request_shut_off", Reason.MANUAL) == [SendRelay(cut=True)]
    assert sim.guard.relay_command_failed(True, "boom", at(1)) == [SendRelay(cut=True)]
    # A failure of a command that is no longer current is ignored.
    assert sim.guard.relay_command_failed(False, "old", at(1)) == []
    assert sim.guard.relay_command_failed(True, "boom again", at(2)) == [
        CutFailed(Reason.MANUAL, Problem.RELAY_NOT_CONFIRMED, "boom again"),
        ProblemChanged(Problem.RELAY_NOT_CONFIRMED, True),
    ]
    assert sim.guard.next_deadline() == at(32)  # a back-off, then nothing is owed any more
    assert sim.do(32, "tick") == []
    # The next shut-off that the relay confirms clears the problem.
    assert sim.do(40, "request_shut_off", Reason.MANUAL) == [SendRelay(cut=True)]
    assert sim.do(41, "relay_changed", Relay.CUT) == [
        ProblemChanged(Problem.RELAY_NOT_CONFIRMED, False),
        ShutOff(Reason.MANUAL, at(41), False),
    ]


def test_a_restore_that_never_happens_is_a_problem_until_it_does() -> None:
    sim = Sim(Settings(cut_seconds=5), relay_obeys=False)
    sim.start()
    sim.do(0, "request_shut_off", Reason.TIMER)
    sim.do(1, "relay_changed", Relay.CUT)
    assert sim.do(6, "tick") == [SendRelay(cut=False)]
    assert sim.do(11, "tick") == [SendRelay(cut=False)]
    assert sim.do(16, "tick") == [ProblemChanged(Problem.RESTORE_FAILED, True)]
    assert sim.guard.next_deadline() == at(46)
    assert sim.do(46, "tick") == [SendRelay(cut=False)]
    assert sim.do(47, "relay_changed", Relay.RESTORED) == [ProblemChanged(Problem.RESTORE_FAILED, False)]


@pytest.mark.parametrize(("returns_at", "commands"), [(6, []), (None, [(11, False)])])
def test_self_restoring_relay(returns_at: float | None, commands: list[tuple[float, bool]]) -> None:
    sim = Sim(Settings(cut_seconds=5, relay_restores_itself=True), relay_obeys=False)
    sim.start()
    sim.do(0, "start_timer", timedelta(seconds=1))
    sim.do(1, "tick")
    sim.do(1, "relay_changed", Relay.CUT)
    assert [e for _, e in sim.of(ShutOff)] == [ShutOff(Reason.TIMER, at(1), False)]
    assert sim.guard.phase == "await_self_restore"
    if returns_at is not None:
        sim.do(returns_at, "relay_changed", Relay.RESTORED)
        assert sim.guard.phase == "idle"
    sim.run_until(11)
    assert sim.relay_commands()[1:] == commands


# --- wall-clock steps ------------------------------------------------------------------------------------


@pytest.mark.parametrize("step", [-3 * 86400, -3600, -30, 30, 3600])
def test_clock_stepped_back_moves_every_deadline_forward_only_the_pulse(step: float) -> None:
    """A step back (whatever its size) moves every instant back: a timer (and its warning), a pulse (its
    confirmation time-out and its cut_seconds) and a late shut-off's lateness keep the time they had. A step
    forward moves only the pulse's instants: the timer and the late shut-off's due time stay where they were,
    so the timer comes due by the clock (early, marked late) and is never postponed. The last shut-off is
    history either way."""
    shift = timedelta(seconds=step)
    forward = step > 0
    timer = BurnerGuard(Settings(warning_seconds=60))
    timer.start(T0, relay=Relay.RESTORED)
    timer.start_timer(timedelta(seconds=600), T0)
    timer.clock_stepped(shift)  # 100 s in
    if forward:
        assert timer.timer_ends_at == at(600)
        assert timer.next_deadline() == at(540)
        late_by = 100 + step - 600
        if late_by > 0:  # ends at the first wake-up after the step, late, once, without a warning
            assert timer.tick(at(100 + step)) == [
                TimerNotice(TimerChange.ENDED, at(600), True, late_by),
                SendRelay(cut=True),
            ]
            assert timer.timer_ends_at is None
        else:  # ends at its instant by the clock: the step sooner than its real duration
            assert timer.tick(at(540)) == [Warn(Reason.TIMER, 60, at(600))]
            ended = [TimerNotice(TimerChange.ENDED, at(600), True, None), SendRelay(cut=True)]
            assert timer.tick(at(600)) == ended
    else:
        assert timer.timer_ends_at == at(600 + step)
        assert timer.next_deadline() == at(540 + step)
        assert timer.tick(at(539.9 + step)) == []
        assert timer.tick(at(540 + step)) == [Warn(Reason.TIMER, 60, at(600 + step))]
        assert timer.tick(at(600 + step)) == [
            TimerNotice(TimerChange.ENDED, at(600 + step), True, None),
            SendRelay(cut=True),
        ]

    pulse = Sim(Settings(cut_seconds=5), relay_obeys=False)
    pulse.start()
    assert pulse.do(0, "request_shut_off", Reason.MANUAL) == [SendRelay(cut=True)]
    pulse.guard.clock_stepped(shift)  # 1 s in, the cut not confirmed yet
    assert pulse.guard.next_deadline() == at(5 + step)  # the confirmation time-out
    assert pulse.do(2 + step, "relay_changed", Relay.CUT) == [ShutOff(Reason.MANUAL, at(2 + step), False)]
    assert pulse.guard.next_deadline() == at(7 + step)
    assert pulse.do(6.9 + step, "tick") == []
    assert pulse.do(7 + step, "tick") == [SendRelay(cut=False)]

    late = BurnerGuard(Settings())
    late.start(T0, relay=Relay.RESTORED)
    late.relay_changed(Relay.UNAVAILABLE, at(10))
    assert CutFailed(Reason.MANUAL, Problem.RELAY_UNAVAILABLE) in late.request_shut_off(Reason.MANUAL, at(20))
    late.clock_stepped(shift)
    assert late.next_deadline() is None  # the unavailable relay is a problem already
    assert SendRelay(cut=True) in late.relay_changed(Relay.RESTORED, at(50 + step))
    effects = late.relay_changed(Relay.CUT, at(50 + step))
    # Due at 20 s, carried out 30 s later; after a step forward the due time stayed: late by the step more.
    assert effects == [ShutOff(Reason.MANUAL, at(50 + step), False, 30.0 + step if forward else 30.0)]
    late.clock_stepped(shift)
    assert late.last_shut_off == (Reason.MANUAL, at(50 + step))
