"""Device triggers, conditions and actions of a burner (issue 5), set up from the device registry.

Automations are built the way the automation editor builds them: the device's triggers, conditions and
actions are listed over the websocket API, and each automation uses one of the listed configurations.
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import automation
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.gas_stove_guard.const import DOMAIN

from .stove import (
    FLAKY_RELAY,
    FLAME_SENSOR,
    advance,
    burner,
    device_of,
    registry_id,
    setup_stove,
    switch,
)

VALVE = "valve.left_burner"
FLAME = "binary_sensor.left_burner_flame"
LOCKOUT = "switch.left_burner_lockout"
TIMER_ENDS = "sensor.left_burner_timer_ends"
LAST_SHUT_OFF = "sensor.left_burner_last_shut_off"


@pytest.fixture
async def stove(hass: HomeAssistant) -> None:
    """The helper entities, and the components the automation editor relies on."""
    await setup_stove(hass)
    assert await async_setup_component(hass, "device_automation", {})


async def listed(hass: HomeAssistant, ws: Any, kind: str, device_id: str) -> list[dict[str, Any]]:
    """What the automation editor lists for a device: kind is trigger, condition or action."""
    await ws.send_json_auto_id({"type": f"device_automation/{kind}/list", "device_id": device_id})
    msg = await ws.receive_json()
    assert msg["success"], msg
    return msg["result"]


async def capabilities(ws: Any, kind: str, config: dict[str, Any]) -> dict[str, Any]:
    """The extra fields the automation editor shows for one listed configuration."""
    await ws.send_json_auto_id({"type": f"device_automation/{kind}/capabilities", kind: config})
    msg = await ws.receive_json()
    assert msg["success"], msg
    return msg["result"]


def by_type(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """This integration's listed configurations by their type, without the editor-only metadata.

    The editor also lists what the burner's entities offer by their own domains (switch turned on, ...).
    """
    return {
        item["type"]: {k: v for k, v in item.items() if k != "metadata"}
        for item in items
        if item["domain"] == DOMAIN
    }


async def add_automations(hass: HomeAssistant, automations: list[dict[str, Any]]) -> None:
    """Set up the automation component with these automations."""
    assert await async_setup_component(hass, automation.DOMAIN, {automation.DOMAIN: automations})
    await hass.async_block_till_done()


def fired_by(alias: str, trigger: dict[str, Any]) -> dict[str, Any]:
    """An automation that records which alias fired, with what the trigger carried."""
    return {
        "alias": alias,
        "triggers": [trigger],
        "actions": [
            {
                "event": "test_fired",
                "event_data": {
                    "alias": alias,
                    "reason": "{{ trigger.event.data.reason if trigger.event is defined else '' }}",
                },
            }
        ],
    }


def fields(capabilities: dict[str, Any]) -> list[tuple[str, str | None, bool]]:
    """Extra fields as (name, type, required); newer Home Assistant adds keys that say the same."""
    return [(f["name"], f.get("type"), bool(f.get("required"))) for f in capabilities["extra_fields"]]


# --- what the editor offers -----------------------------------------------------------------------


async def test_editor_lists_everything_for_a_burner_with_flame_sensor(
    hass: HomeAssistant, stove: None, hass_ws_client: Any
) -> None:
    entry = await burner(hass, flame_sensor=FLAME_SENSOR)
    device = device_of(hass, entry)
    ws = await hass_ws_client(hass)

    triggers = by_type(await listed(hass, ws, "trigger", device.id))
    assert set(triggers) == {
        "flame_on",
        "flame_off",
        "shut_off",
        "warning",
        "cut_failed",
        "timer_started",
        "timer_ended",
        "timer_cancelled",
    }
    assert triggers["flame_on"]["entity_id"] == registry_id(hass, FLAME)
    assert triggers["shut_off"]["entity_id"] == registry_id(hass, VALVE)
    assert triggers["shut_off"] == {
        "platform": "device",
        "device_id": device.id,
        "domain": DOMAIN,
        "entity_id": registry_id(hass, VALVE),
        "type": "shut_off",
    }

    conditions = by_type(await listed(hass, ws, "condition", device.id))
    assert set(conditions) == {
        "is_flame_on",
        "is_flame_off",
        "is_lockout_on",
        "is_lockout_off",
        "is_timer_running",
    }
    assert conditions["is_lockout_on"]["entity_id"] == registry_id(hass, LOCKOUT)
    assert conditions["is_flame_off"]["entity_id"] == registry_id(hass, FLAME)

    actions = by_type(await listed(hass, ws, "action", device.id))
    assert set(actions) == {
        "shut_off",
        "start_timer",
        "extend_timer",
        "cancel_timer",
        "lockout_on",
        "lockout_off",
    }
    assert actions["lockout_on"]["entity_id"] == registry_id(hass, LOCKOUT)
    assert actions["extend_timer"]["entity_id"] == registry_id(hass, VALVE)


async def test_editor_offers_no_flame_automations_without_a_flame_sensor(
    hass: HomeAssistant, stove: None, hass_ws_client: Any
) -> None:
    entry = await burner(hass)
    device = device_of(hass, entry)
    ws = await hass_ws_client(hass)

    triggers = {t["type"] for t in await listed(hass, ws, "trigger", device.id) if t["domain"] == DOMAIN}
    conditions = {c["type"] for c in await listed(hass, ws, "condition", device.id) if c["domain"] == DOMAIN}
    assert "flame_on" not in triggers
    assert "flame_off" not in triggers
    assert "shut_off" in triggers
    assert conditions == {"is_lockout_on", "is_lockout_off", "is_timer_running"}


async def test_editor_extra_fields(hass: HomeAssistant, stove: None, hass_ws_client: Any) -> None:
    entry = await burner(hass, flame_sensor=FLAME_SENSOR)
    device = device_of(hass, entry)
    ws = await hass_ws_client(hass)
    triggers = by_type(await listed(hass, ws, "trigger", device.id))
    actions = by_type(await listed(hass, ws, "action", device.id))

    flame_off = await capabilities(ws, "trigger", triggers["flame_off"])
    assert fields(flame_off) == [("for", "positive_time_period_dict", False)]

    shut_off = await capabilities(ws, "trigger", triggers["shut_off"])
    [reason] = shut_off["extra_fields"]
    assert reason["name"] == "reason"
    assert not reason.get("required")
    select = reason["selector"]["select"]
    assert select["translation_key"] == "shut_off_reason"
    # The editor does not translate these options itself: they come with their labels.
    assert select["options"] == [
        {"value": "manual", "label": "Manual"},
        {"value": "external", "label": "Relay switched outside"},
        {"value": "timer", "label": "Timer"},
        {"value": "max_on_time", "label": "Maximum burn time"},
        {"value": "unattended", "label": "Unattended"},
        {"value": "hazard", "label": "Hazard"},
    ]

    warning = await capabilities(ws, "trigger", triggers["warning"])
    assert [o["value"] for o in warning["extra_fields"][0]["selector"]["select"]["options"]] == [
        "timer",
        "max_on_time",
        "unattended",
    ]
    assert await capabilities(ws, "trigger", triggers["cut_failed"]) == {"extra_fields": []}

    start = await capabilities(ws, "action", actions["start_timer"])
    assert fields(start) == [("duration", "positive_time_period_dict", False)]
    extend = await capabilities(ws, "action", actions["extend_timer"])
    assert fields(extend) == [("duration", "positive_time_period_dict", True)]
    assert await capabilities(ws, "action", actions["shut_off"]) == {"extra_fields": []}


# --- triggers ---------------------------------------------------------------------------------------


async def test_flame_triggers(
    hass: HomeAssistant, stove: None, hass_ws_client: Any, freezer: FrozenDateTimeFactory
) -> None:
    entry = await burner(hass, flame_sensor=FLAME_SENSOR)
    ws = await hass_ws_client(hass)
    triggers = by_type(await listed(hass, ws, "trigger", device_of(hass, entry).id))
    await add_automations(
        hass,
        [
            fired_by("on", triggers["flame_on"]),
            fired_by("off", triggers["flame_off"]),
            fired_by("off for 2 min", {**triggers["flame_off"], "for": {"minutes": 2}}),
        ],
    )
    fired = async_capture_events(hass, "test_fired")

    def aliases() -> list[str]:
        return [e.data["alias"] for e in fired]

    await switch(hass, "input_boolean.flame", True)
    assert hass.states.get(FLAME).state == STATE_ON
    assert aliases() == ["on"]

    await switch(hass, "input_boolean.flame", False)
    assert aliases() == ["on", "off"]
    await advance(hass, freezer, 60, step=10)
    assert aliases() == ["on", "off"]
    # Lit again within the two minutes: the "for" trigger starts over.
    await switch(hass, "input_boolean.flame", True)
    await advance(hass, freezer, 90, step=10)
    assert aliases() == ["on", "off", "on"]
    await switch(hass, "input_boolean.flame", False)
    await advance(hass, freezer, 110, step=10)
    assert aliases() == ["on", "off", "on", "off"]
    await advance(hass, freezer, 20, step=10)
    assert aliases() == ["on", "off", "on", "off", "off for 2 min"]


async def test_event_triggers_follow_the_story_of_a_timer(
    hass: HomeAssistant, stove: None, hass_ws_client: Any, freezer: FrozenDateTimeFactory
) -> None:
    left = await burner(hass, warning_seconds=30)
    right = await burner(hass, "Right burner", relay="input_boolean.relay2")
    ws = await hass_ws_client(hass)
    triggers = by_type(await listed(hass, ws, "trigger", device_of(hass, left).id))
    await add_automations(
        hass,
        [
            fired_by("shut off", triggers["shut_off"]),
            fired_by("shut off by timer", {**triggers["shut_off"], "reason": "timer"}),
            fired_by("warning", triggers["warning"]),
            fired_by("warning unattended", {**triggers["warning"], "reason": "unattended"}),
            fired_by("timer started", triggers["timer_started"]),
            fired_by("timer ended", triggers["timer_ended"]),
            fired_by("timer cancelled", triggers["timer_cancelled"]),
            fired_by("cut failed", triggers["cut_failed"]),
        ],
    )
    fired = async_capture_events(hass, "test_fired")

    # Another burner's events never fire the left burner's triggers.
    await hass.services.async_call(
        DOMAIN, "start_timer", {"entity_id": "valve.right_burner", "duration": 60}, blocking=True
    )
    await hass.services.async_call(DOMAIN, "shut_off", {"entity_id": "valve.right_burner"}, blocking=True)
    await advance(hass, freezer, 10)
    assert hass.states.get("sensor.right_burner_last_shut_off").state == "manual"
    assert right.state.value == "loaded"
    assert fired == []

    await hass.services.async_call(
        DOMAIN, "start_timer", {"entity_id": VALVE, "duration": {"minutes": 2}}, blocking=True
    )
    await hass.async_block_till_done()
    assert [e.data["alias"] for e in fired] == ["timer started"]
    await advance(hass, freezer, 89, step=10)
    assert [e.data["alias"] for e in fired] == ["timer started"]
    await advance(hass, freezer, 2)
    assert [(e.data["alias"], e.data["reason"]) for e in fired][1:] == [("warning", "timer")]
    await advance(hass, freezer, 40)
    assert sorted((e.data["alias"], e.data["reason"]) for e in fired[2:]) == [
        ("shut off", "timer"),
        ("shut off by timer", "timer"),
        ("timer ended", ""),
    ]

    # A manual shut-off fires the plain trigger, not the one narrowed to the timer.
    fired.clear()
    await hass.services.async_call(DOMAIN, "shut_off", {"entity_id": VALVE}, blocking=True)
    await advance(hass, freezer, 10)
    assert [(e.data["alias"], e.data["reason"]) for e in fired] == [("shut off", "manual")]

    fired.clear()
    await hass.services.async_call(DOMAIN, "start_timer", {"entity_id": VALVE}, blocking=True)
    await hass.services.async_call(DOMAIN, "cancel_timer", {"entity_id": VALVE}, blocking=True)
    await hass.async_block_till_done()
    assert [e.data["alias"] for e in fired] == ["timer started", "timer cancelled"]
    assert hass.states.get(TIMER_ENDS).state == STATE_UNKNOWN


async def test_cut_failed_trigger(hass: HomeAssistant, stove: None, hass_ws_client: Any) -> None:
    entry = await burner(hass, relay=FLAKY_RELAY)
    ws = await hass_ws_client(hass)
    triggers = by_type(await listed(hass, ws, "trigger", device_of(hass, entry).id))
    await add_automations(hass, [fired_by("cut failed", triggers["cut_failed"])])
    fired = async_capture_events(hass, "test_fired")

    await switch(hass, "input_boolean.relay_ok", False)
    assert hass.states.get(VALVE).state == STATE_UNAVAILABLE
    await hass.services.async_call(DOMAIN, "shut_off", {"entity_id": VALVE}, blocking=True)
    await hass.async_block_till_done()
    assert [(e.data["alias"], e.data["reason"]) for e in fired] == [("cut failed", "manual")]


async def test_trigger_config_is_checked(hass: HomeAssistant, stove: None, hass_ws_client: Any) -> None:
    """A `for` on an event trigger, or a reason a trigger cannot have, makes the automation invalid."""
    entry = await burner(hass, flame_sensor=FLAME_SENSOR)
    ws = await hass_ws_client(hass)
    triggers = by_type(await listed(hass, ws, "trigger", device_of(hass, entry).id))
    await add_automations(
        hass,
        [
            fired_by("for on event", {**triggers["shut_off"], "for": {"minutes": 1}}),
            fired_by("hazard warning", {**triggers["warning"], "reason": "hazard"}),
            fired_by("reason on flame", {**triggers["flame_on"], "reason": "timer"}),
            fired_by("no such reason", {**triggers["shut_off"], "reason": "boredom"}),
            fired_by("valid", {**triggers["shut_off"], "reason": "hazard"}),
        ],
    )
    states = {s.attributes.get("friendly_name"): s.state for s in hass.states.async_all(automation.DOMAIN)}
    assert states == {
        "for on event": STATE_UNAVAILABLE,
        "hazard warning": STATE_UNAVAILABLE,
        "reason on flame": STATE_UNAVAILABLE,
        "no such reason": STATE_UNAVAILABLE,
        "valid": STATE_ON,
    }


# --- conditions -------------------------------------------------------------------------------------


def checks(conditions: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One automation per condition: on the event `check`, it reports the condition's type if it holds."""
    return [
        {
            "alias": kind,
            "triggers": [{"trigger": "event", "event_type": "check"}],
            "conditions": [condition],
            "actions": [{"event": "passed", "event_data": {"type": kind}}],
        }
        for kind, condition in conditions.items()
    ]


