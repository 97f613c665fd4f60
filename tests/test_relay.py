"""The relay contract: pulses, holds, faults, restarts and unloads, with input_boolean and template relays.

Time is simulated (freezer + async_fire_time_changed_exact) so that every boundary can be checked to the
millisecond: a relay held cut for `cut_seconds` is still cut one millisecond before and restored at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
import json
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_CALL_SERVICE, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    area_registry as ar,
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.json import JSONEncoder
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed_exact,
)
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
import voluptuous as vol

from custom_components.gas_stove_guard.const import (
    DOMAIN,
    EVENT_CUT_FAILED,
    EVENT_SHUT_OFF,
)
from custom_components.gas_stove_guard.diagnostics import async_get_config_entry_diagnostics

from .conftest import add_burner

RELAY = "input_boolean.relay"
RELAY2 = "input_boolean.relay2"
RELAY3 = "input_boolean.relay3"
BACKING = "input_boolean.backing"  # what the template relays report
ONLINE = "input_boolean.online"  # whether the template relay is available
TEMPLATE_RELAY = "switch.template_relay"
DEAF_RELAY = "switch.deaf_relay"  # reports the backing boolean, but its commands do nothing
FLAME_SOURCE = "input_boolean.flame_source"
FLAME = "binary_sensor.flame"  # a template flame sensor that follows FLAME_SOURCE

VALVE = "valve.left_burner"
BUTTON = "button.left_burner_shut_off"
LOCKOUT = "switch.left_burner_lockout"
LAST = "sensor.left_burner_last_shut_off"
BURNER_ENTITIES = (VALVE, BUTTON, LOCKOUT, LAST, "sensor.left_burner_timer_ends")


# --- fixtures and helpers ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
async def helpers(hass: HomeAssistant) -> None:
    """Input booleans (relays and what drives the template relays) and two template switch relays."""
    assert await async_setup_component(
        hass,
        "input_boolean",
        {
            "input_boolean": {
                "relay": {},
                "relay2": {},
                "relay3": {},
                "backing": {},
                "online": {"initial": True},
                "flame_source": {},
            }
        },
    )
    state = "{{ is_state('input_boolean.backing', 'on') }}"
    backing = {"entity_id": BACKING}
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "switch": [
                        {
                            "name": "Template relay",
                            "unique_id": "template_relay",
                            "state": state,
                            "availability": "{{ is_state('input_boolean.online', 'on') }}",
                            "turn_on": [{"action": "input_boolean.turn_on", "target": backing}],
                            "turn_off": [{"action": "input_boolean.turn_off", "target": backing}],
                        },
                        {
                            "name": "Deaf relay",
                            "state": state,
                            "turn_on": [{"event": "deaf_relay_ignored"}],
                            "turn_off": [{"event": "deaf_relay_ignored"}],
                        },
                    ],
                    "binary_sensor": [
                        {"name": "Flame", "state": "{{ is_state('input_boolean.flame_source', 'on') }}"}
                    ],
                }
            ]
        },
    )
    await hass.async_block_till_done()
    assert hass.states.get(TEMPLATE_RELAY).state == "off"
    assert hass.states.get(DEAF_RELAY).state == "off"


@dataclass
class Watch:
    """What the burners did: service calls, shut-offs and failures."""

    calls: list[Event]
    shut_offs: list[Event]
    failures: list[Event]

    def relay(self, entity_id: str = RELAY) -> list[str]:
        """The services called on one relay, in order."""
        return [service for service, relay in self._addressed() if relay == entity_id]

    def any_relay(self) -> list[tuple[str, str]]:
        """(service, relay) for every relay a turn_on/turn_off addressed."""
        return [
            (service, relay) for service, relay in self._addressed() if service in ("turn_on", "turn_off")
        ]

    def _addressed(self) -> list[tuple[str, str]]:
        """(service, entity) for every entity each call addressed (burners deciding together share a call)."""
        return [
            (c.data["service"], entity_id)
            for c in self.calls
            if c.data["domain"] in ("input_boolean", "switch")
            for entity_id in cv.ensure_list(c.data["service_data"].get("entity_id"))
        ]

    def clear(self) -> None:
        self.calls.clear()
        self.shut_offs.clear()
        self.failures.clear()


@pytest.fixture
def watch(hass: HomeAssistant) -> Watch:
    return Watch(
        async_capture_events(hass, EVENT_CALL_SERVICE),
        async_capture_events(hass, EVENT_SHUT_OFF),
        async_capture_events(hass, EVENT_CUT_FAILED),
    )


async def settle(hass: HomeAssistant) -> None:
    """Run everything that is pending, including state changes caused by relay commands of relay commands."""
    for _ in range(10):
        await hass.async_block_till_done()


async def advance(hass: HomeAssistant, freezer: Any, seconds: float) -> None:
    """Let simulated time pass and run whatever came due, exactly at the new instant."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed_exact(hass)
    await settle(hass)


def state(hass: HomeAssistant, entity_id: str) -> str:
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


async def call(hass: HomeAssistant, domain: str, service: str, data: dict[str, Any] | None = None) -> None:
    await hass.services.async_call(domain, service, data or {}, blocking=True)
    await settle(hass)


async def press(hass: HomeAssistant, button: str = BUTTON) -> None:
    await call(hass, "button", "press", {"entity_id": button})


def issue(hass: HomeAssistant, key: str, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{key}_{entry.entry_id}")


def burner_issues(hass: HomeAssistant, entry: MockConfigEntry) -> set[str]:
    return {i for (d, i) in ir.async_get(hass).issues if d == DOMAIN and i.endswith(f"_{entry.entry_id}")}


async def notifications(hass: HomeAssistant, hass_ws_client: Any) -> dict[str, dict[str, Any]]:
    """The persistent notifications, as the frontend reads them."""
    assert await async_setup_component(hass, "persistent_notification", {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "persistent_notification/get"})
    msg = await client.receive_json()
    assert msg["success"]
    return {n["notification_id"]: n for n in msg["result"]}


def storage_key(entry: MockConfigEntry) -> str:
    return f"{DOMAIN}.{entry.entry_id}"


def shut_off_data(
    reason: str = "manual", *, burner: str = "Left burner", valve: str = VALVE
) -> dict[str, Any]:
    return {"entity_id": valve, "burner": burner, "reason": reason, "verified": False, "late": False}


def saved_burner(hass_storage: dict[str, Any], entry: MockConfigEntry, guard: dict[str, Any]) -> None:
    hass_storage[storage_key(entry)] = {
        "version": 1,
        "minor_version": 1,
        "key": storage_key(entry),
        "data": {"guard": guard, "timer_minutes": 20},
    }


def burner_entry(**options: Any) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="Left burner",
        entry_id="left_burner_entry",
        options={"name": "Left burner", "relay": RELAY, **options},
    )


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def replace_service(hass: HomeAssistant, domain: str, service: str, handler: Any) -> list[ServiceCall]:
    """Replace a relay service after set-up (a relay that ignores or refuses commands); returns its calls."""
    received: list[ServiceCall] = []

    async def recorded(call: ServiceCall) -> None:
        received.append(call)
        await handler(call)

    hass.services.async_register(domain, service, recorded)
    return received


async def ignore(call: ServiceCall) -> None:
    """A relay that accepts the command and does nothing."""


