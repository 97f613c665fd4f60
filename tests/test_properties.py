"""Safety properties of Gas Stove Guard, checked by Hypothesis inside a real Home Assistant (issue 7).

A `RuleBasedStateMachine` drives one or two burners with random interleavings of everything the outside
world can do to them: the flame (binary or numeric sensor) going on, off and unknown, presence, shared hazard
sensors, cooking timers started/extended/cancelled, lockout, shut-off requests, the relay going unavailable
and back, the relay toggled by someone else, relay commands that raise, are ignored or are carried out late,
time advancing by random amounts, options changed through the options flow, reloads, and restarts with
downtime.

Every example gets its own Home Assistant (`async_test_home_assistant`) on its own event loop, with in-memory
storage and frozen time (freezegun). Time only moves through `_advance`, which steps to every scheduled
wake-up in order (moving the frozen clock there and firing it with `async_fire_time_changed_exact`), so each
callback runs at its own instant, never late in a batch.

An independent model (`BurnerModel`) follows the same inputs and the spec (issues 2-4) and, after every step,
checks the invariants of issue 7:

1. the relay is never left cut longer than `cut_seconds` plus the confirmation margins unless lockout or a
   hazard holds it;
2. while a hazard or lockout holds the burner, the relay is cut, or a `cut_failed` event says it cannot be;
3. every promised shut-off (a request, a hazard turning on, a timer ending while the flame is on or unknown,
   each watchdog) gets exactly one outcome: one `shut_off` or one `cut_failed` event, never none, never two.
   Documented nuances the model accounts for explicitly:
   - a request that fails with `relay_unavailable` is owed again: it is carried out when the relay is back
     (`shut_off` with `late: true`), unless the flame is known to be out by then. That second outcome belongs
     to a second, "late" promise that the model opens when it sees the `relay_unavailable` failure;
   - a request made while an earlier request *with the same reason* still waits for the relay to confirm the
     cut joins it (one pulse, one outcome);
   - a `cut_failed` with reason `hazard`/`lockout` while no such request waits reports that a hold cannot be
     applied: it is the loud signal of invariant 2, not the outcome of a promise;
   - a cut nobody asked for is a promise too (reason `external`), except when it comes back from
     unavailable or lands within the confirmation time of the burner's own cut command (its command, late);
   - a shut-off for another reason cancels a running timer (`timer_cancelled`, cause `shut_off`);
4. nothing raises into Home Assistant's loop (loop exception handler and logged tracebacks), and after the
   burners are unloaded no timer, bus listener or state tracker of theirs remains.

"Margins" in 1.: two confirmation time-outs and one second, plus `SELF_RESTORE_MARGIN` for a
self-restoring relay, plus a retry back-off and two time-outs for each injected relay fault that hit a command
meanwhile. In 2. a hold gets two confirmation time-outs (after a restart with the relay not seen yet: the
grace period too).

Not covered here (see test_faults.py): wall-clock steps (this harness moves the wall and monotonic clocks
together), relays whose own pulse mode returns them, template relays. The max-on and unattended watchdogs are
modelled for burners with a flame sensor only (without one they are off in the examples); wiring and sensors
are fixed per example, the options flow changes the timings and `relay_restores_itself`.

The normal run checks 300 examples, the same ones every time (derandomized, so CI is reproducible);
`GSG_SOAK_EXAMPLES=3000` (for instance) runs that many new random examples for a soak run, and
`GSG_SOAK_STATS=1` (with `-s`) prints what the examples exercised.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
import functools
import logging
import math
import os
from typing import Any

import freezegun
from homeassistant import loader
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HassJob, HomeAssistant, ServiceCall, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_call_later
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed_exact,
    async_test_home_assistant,
    mock_storage,
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
from custom_components.gas_stove_guard.controller import BurnerController
from custom_components.gas_stove_guard.guard import (
    CONFIRM_TIMEOUT,
    FLAME_OFF_CANCELS_TIMER,
    LATE_TIMER_LIMIT,
    LATE_TOLERANCE,
    RETRY_BACKOFF,
    SELF_RESTORE_MARGIN,
    UNAVAILABLE_GRACE,
)

EXAMPLES = int(os.environ.get("GSG_SOAK_EXAMPLES", "300"))
# The normal run replays the same 300 examples every time (reproducible CI); a soak run explores new ones.
DERANDOMIZE = "GSG_SOAK_EXAMPLES" not in os.environ
STEPS = int(os.environ.get("GSG_STEPS", "40"))
PRINT_STATS = bool(os.environ.get("GSG_SOAK_STATS"))

CONFIRM = CONFIRM_TIMEOUT.total_seconds()
BACKOFF = RETRY_BACKOFF.total_seconds()
GRACE = UNAVAILABLE_GRACE.total_seconds()
SELF_MARGIN = SELF_RESTORE_MARGIN.total_seconds()
FLAME_OFF_CANCEL = FLAME_OFF_CANCELS_TIMER.total_seconds()
LATE_LIMIT = LATE_TIMER_LIMIT.total_seconds()
LATE_AFTER = LATE_TOLERANCE.total_seconds()
SLACK = 1.0  # the harness fires wake-ups at most 1 ms late; one second covers ordering within an instant
WAIT_LIMIT = 2 * CONFIRM + SLACK  # a waiting shut-off is confirmed or fails within two attempts
FAULT_EXTRA = BACKOFF + 2 * CONFIRM  # what one injected relay fault may add to a pulse

START = datetime(2025, 3, 30, 0, 30, tzinfo=UTC)
HAZARDS = ("binary_sensor.smoke", "binary_sensor.gas")
PRESENCE = "binary_sensor.kitchen_presence"
ON_ABOVE, OFF_BELOW = 100.0, 50.0
RELAY_PROBLEMS = {"relay_unavailable", "relay_not_confirmed"}
HOLD_REASONS = {"hazard", "lockout"}

STATS: Counter[str] = Counter()


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Each example runs its own Home Assistant; the shared `hass` fixture is not needed here."""
    return


# --- the model ------------------------------------------------------------------------------------


@dataclass
class Promise:
    """A promised shut-off on its way to its one outcome."""

    reason: str
    made: float
    state: str  # "waiting" for the relay, "failing" (relay unavailable: cut_failed now), "confirmed"
    deadline: float
    late: bool | None = None  # what the shut_off event's `late` must say, when the model knows
    optional: bool = False  # an external cut during a verification retry may be the retry's own pulse
    due: float = 0.0  # when the shut-off was first asked for (a late one: before the relay went away)