async def test_conditions(hass: HomeAssistant, stove: None, hass_ws_client: Any) -> None:
    entry = await burner(hass, flame_sensor=FLAME_SENSOR)
    ws = await hass_ws_client(hass)
    conditions = by_type(await listed(hass, ws, "condition", device_of(hass, entry).id))
    await add_automations(hass, checks(conditions))
    passed = async_capture_events(hass, "passed")

    async def holding() -> set[str]:
        passed.clear()
        hass.bus.async_fire("check")
        await hass.async_block_till_done()
        return {e.data["type"] for e in passed}

    assert await holding() == {"is_flame_off", "is_lockout_off"}
    await switch(hass, "input_boolean.flame", True)
    await hass.services.async_call(DOMAIN, "start_timer", {"entity_id": VALVE}, blocking=True)
    assert await holding() == {"is_flame_on", "is_lockout_off", "is_timer_running"}
    await switch(hass, LOCKOUT, True)
    assert await holding() == {"is_flame_on", "is_lockout_on", "is_timer_running"}

    # A burner that is not loaded satisfies none of them.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert await holding() == set()


async def test_conditions_know_the_burner_while_its_relay_is_unavailable(
    hass: HomeAssistant, stove: None, hass_ws_client: Any
) -> None:
    entry = await burner(hass, relay=FLAKY_RELAY)
    ws = await hass_ws_client(hass)
    conditions = by_type(await listed(hass, ws, "condition", device_of(hass, entry).id))
    await add_automations(hass, checks(conditions))
    passed = async_capture_events(hass, "passed")
    await switch(hass, LOCKOUT, True)
    await hass.services.async_call(DOMAIN, "start_timer", {"entity_id": VALVE}, blocking=True)

    await switch(hass, "input_boolean.relay_ok", False)
    assert hass.states.get(LOCKOUT).state == STATE_UNAVAILABLE
    hass.bus.async_fire("check")
    await hass.async_block_till_done()
    assert {e.data["type"] for e in passed} == {"is_lockout_on", "is_timer_running"}