async def refuse(call: ServiceCall) -> None:
    """A relay whose integration raises."""
    raise HomeAssistantError("relay offline")


# --- one shut-off: the pulse --------------------------------------------------------------------------


WIRINGS = {"cut_when_on": ("turn_on", "turn_off"), "cut_when_off": ("turn_off", "turn_on")}


@pytest.mark.parametrize("wiring", WIRINGS)
async def test_pulse_timing(hass: HomeAssistant, watch: Watch, freezer: Any, wiring: str) -> None:
    cut, restore = WIRINGS[wiring]
    restored_state = "off" if wiring == "cut_when_on" else "on"
    cut_state = "on" if restored_state == "off" else "off"
    await call(hass, "input_boolean", f"turn_{restored_state}", {"entity_id": RELAY})
    entry = await add_burner(hass, relay=RELAY, wiring=wiring, cut_seconds=3)
    assert state(hass, VALVE) == "unknown"
    assert state(hass, LAST) == "unknown"
    watch.clear()
    started = dt_util.utcnow()

    await press(hass)
    assert watch.relay() == [cut]
    assert state(hass, RELAY) == cut_state
    assert [e.data for e in watch.shut_offs] == [shut_off_data()]
    assert state(hass, VALVE) == "closing"
    last = hass.states.get(LAST)
    assert last.state == "manual"
    assert last.attributes["at"] == started.isoformat()

    await advance(hass, freezer, 2.999)
    assert watch.relay() == [cut]
    assert state(hass, RELAY) == cut_state
    assert state(hass, VALVE) == "closing"

    await advance(hass, freezer, 0.001)
    assert watch.relay() == [cut, restore]
    assert state(hass, RELAY) == restored_state
    assert state(hass, VALVE) == "closed"

    # Nothing else happens afterwards: no retry, no second pulse, no issue.
    await advance(hass, freezer, 120)
    assert watch.relay() == [cut, restore]
    assert len(watch.shut_offs) == 1
    assert watch.failures == []
    assert burner_issues(hass, entry) == set()


async def test_valve_close_and_button_each_shut_off(hass: HomeAssistant, watch: Watch, freezer: Any) -> None:
    await add_burner(hass)
    valve = hass.states.get(VALVE)
    assert valve.attributes["device_class"] == "gas"
    assert valve.attributes["supported_features"] == 2  # CLOSE only

    await call(hass, "valve", "close_valve", {"entity_id": VALVE})
    assert watch.relay() == ["turn_on"]
    assert [e.data["reason"] for e in watch.shut_offs] == ["manual"]
    await advance(hass, freezer, 5)
    assert watch.relay() == ["turn_on", "turn_off"]

    await press(hass)
    await advance(hass, freezer, 5)
    assert watch.relay() == ["turn_on", "turn_off", "turn_on", "turn_off"]
    assert len(watch.shut_offs) == 2


async def test_valve_cannot_be_opened(hass: HomeAssistant, watch: Watch) -> None:
    await add_burner(hass)
    with pytest.raises(HomeAssistantError):
        await call(hass, "valve", "open_valve", {"entity_id": VALVE})
    assert watch.any_relay() == []
    assert watch.shut_offs == []
    assert state(hass, RELAY) == "off"


async def test_second_request_during_a_pulse_is_no_second_pulse(
    hass: HomeAssistant, watch: Watch, freezer: Any
) -> None:
    await add_burner(hass)
    await press(hass)
    await advance(hass, freezer, 2)
    await call(hass, DOMAIN, "shut_off", {"entity_id": VALVE})
    await call(hass, "valve", "close_valve", {"entity_id": VALVE})

    # Each request is answered, but the loop was opened once and is restored on the first pulse's schedule.
    assert watch.relay() == ["turn_on"]
    assert [e.data["reason"] for e in watch.shut_offs] == ["manual", "manual", "manual"]
    await advance(hass, freezer, 2.999)
    assert watch.relay() == ["turn_on"]
    await advance(hass, freezer, 0.001)
    assert watch.relay() == ["turn_on", "turn_off"]
    await advance(hass, freezer, 60)
    assert watch.relay() == ["turn_on", "turn_off"]


# --- the service and its targets ---------------------------------------------------------------------


async def test_service_several_targets(hass: HomeAssistant, watch: Watch, freezer: Any) -> None:
    await add_burner(hass, "Left burner", relay=RELAY)
    await add_burner(hass, "Right burner", relay=RELAY2, wiring="cut_when_off")
    await call(hass, "input_boolean", "turn_on", {"entity_id": RELAY2})
    await add_burner(hass, "Back burner", relay=RELAY3)
    watch.clear()

    await call(hass, DOMAIN, "shut_off", {"entity_id": [VALVE, "valve.right_burner"]})
    assert watch.relay(RELAY) == ["turn_on"]
    assert watch.relay(RELAY2) == ["turn_off"]
    assert watch.relay(RELAY3) == []
    assert sorted((e.data["entity_id"], e.data["burner"]) for e in watch.shut_offs) == [
        (VALVE, "Left burner"),
        ("valve.right_burner", "Right burner"),
    ]
    await advance(hass, freezer, 5)
    assert watch.relay(RELAY) == ["turn_on", "turn_off"]
    assert watch.relay(RELAY2) == ["turn_off", "turn_on"]
    assert state(hass, "valve.back_burner") == "unknown"


async def test_service_area_target(hass: HomeAssistant, watch: Watch) -> None:
    await add_burner(hass, "Left burner", relay=RELAY)
    await add_burner(hass, "Right burner", relay=RELAY2)
    await add_burner(hass, "Back burner", relay=RELAY3)
    kitchen = ar.async_get(hass).async_create("Kitchen")
    entities = er.async_get(hass)
    for valve in (VALVE, "valve.right_burner"):
        device_id = entities.async_get(valve).device_id
        assert device_id is not None
        dr.async_get(hass).async_update_device(device_id, area_id=kitchen.id)
    watch.clear()

    await call(hass, DOMAIN, "shut_off", {"area_id": kitchen.id})
    assert sorted(watch.any_relay()) == [("turn_on", RELAY), ("turn_on", RELAY2)]
    assert sorted(e.data["entity_id"] for e in watch.shut_offs) == [VALVE, "valve.right_burner"]
    assert state(hass, RELAY3) == "off"


@pytest.mark.parametrize(
    ("target", "key", "placeholder"),
    [
        ({"entity_id": RELAY}, "not_a_burner", RELAY),
        ({"entity_id": [VALVE, RELAY2]}, "not_a_burner", RELAY2),
        ({"entity_id": "valve.no_such_burner"}, "not_a_burner", "valve.no_such_burner"),
        ({"entity_id": BUTTON}, "not_a_burner", BUTTON),
        ({"area_id": "empty"}, "no_burner_targeted", None),
    ],
)
async def test_service_bad_targets(
    hass: HomeAssistant,
    watch: Watch,
    target: dict[str, Any],
    key: str,
    placeholder: str | None,
) -> None:
    entry = await add_burner(hass)
    ar.async_get(hass).async_create("Empty")
    watch.clear()
    saved_before = entry.runtime_data.diagnostics()["saved"]

    with pytest.raises(ServiceValidationError) as err:
        await call(hass, DOMAIN, "shut_off", target)

    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    if placeholder:
        assert err.value.translation_placeholders == {"entity_id": placeholder}
        assert placeholder in str(err.value)
    assert str(err.value) not in ("", key)  # a translated message, not the bare key
    # Nothing changed: no relay command, no event, nothing saved.
    assert watch.any_relay() == []
    assert watch.shut_offs == []
    assert state(hass, VALVE) == "unknown"
    assert entry.runtime_data.diagnostics()["saved"] == saved_before


