"""The safety decisions of one burner: a small state machine that knows nothing of Home Assistant.

The controller feeds it what it observes (the relay, the flame, presence and hazard sensors, user requests)
together with the current time. It answers with effects (relay commands, events to fire, problems to raise)
and tells the controller the next instant it must be woken up. It never waits and never does I/O, which is
what lets property-based tests drive it through any interleaving.

Vocabulary. The relay sits in the burner's thermocouple loop. *Cut* opens the loop: the safeguard's magnet
lets go and the gas valve drops. *Restore* closes the loop again; gas stays off until someone presses the
knob and lights the burner by hand. A *pulse* is cut, hold `cut_seconds`, restore. A *hold* keeps the loop
open for as long as lockout or a hazard asks for it.

Promises this module keeps (see DEVELOPERS.md):
1. every promised shut-off ends in exactly one `ShutOff` or one `CutFailed` effect;
2. the loop is always restored after a pulse unless a hold asks otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
import math
from typing import Any

CONFIRM_TIMEOUT = timedelta(seconds=5)  # how long the relay gets to report a command
CONFIRM_ATTEMPTS = 2  # one command and one retry
SELF_RESTORE_MARGIN = timedelta(seconds=5)  # extra time a self-restoring relay gets to return on its own
RETRY_BACKOFF = timedelta(seconds=30)  # after a failed command, before a hold or restore is tried again
UNAVAILABLE_GRACE = timedelta(seconds=60)  # an unavailable relay becomes a repair issue after this
FLAME_OFF_CANCELS_TIMER = timedelta(seconds=60)
LATE_TIMER_LIMIT = timedelta(minutes=60)  # a timer missed by more than this is dropped, never carried out
LATE_TOLERANCE = timedelta(seconds=1)  # a shut-off this much after its due time is reported as late
MIN_TIMER = timedelta(seconds=1)
MAX_TIMER = timedelta(hours=24)


class Reason(StrEnum):
    """Why the loop was (or should have been) opened."""

    MANUAL = "manual"
    EXTERNAL = "external"
    TIMER = "timer"
    MAX_ON_TIME = "max_on_time"
    UNATTENDED = "unattended"
    HAZARD = "hazard"
    LOCKOUT = "lockout"  # only in CutFailed: lockout is a hold, not a shut-off


SHUT_OFF_REASONS: list[str] = [r.value for r in Reason if r is not Reason.LOCKOUT]
WARNING_REASONS: list[str] = [Reason.TIMER, Reason.MAX_ON_TIME, Reason.UNATTENDED]


class Relay(StrEnum):
    """What the relay reports, already translated through the wiring."""

    CUT = "cut"
    RESTORED = "restored"
    UNAVAILABLE = "unavailable"


class Problem(StrEnum):
    """Something that keeps a promise from being carried out."""

    RELAY_UNAVAILABLE = "relay_unavailable"
    RELAY_NOT_CONFIRMED = "relay_not_confirmed"
    RESTORE_FAILED = "restore_failed"
    FLAME_STILL_ON = "flame_still_on"


class ValveState(StrEnum):
    """The gas valve as the burner's main entity shows it."""

    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


class Phase(StrEnum):
    """Where a pulse is."""

    IDLE = "idle"
    CUTTING = "cutting"  # cut commanded, waiting for the relay to report it
    HOLDING = "holding"  # cut confirmed, keeping it for cut_seconds
    AWAIT_SELF_RESTORE = "await_self_restore"  # a self-restoring relay should return on its own
    RESTORING = "restoring"  # restore commanded or owed, waiting for the relay to report it


class TimerChange(StrEnum):
    """What happened to the cooking timer."""

    STARTED = "started"
    EXTENDED = "extended"
    ENDED = "ended"
    CANCELLED = "cancelled"


class InvalidDuration(ValueError):
    """A timer duration the guard refuses; `key` is the translation key of the explanation."""

    def __init__(self, key: str) -> None:
        """Remember which rule was broken."""
        super().__init__(key)
        self.key = key


@dataclass(frozen=True, slots=True)
class Settings:
    """The burner's options, as far as the safety decisions need them."""

    cut_seconds: float = 5
    relay_restores_itself: bool = False
    warning_seconds: float = 60
    flame_sensor: bool = False
    verify_seconds: float = 60
    max_on_minutes: float = 0
    presence_sensor: bool = False
    unattended_minutes: float = 15


@dataclass(frozen=True, slots=True)
class FlameThresholds:
    """Hysteresis for a numeric flame sensor: on above one value, off below another."""

    on_above: float
    off_below: float


def flame_from_state(
    state: str | None, previous: bool | None, thresholds: FlameThresholds | None
) -> bool | None:
    """Read a flame sensor's state: True burning, False out, None unknown.

    `state` is None when the sensor is missing, unavailable or unknown. Between the two thresholds of a
    numeric sensor the previous reading stands.
    """
    if state is None:
        return None
    if thresholds is None:
        return {"on": True, "off": False}.get(state)
    try:
        value = float(state)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    if value > thresholds.on_above:
        return True
    if value < thresholds.off_below:
        return False
    return previous