# --- actions ----------------------------------------------------------------------------------------


async def script_with(hass: HomeAssistant, action: dict[str, Any]) -> None:
    """Set up script.probe with this one action."""
    assert await async_setup_component(hass, "script", {"script": {"probe": {"sequence": [action]}}})
    await hass.async_block_till_done()


async def call_probe(hass: HomeAssistant) -> None:
    """Run script.probe and wait for it; its errors propagate."""
    await hass.services.async_call("script", "probe", {}, blocking=True)
    await hass.async_block_till_done()


async def test_actions(
    hass: HomeAssistant, stove: None, hass_ws_client: Any, freezer: FrozenDateTimeFactory
) -> None:
    entry = await burner(hass)
    ws = await hass_ws_client(hass)
    actions = by_type(await listed(hass, ws, "action", device_of(hass, entry).id))
    await add_automations(
        hass,
        [
            {
                "alias": kind,
                "triggers": [{"trigger": "event", "event_type": "act", "event_data": {"type": kind}}],
                "actions": [action],
            }
            for kind, action in {
                **actions,
                "start_timer_5": {**actions["start_timer"], "duration": {"minutes": 5}},
                "extend_timer": {**actions["extend_timer"], "duration": {"minutes": 3}},
            }.items()
        ],
    )
    relay_changes: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda e: (
            relay_changes.append(e.data["new_state"].state)
            if e.data["entity_id"] == "input_boolean.relay"
            else None
        ),
    )

    async def act(kind: str) -> None:
        hass.bus.async_fire("act", {"type": kind})
        await hass.async_block_till_done()

    await act("shut_off")
    await advance(hass, freezer, 10)
    assert relay_changes == [STATE_ON, STATE_OFF]  # the loop was opened for a moment, then closed
    assert hass.states.get(LAST_SHUT_OFF).state == "manual"

    def ends_in() -> float:
        ends = dt_util.parse_datetime(hass.states.get(TIMER_ENDS).state)
        return round((ends - dt_util.utcnow()).total_seconds() / 60)

    await act("start_timer")  # the timer duration entity's 15 minutes
    assert ends_in() == 15
    await act("start_timer_5")
    assert ends_in() == 5
    await act("extend_timer")
    assert ends_in() == 8
    await act("cancel_timer")
    assert hass.states.get(TIMER_ENDS).state == STATE_UNKNOWN

    await act("lockout_on")
    lockout = hass.states.get(LOCKOUT)
    assert lockout.state == STATE_ON
    assert hass.states.get("input_boolean.relay").state == STATE_ON  # held open
    # Done by the automation: the logbook can say so.
    run = hass.states.get("automation.lockout_on")
    assert lockout.context.id == run.context.id
    await act("lockout_off")
    await advance(hass, freezer, 2)
    assert hass.states.get(LOCKOUT).state == STATE_OFF
    assert hass.states.get("input_boolean.relay").state == STATE_OFF