async def test_service_without_target(hass: HomeAssistant, watch: Watch) -> None:
    """No target at all is refused by Home Assistant's own target schema, before any burner is touched."""
    await add_burner(hass)
    watch.clear()
    with pytest.raises(vol.Invalid):
        await call(hass, DOMAIN, "shut_off", {})
    assert watch.any_relay() == []
    assert watch.shut_offs == []


async def test_service_on_an_unloaded_burner(hass: HomeAssistant, watch: Watch) -> None:
    left = await add_burner(hass, "Left burner", relay=RELAY)
    await add_burner(hass, "Right burner", relay=RELAY2)
    assert await hass.config_entries.async_unload(left.entry_id)
    await hass.async_block_till_done()
    watch.clear()

    with pytest.raises(ServiceValidationError) as err:
        await call(hass, DOMAIN, "shut_off", {"entity_id": [VALVE, "valve.right_burner"]})
    assert err.value.translation_key == "burner_not_loaded"
    assert err.value.translation_placeholders == {"entity_id": VALVE}
    assert VALVE in str(err.value)
    assert watch.any_relay() == []
    assert watch.shut_offs == []


# --- lockout -------------------------------------------------------------------------------------------


async def test_lockout_holds_the_relay_and_survives_a_restart(
    hass: HomeAssistant, watch: Watch, freezer: Any
) -> None:
    entry = await add_burner(hass)
    assert state(hass, LOCKOUT) == "off"

    await call(hass, "switch", "turn_on", {"entity_id": LOCKOUT})
    await call(hass, "switch", "turn_on", {"entity_id": LOCKOUT})  # twice: still one command
    assert watch.relay() == ["turn_on"]
    assert state(hass, RELAY) == "on"
    assert state(hass, LOCKOUT) == "on"
    assert state(hass, VALVE) == "closed"
    assert watch.shut_offs == []  # lockout is a hold, not a shut-off
    assert state(hass, LAST) == "unknown"

    await advance(hass, freezer, 3600)
    assert watch.relay() == ["turn_on"]
    assert state(hass, RELAY) == "on"

    # A shut-off while locked out: answered, but no second pulse and no restore afterwards.
    await press(hass)
    assert [e.data for e in watch.shut_offs] == [shut_off_data()]
    await advance(hass, freezer, 60)
    assert watch.relay() == ["turn_on"]
    assert state(hass, RELAY) == "on"

    # A restart: lockout comes back on, the relay is left cut, no command at all.
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, LOCKOUT) == "on"
    assert state(hass, VALVE) == "closed"
    assert watch.relay() == ["turn_on"]
    await advance(hass, freezer, 60)
    assert state(hass, RELAY) == "on"

    # Someone restores the relay by hand while locked out: it is cut again at once.
    await call(hass, "input_boolean", "turn_off", {"entity_id": RELAY})
    assert watch.relay() == ["turn_on", "turn_off", "turn_on"]
    assert state(hass, RELAY) == "on"

    # Off: the loop is restored and stays so.
    await call(hass, "switch", "turn_off", {"entity_id": LOCKOUT})
    assert watch.relay() == ["turn_on", "turn_off", "turn_on", "turn_off"]
    assert state(hass, RELAY) == "off"
    assert state(hass, LOCKOUT) == "off"
    assert state(hass, VALVE) == "closed"
    await advance(hass, freezer, 60)
    assert watch.relay() == ["turn_on", "turn_off", "turn_on", "turn_off"]


async def test_lockout_that_cannot_be_applied(hass: HomeAssistant, watch: Watch, freezer: Any) -> None:
    """A hold the relay does not follow is reported once, then retried quietly every 30 s."""
    entry = await add_burner(hass, relay=DEAF_RELAY)
    await call(hass, "switch", "turn_on", {"entity_id": LOCKOUT})
    assert watch.relay(DEAF_RELAY) == ["turn_on"]
    assert state(hass, VALVE) == "closing"  # held, but the loop is not open yet
    await advance(hass, freezer, 5)
    assert watch.relay(DEAF_RELAY) == ["turn_on", "turn_on"]
    await advance(hass, freezer, 5)
    assert [e.data for e in watch.failures] == [
        {"entity_id": VALVE, "burner": "Left burner", "reason": "lockout", "problem": "relay_not_confirmed"}
    ]
    assert issue(hass, "relay_not_confirmed", entry) is not None

    # Two more rounds after the back-off: commands, but no second report.
    for _ in range(2):
        await advance(hass, freezer, 30)
        await advance(hass, freezer, 5)
        await advance(hass, freezer, 5)
    assert watch.relay(DEAF_RELAY) == ["turn_on"] * 6
    assert len(watch.failures) == 1

    # The relay finally opens the loop: the hold is in place and the issue is gone.
    await call(hass, "input_boolean", "turn_on", {"entity_id": BACKING})
    assert state(hass, VALVE) == "closed"
    assert issue(hass, "relay_not_confirmed", entry) is None
    assert watch.shut_offs == []


async def test_lockout_undone_before_the_relay_answers(
    hass: HomeAssistant, watch: Watch, freezer: Any
) -> None:
    """Lockout off while its cut is still unconfirmed: the cut is dropped, nothing is left to restore."""
    entry = await add_burner(hass, relay=DEAF_RELAY)
    await call(hass, "switch", "turn_on", {"entity_id": LOCKOUT})
    await advance(hass, freezer, 1)
    await call(hass, "switch", "turn_off", {"entity_id": LOCKOUT})
    await advance(hass, freezer, 60)
    assert watch.relay(DEAF_RELAY) == ["turn_on"]
    assert watch.failures == []
    assert burner_issues(hass, entry) == set()
    assert state(hass, DEAF_RELAY) == "off"


async def test_own_cut_landing_after_lockout_off_is_not_an_external_shut_off(
    hass: HomeAssistant, watch: Watch, freezer: Any
) -> None:
    """Lockout re-cuts a relay someone restored; lockout ends before that cut lands: no `external` pulse."""
    await add_burner(hass)
    await call(hass, "switch", "turn_on", {"entity_id": LOCKOUT})
    assert state(hass, RELAY) == "on"
    # From now on the relay is slow: turn_on is accepted but lands only when we say so.
    hass.services.async_register("input_boolean", "turn_on", lambda call: None)
    await call(hass, "input_boolean", "turn_off", {"entity_id": RELAY})  # someone restores it by hand
    assert watch.relay()[-1] == "turn_on"  # the lockout asks for the cut again
    await call(hass, "switch", "turn_off", {"entity_id": LOCKOUT})
    watch.clear()
    await advance(hass, freezer, 1)
    hass.states.async_set(RELAY, "on")  # the re-cut lands late
    await settle(hass)
    assert watch.shut_offs == []
    assert watch.relay() == ["turn_off"]
    assert state(hass, RELAY) == "off"
    assert state(hass, LAST) == "unknown"