# --- effects: what the controller must carry out ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class SendRelay:
    """Command the relay: cut (open the loop) or restore (close it)."""

    cut: bool


@dataclass(frozen=True, slots=True)
class ShutOff:
    """A shut-off was carried out: the loop was opened (and, with a flame sensor, the flame seen out)."""

    reason: Reason
    at: datetime
    verified: bool
    late_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class Warn:
    """A shut-off is coming."""

    reason: Reason
    seconds_left: int
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class CutFailed:
    """A shut-off (or a hold) could not be carried out."""

    reason: Reason
    problem: Problem
    error: str | None = None


@dataclass(frozen=True, slots=True)
class TimerNotice:
    """The cooking timer started, was extended, ended or was cancelled."""

    change: TimerChange
    ends_at: datetime
    shut_off: bool = False  # ENDED: whether the end asks for a shut-off
    late_seconds: float | None = None  # ENDED while Home Assistant was down
    cause: str | None = None  # CANCELLED: "user", "flame_off" or "shut_off"


@dataclass(frozen=True, slots=True)
class TimerMissed:
    """A timer ended too long ago (Home Assistant was down) and was dropped instead of carried out."""

    ends_at: datetime


@dataclass(frozen=True, slots=True)
class ProblemChanged:
    """A problem appeared or went away."""

    problem: Problem
    active: bool


type Effect = SendRelay | ShutOff | Warn | CutFailed | TimerNotice | TimerMissed | ProblemChanged


# --- internal records -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Request:
    """A promised shut-off on its way to its one outcome."""

    reason: Reason
    due: datetime
    late_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class Timer:
    """A cooking timer. `armed_at` is when it was started or last extended."""

    armed_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class Countdown:
    """A coming shut-off: a timer or a watchdog whose condition holds."""

    armed_at: datetime
    ends_at: datetime


@dataclass(slots=True)
class Command:
    """A relay command waiting for the relay to report it."""

    cut: bool
    attempt: int
    deadline: datetime


def _late_seconds(now: datetime, due: datetime) -> float | None:
    return round((now - due).total_seconds(), 1) if now - due > LATE_TOLERANCE else None