async def test_lockout_action_while_the_relay_is_unavailable(
    hass: HomeAssistant, stove: None, hass_ws_client: Any, freezer: FrozenDateTimeFactory
) -> None:
    """Switch services skip an unavailable switch silently; the action reaches the burner anyway."""
    entry = await burner(hass, relay=FLAKY_RELAY)
    ws = await hass_ws_client(hass)
    actions = by_type(await listed(hass, ws, "action", device_of(hass, entry).id))
    await script_with(hass, actions["lockout_on"])
    await switch(hass, "input_boolean.relay_ok", False)
    assert hass.states.get(LOCKOUT).state == STATE_UNAVAILABLE

    await call_probe(hass)
    assert hass.states.get("input_boolean.relay3").state == STATE_OFF  # nothing can be done yet

    await switch(hass, "input_boolean.relay_ok", True)
    await advance(hass, freezer, 2)
    assert hass.states.get(LOCKOUT).state == STATE_ON
    assert hass.states.get("input_boolean.relay3").state == STATE_ON  # held open as soon as it is back


async def test_action_errors_are_translated_and_change_nothing(
    hass: HomeAssistant, stove: None, hass_ws_client: Any
) -> None:
    entry = await burner(hass)
    ws = await hass_ws_client(hass)
    actions = by_type(await listed(hass, ws, "action", device_of(hass, entry).id))
    await script_with(hass, {**actions["start_timer"], "duration": {"hours": 25}})

    with pytest.raises(ServiceValidationError) as err:
        await call_probe(hass)
    assert err.value.translation_key == "duration_out_of_range"
    assert str(err.value) == "A timer duration must be between 1 second and 24 hours (Left burner)"
    assert hass.states.get(TIMER_ENDS).state == STATE_UNKNOWN