async def test_lockout_during_a_pulse_keeps_the_relay_cut(
    hass: HomeAssistant, watch: Watch, freezer: Any
) -> None:
    await add_burner(hass)
    await press(hass)
    await advance(hass, freezer, 1)
    await call(hass, "switch", "turn_on", {"entity_id": LOCKOUT})
    await advance(hass, freezer, 30)
    assert watch.relay() == ["turn_on"]
    assert state(hass, RELAY) == "on"
    await call(hass, "switch", "turn_off", {"entity_id": LOCKOUT})
    assert watch.relay() == ["turn_on", "turn_off"]
    assert state(hass, RELAY) == "off"


# --- a cut nobody asked for --------------------------------------------------------------------------


async def test_external_cut_is_recorded_and_restored(hass: HomeAssistant, watch: Watch, freezer: Any) -> None:
    await add_burner(hass, cut_seconds=4)
    started = dt_util.utcnow()
    await call(hass, "input_boolean", "turn_on", {"entity_id": RELAY})  # the relay's own button

    assert [e.data for e in watch.shut_offs] == [shut_off_data("external")]
    last = hass.states.get(LAST)
    assert last.state == "external"
    assert last.attributes["at"] == started.isoformat()
    assert state(hass, VALVE) == "closing"

    await advance(hass, freezer, 3.999)
    assert watch.relay() == ["turn_on"]
    await advance(hass, freezer, 0.001)
    assert watch.relay() == ["turn_on", "turn_off"]
    assert state(hass, RELAY) == "off"
    assert state(hass, VALVE) == "closed"
    await advance(hass, freezer, 60)
    assert watch.relay() == ["turn_on", "turn_off"]
    assert len(watch.shut_offs) == 1


async def test_external_cut_not_restored_under_lockout(
    hass: HomeAssistant, watch: Watch, freezer: Any
) -> None:
    await add_burner(hass, cut_seconds=4)
    await call(hass, "input_boolean", "turn_on", {"entity_id": RELAY})
    await advance(hass, freezer, 1)
    await call(hass, "switch", "turn_on", {"entity_id": LOCKOUT})
    await advance(hass, freezer, 600)
    assert watch.relay() == ["turn_on"]  # only the external one
    assert state(hass, RELAY) == "on"
    assert [e.data["reason"] for e in watch.shut_offs] == ["external"]


async def test_external_restore_ends_the_pulse_early(hass: HomeAssistant, watch: Watch, freezer: Any) -> None:
    """Someone closes the loop before cut_seconds: the guard has nothing left to restore."""
    await add_burner(hass, cut_seconds=5)
    await press(hass)
    await advance(hass, freezer, 2)
    await call(hass, "input_boolean", "turn_off", {"entity_id": RELAY})
    await advance(hass, freezer, 60)
    assert watch.relay() == ["turn_on", "turn_off"]
    assert state(hass, RELAY) == "off"
    assert state(hass, VALVE) == "closed"


# --- a relay that restores itself (inching mode) ---------------------------------------------------


async def test_self_restoring_relay_is_only_checked(hass: HomeAssistant, watch: Watch, freezer: Any) -> None:
    await add_burner(hass, cut_seconds=3, relay_restores_itself=True)
    await press(hass)
    assert watch.relay() == ["turn_on"]
    assert len(watch.shut_offs) == 1
    await advance(hass, freezer, 3)
    assert watch.relay() == ["turn_on"]  # the guard does not restore it
    assert state(hass, VALVE) == "closing"
    # The relay's own inching timer switches it back.
    await call(hass, "input_boolean", "turn_off", {"entity_id": RELAY})
    assert state(hass, VALVE) == "closed"
    await advance(hass, freezer, 60)
    assert watch.relay() == ["turn_on", "turn_off"]  # the second one is the relay's own, not the guard's
    assert watch.failures == []


async def test_self_restoring_relay_that_does_not_return_is_restored(
    hass: HomeAssistant, watch: Watch, freezer: Any
) -> None:
    await add_burner(hass, cut_seconds=3, relay_restores_itself=True)
    await press(hass)
    await advance(hass, freezer, 7.999)  # cut_seconds + 5 s - 1 ms
    assert watch.relay() == ["turn_on"]
    assert state(hass, RELAY) == "on"
    await advance(hass, freezer, 0.001)
    assert watch.relay() == ["turn_on", "turn_off"]
    assert state(hass, RELAY) == "off"
    assert state(hass, VALVE) == "closed"


# --- relays that do not confirm, or raise ----------------------------------------------------------


@pytest.mark.parametrize("relay", [RELAY, DEAF_RELAY])
async def test_cut_not_confirmed(
    hass: HomeAssistant, watch: Watch, freezer: Any, hass_ws_client: Any, relay: str
) -> None:
    entry = await add_burner(hass, relay=relay)
    if relay == RELAY:
        await replace_service(hass, "input_boolean", "turn_on", ignore)

    await press(hass)
    assert watch.relay(relay) == ["turn_on"]
    assert state(hass, VALVE) == "closing"
    await advance(hass, freezer, 4.999)
    assert watch.relay(relay) == ["turn_on"]
    await advance(hass, freezer, 0.001)
    assert watch.relay(relay) == ["turn_on", "turn_on"]  # one retry
    assert watch.failures == []
    await advance(hass, freezer, 5)

    assert watch.shut_offs == []
    assert [e.data for e in watch.failures] == [
        {"entity_id": VALVE, "burner": "Left burner", "reason": "manual", "problem": "relay_not_confirmed"}
    ]
    found = issue(hass, "relay_not_confirmed", entry)
    assert found is not None
    assert found.severity is ir.IssueSeverity.ERROR
    assert not found.is_fixable
    assert found.translation_placeholders == {"burner": "Left burner", "relay": relay}
    notes = await notifications(hass, hass_ws_client)
    note = notes[f"{DOMAIN}_{entry.entry_id}_relay_not_confirmed"]
    assert note["title"] == "Left burner: the relay does not respond"
    assert relay in note["message"]
    assert state(hass, VALVE) == "unknown"
    assert state(hass, LAST) == "unknown"

    # Given up: no more commands.
    await advance(hass, freezer, 120)
    assert watch.relay(relay) == ["turn_on", "turn_on"]
    assert len(watch.failures) == 1


async def test_requests_waiting_for_the_same_cut_fail_once(
    hass: HomeAssistant, watch: Watch, freezer: Any
) -> None:
    await add_burner(hass, relay=DEAF_RELAY)
    await press(hass)
    await advance(hass, freezer, 1)
    await call(hass, DOMAIN, "shut_off", {"entity_id": VALVE})
    await advance(hass, freezer, 4)
    await advance(hass, freezer, 5)
    assert watch.relay(DEAF_RELAY) == ["turn_on", "turn_on"]  # no second pulse for the second request
    assert [e.data["problem"] for e in watch.failures] == ["relay_not_confirmed"]
    assert watch.shut_offs == []