@dataclass
class BurnerConfig:
    """What does not change during an example."""

    index: int
    relay: str
    wiring: str
    flame_kind: str | None  # None, "binary" or "numeric"
    flame_sensor: str | None
    presence: bool
    hazards: tuple[str, ...]

    @property
    def title(self) -> str:
        return f"Burner {self.index}"


@dataclass
class Options:
    """What the options flow may change."""

    cut_seconds: int
    restores: bool
    warning_seconds: int
    verify_seconds: int
    max_on_minutes: int
    unattended_minutes: int


class BurnerModel:
    """What the spec says one burner must do, fed with the same observations as the integration."""

    def __init__(self, config: BurnerConfig, options: Options, violations: list[str]) -> None:
        self.cfg = config
        self.opts = options
        self.violations = violations
        self.loaded = False
        self.load_time = 0.0
        # what survives a restart
        self.lockout = False
        self.hazards: set[str] = set()
        self.timer: tuple[float, float] | None = None  # (armed_at, ends_at)
        self.burning_since: float | None = None
        self.fired: dict[str, float] = {}
        self.promises: list[Promise] = []
        self.late: list[tuple[str, float]] = []  # (reason, due) owed when the relay is back
        # observed
        self.relay = "unavailable"
        self.last_available = "restored"
        self.relay_seen = False
        self.flame: bool | None = None
        self.flame_off_since: float | None = None
        self.absent_since: float | None = None
        # expectations and invariant bookkeeping
        self.expected_timer: dict[str, Any] | None = None
        self.timer_op = False
        self.cut_since: float | None = None
        self.cut_faults = 0
        self.uncut_since: float | None = None
        self.last_cut_failed = -math.inf
        self.cut_sent_at: float | None = None  # the integration's last relay command, if it was a cut

    # --- helpers ---

    def fail(self, message: str, now: float) -> None:
        self.violations.append(f"{self.cfg.title} @ +{now - START.timestamp():.3f}s: {message}")

    @property
    def held(self) -> bool:
        return self.lockout or bool(self.hazards)

    def relay_from(self, state: str | None) -> str:
        if state not in ("on", "off"):
            return "unavailable"
        return "cut" if (state == "on") == (self.cfg.wiring == "cut_when_on") else "restored"

    def read_flame(self, state: str | None, previous: bool | None) -> bool | None:
        if state in (None, "unknown", "unavailable"):
            return None
        if self.cfg.flame_kind == "binary":
            return {"on": True, "off": False}.get(state)
        try:
            value = float(state)
        except ValueError:
            return None
        if not math.isfinite(value):
            return None
        if value > ON_ABOVE:
            return True
        if value < OFF_BELOW:
            return False
        return previous

    def countdowns(self) -> dict[str, tuple[float, float]]:
        """The watchdogs counting down (only modelled with a flame sensor; without one they are off)."""
        out: dict[str, tuple[float, float]] = {}
        if self.cfg.flame_kind is None or self.burning_since is None:
            return out
        if self.opts.max_on_minutes > 0:
            out["max_on_time"] = (self.burning_since, self.burning_since + 60 * self.opts.max_on_minutes)
        if self.cfg.presence and self.absent_since is not None:
            start = max(self.burning_since, self.absent_since)
            out["unattended"] = (start, start + 60 * self.opts.unattended_minutes)
        return out

    def timer_cancel_at(self) -> float | None:
        if self.timer is None or self.flame_off_since is None or self.cfg.flame_kind is None:
            return None
        return max(self.flame_off_since, self.timer[0]) + FLAME_OFF_CANCEL

    # --- promises ---

    def request(self, reason: str, now: float, *, late: bool | None = None, due: float | None = None) -> None:
        """A promised shut-off. `late`: what its shut_off event must say (None: not checked)."""
        STATS[f"promise:{reason}{':late' if late else ''}"] += 1
        due = now if due is None else due
        if self.relay == "unavailable" and self.relay_seen:
            self.promises.append(Promise(reason, now, "failing", now + SLACK, late, due=due))
            return
        if any(p.state == "waiting" and p.reason == reason for p in self.promises):
            STATS["promise:joined"] += 1
            return
        # At start-up, before the relay is first seen, requests wait for it up to the grace period.
        start = now if self.relay_seen else max(now, self.load_time + GRACE)
        deadline = start + WAIT_LIMIT
        promise = Promise(reason, now, "waiting", deadline, late, due=due)
        self.promises.append(promise)
        if self.relay == "cut":
            self.confirm(promise, now)

    def confirm(self, promise: Promise, now: float) -> None:
        promise.state = "confirmed"
        if self.cfg.flame_kind is not None and self.flame is True:
            # Verified cut-off: the outcome waits for the flame, one more pulse, then flame_still_on.
            promise.deadline = now + 2 * self.opts.verify_seconds + WAIT_LIMIT
        else:
            promise.deadline = now + SLACK

    def take(self, reason: str, states: tuple[str, ...]) -> Promise | None:
        """The open promise an outcome belongs to: of those it may be, the one due first (a shut-off that is
        announced at once may overtake an earlier one that waits for the flame to go out)."""
        candidates = [p for p in self.promises if p.reason == reason and p.state in states]
        if not candidates:
            return None
        promise = min(candidates, key=lambda p: p.deadline)
        self.promises.remove(promise)
        return promise

    # --- time ---

    def catch_up(self, now: float) -> None:
        """Apply what has come due by `now`: timer ends and cancellations, watchdogs."""
        if not self.loaded:
            return
        if not self.relay_seen and self.relay == "unavailable" and now >= self.load_time + GRACE:
            # The relay never appeared after the start: what waited for it fails now, before anything else.
            self.relay_seen = True
            for promise in self.promises:
                if promise.state == "waiting":
                    promise.state, promise.deadline = "failing", now + SLACK
        if self.timer is not None:
            _armed, ends = self.timer
            cancel_at = self.timer_cancel_at()
            if cancel_at is not None and cancel_at <= ends and cancel_at <= now:
                self.expect_timer({"kind": "cancelled", "ends": ends, "at": cancel_at}, now)
                self.timer = None
            elif ends <= now:
                shut_off = not (self.cfg.flame_kind is not None and self.flame is False)
                self.expect_timer(
                    {"kind": "ended", "ends": ends, "at": max(ends, self.load_time), "shut_off": shut_off},
                    now,
                )
                self.timer = None
                if shut_off:
                    self.request("timer", now, late=self.late_start(ends), due=ends)
        for reason, (_armed, ends) in self.countdowns().items():
            if self.fired.get(reason) != ends and ends <= now:
                self.fired[reason] = ends
                self.request(reason, now, late=self.late_start(ends), due=ends)

    def late_start(self, ends: float) -> bool:
        """Whether a deadline is carried out late: only when it passed while the burner was not loaded. (The
        harness stops at every wake-up, so a loaded guard acts at the deadline itself, even when the model
        only catches up with it at a later observation.)"""
        return self.load_time - ends > LATE_AFTER

    def expect_timer(self, expectation: dict[str, Any], now: float) -> None:
        if self.expected_timer is not None:
            self.fail(f"timer event still missing: {self.expected_timer}", now)
        self.expected_timer = expectation

    # --- observations (called before the integration sees the same state change) ---

    def relay_changed(self, state: str | None, now: float, *, commanded: bool) -> None:
        """`commanded`: the change carries out a command the integration has just sent."""
        new = self.relay_from(state)
        self.catch_up(now)
        old, self.relay = self.relay, new
        if new != "unavailable":
            self.last_available = new
        if not self.loaded or new == old:
            return
        if new == "unavailable":
            self.cut_since = None
            return
        back = old == "unavailable"
        if back:
            self.relay_seen = True
        if new == "cut":
            waiting = [p for p in self.promises if p.state == "waiting"]
            for promise in waiting:
                self.confirm(promise, now)
            own_late_cut = self.cut_sent_at is not None and now - self.cut_sent_at <= CONFIRM
            if not waiting and not back and not commanded and not self.held and not own_late_cut:
                # Someone else cut the loop: a shut-off with reason external, restored after the pulse. (A cut
                # landing within the confirmation time of our own cut command is that command, late.)
                verifying = any(p.state == "confirmed" and self.flame is True for p in self.promises)
                promise = Promise("external", now, "waiting", now + SLACK, optional=verifying, due=now)
                self.promises.append(promise)
                self.confirm(promise, now)
                STATS["promise:external"] += 1
            if not self.held:
                self.cut_since, self.cut_faults = now, 0
        else:
            self.cut_since = None
            if self.held:
                self.uncut_since = now
        if back:
            self.relay_back(now)

    def relay_back(self, now: float) -> None:
        late, self.late = self.late, []
        for reason, due in late:
            if self.cfg.flame_kind is not None and self.flame is False:
                STATS["late:dropped_flame_off"] += 1
                continue
            self.request(reason, now, late=True, due=due)

    def flame_changed(self, state: str | None, now: float) -> None:
        if not self.loaded or self.cfg.flame_kind is None:
            return
        self.catch_up(now)
        self.set_flame(self.read_flame(state, self.flame), now)

    def set_flame(self, flame: bool | None, now: float) -> None:
        previous, self.flame = self.flame, flame
        if flame is True:
            self.flame_off_since = None
            if self.burning_since is None:
                self.burning_since = now
        elif flame is False:
            if previous is not False or self.flame_off_since is None:
                self.flame_off_since = now
            self.burning_since = None
        else:
            self.flame_off_since = None

    def presence_changed(self, state: str | None, now: float) -> None:
        if not self.loaded or not self.cfg.presence:
            return
        self.catch_up(now)
        self.set_presence(state == "on", now)

    def set_presence(self, present: bool, now: float) -> None:
        if present:
            self.absent_since = None
        elif self.absent_since is None:
            self.absent_since = now

    def hazard_changed(self, entity_id: str, state: str | None, now: float) -> None:
        if not self.loaded or entity_id not in self.cfg.hazards:
            return
        self.catch_up(now)
        on = {"on": True, "off": False}.get(state or "")
        was_held = self.held
        if on and entity_id not in self.hazards:
            self.hazards.add(entity_id)
            self.hold_changed(was_held, now)
            self.request("hazard", now)
        elif on is False and entity_id in self.hazards:
            self.hazards.discard(entity_id)
            self.hold_changed(was_held, now)

    def set_lockout(self, on: bool, now: float) -> None:
        self.catch_up(now)
        if on != self.lockout:
            was_held = self.held
            self.lockout = on
            self.hold_changed(was_held, now)

    def hold_changed(self, was_held: bool, now: float) -> None:
        if self.held and not was_held:
            STATS["hold:started"] += 1
            self.cut_since = None
            self.uncut_since = now
        elif was_held and not self.held:
            self.uncut_since = None
            if self.relay == "cut":
                self.cut_since, self.cut_faults = now, 0

    def command_sent(self, cut: bool, now: float) -> None:
        self.cut_sent_at = now if cut else None

    def fault_consumed(self) -> None:
        if self.cut_since is not None:
            self.cut_faults += 1

    # --- timers asked for through the services ---

    def start_timer(self, seconds: float, now: float) -> None:
        self.catch_up(now)
        self.timer = (now, now + seconds)

    def extend_timer(self, seconds: float, now: float) -> bool:
        """Whether the extension is accepted (a total over 24 h is refused)."""
        self.catch_up(now)
        if self.timer is None:
            self.timer = (now, now + seconds)
            return True
        if self.timer[1] + seconds - now > 24 * 3600:
            return False
        self.timer = (now, self.timer[1] + seconds)
        return True

    def cancel_timer(self, now: float) -> None:
        self.catch_up(now)
        self.timer = None

    # --- the burner's events ---

    def on_event(self, event_type: str, data: dict[str, Any], now: float) -> None:
        self.catch_up(now)
        STATS[f"event:{event_type.removeprefix(DOMAIN + '_')}"] += 1
        if event_type == EVENT_SHUT_OFF:
            self.on_shut_off(data, now)
        elif event_type == EVENT_CUT_FAILED:
            self.on_cut_failed(data, now)
        elif event_type in (EVENT_TIMER_ENDED, EVENT_TIMER_CANCELLED):
            self.on_timer_event(event_type, data, now)
        elif event_type == EVENT_TIMER_STARTED:
            if not self.timer_op:
                self.fail(f"timer started by nobody: {data}", now)
        elif event_type == EVENT_WARNING and data["reason"] not in ("timer", "max_on_time", "unattended"):
            self.fail(f"warning with reason {data['reason']}", now)

    def on_shut_off(self, data: dict[str, Any], now: float) -> None:
        reason = data["reason"]
        STATS[f"outcome:shut_off:{reason}{':late' if data['late'] else ''}"] += 1
        verified = self.cfg.flame_kind is not None and self.flame is False
        if data["verified"] != verified:
            self.fail(f"shut_off verified={data['verified']}, flame is {self.flame}", now)
        if reason != "timer" and self.timer is not None:
            # Shut off before its timer ended: the timer has done its job and is cancelled.
            self.expect_timer(
                {"kind": "cancelled", "ends": self.timer[1], "at": now, "cause": "shut_off"}, now
            )
            self.timer = None
        promise = self.take(reason, ("confirmed",))
        if promise is None:
            self.fail(f"shut_off {data} with no promise open for it (a second outcome?)", now)
            return
        if (
            promise.late is not None
            and not any(p.reason == reason for p in self.promises)
            and data["late"] is not promise.late
        ):
            # Carried out after the relay came back: late. Carried over a restart: late when it was due
            # more than LATE_TOLERANCE before the start.
            self.fail(f"shut_off {data}: late should be {promise.late} ({promise})", now)

    def on_cut_failed(self, data: dict[str, Any], now: float) -> None:
        reason, problem = data["reason"], data["problem"]
        STATS[f"outcome:cut_failed:{reason}:{problem}"] += 1
        self.last_cut_failed = now
        if problem in RELAY_PROBLEMS:
            promise = self.take(reason, ("failing", "waiting"))
            if promise is None:
                if reason in HOLD_REASONS and self.held:
                    STATS["hold:cannot_cut"] += 1
                    return
                self.fail(f"cut_failed {data} with no promise waiting for the relay", now)
                return
            if problem == "relay_unavailable" and all(r != reason for r, _ in self.late):
                # Owed again when the relay is back: the documented late shut-off.
                self.late.append((reason, promise.due))
            return
        if problem == "flame_still_on":
            if self.take(reason, ("confirmed",)) is None:
                self.fail(f"cut_failed {data} with no verified cut-off open", now)
            return
        self.fail(f"unexpected cut_failed {data}", now)

    def on_timer_event(self, event_type: str, data: dict[str, Any], now: float) -> None:
        ends = datetime.fromisoformat(data["ends_at"]).timestamp()
        if event_type == EVENT_TIMER_CANCELLED and data.get("cause") == "user":
            if not self.timer_op:
                self.fail(f"timer cancelled by nobody: {data}", now)
            return
        expected, self.expected_timer = self.expected_timer, None
        kind = "ended" if event_type == EVENT_TIMER_ENDED else "cancelled"
        if expected is None or expected["kind"] != kind or abs(expected["ends"] - ends) > 1e-3:
            self.fail(f"timer {kind} {data}, model expected {expected}", now)
            return
        if now - expected["at"] > SLACK:
            self.fail(f"timer {kind} {now - expected['at']:.3f}s after it was due", now)
        if kind == "ended":
            if data["shut_off"] != expected["shut_off"]:
                self.fail(f"timer ended shut_off={data['shut_off']}, expected {expected['shut_off']}", now)
            late = now - ends > LATE_AFTER
            if data["late"] != late:
                self.fail(f"timer ended late={data['late']} {now - ends:.3f}s after its end", now)
            STATS[f"timer:ended{':late' if late else ''}"] += 1
        elif data.get("cause") != expected.get("cause", "flame_off"):
            self.fail(f"timer cancelled with cause {data.get('cause')}, expected {expected}", now)

    # --- unload and set-up (called before the integration does it, at the same instant) ---

    def on_unload(self, now: float) -> None:
        self.catch_up(now)
        countdowns = self.countdowns()
        self.fired = {r: at for r, at in self.fired.items() if r in countdowns and countdowns[r][1] == at}
        self.loaded = False
        self.cut_since = None
        self.uncut_since = None

    def on_setup(self, states: Callable[[str], str | None], now: float) -> None:
        self.loaded = True
        self.load_time = now
        self.cut_sent_at = None
        self.relay = self.relay_from(states(self.cfg.relay))
        if self.relay != "unavailable":
            self.last_available = self.relay
        self.relay_seen = self.relay != "unavailable"
        if self.cfg.flame_kind is not None:
            self.flame = None
            self.set_flame(self.read_flame(states(self.cfg.flame_sensor or ""), None), now)
        else:
            self.flame = None
        self.absent_since = None
        if self.cfg.presence:
            self.set_presence(states(PRESENCE) == "on", now)
        saved = self.hazards
        readings = {e: {"on": True, "off": False}.get(states(e) or "") for e in self.cfg.hazards}
        self.hazards = {e for e, on in readings.items() if on or (on is None and e in saved)}
        if self.held:
            self.uncut_since = now
        elif self.relay == "cut":
            self.cut_since, self.cut_faults = now, 0
        pending = sorted(self.promises, key=lambda p: (p.state != "waiting", p.made))
        self.promises = []
        if self.hazards - saved:
            self.request("hazard", now)
        for promise in pending:
            STATS["promise:carried_over_restart"] += 1
            self.request(promise.reason, now, late=now - promise.due > LATE_AFTER, due=promise.due)
        if self.timer is not None and now - self.timer[1] > LATE_LIMIT:
            STATS["timer:missed_while_down"] += 1
            self.timer = None
        if self.relay != "unavailable":
            self.relay_back(now)
        self.catch_up(now)

    # --- the invariants ---

    def check(self, now: float) -> None:
        if not self.loaded:
            return
        self.catch_up(now)
        # 1. never left cut past the pulse, unless held
        if self.relay == "cut" and not self.held and self.cut_since is not None:
            bound = self.opts.cut_seconds + 2 * CONFIRM + SLACK + self.cut_faults * FAULT_EXTRA
            if self.opts.restores:
                bound += SELF_MARGIN
            if now - self.cut_since > bound:
                self.fail(f"relay cut for {now - self.cut_since:.3f}s without a hold (bound {bound}s)", now)
        # 2. held: cut, or a cut_failed says why not
        if self.held and self.uncut_since is not None:
            effective = self.relay if self.relay != "unavailable" else self.last_available
            limit = WAIT_LIMIT if self.relay_seen else GRACE + WAIT_LIMIT
            if (
                effective != "cut"
                and now - self.uncut_since > limit
                and self.last_cut_failed < self.uncut_since
            ):
                self.fail(
                    f"held (lockout={self.lockout}, hazards={sorted(self.hazards)}) but the relay is "
                    f"{self.relay} for {now - self.uncut_since:.3f}s and no cut_failed was raised",
                    now,
                )
        # 3. never none: every open promise has had its outcome by its deadline
        for promise in list(self.promises):
            if now > promise.deadline and promise.optional:
                self.promises.remove(promise)
                STATS["external:was_a_verification_pulse"] += 1
            elif now > promise.deadline:
                self.fail(f"no outcome for {promise} (relay {self.relay}, held {self.held})", now)
        if self.expected_timer is not None and now - self.expected_timer["at"] > SLACK:
            self.fail(f"timer event missing: {self.expected_timer}", now)