async def test_lockout_action_on_a_burner_that_is_not_loaded(
    hass: HomeAssistant, stove: None, hass_ws_client: Any
) -> None:
    entry = await burner(hass)
    ws = await hass_ws_client(hass)
    actions = by_type(await listed(hass, ws, "action", device_of(hass, entry).id))
    await script_with(hass, actions["lockout_on"])
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    with pytest.raises(ServiceValidationError) as err:
        await call_probe(hass)
    assert err.value.translation_key == "burner_not_loaded"
    assert str(err.value) == f"The burner of {LOCKOUT} is not loaded"
    assert hass.states.get("input_boolean.relay").state == STATE_OFF


async def test_action_config_is_checked(hass: HomeAssistant, stove: None, hass_ws_client: Any) -> None:
    """Extending without a duration, or a duration where none belongs, makes the automation invalid."""
    entry = await burner(hass)
    ws = await hass_ws_client(hass)
    actions = by_type(await listed(hass, ws, "action", device_of(hass, entry).id))
    await add_automations(
        hass,
        [
            {
                "alias": "extend",
                "triggers": [{"trigger": "event", "event_type": "x"}],
                "actions": [actions["extend_timer"]],
            },
            {
                "alias": "shut off 5",
                "triggers": [{"trigger": "event", "event_type": "x"}],
                "actions": [{**actions["shut_off"], "duration": {"minutes": 5}}],
            },
            {
                "alias": "fine",
                "triggers": [{"trigger": "event", "event_type": "x"}],
                "actions": [actions["shut_off"]],
            },
        ],
    )
    states = {s.attributes.get("friendly_name"): s.state for s in hass.states.async_all(automation.DOMAIN)}
    assert states == {"extend": STATE_UNAVAILABLE, "shut off 5": STATE_UNAVAILABLE, "fine": STATE_ON}