async def test_relay_that_confirms_again_clears_the_issue(
    hass: HomeAssistant, watch: Watch, freezer: Any
) -> None:
    entry = await add_burner(hass)
    await replace_service(hass, "input_boolean", "turn_on", ignore)
    await press(hass)
    await advance(hass, freezer, 5)
    await advance(hass, freezer, 5)
    assert issue(hass, "relay_not_confirmed", entry) is not None

    # The relay works again (its integration was fixed).
    async def works(call: ServiceCall) -> None:
        if state(hass, RELAY) == "off":
            await hass.services.async_call("input_boolean", "toggle", {"entity_id": RELAY}, blocking=True)

    await replace_service(hass, "input_boolean", "turn_on", works)
    watch.clear()
    # A new shut-off right after the failure is tried at once (the back-off only paces retries).
    await press(hass)
    assert watch.relay() == ["turn_on", "toggle"]
    assert [e.data for e in watch.shut_offs] == [shut_off_data()]
    assert watch.failures == []
    assert issue(hass, "relay_not_confirmed", entry) is None
    await advance(hass, freezer, 5)
    assert state(hass, RELAY) == "off"
    assert watch.relay() == ["turn_on", "toggle", "turn_off"]


async def test_relay_service_raises(
    hass: HomeAssistant, watch: Watch, freezer: Any, hass_ws_client: Any
) -> None:
    entry = await add_burner(hass)
    received = await replace_service(hass, "input_boolean", "turn_on", refuse)

    await press(hass)
    assert len(received) == 2  # the command and its retry, both refused at once
    assert watch.shut_offs == []
    assert [e.data for e in watch.failures] == [
        {
            "entity_id": VALVE,
            "burner": "Left burner",
            "reason": "manual",
            "problem": "relay_not_confirmed",
            "error": "relay offline",
        }
    ]
    assert issue(hass, "relay_not_confirmed", entry) is not None
    assert f"{DOMAIN}_{entry.entry_id}_relay_not_confirmed" in await notifications(hass, hass_ws_client)
    await advance(hass, freezer, 120)
    assert len(received) == 2
    assert state(hass, RELAY) == "off"


async def test_restore_not_confirmed_keeps_retrying(hass: HomeAssistant, watch: Watch, freezer: Any) -> None:
    entry = await add_burner(hass, cut_seconds=5)
    await replace_service(hass, "input_boolean", "turn_off", ignore)

    await press(hass)
    await advance(hass, freezer, 5)
    assert watch.relay() == ["turn_on", "turn_off"]
    await advance(hass, freezer, 5)
    assert watch.relay() == ["turn_on", "turn_off", "turn_off"]
    await advance(hass, freezer, 5)
    found = issue(hass, "restore_failed", entry)
    assert found is not None
    assert found.is_persistent
    assert watch.failures == []  # the shut-off itself succeeded
    assert [e.data["reason"] for e in watch.shut_offs] == ["manual"]

    # Promise 2: it keeps trying to restore the loop after a back-off.
    await advance(hass, freezer, 29.999)
    assert watch.relay() == ["turn_on", "turn_off", "turn_off"]
    await advance(hass, freezer, 0.001)
    assert watch.relay() == ["turn_on", "turn_off", "turn_off", "turn_off"]

    # The relay finally reports the loop closed: the issue goes away, no more commands.
    await call(hass, "input_boolean", "toggle", {"entity_id": RELAY})
    assert state(hass, RELAY) == "off"
    assert issue(hass, "restore_failed", entry) is None
    count = len(watch.relay())
    await advance(hass, freezer, 120)
    assert len(watch.relay()) == count


# --- an unavailable relay ------------------------------------------------------------------------------


async def test_unavailable_relay_lifecycle(
    hass: HomeAssistant,
    watch: Watch,
    freezer: Any,
    caplog: pytest.LogCaptureFixture,
    hass_ws_client: Any,
) -> None:
    entry = await add_burner(hass, relay=TEMPLATE_RELAY, cut_seconds=5)
    for entity_id in BURNER_ENTITIES:
        assert state(hass, entity_id) != STATE_UNAVAILABLE
    caplog.clear()

    await call(hass, "input_boolean", "turn_off", {"entity_id": ONLINE})
    assert state(hass, TEMPLATE_RELAY) == STATE_UNAVAILABLE
    for entity_id in BURNER_ENTITIES:
        assert state(hass, entity_id) == STATE_UNAVAILABLE, entity_id
    await advance(hass, freezer, 59.999)
    assert burner_issues(hass, entry) == set()
    await advance(hass, freezer, 0.001)
    found = issue(hass, "relay_unavailable", entry)
    assert found is not None
    assert not found.is_fixable
    assert found.translation_placeholders == {"burner": "Left burner", "relay": TEMPLATE_RELAY}
    assert watch.failures == []  # nothing was asked yet

    # A shut-off now cannot be carried out: loudly, at once.
    requested = dt_util.utcnow()
    await call(hass, DOMAIN, "shut_off", {"entity_id": VALVE})
    assert [e.data for e in watch.failures] == [
        {"entity_id": VALVE, "burner": "Left burner", "reason": "manual", "problem": "relay_unavailable"}
    ]
    assert watch.shut_offs == []
    assert watch.relay(TEMPLATE_RELAY) == []
    note = (await notifications(hass, hass_ws_client))[f"{DOMAIN}_{entry.entry_id}_relay_unavailable"]
    assert note["title"] == "Left burner cannot be shut off remotely"

    # Back 30 s later: the shut-off is carried out, late.
    await advance(hass, freezer, 30)
    await call(hass, "input_boolean", "turn_on", {"entity_id": ONLINE})
    assert issue(hass, "relay_unavailable", entry) is None
    for entity_id in BURNER_ENTITIES:
        assert state(hass, entity_id) != STATE_UNAVAILABLE, entity_id
    assert watch.relay(TEMPLATE_RELAY) == ["turn_on"]
    assert state(hass, TEMPLATE_RELAY) == "on"
    assert [e.data for e in watch.shut_offs] == [{**shut_off_data(), "late": True, "late_seconds": 30.0}]
    assert hass.states.get(LAST).attributes["at"] == (requested + timedelta(seconds=30)).isoformat()
    await advance(hass, freezer, 5)
    assert watch.relay(TEMPLATE_RELAY) == ["turn_on", "turn_off"]
    assert state(hass, BACKING) == "off"
    assert len(watch.failures) == 1

    # Logged once when it went, once when it came back.
    assert caplog.text.count("became unavailable") == 1
    assert caplog.text.count("is available again") == 1