class BurnerGuard:
    """Decides when one burner's loop is cut, held, restored, and when to warn."""

    def __init__(self, settings: Settings, saved: Mapping[str, Any] | None = None) -> None:
        """Start from the settings and, if given, the state saved before a restart or reload.

        Raises ValueError when `saved` cannot be read.
        """
        self.settings = settings
        # Persisted across restarts.
        self.lockout = False
        self.last_shut_off: tuple[Reason, datetime] | None = None
        self.timer: Timer | None = None
        self.assumed_open: bool | None = None
        self.burning_since: datetime | None = None
        self.hazards: set[str] = set()
        self._warned: dict[Reason, datetime] = {}  # countdown -> the end it was warned for
        self._fired: dict[Reason, datetime] = {}  # watchdog -> the end it shut off for
        self._pending: list[Request] = []  # promises in flight at the last save
        self._late: list[Request] = []  # failed because the relay was unavailable; carried out on return
        # Observed.
        self.relay = Relay.UNAVAILABLE
        self.flame: bool | None = None
        self.present: bool | None = None
        self.problems: set[Problem] = set()
        self._relay_seen = False
        self._unavailable_since: datetime | None = None
        self._flame_off_since: datetime | None = None
        self._absent_since: datetime | None = None
        # The pulse and the relay driver.
        self._phase = Phase.IDLE
        self._phase_deadline: datetime | None = None
        self._command: Command | None = None
        self._backoff_until: datetime | None = None
        self._backoff_cut = False  # the direction of the command that failed: only its retries wait
        self._cut_sent_at: datetime | None = None  # our last cut command, to know its late report as ours
        self._hold_failure_reported = False
        self._waiters: list[Request] = []  # waiting for the cut to be confirmed
        self._verifying: list[Request] = []  # cut confirmed, waiting for the flame to go out
        self._verify_deadline: datetime | None = None
        self._verify_retried = False
        self._effects: list[Effect] = []
        if saved:
            self._load(saved)

    # --- what the entities show -----------------------------------------------------------------

    @property
    def available(self) -> bool:
        """Whether the relay can be commanded at all."""
        return self.relay is not Relay.UNAVAILABLE

    @property
    def held(self) -> bool:
        """Whether lockout or a hazard keeps the loop open."""
        return self.lockout or bool(self.hazards)

    @property
    def hazard_active(self) -> bool:
        """Whether a hazard sensor holds the loop open."""
        return bool(self.hazards)

    @property
    def phase(self) -> Phase:
        """Where the current pulse is."""
        return self._phase

    @property
    def valve_state(self) -> ValveState | None:
        """The gas valve as best known: closing during a shut-off, closed while held, else flame or guess."""
        if self.held:
            return ValveState.CLOSED if self.relay is Relay.CUT else ValveState.CLOSING
        if self._phase in (Phase.CUTTING, Phase.HOLDING, Phase.AWAIT_SELF_RESTORE):
            return ValveState.CLOSING
        if self.settings.flame_sensor and self.flame is not None:
            return ValveState.OPEN if self.flame else ValveState.CLOSED
        if self.assumed_open is None:
            return None
        return ValveState.OPEN if self.assumed_open else ValveState.CLOSED

    @property
    def timer_ends_at(self) -> datetime | None:
        """When the running timer ends, if one runs."""
        return self.timer.ends_at if self.timer else None

    def next_deadline(self) -> datetime | None:
        """The next instant at which `tick` has work to do."""
        candidates = [
            self._command.deadline if self._command else None,
            self._phase_deadline,
            self._verify_deadline,
            self._backoff_until,
            self._unavailable_deadline(),
            self._flame_off_cancel_at(),
        ]
        for reason, countdown in self._countdowns().items():
            candidates.append(self._countdown_next(reason, countdown))
        return min((c for c in candidates if c is not None), default=None)

    # --- inputs -----------------------------------------------------------------------------------

    def start(
        self,
        now: datetime,
        *,
        relay: Relay,
        flame: bool | None = None,
        present: bool | None = None,
        hazards: Mapping[str, bool | None] | None = None,
    ) -> list[Effect]:
        """Take the first observations after a start-up or reload and reconcile with the saved state."""
        self.relay = relay
        self._relay_seen = relay is not Relay.UNAVAILABLE
        self._unavailable_since = now if relay is Relay.UNAVAILABLE else None
        if self.settings.flame_sensor:
            # Keep the saved burning_since when the flame still burns: max-on time counts across restarts.
            self._set_flame(flame, now)
        else:
            self.flame = None
        self._set_presence(present, now)
        saved_hazards = self.hazards
        # Only a hazard sensor known to be off releases a hold; one that is not known yet keeps it.
        self.hazards = {
            entity_id
            for entity_id, on in (hazards or {}).items()
            if on or (on is None and entity_id in saved_hazards)
        }
        if relay is Relay.CUT and not self.held:
            # Left cut by a restart mid-pulse or by an outage: restore, it is not a new shut-off.
            self._phase = Phase.RESTORING
        if self.hazards - saved_hazards:
            self._request(Request(Reason.HAZARD, now), now)
        pending, self._pending = self._pending, []
        for request in pending:
            self._request(Request(request.reason, request.due, _late_seconds(now, request.due)), now)
        if self.timer and now - self.timer.ends_at > LATE_TIMER_LIMIT:
            self._emit(TimerMissed(self.timer.ends_at))
            self.timer = None
        if relay is not Relay.UNAVAILABLE:
            self._relay_back(now)
        return self._settle(now)

    def tick(self, now: datetime) -> list[Effect]:
        """Handle whatever has come due."""
        return self._settle(now)

    def clock_stepped(self, step: timedelta) -> None:
        """The wall clock was stepped by `step` (NTP, a real-time clock set right) while no time passed.

        The guard keeps wall-clock instants (they must survive a restart) but measures real time with them, so
        the step is followed asymmetrically, never postponing a promised shut-off:

        - Back (`step` < 0), whatever its size: every kept instant moves back with the clock, so every
          deadline keeps the time it had left. Moving back never makes anything later, and not following would
          keep a pulse's loop open (the stove unusable) and a timer running as long as the clock went back.
        - Forward: only the pulse and relay driver's own instants move (a pulse's end, a command's
          confirmation time-out, the retry back-off, the cut sent, the flame verification time-out, the
          unavailable relay's grace), so a pulse keeps its full `cut_seconds` and each time-out its length.
          Timers, watchdogs, warnings and the promises' due times stay at their instants and come due by the
          wall clock: at most `step` early (a timer then ends marked late), never later than promised. Moving
          them would postpone them, and a forward step is also how a clock found behind is set right (a board
          without a real-time clock that booted behind and loaded a timer saved under the right time).

        The instant of the last shut-off is history and stays. Nothing comes due by this alone, so there are
        no effects; the caller plans its wake-up again from `next_deadline`.
        """

        def moved(at: datetime | None) -> datetime | None:
            return None if at is None else at + step

        def requests(requests: list[Request]) -> list[Request]:
            return [replace(r, due=r.due + step) for r in requests]

        # The pulse and the relay driver: moved either way.
        self._unavailable_since = moved(self._unavailable_since)
        self._phase_deadline = moved(self._phase_deadline)
        self._backoff_until = moved(self._backoff_until)
        self._verify_deadline = moved(self._verify_deadline)
        self._cut_sent_at = moved(self._cut_sent_at)
        if self._command is not None:
            self._command = replace(self._command, deadline=self._command.deadline + step)
        if step > timedelta(0):
            return
        # Timers, watchdogs and promises: moved back only.
        if self.timer is not None:
            self.timer = Timer(self.timer.armed_at + step, self.timer.ends_at + step)
        self.burning_since = moved(self.burning_since)
        # Kept equal to the countdowns' ends (which move with the timer, burning_since and _absent_since).
        self._warned = {reason: end + step for reason, end in self._warned.items()}
        self._fired = {reason: end + step for reason, end in self._fired.items()}
        self._pending = requests(self._pending)
        self._late = requests(self._late)
        self._waiters = requests(self._waiters)
        self._verifying = requests(self._verifying)
        self._flame_off_since = moved(self._flame_off_since)
        self._absent_since = moved(self._absent_since)

    def relay_changed(self, relay: Relay, now: datetime) -> list[Effect]:
        """The relay reported a new state."""
        old = self.relay
        if relay is old:
            return self._settle(now)
        self.relay = relay
        if relay is Relay.UNAVAILABLE:
            self._unavailable_since = now
            return self._settle(now)
        back = old is Relay.UNAVAILABLE
        if back:
            self._relay_seen = True
            self._unavailable_since = None
            self._backoff_until = None  # a relay back (reconnected, rebooted) gets its attempts at once
            self._set_problem(Problem.RELAY_UNAVAILABLE, False)
        if relay is Relay.CUT:
            if self._wants_cut():
                self._cut_confirmed(now)
            elif self._phase is Phase.IDLE:
                if back or self._own_late_cut(now):
                    # Came back cut (a reboot, an outage), or our own cut landed after it stopped being
                    # wanted (lockout turned off meanwhile): restore without calling it a shut-off.
                    self._phase = Phase.RESTORING
                else:
                    self._external_cut(now)
        elif self._phase in (Phase.HOLDING, Phase.AWAIT_SELF_RESTORE, Phase.RESTORING):
            # Restored by us, by the relay itself, or early by someone else: the pulse is over.
            self._restore_confirmed()
        if back:
            self._relay_back(now)
        return self._settle(now)

    def relay_command_failed(self, cut: bool, error: str, now: datetime) -> list[Effect]:
        """The service call carrying a relay command raised."""
        command = self._command
        if command is not None and command.cut == cut:
            if command.attempt < CONFIRM_ATTEMPTS:
                self._send(cut, command.attempt + 1, now)
            else:
                self._command_failed(now, error)
        return self._settle(now)

    def request_shut_off(self, reason: Reason, now: datetime) -> list[Effect]:
        """Someone or something asks for a shut-off."""
        self._request(Request(reason, now), now)
        return self._settle(now)

    def set_lockout(self, on: bool, now: datetime) -> list[Effect]:
        """Turn lockout on (hold the loop open) or off."""
        if on != self.lockout:
            was_held = self.held
            self.lockout = on
            self._hold_changed(was_held, now)
            if on and self.relay is Relay.UNAVAILABLE and self._relay_seen:
                self._hold_cannot_cut(Reason.LOCKOUT, Problem.RELAY_UNAVAILABLE)
        return self._settle(now)

    def hazard_changed(self, entity_id: str, on: bool | None, now: datetime) -> list[Effect]:
        """A hazard sensor changed: on shuts off at once and holds, off releases when all are off."""
        was_held = self.held
        if on and entity_id not in self.hazards:
            self.hazards.add(entity_id)
            self._hold_changed(was_held, now)
            self._request(Request(Reason.HAZARD, now), now)
        elif on is False and entity_id in self.hazards:
            self.hazards.discard(entity_id)
            self._hold_changed(was_held, now)
        return self._settle(now)

    def flame_changed(self, flame: bool | None, now: datetime) -> list[Effect]:
        """The flame sensor changed."""
        self._set_flame(flame, now)
        return self._settle(now)

    def presence_changed(self, present: bool | None, now: datetime) -> list[Effect]:
        """The presence sensor changed; unknown counts as nobody there."""
        self._set_presence(present, now)
        return self._settle(now)

    @staticmethod
    def check_duration(duration: timedelta) -> None:
        """Raise InvalidDuration unless 1 s <= duration <= 24 h."""
        if not MIN_TIMER <= duration <= MAX_TIMER:
            raise InvalidDuration("duration_out_of_range")

    def check_extend(self, duration: timedelta, now: datetime) -> None:
        """Raise InvalidDuration if extending by `duration` is refused."""
        self.check_duration(duration)
        if self.timer and self.timer.ends_at + duration - now > MAX_TIMER:
            raise InvalidDuration("timer_total_too_long")

    def start_timer(self, duration: timedelta, now: datetime) -> list[Effect]:
        """Start (or replace) the cooking timer; the user just said the burner burns."""
        self.check_duration(duration)
        self.timer = Timer(now, now + duration)
        self._mark_burning(now)
        self._emit(TimerNotice(TimerChange.STARTED, self.timer.ends_at))
        return self._settle(now)

    def extend_timer(self, duration: timedelta, now: datetime) -> list[Effect]:
        """Add to the running timer, or start one."""
        if self.timer is None:
            return self.start_timer(duration, now)
        self.check_extend(duration, now)
        self.timer = Timer(now, self.timer.ends_at + duration)
        self._emit(TimerNotice(TimerChange.EXTENDED, self.timer.ends_at))
        return self._settle(now)

    def cancel_timer(self, now: datetime) -> list[Effect]:
        """Stop the running timer, if any."""
        if self.timer:
            self._emit(TimerNotice(TimerChange.CANCELLED, self.timer.ends_at, cause="user"))
            self.timer = None
        return self._settle(now)

    # --- persistence and diagnostics --------------------------------------------------------------

    def as_saved(self) -> dict[str, Any]:
        """What must survive a restart, as JSON-ready data."""
        countdowns = self._countdowns()
        return {
            "lockout": self.lockout,
            "last_shut_off": (
                {"reason": self.last_shut_off[0], "at": self.last_shut_off[1].isoformat()}
                if self.last_shut_off
                else None
            ),
            "timer": (
                {"armed_at": self.timer.armed_at.isoformat(), "ends_at": self.timer.ends_at.isoformat()}
                if self.timer
                else None
            ),
            "assumed_open": self.assumed_open,
            "burning_since": self.burning_since.isoformat() if self.burning_since else None,
            "hazards": sorted(self.hazards),
            "warned": {
                r: at.isoformat()
                for r, at in self._warned.items()
                if r in countdowns and countdowns[r].ends_at == at
            },
            "fired": {
                r: at.isoformat()
                for r, at in self._fired.items()
                if r in countdowns and countdowns[r].ends_at == at
            },
            "pending": [_request_to_json(r) for r in (*self._pending, *self._waiters, *self._verifying)],
            "late": [_request_to_json(r) for r in self._late],
        }

    def _load(self, saved: Mapping[str, Any]) -> None:
        try:
            self.lockout = bool(saved.get("lockout", False))
            if last := saved.get("last_shut_off"):
                self.last_shut_off = (Reason(last["reason"]), datetime.fromisoformat(last["at"]))
            if timer := saved.get("timer"):
                self.timer = Timer(
                    datetime.fromisoformat(timer["armed_at"]), datetime.fromisoformat(timer["ends_at"])
                )
            assumed = saved.get("assumed_open")
            self.assumed_open = None if assumed is None else bool(assumed)
            if since := saved.get("burning_since"):
                self.burning_since = datetime.fromisoformat(since)
            self.hazards = {str(e) for e in saved.get("hazards", [])}
            self._warned = {
                Reason(r): datetime.fromisoformat(at) for r, at in saved.get("warned", {}).items()
            }
            self._fired = {Reason(r): datetime.fromisoformat(at) for r, at in saved.get("fired", {}).items()}
            self._pending = [_request_from_json(r) for r in saved.get("pending", [])]
            self._late = [_request_from_json(r) for r in saved.get("late", [])]
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise ValueError(f"unreadable saved state: {err!r}") from err

    def describe(self) -> dict[str, Any]:
        """Everything the guard knows, for diagnostics."""
        return {
            "relay": self.relay,
            "phase": self._phase,
            "phase_deadline": self._phase_deadline,
            "command": (
                {
                    "cut": self._command.cut,
                    "attempt": self._command.attempt,
                    "deadline": self._command.deadline,
                }
                if self._command
                else None
            ),
            "backoff_until": self._backoff_until,
            "held": self.held,
            "lockout": self.lockout,
            "hazards": sorted(self.hazards),
            "flame": self.flame,
            "present": self.present,
            "burning_since": self.burning_since,
            "valve_state": self.valve_state,
            "timer": {"armed_at": self.timer.armed_at, "ends_at": self.timer.ends_at} if self.timer else None,
            "countdowns": {r: c.ends_at for r, c in self._countdowns().items()},
            "waiting_for_cut": [r.reason for r in self._waiters],
            "verifying": [r.reason for r in self._verifying],
            "verify_deadline": self._verify_deadline,
            "late": [r.reason for r in self._late],
            "problems": sorted(self.problems),
            "next_deadline": self.next_deadline(),
        }

    # --- the pulse and the relay driver ----------------------------------------------------------

    def _emit(self, effect: Effect) -> None:
        self._effects.append(effect)

    def _settle(self, now: datetime) -> list[Effect]:
        # Each pass handles one due item; the bound only guards against a bug looping forever.
        for _ in range(1000):
            if not self._handle_one_due(now):
                break
        self._drive(now)
        effects, self._effects = self._effects, []
        return effects

    def _wanted(self) -> bool | None:
        """What the relay should report now: cut, restored, or None to leave it be."""
        if self.held:
            return True
        if self._phase in (Phase.CUTTING, Phase.HOLDING):
            return True
        if self._phase is Phase.RESTORING:
            return False
        return None

    def _wants_cut(self) -> bool:
        return self._wanted() is True or self._phase is Phase.AWAIT_SELF_RESTORE

    def _drive(self, now: datetime) -> None:
        """Command the relay towards what is wanted, unless a command for it already waits."""
        want = self._wanted()
        if want is None:
            return
        if self._command is not None and self._command.cut != want:
            self._command = None  # superseded
        if self.relay is Relay.UNAVAILABLE:
            return
        if (self.relay is Relay.CUT) == want:
            # Already there (a hold released onto a cut relay, a restore nobody had to make): settle it.
            if want and (self._waiters or self._phase is Phase.CUTTING):
                self._cut_confirmed(now)
            elif not want:
                self._restore_confirmed()
            return
        if self._command is not None:
            return
        if self._backoff_until is not None and now < self._backoff_until and want == self._backoff_cut:
            return  # only retries wait: restoring a loop opened after a failed cut is not one
        self._send(want, 1, now)

    def _send(self, cut: bool, attempt: int, now: datetime) -> None:
        self._command = Command(cut, attempt, now + CONFIRM_TIMEOUT)
        self._cut_sent_at = now if cut else None
        self._emit(SendRelay(cut))

    def _own_late_cut(self, now: datetime) -> bool:
        """Whether a cut report can be the late landing of our own cut command."""
        return self._cut_sent_at is not None and now - self._cut_sent_at <= CONFIRM_TIMEOUT

    def _command_failed(self, now: datetime, error: str | None = None) -> None:
        assert self._command is not None
        cut = self._command.cut
        self._command = None
        self._backoff_until, self._backoff_cut = now + RETRY_BACKOFF, cut
        if not cut:
            self._set_problem(Problem.RESTORE_FAILED, True)
            return
        problem = (
            Problem.RELAY_UNAVAILABLE if self.relay is Relay.UNAVAILABLE else Problem.RELAY_NOT_CONFIRMED
        )
        self._cut_not_done(problem, error)

    def _cut_not_done(self, problem: Problem, error: str | None = None) -> None:
        """The cut could not be made: every waiting promise gets its one CutFailed."""
        waiters, self._waiters = self._waiters, []
        if self._phase is Phase.CUTTING:
            self._phase = Phase.IDLE
        for request in waiters:
            self._emit(CutFailed(request.reason, problem, error))
            if problem is Problem.RELAY_UNAVAILABLE:
                self._queue_late(request)
        if self.held:
            if not waiters:
                self._hold_cannot_cut(Reason.HAZARD if self.hazards else Reason.LOCKOUT, problem, error)
            self._hold_failure_reported = True
        self._set_problem(problem, True)

    def _hold_cannot_cut(self, reason: Reason, problem: Problem, error: str | None = None) -> None:
        """Say once per hold that it cannot be applied; the hold keeps retrying quietly."""
        if not self._hold_failure_reported:
            self._emit(CutFailed(reason, problem, error))
            self._hold_failure_reported = True
        self._set_problem(problem, True)

    def _cut_confirmed(self, now: datetime) -> None:
        if self._command is not None and self._command.cut:
            self._command = None
            self._backoff_until = None
        self._set_problem(Problem.RELAY_NOT_CONFIRMED, False)
        self._hold_failure_reported = False
        if self._phase is Phase.CUTTING:
            self._begin_hold_phase(now)
        self._loop_opened(now)
        waiters, self._waiters = self._waiters, []
        for request in waiters:
            self._resolve(request, now)

    def _begin_hold_phase(self, now: datetime) -> None:
        cut = timedelta(seconds=self.settings.cut_seconds)
        if self.settings.relay_restores_itself:
            self._phase, self._phase_deadline = Phase.AWAIT_SELF_RESTORE, now + cut + SELF_RESTORE_MARGIN
        else:
            self._phase, self._phase_deadline = Phase.HOLDING, now + cut

    def _loop_opened(self, now: datetime) -> None:
        """With the loop open the valve has dropped; without a flame sensor that is all we know."""
        self.assumed_open = False
        if not self.settings.flame_sensor:
            self.burning_since = None

    def _external_cut(self, now: datetime) -> None:
        """Someone else cut the loop (the relay's button, another app): a shut-off we restore after it."""
        self._begin_hold_phase(now)
        self._loop_opened(now)
        self._resolve(Request(Reason.EXTERNAL, now), now)

    def _restore_confirmed(self) -> None:
        if self._command is not None and not self._command.cut:
            self._command = None
            self._backoff_until = None
        self._phase, self._phase_deadline = Phase.IDLE, None
        self._set_problem(Problem.RESTORE_FAILED, False)

    def _request(self, request: Request, now: datetime) -> None:
        if self.relay is Relay.UNAVAILABLE and self._relay_seen:
            self._emit(CutFailed(request.reason, Problem.RELAY_UNAVAILABLE))
            self._set_problem(Problem.RELAY_UNAVAILABLE, True)
            self._queue_late(request)
            return
        # A new promise gets its attempts at once; the back-off only paces retries of a command that failed.
        self._backoff_until = None
        # Before the relay was first seen (start-up), requests wait up to UNAVAILABLE_GRACE for it.
        if all(w.reason is not request.reason for w in self._waiters):
            self._waiters.append(request)
        if not self.held and self._phase in (Phase.IDLE, Phase.RESTORING):
            self._phase, self._phase_deadline = Phase.CUTTING, None
        if self.relay is Relay.CUT and self._wants_cut():
            self._cut_confirmed(now)  # the loop is open already: no second pulse

    def _queue_late(self, request: Request) -> None:
        if all(r.reason is not request.reason for r in self._late):
            self._late.append(request)

    def _relay_back(self, now: datetime) -> None:
        """Carry out the shut-offs the unavailable relay could not, unless the flame is known to be out."""
        late, self._late = self._late, []
        for request in late:
            if self.settings.flame_sensor and self.flame is False:
                continue
            self._request(
                Request(request.reason, request.due, round((now - request.due).total_seconds(), 1)), now
            )

    def _resolve(self, request: Request, now: datetime) -> None:
        """The loop is open for this request: announce it, or first wait for the flame to go out."""
        if self.settings.flame_sensor and self.flame is True:
            self._verifying.append(request)
            if self._verify_deadline is None:
                self._verify_deadline = now + timedelta(seconds=self.settings.verify_seconds)
                self._verify_retried = False
            return
        self._announce(request, now, verified=self.settings.flame_sensor and self.flame is False)

    def _announce(self, request: Request, now: datetime, *, verified: bool) -> None:
        self.last_shut_off = (request.reason, now)
        self._emit(ShutOff(request.reason, now, verified, request.late_seconds))
        if self.timer and request.reason is not Reason.TIMER and self.timer.ends_at > now:
            # The burner was shut off before its timer ended: the timer has done its job. (A timer that has
            # ended, say while Home Assistant was down, is ended as such: its promised shut-off is kept.)
            self._emit(TimerNotice(TimerChange.CANCELLED, self.timer.ends_at, cause="shut_off"))
            self.timer = None

    def _hold_changed(self, was_held: bool, now: datetime) -> None:
        if self.held and not was_held:
            # The hold owns the relay now; a pulse in progress is absorbed into it. It is tried at once.
            self._phase, self._phase_deadline = Phase.IDLE, None
            self._backoff_until = None
            if self.relay is Relay.CUT:
                self._loop_opened(now)
        elif was_held and not self.held:
            self._hold_failure_reported = False
            if self._waiters:
                self._phase = Phase.CUTTING
            elif self.relay is Relay.CUT or (self._command is not None and self._command.cut):
                self._phase = Phase.RESTORING

    def _set_problem(self, problem: Problem, active: bool) -> None:
        if active != (problem in self.problems):
            if active:
                self.problems.add(problem)
            else:
                self.problems.discard(problem)
            self._emit(ProblemChanged(problem, active))

    # --- flame, presence, timers and watchdogs -----------------------------------------------------

    def _set_flame(self, flame: bool | None, now: datetime) -> None:
        if not self.settings.flame_sensor:
            return
        previous, self.flame = self.flame, flame
        if flame is True:
            self._flame_off_since = None
            self.assumed_open = True
            if self.burning_since is None:
                self.burning_since = now
        elif flame is False:
            if previous is not False or self._flame_off_since is None:
                self._flame_off_since = now
            self.burning_since = None
            self.assumed_open = False
            if self._verifying:
                verifying, self._verifying = self._verifying, []
                self._verify_deadline = None
                for request in verifying:
                    self._announce(request, now, verified=True)
                self._set_problem(Problem.FLAME_STILL_ON, False)
        else:
            # Not knowing is not "off for 60 s straight"; burning_since stays, the last known state stands.
            self._flame_off_since = None

    def _set_presence(self, present: bool | None, now: datetime) -> None:
        self.present = present
        if present is True:
            self._absent_since = None
        elif self._absent_since is None:
            self._absent_since = now

    def _mark_burning(self, now: datetime) -> None:
        self.assumed_open = True
        if not self.settings.flame_sensor and self.burning_since is None:
            self.burning_since = now

    def _countdowns(self) -> dict[Reason, Countdown]:
        """The shut-offs that are coming, each with when it was armed and when it ends."""
        countdowns: dict[Reason, Countdown] = {}
        if self.timer:
            countdowns[Reason.TIMER] = Countdown(self.timer.armed_at, self.timer.ends_at)
        if self.burning_since is not None:
            if self.settings.max_on_minutes > 0:
                countdowns[Reason.MAX_ON_TIME] = Countdown(
                    self.burning_since, self.burning_since + timedelta(minutes=self.settings.max_on_minutes)
                )
            if self.settings.presence_sensor and self._absent_since is not None:
                start = max(self.burning_since, self._absent_since)
                countdowns[Reason.UNATTENDED] = Countdown(
                    start, start + timedelta(minutes=self.settings.unattended_minutes)
                )
        return countdowns

    def _warn_at(self, reason: Reason, countdown: Countdown) -> datetime | None:
        """When to warn for a countdown, or None: no warning, or already warned."""
        if self.settings.warning_seconds <= 0 or self._warned.get(reason) == countdown.ends_at:
            return None
        warn_at = countdown.ends_at - timedelta(seconds=self.settings.warning_seconds)
        # No warning when the whole countdown is shorter than the warning itself (as long: at its start).
        return warn_at if warn_at >= countdown.armed_at else None

    def _countdown_next(self, reason: Reason, countdown: Countdown) -> datetime | None:
        if self._fired.get(reason) == countdown.ends_at:
            return None
        warn_at = self._warn_at(reason, countdown)
        return warn_at if warn_at is not None and warn_at < countdown.ends_at else countdown.ends_at

    def _unavailable_deadline(self) -> datetime | None:
        if self._unavailable_since is None or self.relay is not Relay.UNAVAILABLE:
            return None
        if Problem.RELAY_UNAVAILABLE in self.problems and self._relay_seen:
            return None
        return self._unavailable_since + UNAVAILABLE_GRACE

    def _flame_off_cancel_at(self) -> datetime | None:
        if self.timer is None or self._flame_off_since is None:
            return None
        return max(self._flame_off_since, self.timer.armed_at) + FLAME_OFF_CANCELS_TIMER

    def _handle_one_due(self, now: datetime) -> bool:
        """Handle the first thing that has come due; False when nothing has."""
        if self._command is not None and now >= self._command.deadline:
            if self._command.cut != self._wanted():
                self._command = None
            elif self._command.attempt < CONFIRM_ATTEMPTS:
                self._send(self._command.cut, self._command.attempt + 1, now)
            else:
                self._command_failed(now)
            return True
        if self._phase_deadline is not None and now >= self._phase_deadline:
            self._phase_deadline = None
            self._phase = Phase.RESTORING  # cut_seconds are over, or the relay did not return on its own
            return True
        if self._verify_deadline is not None and now >= self._verify_deadline:
            self._verification_due(now)
            return True
        if self._backoff_until is not None and now >= self._backoff_until:
            self._backoff_until = None
            return True
        if (deadline := self._unavailable_deadline()) is not None and now >= deadline:
            if not self._relay_seen:
                # Start-up: the relay never appeared; the promises waiting for it fail loudly now.
                self._relay_seen = True
                self._cut_not_done(Problem.RELAY_UNAVAILABLE)
            self._set_problem(Problem.RELAY_UNAVAILABLE, True)
            return True
        if (cancel_at := self._flame_off_cancel_at()) is not None and now >= cancel_at:
            assert self.timer is not None
            self._emit(TimerNotice(TimerChange.CANCELLED, self.timer.ends_at, cause="flame_off"))
            self.timer = None
            return True
        for reason, countdown in self._countdowns().items():
            if self._fired.get(reason) == countdown.ends_at:
                continue
            warn_at = self._warn_at(reason, countdown)
            if warn_at is not None and warn_at <= now < countdown.ends_at:
                self._warned[reason] = countdown.ends_at
                seconds_left = math.ceil((countdown.ends_at - now).total_seconds())
                self._emit(Warn(reason, seconds_left, countdown.ends_at))
                return True
            if now >= countdown.ends_at:
                self._countdown_ended(reason, countdown, now)
                return True
        return False

    def _countdown_ended(self, reason: Reason, countdown: Countdown, now: datetime) -> None:
        late_seconds = _late_seconds(now, countdown.ends_at)
        if reason is Reason.TIMER:
            self.timer = None
            if now - countdown.ends_at > LATE_TIMER_LIMIT:
                # The clock was set forward by hours (or Home Assistant stalled that long): as after a
                # restart, never a surprise cut of someone's cooking long after the timer was meant to end.
                self._emit(TimerMissed(countdown.ends_at))
                return
            # No pulse when the flame is known to be out: there is nothing to shut off.
            shut_off = not (self.settings.flame_sensor and self.flame is False)
            self._emit(TimerNotice(TimerChange.ENDED, countdown.ends_at, shut_off, late_seconds))
            if not shut_off:
                return
        else:
            self._fired[reason] = countdown.ends_at
        self._request(Request(reason, countdown.ends_at, late_seconds), now)

    def _verification_due(self, now: datetime) -> None:
        if self.flame is True and not self._verify_retried:
            # Still burning: one more pulse, then give it another verify_seconds.
            self._verify_retried = True
            self._verify_deadline = now + timedelta(seconds=self.settings.verify_seconds)
            if not self.held and self._phase in (Phase.IDLE, Phase.RESTORING):
                self._phase, self._phase_deadline = Phase.CUTTING, None
            return
        verifying, self._verifying = self._verifying, []
        self._verify_deadline = None
        if self.flame is True:
            for request in verifying:
                self._emit(CutFailed(request.reason, Problem.FLAME_STILL_ON))
            self._set_problem(Problem.FLAME_STILL_ON, True)
        else:
            # The flame sensor went quiet: the loop was opened, but nobody saw the flame go out.
            for request in verifying:
                self._announce(request, now, verified=False)


def _request_to_json(request: Request) -> dict[str, Any]:
    return {"reason": request.reason, "due": request.due.isoformat(), "late_seconds": request.late_seconds}


def _request_from_json(data: Mapping[str, Any]) -> Request:
    return Request(Reason(data["reason"]), datetime.fromisoformat(data["due"]), data.get("late_seconds"))


def hazards_from_states(states: Iterable[tuple[str, str | None]]) -> dict[str, bool | None]:
    """Map hazard sensors' raw states to on/off/unknown."""
    return {entity_id: {"on": True, "off": False}.get(state or "") for entity_id, state in states}