async def test_device_automation_of_a_deleted_entity(
    hass: HomeAssistant, stove: None, hass_ws_client: Any
) -> None:
    """An automation naming an entity that is gone fails to set up rather than acting on something else."""
    entry = await burner(hass)
    ws = await hass_ws_client(hass)
    triggers = by_type(await listed(hass, ws, "trigger", device_of(hass, entry).id))
    stale = {**triggers["shut_off"], "entity_id": "0123456789abcdef0123456789abcdef"}
    await add_automations(hass, [fired_by("stale", stale)])
    assert hass.states.get("automation.stale").state == STATE_UNAVAILABLE


async def test_automations_must_name_their_devices_own_entity(
    hass: HomeAssistant, stove: None, hass_ws_client: Any
) -> None:
    """Hand-written YAML naming another entity than the device's is refused, not run on the wrong thing."""
    left = await burner(hass, flame_sensor=FLAME_SENSOR)
    await burner(hass, "Right burner", relay="input_boolean.relay2")
    ws = await hass_ws_client(hass)
    device = device_of(hass, left).id
    triggers = by_type(await listed(hass, ws, "trigger", device))
    conditions = by_type(await listed(hass, ws, "condition", device))
    actions = by_type(await listed(hass, ws, "action", device))
    event = [{"trigger": "event", "event_type": "x"}]
    await add_automations(
        hass,
        [
            fired_by(
                "flame entity for shut off", {**triggers["shut_off"], "entity_id": registry_id(hass, FLAME)}
            ),
            fired_by("valve for flame", {**triggers["flame_on"], "entity_id": VALVE}),
            {
                "alias": "relay as lockout",
                "triggers": event,
                "conditions": [{**conditions["is_lockout_on"], "entity_id": "input_boolean.relay"}],
                "actions": [],
            },
            {
                "alias": "other burner's valve",
                "triggers": event,
                "actions": [{**actions["shut_off"], "entity_id": "valve.right_burner"}],
            },
            {"alias": "fine", "triggers": event, "actions": [{**actions["shut_off"], "entity_id": VALVE}]},
        ],
    )
    states = {s.attributes.get("friendly_name"): s.state for s in hass.states.async_all(automation.DOMAIN)}
    assert states == {
        "flame entity for shut off": STATE_UNAVAILABLE,
        "valve for flame": STATE_UNAVAILABLE,
        "relay as lockout": STATE_UNAVAILABLE,
        "other burner's valve": STATE_UNAVAILABLE,
        "fine": STATE_ON,
    }