async def test_unavailable_then_unknown_is_logged_once(
    hass: HomeAssistant, watch: Watch, freezer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await add_burner(hass)
    caplog.clear()
    hass.states.async_set(RELAY, STATE_UNAVAILABLE)
    await hass.async_block_till_done()
    await advance(hass, freezer, 30)
    hass.states.async_set(RELAY, "unknown")
    await hass.async_block_till_done()
    await advance(hass, freezer, 30)  # 60 s since it first went: the issue counts from then
    assert issue(hass, "relay_unavailable", entry) is not None
    assert caplog.text.count("became unavailable") == 1
    assert state(hass, VALVE) == STATE_UNAVAILABLE

    hass.states.async_set(RELAY, "off")
    await hass.async_block_till_done()
    assert issue(hass, "relay_unavailable", entry) is None
    assert state(hass, VALVE) == "unknown"
    assert watch.any_relay() == []


async def test_two_requests_while_unavailable_make_one_late_pulse(
    hass: HomeAssistant, watch: Watch, freezer: Any
) -> None:
    await add_burner(hass, relay=TEMPLATE_RELAY)
    await call(hass, "input_boolean", "turn_off", {"entity_id": ONLINE})
    await call(hass, DOMAIN, "shut_off", {"entity_id": VALVE})
    await advance(hass, freezer, 10)
    await call(hass, DOMAIN, "shut_off", {"entity_id": VALVE})
    assert [e.data["problem"] for e in watch.failures] == ["relay_unavailable", "relay_unavailable"]
    await advance(hass, freezer, 10)
    await call(hass, "input_boolean", "turn_on", {"entity_id": ONLINE})
    assert watch.relay(TEMPLATE_RELAY) == ["turn_on"]
    assert [(e.data["late"], e.data["late_seconds"]) for e in watch.shut_offs] == [(True, 20.0)]
    await advance(hass, freezer, 5)
    assert watch.relay(TEMPLATE_RELAY) == ["turn_on", "turn_off"]


async def test_relay_back_cut_is_restored_without_a_shut_off(
    hass: HomeAssistant, watch: Watch, freezer: Any
) -> None:
    await add_burner(hass, relay=TEMPLATE_RELAY)
    await call(hass, "input_boolean", "turn_off", {"entity_id": ONLINE})
    await call(hass, "input_boolean", "turn_on", {"entity_id": BACKING})  # it rebooted into the cut state
    await advance(hass, freezer, 10)
    await call(hass, "input_boolean", "turn_on", {"entity_id": ONLINE})
    assert state(hass, TEMPLATE_RELAY) == "off"
    assert watch.relay(TEMPLATE_RELAY) == ["turn_off"]
    assert watch.shut_offs == []


async def test_late_shut_off_dropped_when_flame_known_out(
    hass: HomeAssistant, watch: Watch, freezer: Any
) -> None:
    """A shut-off owed by an unavailable relay is not carried out once the flame sensor says it is out."""
    await call(hass, "input_boolean", "turn_on", {"entity_id": FLAME_SOURCE})
    entry = await add_burner(hass, relay=TEMPLATE_RELAY, flame_sensor=FLAME)
    assert state(hass, "binary_sensor.left_burner_flame") == "on"
    await call(hass, "input_boolean", "turn_off", {"entity_id": ONLINE})
    await call(hass, DOMAIN, "shut_off", {"entity_id": VALVE})
    assert [e.data["problem"] for e in watch.failures] == ["relay_unavailable"]

    await call(hass, "input_boolean", "turn_off", {"entity_id": FLAME_SOURCE})  # the cook turned it off
    await advance(hass, freezer, 20)
    await call(hass, "input_boolean", "turn_on", {"entity_id": ONLINE})
    assert watch.relay(TEMPLATE_RELAY) == []
    assert watch.shut_offs == []
    assert burner_issues(hass, entry) == set()


async def test_relay_not_there_at_start_up(hass: HomeAssistant, watch: Watch, freezer: Any) -> None:
    """Before the relay is first seen, a shut-off waits up to 60 s for it instead of failing at once."""
    await call(hass, "input_boolean", "turn_off", {"entity_id": ONLINE})
    entry = await add_burner(hass, relay=TEMPLATE_RELAY)
    await call(hass, DOMAIN, "shut_off", {"entity_id": VALVE})
    assert watch.failures == []
    await advance(hass, freezer, 20)
    await call(hass, "input_boolean", "turn_on", {"entity_id": ONLINE})
    assert watch.relay(TEMPLATE_RELAY) == ["turn_on"]
    assert [e.data for e in watch.shut_offs] == [shut_off_data()]
    assert burner_issues(hass, entry) == set()


async def test_relay_that_never_appears_fails_after_grace(
    hass: HomeAssistant, watch: Watch, freezer: Any
) -> None:
    await call(hass, "input_boolean", "turn_off", {"entity_id": ONLINE})
    entry = await add_burner(hass, relay=TEMPLATE_RELAY)
    await call(hass, DOMAIN, "shut_off", {"entity_id": VALVE})
    await advance(hass, freezer, 59.999)
    assert watch.failures == []
    await advance(hass, freezer, 0.001)
    assert [e.data["problem"] for e in watch.failures] == ["relay_unavailable"]
    assert issue(hass, "relay_unavailable", entry) is not None

    await advance(hass, freezer, 10)
    await call(hass, "input_boolean", "turn_on", {"entity_id": ONLINE})
    assert watch.relay(TEMPLATE_RELAY) == ["turn_on"]
    assert [(e.data["late"], e.data["late_seconds"]) for e in watch.shut_offs] == [(True, 70.0)]
    assert issue(hass, "relay_unavailable", entry) is None


async def test_lockout_switch_of_an_unavailable_relay(hass: HomeAssistant, watch: Watch) -> None:
    """The lockout switch is unavailable with its relay: Home Assistant does not pass it a turn_on."""
    await add_burner(hass, relay=TEMPLATE_RELAY)
    await call(hass, "input_boolean", "turn_off", {"entity_id": ONLINE})
    assert state(hass, LOCKOUT) == STATE_UNAVAILABLE
    await call(hass, "switch", "turn_on", {"entity_id": LOCKOUT})
    await call(hass, "input_boolean", "turn_on", {"entity_id": ONLINE})
    assert state(hass, LOCKOUT) == "off"
    assert watch.relay(TEMPLATE_RELAY) == []
    assert watch.failures == []


async def test_saved_lockout_with_a_relay_that_does_not_come(
    hass: HomeAssistant, watch: Watch, freezer: Any, hass_storage: dict[str, Any]
) -> None:
    """A lockout restored at start-up without its relay: reported after 60 s, applied when it comes."""
    await call(hass, "input_boolean", "turn_off", {"entity_id": ONLINE})
    entry = burner_entry(relay=TEMPLATE_RELAY)
    saved_burner(hass_storage, entry, {"lockout": True})
    await setup_entry(hass, entry)
    assert state(hass, LOCKOUT) == STATE_UNAVAILABLE
    await advance(hass, freezer, 59.999)
    assert watch.failures == []
    await advance(hass, freezer, 0.001)
    assert [e.data for e in watch.failures] == [
        {"entity_id": VALVE, "burner": "Left burner", "reason": "lockout", "problem": "relay_unavailable"}
    ]
    assert issue(hass, "relay_unavailable", entry) is not None

    await advance(hass, freezer, 30)
    await call(hass, "input_boolean", "turn_on", {"entity_id": ONLINE})
    assert watch.relay(TEMPLATE_RELAY) == ["turn_on"]
    assert state(hass, TEMPLATE_RELAY) == "on"
    assert state(hass, LOCKOUT) == "on"
    assert state(hass, VALVE) == "closed"
    assert issue(hass, "relay_unavailable", entry) is None
    assert watch.shut_offs == []
    assert len(watch.failures) == 1


# --- a relay that no longer exists -----------------------------------------------------------------


async def test_relay_that_does_not_exist(hass: HomeAssistant, watch: Watch, freezer: Any) -> None:
    entry = await add_burner(hass, relay="switch.never_made")
    assert state(hass, VALVE) == STATE_UNAVAILABLE
    await advance(hass, freezer, 60)
    found = issue(hass, "relay_missing", entry)
    assert found is not None
    assert found.is_fixable
    assert found.data == {"entry_id": entry.entry_id}
    assert issue(hass, "relay_unavailable", entry) is None


async def test_relay_removed_then_shut_off(hass: HomeAssistant, watch: Watch, hass_ws_client: Any) -> None:
    entry = await add_burner(hass)
    er.async_get(hass).async_remove(RELAY)
    await hass.async_block_till_done()
    assert hass.states.get(RELAY) is None

    await call(hass, DOMAIN, "shut_off", {"entity_id": VALVE})
    assert [e.data["problem"] for e in watch.failures] == ["relay_unavailable"]
    assert burner_issues(hass, entry) == {f"relay_missing_{entry.entry_id}"}
    note = (await notifications(hass, hass_ws_client))[f"{DOMAIN}_{entry.entry_id}_relay_unavailable"]
    assert note["title"] == "Left burner: the relay no longer exists"


async def change_relay(
    hass: HomeAssistant, entry: MockConfigEntry, relay: str, how: str, wiring: str = "cut_when_on"
) -> None:
    """Point the burner at another relay through the options or the reconfigure flow."""
    if how == "options":
        result = await hass.config_entries.options.async_init(entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"relay": relay, "wiring": wiring, "flame": {}, "watchdogs": {}}
        )
        assert result["type"] == "create_entry"
    else:
        result = await entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"relay": relay, "wiring": wiring}
        )
        assert result["reason"] == "reconfigure_successful"
    await settle(hass)
    assert entry.runtime_data.relay_entity_id == relay