# --- the harness: one Home Assistant per example -------------------------------------------------


@dataclass
class RelayDevice:
    """What the injected faults do to one relay's commands."""

    entity_id: str
    model: BurnerModel
    offline: bool = False
    faults: list[str] | None = None


def _refers_to(obj: Any, targets: tuple[Any, ...], depth: int = 5) -> bool:
    """Whether a callback (job, handle, bound method, partial, closure) leads to one of `targets`."""
    if depth <= 0 or obj is None:
        return False
    if any(obj is t for t in targets):
        return True
    if isinstance(obj, HassJob):
        return _refers_to(obj.target, targets, depth - 1)
    if isinstance(obj, asyncio.Handle):
        return _refers_to(getattr(obj, "_callback", None), targets, depth - 1) or any(
            _refers_to(a, targets, depth - 1) for a in getattr(obj, "_args", None) or ()
        )
    if isinstance(obj, functools.partial):
        return _refers_to(obj.func, targets, depth - 1) or any(
            _refers_to(a, targets, depth - 1) for a in (*obj.args, *obj.keywords.values())
        )
    if isinstance(obj, (list, tuple)):
        return any(_refers_to(o, targets, depth - 1) for o in obj)
    if (owner := getattr(obj, "__self__", None)) is not None:
        return _refers_to(owner, targets, depth - 1)
    if (closure := getattr(obj, "__closure__", None)) is not None:
        return any(_refers_to(cell.cell_contents, targets, depth - 1) for cell in closure if _filled(cell))
    for attribute in ("job", "controller", "action"):
        if (inner := getattr(obj, attribute, None)) is not None and _refers_to(inner, targets, depth - 1):
            return True
    return False


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:
        return False
    return True