async def test_action_on_an_entity_deleted_after_set_up(
    hass: HomeAssistant, stove: None, hass_ws_client: Any
) -> None:
    entry = await burner(hass)
    ws = await hass_ws_client(hass)
    actions = by_type(await listed(hass, ws, "action", device_of(hass, entry).id))
    await script_with(hass, actions["shut_off"])
    er.async_get(hass).async_remove(VALVE)
    await hass.async_block_till_done()

    with pytest.raises(ServiceValidationError) as err:
        await call_probe(hass)
    assert err.value.translation_key == "unknown_burner_entity"
    assert str(err.value).startswith("An automation refers to a burner entity that no longer exists (")
    assert hass.states.get("input_boolean.relay").state == STATE_OFF


async def test_editor_texts_load(hass: HomeAssistant, stove: None) -> None:
    """The editor names the triggers, conditions, actions and fields from these translations."""
    await burner(hass)
    texts = await async_get_translations(hass, "en", "device_automation", [DOMAIN])
    prefix = f"component.{DOMAIN}.device_automation"
    assert texts[f"{prefix}.trigger_type.shut_off"] == "{entity_name} was shut off"
    assert texts[f"{prefix}.condition_type.is_timer_running"] == "{entity_name} timer is running"
    assert texts[f"{prefix}.action_type.extend_timer"] == "Extend the timer of {entity_name}"
    assert texts[f"{prefix}.extra_fields.reason"] == "Reason"