@pytest.mark.parametrize("how", ["options", "reconfigure"])
async def test_new_relay_mid_pulse_restores_the_old_one(
    hass: HomeAssistant, watch: Watch, freezer: Any, how: str
) -> None:
    """Promise 2: a relay the burner lets go of is never left cut."""
    entry = await add_burner(hass)
    await press(hass)
    await advance(hass, freezer, 1)
    await change_relay(hass, entry, RELAY2, how)
    assert watch.relay(RELAY) == ["turn_on", "turn_off"]
    assert state(hass, RELAY) == "off"
    await advance(hass, freezer, 60)
    assert watch.relay(RELAY2) == []  # the new relay was never cut: nothing to do
    assert watch.relay(RELAY) == ["turn_on", "turn_off"]


async def test_new_relay_under_lockout_moves_the_hold(
    hass: HomeAssistant, watch: Watch, freezer: Any
) -> None:
    entry = await add_burner(hass, wiring="cut_when_off")
    await call(hass, "input_boolean", "turn_on", {"entity_id": RELAY2})
    watch.clear()
    await call(hass, "switch", "turn_on", {"entity_id": LOCKOUT})
    assert watch.relay(RELAY) == ["turn_off"]
    await change_relay(hass, entry, RELAY2, "options", "cut_when_off")
    assert watch.relay(RELAY) == ["turn_off", "turn_on"]  # the old relay: restored
    assert watch.relay(RELAY2) == ["turn_off"]  # the new one: held cut
    assert state(hass, RELAY) == "on"
    assert state(hass, RELAY2) == "off"
    assert state(hass, LOCKOUT) == "on"
    await advance(hass, freezer, 60)
    assert watch.relay(RELAY2) == ["turn_off"]


async def test_relay_renamed_is_followed(hass: HomeAssistant, watch: Watch) -> None:
    entry = await add_burner(hass)
    registry = er.async_get(hass)
    controller = entry.runtime_data
    registry.async_update_entity(RELAY, name="Stove relay")
    await hass.async_block_till_done()
    assert entry.runtime_data is controller
    assert entry.options["relay"] == RELAY

    registry.async_update_entity(RELAY, new_entity_id="input_boolean.stove_relay")
    await hass.async_block_till_done()
    assert entry.options["relay"] == "input_boolean.stove_relay"
    assert entry.runtime_data is not controller
    await press(hass)
    assert watch.any_relay() == [("turn_on", "input_boolean.stove_relay")]
    assert len(watch.shut_offs) == 1


# --- restarts -------------------------------------------------------------------------------------------


async def test_start_up_restores_a_relay_left_cut(hass: HomeAssistant, watch: Watch) -> None:
    await call(hass, "input_boolean", "turn_on", {"entity_id": RELAY})
    watch.clear()
    await add_burner(hass)
    assert watch.relay() == ["turn_off"]
    assert state(hass, RELAY) == "off"
    assert watch.shut_offs == []  # not a new shut-off


async def test_start_up_cut_when_off_relay_left_cut(hass: HomeAssistant, watch: Watch) -> None:
    await add_burner(hass, wiring="cut_when_off")  # the relay is off: the loop is open
    assert watch.relay() == ["turn_on"]
    assert state(hass, RELAY) == "on"
    assert watch.shut_offs == []


async def test_start_up_applies_a_saved_lockout(
    hass: HomeAssistant, watch: Watch, hass_storage: dict[str, Any]
) -> None:
    entry = burner_entry()
    at = "2026-01-02T03:04:05+00:00"
    saved_burner(hass_storage, entry, {"lockout": True, "last_shut_off": {"reason": "external", "at": at}})
    await setup_entry(hass, entry)

    assert watch.relay() == ["turn_on"]
    assert state(hass, RELAY) == "on"
    assert state(hass, LOCKOUT) == "on"
    assert state(hass, VALVE) == "closed"
    last = hass.states.get(LAST)
    assert last.state == "external"
    assert last.attributes["at"] == at
    assert float(state(hass, "number.left_burner_timer_duration")) == 20
    assert watch.shut_offs == []


async def test_restart_mid_pulse_restores_the_relay(hass: HomeAssistant, watch: Watch, freezer: Any) -> None:
    entry = await add_burner(hass)
    await press(hass)
    await advance(hass, freezer, 2)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    # Unloaded: nothing is scheduled and nothing listens.
    await advance(hass, freezer, 30)
    assert watch.relay() == ["turn_on"]
    await call(hass, "input_boolean", "turn_off", {"entity_id": RELAY})
    await call(hass, "input_boolean", "turn_on", {"entity_id": RELAY})
    await advance(hass, freezer, 30)
    assert watch.relay() == ["turn_on", "turn_off", "turn_on"]
    assert len(watch.shut_offs) == 1
    assert watch.failures == []

    # Set up again: the relay it finds cut is restored, and that is no new shut-off.
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert watch.relay() == ["turn_on", "turn_off", "turn_on", "turn_off"]
    assert state(hass, RELAY) == "off"
    assert len(watch.shut_offs) == 1
    assert state(hass, LAST) == "manual"


async def test_restart_while_a_shut_off_waits_for_the_relay(
    hass: HomeAssistant, watch: Watch, freezer: Any
) -> None:
    """A shut-off promised before a restart is carried out after it, and reported late."""
    entry = await add_burner(hass)
    await replace_service(hass, "input_boolean", "turn_on", ignore)
    await press(hass)
    await advance(hass, freezer, 2)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert watch.shut_offs == []
    assert watch.failures == []

    async def works(call: ServiceCall) -> None:
        await hass.services.async_call("input_boolean", "toggle", {"entity_id": RELAY}, blocking=True)

    await replace_service(hass, "input_boolean", "turn_on", works)
    await advance(hass, freezer, 8)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    assert watch.relay() == ["turn_on", "turn_on", "toggle"]
    assert [e.data for e in watch.shut_offs] == [{**shut_off_data(), "late": True, "late_seconds": 10.0}]
    assert watch.failures == []
    await advance(hass, freezer, 5)
    assert state(hass, RELAY) == "off"