class SafetyMachine(RuleBasedStateMachine):
    """One example: a fresh Home Assistant with one or two burners, driven by the rules below."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.errors: list[str] = []  # exceptions that escaped into Home Assistant's loop or were logged
        self.violations: list[str] = []
        self.models: list[BurnerModel] = []
        self.entries: list[MockConfigEntry] = []
        self.devices: dict[str, RelayDevice] = {}
        self.controllers: list[BurnerController] = []
        self.commanding: str | None = None  # the relay a command from the integration is changing now
        self._storage = mock_storage()
        self._storage.__enter__()
        self.freezer = freezegun.freeze_time(START)
        self.frozen = self.freezer.start()
        self._hass_cm = async_test_home_assistant()
        self.hass: HomeAssistant = self.run(self._hass_cm.__aenter__())
        self.loop.set_exception_handler(self._loop_exception)
        self._log_handler = _ErrorCollector(self.errors)
        logging.getLogger().addHandler(self._log_handler)
        self.closed = False

    # --- plumbing ---

    def run[T](self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def _loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        self.errors.append(f"loop: {context.get('message')} {context.get('exception')!r}")

    @property
    def now(self) -> float:
        return dt_util.utcnow().timestamp()

    def state(self, entity_id: str) -> str | None:
        state = self.hass.states.get(entity_id)
        return state.state if state else None

    async def _advance(self, seconds: float) -> None:
        """Move time forward, stopping at every scheduled wake-up on the way (in order)."""
        hass = self.hass
        await self._settle()
        target = self.now + seconds
        for _ in range(10_000):
            pending = [h.when() for h in hass.loop._scheduled if not h.cancelled()]
            loop_now = hass.loop.time()
            due = min(pending, default=math.inf) - loop_now + self.now
            if due > target:
                break
            # One millisecond past the wake-up: float timestamps never round it to just before.
            step = max(self.now, math.floor(due * 1000) / 1000 + 0.001)
            self.frozen.move_to(datetime.fromtimestamp(step, UTC))
            async_fire_time_changed_exact(hass, dt_util.utcnow())
            await self._settle()
        else:
            raise AssertionError("time could not advance: something reschedules itself forever")
        self.frozen.move_to(datetime.fromtimestamp(target, UTC))
        async_fire_time_changed_exact(hass, dt_util.utcnow())
        await self._settle()

    async def _settle(self) -> None:
        """Wait until nothing is left to run now: tasks, and the callbacks state trackers schedule with
        `call_soon` (Home Assistant dispatches a state change to them one loop iteration later)."""
        hass = self.hass
        for _ in range(100):
            await hass.async_block_till_done()
            if not hass.loop._ready:
                return
            await asyncio.sleep(0)
        raise AssertionError("Home Assistant does not settle")

    def model_of(self, index: int) -> BurnerModel:
        return self.models[index % len(self.models)]

    def entity(self, domain: str, model: BurnerModel, key: str | None = None) -> str | None:
        entry = self.entries[model.cfg.index]
        unique_id = entry.entry_id if key is None else f"{entry.entry_id}_{key}"
        return er.async_get(self.hass).async_get_entity_id(domain, DOMAIN, unique_id)

    # --- set-up ---

    @initialize(
        burners=st.lists(
            st.fixed_dictionaries(
                {
                    "wiring": st.sampled_from(["cut_when_on", "cut_when_off"]),
                    "flame": st.sampled_from([None, "binary", "numeric"]),
                    "presence": st.booleans(),
                    "hazards": st.sets(st.sampled_from(HAZARDS)),
                    "options": st.builds(
                        Options,
                        cut_seconds=st.integers(1, 10),
                        restores=st.booleans(),
                        warning_seconds=st.sampled_from([0, 10, 30, 60]),
                        verify_seconds=st.sampled_from([5, 10, 30, 60]),
                        max_on_minutes=st.sampled_from([0, 1, 2, 5]),
                        unattended_minutes=st.sampled_from([1, 2, 5]),
                    ),
                }
            ),
            min_size=1,
            max_size=2,
        )
    )
    def set_up(self, burners: list[dict[str, Any]]) -> None:
        self.run(self._set_up(burners))

    async def _set_up(self, burners: list[dict[str, Any]]) -> None:
        hass = self.hass
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)  # load custom_components/
        hass.bus.async_listen(EVENT_STATE_CHANGED, self._on_state_changed)
        for event_type in (
            EVENT_SHUT_OFF,
            EVENT_CUT_FAILED,
            EVENT_WARNING,
            EVENT_TIMER_STARTED,
            EVENT_TIMER_ENDED,
            EVENT_TIMER_CANCELLED,
        ):
            hass.bus.async_listen(event_type, self._on_guard_event)
        relays = {f"relay_{i}": {} for i in range(len(burners))}
        assert await async_setup_component(hass, "input_boolean", {"input_boolean": relays})
        for hazard in HAZARDS:
            hass.states.async_set(hazard, "off")
        hass.states.async_set(PRESENCE, "on")
        for index, spec in enumerate(burners):
            flame_kind = spec["flame"]
            flame_sensor = {
                None: None,
                "binary": f"binary_sensor.flame_{index}",
                "numeric": f"sensor.flame_temperature_{index}",
            }[flame_kind]
            if flame_sensor:
                hass.states.async_set(flame_sensor, "off" if flame_kind == "binary" else "20")
            options: Options = spec["options"]
            if flame_kind is None:
                options.max_on_minutes = 0  # watchdogs are modelled with a flame sensor only
            config = BurnerConfig(
                index=index,
                relay=f"input_boolean.relay_{index}",
                wiring=spec["wiring"],
                flame_kind=flame_kind,
                flame_sensor=flame_sensor,
                presence=spec["presence"] and flame_kind is not None,
                hazards=tuple(sorted(spec["hazards"])),
            )
            model = BurnerModel(config, options, self.violations)
            self.models.append(model)
            self.devices[config.relay] = RelayDevice(config.relay, model, faults=[])
            restored = "off" if config.wiring == "cut_when_on" else "on"
            await self._relay_entity(config.relay).async_turn_on() if restored == "on" else None
            STATS[f"config:flame:{flame_kind}"] += 1
        await self._settle()
        for service in ("turn_on", "turn_off"):
            hass.services.async_register("input_boolean", service, self._relay_service)
        for model in self.models:
            entry = MockConfigEntry(domain=DOMAIN, title=model.cfg.title, options=self._entry_options(model))
            entry.add_to_hass(hass)
            self.entries.append(entry)
            model.on_setup(self.state, self.now)
            assert await hass.config_entries.async_setup(entry.entry_id)
            self.controllers.append(entry.runtime_data)
        await self._settle()
        STATS["examples"] += 1
        STATS[f"burners:{len(burners)}"] += 1

    def _entry_options(self, model: BurnerModel) -> dict[str, Any]:
        cfg, opts = model.cfg, model.opts
        options: dict[str, Any] = {
            "name": cfg.title,
            "relay": cfg.relay,
            "wiring": cfg.wiring,
            "cut_seconds": opts.cut_seconds,
            "relay_restores_itself": opts.restores,
            "warning_seconds": opts.warning_seconds,
            "verify_seconds": opts.verify_seconds,
            "max_on_minutes": opts.max_on_minutes,
            "unattended_minutes": opts.unattended_minutes,
            "hazard_sensors": list(cfg.hazards),
        }
        if cfg.flame_sensor:
            options["flame_sensor"] = cfg.flame_sensor
            if cfg.flame_kind == "numeric":
                options["flame_on_above"] = ON_ABOVE
                options["flame_off_below"] = OFF_BELOW
        if cfg.presence:
            options["presence_sensor"] = PRESENCE
        return options

    def _relay_entity(self, entity_id: str) -> Any:
        component = self.hass.data["entity_components"]["input_boolean"]
        entity = component.get_entity(entity_id)
        assert entity is not None
        return entity

    # --- what the relays do with the commands they get ---

    async def _relay_service(self, call: ServiceCall) -> None:
        """input_boolean.turn_on/turn_off, as a relay with injected faults would carry them out."""
        on = call.service == "turn_on"
        entity_ids = call.data.get("entity_id", [])
        for entity_id in [entity_ids] if isinstance(entity_ids, str) else entity_ids:
            device = self.devices[entity_id]
            device.model.command_sent(on == (device.model.cfg.wiring == "cut_when_on"), self.now)
            if device.offline:
                raise HomeAssistantError(f"{entity_id} is offline")
            fault = device.faults.pop(0) if device.faults else None
            if fault is not None:
                device.model.fault_consumed()
                STATS[f"fault:{fault}"] += 1
            if fault == "raise":
                raise HomeAssistantError("injected relay failure")
            if fault == "ignore":
                continue
            if fault is not None and fault.startswith("late"):
                delay = float(fault.split(":")[1])
                async_call_later(self.hass, delay, functools.partial(self._late_command, entity_id, on))
                continue
            self.commanding = entity_id
            try:
                await self._apply(entity_id, on)
            finally:
                self.commanding = None

    @callback
    def _late_command(self, entity_id: str, on: bool, _now: datetime) -> None:
        if not self.devices[entity_id].offline:
            self.hass.async_create_task(self._apply(entity_id, on))

    async def _apply(self, entity_id: str, on: bool) -> None:
        entity = self._relay_entity(entity_id)
        await (entity.async_turn_on() if on else entity.async_turn_off())

    # --- listeners: the model hears every change before the integration does ---

    @callback
    def _on_state_changed(self, event: Event) -> None:
        entity_id = event.data["entity_id"]
        new = event.data["new_state"]
        value = new.state if new else None
        now = self.now
        try:
            for model in self.models:
                if entity_id == model.cfg.relay:
                    model.relay_changed(value, now, commanded=self.commanding == entity_id)
                elif entity_id == model.cfg.flame_sensor:
                    model.flame_changed(value, now)
                elif entity_id == PRESENCE:
                    model.presence_changed(value, now)
                elif entity_id in HAZARDS:
                    model.hazard_changed(entity_id, value, now)
        except Exception as err:  # noqa: BLE001 - a model bug must fail the example, not vanish in HA's log
            self.violations.append(f"model error on {entity_id}: {err!r}")

    @callback
    def _on_guard_event(self, event: Event) -> None:
        try:
            for model in self.models:
                if event.data.get("burner") == model.cfg.title:
                    model.on_event(event.event_type, dict(event.data), self.now)
                    return
            self.violations.append(f"event for an unknown burner: {event.event_type} {event.data}")
        except Exception as err:  # noqa: BLE001 - as above
            self.violations.append(f"model error on {event.event_type}: {err!r}")

    # --- rules: the outside world ---

    @precondition(lambda self: any(m.cfg.flame_kind for m in self.models))
    @rule(index=st.integers(0, 1), reading=st.integers(0, 3))
    def flame(self, index: int, reading: int) -> None:
        candidates = [m for m in self.models if m.cfg.flame_kind]
        model = candidates[index % len(candidates)]
        values = (
            ("on", "off", "unknown", "unavailable")
            if model.cfg.flame_kind == "binary"
            else ("150", "20", "75", "unknown")
        )
        assert model.cfg.flame_sensor
        self.hass.states.async_set(model.cfg.flame_sensor, values[reading])
        self.run(self._settle())

    @precondition(lambda self: any(m.cfg.presence for m in self.models))
    @rule(value=st.sampled_from(["on", "off", "off", "unknown"]))
    def presence(self, value: str) -> None:
        self.hass.states.async_set(PRESENCE, value)
        self.run(self._settle())

    @precondition(lambda self: any(m.cfg.hazards for m in self.models))
    @rule(
        hazard=st.sampled_from(HAZARDS), value=st.sampled_from(["on", "off", "off", "unknown", "unavailable"])
    )
    def hazard(self, hazard: str, value: str) -> None:
        self.hass.states.async_set(hazard, value)
        self.run(self._settle())

    @rule(index=st.integers(0, 1), seconds=st.one_of(st.integers(1, 120), st.integers(60, 1800)))
    def start_timer(self, index: int, seconds: int) -> None:
        model = self.model_of(index)
        self.run(self._timer_call(model, "start_timer", seconds))

    @rule(index=st.integers(0, 1), seconds=st.integers(1, 900))
    def extend_timer(self, index: int, seconds: int) -> None:
        model = self.model_of(index)
        self.run(self._timer_call(model, "extend_timer", seconds))

    @rule(index=st.integers(0, 1))
    def cancel_timer(self, index: int) -> None:
        model = self.model_of(index)
        self.run(self._timer_call(model, "cancel_timer", None))

    async def _timer_call(self, model: BurnerModel, service: str, seconds: int | None) -> None:
        now = self.now
        accepted = True
        if service == "start_timer":
            model.start_timer(seconds or 0, now)
        elif service == "extend_timer":
            accepted = model.extend_timer(seconds or 0, now)
        else:
            model.cancel_timer(now)
        data: dict[str, Any] = {"entity_id": self.entity("valve", model)}
        if seconds is not None:
            data["duration"] = seconds
        model.timer_op = True
        try:
            await self.hass.services.async_call(DOMAIN, service, data, blocking=True)
        except ServiceValidationError:
            if accepted:
                raise
        else:
            assert accepted, f"{service} {seconds}s should have been refused"
        finally:
            model.timer_op = False
        await self._settle()

    @rule(index=st.integers(0, 1), on=st.booleans())
    def lockout(self, index: int, on: bool) -> None:
        model = self.model_of(index)
        switch = self.entity("switch", model, "lockout")
        assert switch
        if self.state(switch) == "unavailable":
            return  # Home Assistant skips unavailable entities: nothing happens
        model.set_lockout(on, self.now)
        self.run(
            self.hass.services.async_call(
                "switch", "turn_on" if on else "turn_off", {"entity_id": switch}, blocking=True
            )
        )
        self.run(self._settle())
        STATS["lockout:" + ("on" if on else "off")] += 1

    @rule(index=st.integers(0, 1), via=st.sampled_from(["service", "service", "button", "valve"]))
    def shut_off(self, index: int, via: str) -> None:
        model = self.model_of(index)
        valve = self.entity("valve", model)
        button = self.entity("button", model, "shut_off")
        assert valve
        assert button
        if via != "service" and self.state(valve) == "unavailable":
            return  # entity actions skip unavailable entities; the burner's own service does not
        model.catch_up(self.now)
        model.request("manual", self.now)
        call = {
            "service": (DOMAIN, "shut_off", {"entity_id": valve}),
            "button": ("button", "press", {"entity_id": button}),
            "valve": ("valve", "close_valve", {"entity_id": valve}),
        }[via]
        self.run(self.hass.services.async_call(*call, blocking=True))
        self.run(self._settle())

    @rule(index=st.integers(0, 1), change=st.sampled_from(["unavailable", "back_cut", "back_restored"]))
    def relay_availability(self, index: int, change: str) -> None:
        """The relay drops off the network (its commands then raise), or comes back cut or restored."""
        model = self.model_of(index)
        device = self.devices[model.cfg.relay]
        if change == "unavailable":
            device.offline = True
            self.hass.states.async_set(model.cfg.relay, "unavailable")
        elif device.offline:
            device.offline = False
            cut = change == "back_cut"
            self.run(self._apply(model.cfg.relay, cut == (model.cfg.wiring == "cut_when_on")))
        else:
            return
        self.run(self._settle())
        STATS[f"relay:{change}"] += 1

    @rule(index=st.integers(0, 1))
    def relay_toggled_by_someone_else(self, index: int) -> None:
        model = self.model_of(index)
        if self.devices[model.cfg.relay].offline:
            return
        self.run(self._apply(model.cfg.relay, self.state(model.cfg.relay) != "on"))
        self.run(self._settle())
        STATS["relay:toggled_by_other"] += 1

    @rule(
        index=st.integers(0, 1),
        fault=st.sampled_from(["raise", "ignore", "late:2", "late:7"]),
        times=st.integers(1, 2),
    )
    def relay_fault(self, index: int, fault: str, times: int) -> None:
        """The relay's next command (or the next two: both attempts) raises, is ignored, or comes late."""
        model = self.model_of(index)
        faults = self.devices[model.cfg.relay].faults
        assert faults is not None
        faults.extend([fault] * times)

    @rule(seconds=st.floats(0.001, 12))
    def advance_a_little(self, seconds: float) -> None:
        self.run(self._advance(seconds))

    @rule(seconds=st.one_of(st.floats(10, 75), st.floats(60, 900)))
    def advance_a_lot(self, seconds: float) -> None:
        self.run(self._advance(seconds))

    @rule(
        kind=st.sampled_from(["options", "reload", "restart"]),
        index=st.integers(0, 1),
        options=st.builds(
            Options,
            cut_seconds=st.integers(1, 10),
            restores=st.booleans(),
            warning_seconds=st.sampled_from([0, 10, 30, 60]),
            verify_seconds=st.sampled_from([5, 10, 30, 60]),
            max_on_minutes=st.sampled_from([0, 1, 2, 5]),
            unattended_minutes=st.sampled_from([1, 2, 5]),
        ),
        downtime=st.one_of(st.floats(1, 120), st.floats(600, 4000)),
    )
    def reload_or_restart(self, kind: str, index: int, options: Options, downtime: float) -> None:
        """Options changed (the burner reloads), a reload, or Home Assistant restarting after a downtime."""
        model = self.model_of(index)
        if kind == "options":
            if model.cfg.flame_kind is None:
                options.max_on_minutes = 0
            if options == model.opts:
                options.restores = not options.restores  # an unchanged form does not reload
            self.run(self._change_options(model, options))
        elif kind == "reload":
            entry = self.entries[model.cfg.index]
            now = self.now
            model.on_unload(now)
            model.on_setup(self.state, now)
            assert self.run(self.hass.config_entries.async_reload(entry.entry_id))
            self.run(self._settle())
            self.controllers.append(entry.runtime_data)
        else:
            self.run(self._restart(downtime))
        STATS[kind] += 1

    async def _change_options(self, model: BurnerModel, options: Options) -> None:
        hass = self.hass
        entry = self.entries[model.cfg.index]
        cfg = model.cfg
        flame: dict[str, Any] = {
            "verify_seconds": options.verify_seconds,
            "max_on_minutes": options.max_on_minutes,
        }
        if cfg.flame_sensor:
            flame["flame_sensor"] = cfg.flame_sensor
            if cfg.flame_kind == "numeric":
                flame |= {"flame_on_above": ON_ABOVE, "flame_off_below": OFF_BELOW}
        watchdogs: dict[str, Any] = {
            "unattended_minutes": options.unattended_minutes,
            "hazard_sensors": list(cfg.hazards),
        }
        if cfg.presence:
            watchdogs["presence_sensor"] = PRESENCE
        result = await hass.config_entries.options.async_init(entry.entry_id)
        now = self.now
        model.on_unload(now)
        model.opts = options
        model.on_setup(self.state, now)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"],
            {
                "relay": cfg.relay,
                "wiring": cfg.wiring,
                "cut_seconds": options.cut_seconds,
                "relay_restores_itself": options.restores,
                "warning_seconds": options.warning_seconds,
                "flame": flame,
                "watchdogs": watchdogs,
            },
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY, result
        await self._settle()
        self.controllers.append(entry.runtime_data)

    async def _restart(self, downtime: float) -> None:
        """Home Assistant stops (every burner saves and unloads), stays down a while, and starts again."""
        hass = self.hass
        for model, entry in zip(self.models, self.entries, strict=True):
            model.on_unload(self.now)
            assert await hass.config_entries.async_unload(entry.entry_id)
        await self._settle()
        await self._advance(downtime)
        for model, entry in zip(self.models, self.entries, strict=True):
            model.on_setup(self.state, self.now)
            assert await hass.config_entries.async_setup(entry.entry_id)
            self.controllers.append(entry.runtime_data)
        await self._settle()

    # --- invariants ---

    @invariant()
    def safety(self) -> None:
        if not self.models:
            return
        now = self.now
        for model in self.models:
            model.check(now)
        assert not self.errors, "exception escaped into Home Assistant:\n" + "\n".join(self.errors)
        assert not self.violations, "safety property violated:\n" + "\n".join(self.violations)

    def teardown(self) -> None:
        try:
            if self.models and not self.errors and not self.violations:
                self.run(self._drain())
                self.safety()
                self.run(self._unload_and_check())
        finally:
            self._close()
        assert not self.errors, "exception escaped into Home Assistant:\n" + "\n".join(self.errors)
        assert not self.violations, "\n".join(self.violations)

    async def _drain(self) -> None:
        """Let every promise still open reach its deadline, so that none escapes the check."""
        deadlines = [p.deadline for m in self.models if m.loaded for p in m.promises]
        deadlines += [m.expected_timer["at"] + SLACK for m in self.models if m.expected_timer]
        if deadlines:
            await self._advance(max(deadlines) - self.now + 0.01)

    async def _unload_and_check(self) -> None:
        hass = self.hass
        for entry in self.entries:
            assert await hass.config_entries.async_unload(entry.entry_id)
        await self._settle()
        targets = tuple(self.controllers) + tuple(c.guard for c in self.controllers)
        left: list[str] = []
        for handle in hass.loop._scheduled:
            if not handle.cancelled() and _refers_to(handle, targets):
                left.append(f"scheduled: {handle!r}")
        for event_type, listeners in hass.bus._listeners.items():
            for listener in listeners:
                if _refers_to(listener, targets):
                    left.append(f"bus listener for {event_type}: {listener!r}")
        for key, value in list(hass.data.items()):
            callbacks = getattr(value, "callbacks", None)
            if isinstance(callbacks, dict):
                for tracked, jobs in callbacks.items():
                    if _refers_to(list(jobs), targets):
                        left.append(f"tracker {key} for {tracked}")
        for controller in self.controllers:
            if controller._listeners or controller._unsub_wakeup:
                left.append(f"controller of {controller.name} still has listeners or a wake-up")
        assert not left, "left behind after unload:\n" + "\n".join(left)

    def _close(self) -> None:
        if self.closed:
            return
        self.closed = True
        logging.getLogger().removeHandler(self._log_handler)
        try:
            self.run(self.hass.async_stop(force=True))
            self.run(self._hass_cm.__aexit__(None, None, None))
            self.run(asyncio.sleep(0))  # let the test harness forget this instance
            self.loop.run_until_complete(self.loop.shutdown_default_executor())
        finally:
            self.loop.close()
            self.freezer.stop()
            self._storage.__exit__(None, None, None)


class _ErrorCollector(logging.Handler):
    """Every logged traceback is an exception that escaped somewhere it should not have."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.errors = errors

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.name in ("asyncio", "homeassistant.core"):
            self.errors.append(f"{record.name}: {record.getMessage()}")


def _iter_stats() -> Iterator[str]:
    for key, count in sorted(STATS.items()):
        yield f"  {key}: {count}"


def test_safety_properties() -> None:
    """Random interleavings of everything that can happen to a burner never break the safety promises."""
    STATS.clear()
    run_state_machine_as_test(
        SafetyMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            derandomize=DERANDOMIZE,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    if PRINT_STATS:
        print("\n".join(("what the examples exercised:", *_iter_stats())))
    assert STATS["examples"] >= min(EXAMPLES, 100)
