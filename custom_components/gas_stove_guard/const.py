"""Constants for Gas Stove Guard."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

DOMAIN: Final = "gas_stove_guard"

# Options (all stored in entry.options, helper style).
CONF_RELAY: Final = "relay"
CONF_WIRING: Final = "wiring"
CONF_CUT_SECONDS: Final = "cut_seconds"
CONF_RELAY_RESTORES_ITSELF: Final = "relay_restores_itself"
CONF_WARNING_SECONDS: Final = "warning_seconds"
CONF_FLAME_SENSOR: Final = "flame_sensor"
CONF_FLAME_ON_ABOVE: Final = "flame_on_above"
CONF_FLAME_OFF_BELOW: Final = "flame_off_below"
CONF_VERIFY_SECONDS: Final = "verify_seconds"
CONF_MAX_ON_MINUTES: Final = "max_on_minutes"
CONF_PRESENCE_SENSOR: Final = "presence_sensor"
CONF_UNATTENDED_MINUTES: Final = "unattended_minutes"
CONF_HAZARD_SENSORS: Final = "hazard_sensors"


class Wiring(StrEnum):
    """Which relay state opens the thermocouple loop."""

    CUT_WHEN_ON = "cut_when_on"  # normally-closed contacts: an unpowered relay leaves the stove stock
    CUT_WHEN_OFF = "cut_when_off"


DEFAULT_WIRING: Final = Wiring.CUT_WHEN_ON
DEFAULT_CUT_SECONDS: Final = 5
DEFAULT_WARNING_SECONDS: Final = 60
DEFAULT_VERIFY_SECONDS: Final = 60
DEFAULT_MAX_ON_MINUTES: Final = 0
DEFAULT_UNATTENDED_MINUTES: Final = 15
DEFAULT_TIMER_MINUTES: Final = 15

# Inclusive ranges of the numeric options: (min, max).
RANGES: Final[dict[str, tuple[float, float]]] = {
    CONF_CUT_SECONDS: (1, 60),
    CONF_WARNING_SECONDS: (0, 600),
    CONF_VERIFY_SECONDS: (5, 600),
    CONF_MAX_ON_MINUTES: (0, 1440),
    CONF_UNATTENDED_MINUTES: (1, 240),
}
TIMER_MINUTES_RANGE: Final = (1, 720)

RELAY_DOMAINS: Final = ("switch", "input_boolean")

# Bus events; their data is documented in the README.
EVENT_SHUT_OFF: Final = f"{DOMAIN}_shut_off"
EVENT_WARNING: Final = f"{DOMAIN}_warning"
EVENT_CUT_FAILED: Final = f"{DOMAIN}_cut_failed"
EVENT_TIMER_STARTED: Final = f"{DOMAIN}_timer_started"
EVENT_TIMER_ENDED: Final = f"{DOMAIN}_timer_ended"
EVENT_TIMER_CANCELLED: Final = f"{DOMAIN}_timer_cancelled"

# Services.
SERVICE_SHUT_OFF: Final = "shut_off"
SERVICE_START_TIMER: Final = "start_timer"
SERVICE_EXTEND_TIMER: Final = "extend_timer"
SERVICE_CANCEL_TIMER: Final = "cancel_timer"
ATTR_DURATION: Final = "duration"

ATTR_BURNER: Final = "burner"
ATTR_REASON: Final = "reason"
ATTR_PROBLEM: Final = "problem"
ATTR_LATE: Final = "late"
ATTR_LATE_SECONDS: Final = "late_seconds"
ATTR_VERIFIED: Final = "verified"
ATTR_SECONDS_LEFT: Final = "seconds_left"
ATTR_ENDS_AT: Final = "ends_at"
ATTR_AT: Final = "at"

STORAGE_VERSION: Final = 1