async def test_lockout_survives_a_restart_with_the_relay_restored_meanwhile(
    hass: HomeAssistant, watch: Watch
) -> None:
    entry = await add_burner(hass)
    await call(hass, "switch", "turn_on", {"entity_id": LOCKOUT})
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await call(hass, "input_boolean", "turn_off", {"entity_id": RELAY})  # a power cut reset the relay
    assert watch.relay() == ["turn_on", "turn_off"]

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert watch.relay() == ["turn_on", "turn_off", "turn_on"]
    assert state(hass, RELAY) == "on"
    assert state(hass, LOCKOUT) == "on"


async def test_unreadable_saved_state(
    hass: HomeAssistant, watch: Watch, hass_storage: dict[str, Any]
) -> None:
    entry = burner_entry()
    saved_burner(hass_storage, entry, {"lockout": True, "last_shut_off": {"reason": "nonsense", "at": "x"}})
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    found = issue(hass, "storage_corrupt", entry)
    assert found is not None
    assert found.is_persistent
    assert state(hass, LOCKOUT) == "off"
    assert watch.relay() == []


async def test_state_is_saved(
    hass: HomeAssistant, watch: Watch, freezer: Any, hass_storage: dict[str, Any]
) -> None:
    entry = await add_burner(hass)
    await call(hass, "switch", "turn_on", {"entity_id": LOCKOUT})
    await advance(hass, freezer, 2)  # the delayed save
    saved = hass_storage[storage_key(entry)]["data"]
    assert saved["guard"]["lockout"] is True
    assert saved["timer_minutes"] == 15


# --- unload, removal, diagnostics ------------------------------------------------------------------


async def test_unload_leaves_nothing_behind(hass: HomeAssistant, watch: Watch, freezer: Any) -> None:
    entry = await add_burner(hass, relay=TEMPLATE_RELAY)
    await call(hass, "input_boolean", "turn_off", {"entity_id": ONLINE})  # a 60 s wake-up is scheduled
    assert entry.runtime_data.diagnostics()["wakeup_scheduled_at"] is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED

    await advance(hass, freezer, 120)
    await call(hass, "input_boolean", "turn_on", {"entity_id": ONLINE})
    await call(hass, "input_boolean", "turn_on", {"entity_id": BACKING})
    await advance(hass, freezer, 120)
    await call(hass, "input_boolean", "turn_off", {"entity_id": BACKING})
    assert watch.relay(TEMPLATE_RELAY) == []
    assert watch.shut_offs == []
    assert watch.failures == []
    assert burner_issues(hass, entry) == set()
    assert hass.states.get(VALVE).state == STATE_UNAVAILABLE


async def test_removing_a_locked_out_burner_restores_its_relay(
    hass: HomeAssistant, watch: Watch, freezer: Any, hass_storage: dict[str, Any]
) -> None:
    entry = burner_entry()
    saved_burner(hass_storage, entry, {"timer": {"ends_at": 1}})  # unreadable: no armed_at
    await setup_entry(hass, entry)
    assert burner_issues(hass, entry) == {f"storage_corrupt_{entry.entry_id}"}
    await call(hass, "switch", "turn_on", {"entity_id": LOCKOUT})
    await advance(hass, freezer, 2)
    assert hass_storage[storage_key(entry)]["data"]["guard"]["lockout"] is True

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert watch.relay() == ["turn_on", "turn_off"]
    assert state(hass, RELAY) == "off"
    assert storage_key(entry) not in hass_storage
    assert burner_issues(hass, entry) == set()
    await advance(hass, freezer, 120)
    assert watch.relay() == ["turn_on", "turn_off"]


async def test_removing_a_burner_leaves_other_issues(hass: HomeAssistant, watch: Watch, freezer: Any) -> None:
    left = await add_burner(hass, "Left burner", relay=RELAY)
    right = await add_burner(hass, "Right burner", relay="switch.not_there")
    await advance(hass, freezer, 60)
    assert burner_issues(hass, right) == {f"relay_missing_{right.entry_id}"}
    assert await hass.config_entries.async_remove(left.entry_id)
    await hass.async_block_till_done()
    assert burner_issues(hass, right) == {f"relay_missing_{right.entry_id}"}


async def test_removing_a_burner_leaves_a_restored_relay_alone(hass: HomeAssistant, watch: Watch) -> None:
    entry = await add_burner(hass)
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert watch.any_relay() == []


async def test_removing_a_burner_whose_relay_refuses(
    hass: HomeAssistant, watch: Watch, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await add_burner(hass)
    await call(hass, "switch", "turn_on", {"entity_id": LOCKOUT})
    await replace_service(hass, "input_boolean", "turn_off", refuse)
    with caplog.at_level(logging.ERROR):
        assert await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
    assert hass.config_entries.async_entries(DOMAIN) == []
    assert "Could not restore relay input_boolean.relay" in caplog.text
    assert watch.relay() == ["turn_on", "turn_off"]


async def test_diagnostics_download(hass: HomeAssistant, hass_client: Any) -> None:
    """The diagnostics as the frontend downloads them, during a pulse (real clock: nothing waits on it)."""
    entry = await add_burner(hass, cut_seconds=5)
    assert await async_setup_component(hass, "diagnostics", {})
    await press(hass)

    data = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert data["options"] == {"name": "Left burner", "relay": RELAY, "cut_seconds": 5}
    assert data["relay_state"] == "on"
    assert data["timer_minutes"] == 15
    assert data["guard"]["lockout"] is False
    assert data["guard"]["relay"] == "cut"
    assert data["guard"]["phase"] == "holding"
    assert data["guard"]["valve_state"] == "closing"
    assert data["saved"]["guard"]["last_shut_off"]["reason"] == "manual"
    at = dt_util.parse_datetime(data["saved"]["guard"]["last_shut_off"]["at"])
    assert dt_util.parse_datetime(str(data["wakeup_scheduled_at"])) == at + timedelta(seconds=5)
    assert data["guard"]["next_deadline"] == data["wakeup_scheduled_at"]


async def test_diagnostics_when_idle(hass: HomeAssistant, freezer: Any) -> None:
    entry = await add_burner(hass, cut_seconds=5)
    await press(hass)
    pressed = dt_util.utcnow()
    data = await async_get_config_entry_diagnostics(hass, entry)
    assert data["wakeup_scheduled_at"] == pressed + timedelta(seconds=5)
    json.dumps(data, cls=JSONEncoder)  # what the download does with it

    await advance(hass, freezer, 5)
    data = await async_get_config_entry_diagnostics(hass, entry)
    assert data["relay_state"] == "off"
    assert data["wakeup_scheduled_at"] is None
    assert data["guard"]["phase"] == "idle"
    assert data["guard"]["valve_state"] == "closed"
    assert data["guard"]["next_deadline"] is None


async def test_notification_in_a_language_without_texts(
    hass: HomeAssistant, watch: Watch, freezer: Any, hass_ws_client: Any
) -> None:
    hass.config.language = "nl"
    entry = await add_burner(hass, relay=DEAF_RELAY)
    await press(hass)
    await advance(hass, freezer, 5)
    await advance(hass, freezer, 5)
    note = (await notifications(hass, hass_ws_client))[f"{DOMAIN}_{entry.entry_id}_relay_not_confirmed"]
    assert note["title"] == "Left burner: the relay does not respond"
