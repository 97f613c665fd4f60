"""Config, options and reconfigure flows, and the fix flow of a missing relay.

Every bad input must come back as a form error whose key Home Assistant can translate, and must leave the
burners exactly as they were: no entry created, no option changed, no reload.
"""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from typing import Any

from homeassistant import config_entries
from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.gas_stove_guard.const import DOMAIN, EVENT_SHUT_OFF

from .conftest import add_burner

RELAY = "input_boolean.relay"
RELAY2 = "input_boolean.relay2"
RELAY3 = "input_boolean.relay3"
FLAME = "binary_sensor.flame"
PRESENCE = "binary_sensor.presence"
SMOKE = "binary_sensor.smoke"
TEMPERATURE = "sensor.burner_temperature"


# --- helpers ------------------------------------------------------------------------------------------


@pytest.fixture
async def sensors(hass: HomeAssistant, relays: list[str]) -> None:
    """Template sensors to pick as flame, presence and hazard sensors."""
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "binary_sensor": [
                        {"name": "Flame", "state": "{{ false }}"},
                        {"name": "Presence", "state": "{{ true }}"},
                        {"name": "Smoke", "state": "{{ false }}"},
                    ],
                    "sensor": [{"name": "Burner temperature", "state": "{{ 21 }}"}],
                }
            ]
        },
    )
    await hass.async_block_till_done()
    for entity_id in (FLAME, PRESENCE, SMOKE, TEMPERATURE):
        assert hass.states.get(entity_id) is not None, entity_id


async def error_texts(hass: HomeAssistant, category: str) -> dict[str, str]:
    """The English texts Home Assistant loads for this integration's `category` ("config", "options", ...)."""
    return await async_get_translations(hass, "en", category, [DOMAIN])


async def assert_translated(hass: HomeAssistant, category: str, errors: dict[str, str], prefix: str) -> None:
    texts = await error_texts(hass, category)
    for key in errors.values():
        assert texts.get(f"component.{DOMAIN}.{prefix}.{key}"), f"{key} has no English text"


def suggested(result: dict[str, Any], key: str, section: str | None = None) -> Any:
    """The value a form suggests for a field."""
    schema = result["data_schema"].schema
    if section is not None:
        schema = next(v for k, v in schema.items() if str(k) == section).schema.schema
    for marker in schema:
        if str(marker) == key:
            return (marker.description or {}).get("suggested_value")
    raise KeyError(key)


def relay_calls(calls: list[Any]) -> list[tuple[str, str]]:
    """(service, entity_id) of every turn_on/turn_off sent to an input_boolean."""
    return [
        (c.data["service"], c.data["service_data"]["entity_id"])
        for c in calls
        if c.data["domain"] == "input_boolean"
    ]


async def start_user_flow(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": config_entries.SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result


# --- the user step ----------------------------------------------------------------------------------


async def test_user_flow_creates_burner(hass: HomeAssistant, relays: list[str]) -> None:
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "name": "  Left burner ",
            "relay": RELAY,
            "wiring": "cut_when_off",
            "cut_seconds": 7.0,
            "relay_restores_itself": True,
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Left burner"
    assert result["data"] == {}
    entry = result["result"]
    assert entry.options == {
        "name": "Left burner",
        "relay": RELAY,
        "wiring": "cut_when_off",
        "cut_seconds": 7,
        "relay_restores_itself": True,
    }
    assert isinstance(entry.options["cut_seconds"], int)
    assert entry.state is config_entries.ConfigEntryState.LOADED
    valve = hass.states.get("valve.left_burner")
    assert valve is not None
    assert valve.attributes["device_class"] == "gas"


async def test_user_flow_defaults(hass: HomeAssistant, relays: list[str]) -> None:
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Wok", "relay": RELAY2}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].options == {
        "name": "Wok",
        "relay": RELAY2,
        "wiring": "cut_when_on",
        "cut_seconds": 5,
        "relay_restores_itself": False,
    }


async def test_user_flow_keeps_fractional_cut_seconds(hass: HomeAssistant, relays: list[str]) -> None:
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Wok", "relay": RELAY, "cut_seconds": 2.5}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].options["cut_seconds"] == 2.5


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"name": ""}, "name", "name_empty"),
        ({"name": "   "}, "name", "name_empty"),
        ({"relay": "switch.does_not_exist"}, "relay", "relay_unknown_entity"),
        ({"relay": "input_boolean.nope"}, "relay", "relay_unknown_entity"),
        ({"relay": "light.kitchen"}, "relay", "relay_wrong_domain"),
        ({"relay": "sensor.x"}, "relay", "relay_wrong_domain"),
        ({"relay": "not an entity id"}, "relay", "relay_wrong_domain"),
        ({"relay": ""}, "relay", "relay_wrong_domain"),
        ({"cut_seconds": 0}, "cut_seconds", "cut_seconds_out_of_range"),
        ({"cut_seconds": 0.5}, "cut_seconds", "cut_seconds_out_of_range"),
        ({"cut_seconds": 61}, "cut_seconds", "cut_seconds_out_of_range"),
        ({"cut_seconds": -5}, "cut_seconds", "cut_seconds_out_of_range"),
    ],
)
async def test_user_flow_errors(
    hass: HomeAssistant, relays: list[str], changes: dict[str, Any], field: str, error: str
) -> None:
    user_input = {"name": "Left burner", "relay": RELAY, "cut_seconds": 5, **changes}
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {field: error}
    await assert_translated(hass, "config", result["errors"], "config.error")
    assert hass.config_entries.async_entries(DOMAIN) == []
    # What the user typed stays in the form.
    assert suggested(result, field) == user_input[field]

    # The same flow accepts the corrected input.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Left burner", "relay": RELAY, "cut_seconds": 5}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_user_flow_several_errors_at_once(hass: HomeAssistant, relays: list[str]) -> None:
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "", "relay": "light.kitchen", "cut_seconds": 100}
    )
    assert result["errors"] == {
        "name": "name_empty",
        "relay": "relay_wrong_domain",
        "cut_seconds": "cut_seconds_out_of_range",
    }
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_user_flow_relay_in_use(hass: HomeAssistant, relays: list[str]) -> None:
    existing = await add_burner(hass, "Left burner", relay=RELAY)
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Right burner", "relay": RELAY}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"relay": "relay_in_use"}
    await assert_translated(hass, "config", result["errors"], "config.error")
    assert hass.config_entries.async_entries(DOMAIN) == [existing]


async def test_user_flow_relay_known_only_to_the_registry(hass: HomeAssistant, relays: list[str]) -> None:
    """A relay whose integration has not loaded yet (registered, no state) can still be chosen."""
    er.async_get(hass).async_get_or_create("switch", "some_relay_maker", "abc", suggested_object_id="later")
    assert hass.states.get("switch.later") is None
    result = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Back burner", "relay": "switch.later"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].options["relay"] == "switch.later"


async def test_user_flow_rejects_a_non_number(hass: HomeAssistant, relays: list[str]) -> None:
    result = await start_user_flow(hass)
    with pytest.raises(InvalidData):
        await hass.config_entries.flow.async_configure(
            result["flow_id"], {"name": "Wok", "relay": RELAY, "cut_seconds": "five"}
        )
    assert hass.config_entries.async_entries(DOMAIN) == []


# --- the options flow ---------------------------------------------------------------------------------


FULL_OPTIONS_INPUT: dict[str, Any] = {
    "relay": RELAY2,
    "wiring": "cut_when_on",
    "cut_seconds": 10,
    "relay_restores_itself": True,
    "warning_seconds": 30,
    "flame": {"flame_sensor": FLAME, "verify_seconds": 90, "max_on_minutes": 120},
    "watchdogs": {"presence_sensor": PRESENCE, "unattended_minutes": 20, "hazard_sensors": [SMOKE]},
}


async def test_options_flow_edits_everything_but_the_name(hass: HomeAssistant, sensors: None) -> None:
    entry = await add_burner(hass, "Left burner", relay=RELAY, cut_seconds=5)
    controller = entry.runtime_data

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    fields = {str(k) for k in result["data_schema"].schema}
    assert "name" not in fields
    assert {
        "relay",
        "wiring",
        "cut_seconds",
        "relay_restores_itself",
        "warning_seconds",
        "flame",
        "watchdogs",
    } <= (fields)
    assert suggested(result, "relay") == RELAY
    assert suggested(result, "cut_seconds") == 5

    result = await hass.config_entries.options.async_configure(result["flow_id"], FULL_OPTIONS_INPUT)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        "name": "Left burner",
        "relay": RELAY2,
        "wiring": "cut_when_on",
        "cut_seconds": 10,
        "relay_restores_itself": True,
        "warning_seconds": 30,
        "flame_sensor": FLAME,
        "verify_seconds": 90,
        "max_on_minutes": 120,
        "presence_sensor": PRESENCE,
        "unattended_minutes": 20,
        "hazard_sensors": [SMOKE],
    }
    assert entry.title == "Left burner"
    # Reloaded: a new controller watching the new relay and the flame sensor.
    assert entry.state is config_entries.ConfigEntryState.LOADED
    assert entry.runtime_data is not controller
    assert entry.runtime_data.relay_entity_id == RELAY2
    assert hass.states.get("binary_sensor.left_burner_flame") is not None

    # The form now suggests the saved values, sections included.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert suggested(result, "relay") == RELAY2
    assert suggested(result, "flame_sensor", "flame") == FLAME
    assert suggested(result, "hazard_sensors", "watchdogs") == [SMOKE]


async def test_options_flow_numeric_flame_sensor(hass: HomeAssistant, sensors: None) -> None:
    entry = await add_burner(hass, "Left burner")
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "relay": RELAY,
            "flame": {"flame_sensor": TEMPERATURE, "flame_on_above": 60, "flame_off_below": 60},
            "watchdogs": {},
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["flame_sensor"] == TEMPERATURE
    assert entry.options["flame_on_above"] == 60
    assert entry.options["flame_off_below"] == 60
    assert entry.state is config_entries.ConfigEntryState.LOADED


async def test_options_flow_clearing_sensors_removes_them(hass: HomeAssistant, sensors: None) -> None:
    entry = await add_burner(
        hass,
        "Left burner",
        flame_sensor=FLAME,
        presence_sensor=PRESENCE,
        hazard_sensors=[SMOKE],
        max_on_minutes=30,
    )
    assert hass.states.get("binary_sensor.left_burner_flame") is not None

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert suggested(result, "flame_sensor", "flame") == FLAME
    assert suggested(result, "presence_sensor", "watchdogs") == PRESENCE
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "relay": RELAY,
            "flame": {"flame_sensor": "", "max_on_minutes": 30},
            "watchdogs": {"hazard_sensors": []},
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    for key in ("flame_sensor", "presence_sensor", "hazard_sensors"):
        assert key not in entry.options
    assert entry.options["max_on_minutes"] == 30
    assert entry.runtime_data.flame_sensor is None
    assert entry.runtime_data.hazard_sensors == []
    # The flame entities are gone with the flame sensor, from the state machine and the registry.
    registry = er.async_get(hass)
    for entity_id in ("binary_sensor.left_burner_flame", "sensor.left_burner_burn_time"):
        assert hass.states.get(entity_id) is None
        assert registry.async_get(entity_id) is None


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"relay": "light.kitchen"}, "relay", "relay_wrong_domain"),
        ({"relay": "sensor.x"}, "relay", "relay_wrong_domain"),
        ({"relay": "switch.gone"}, "relay", "relay_unknown_entity"),
        ({"relay": RELAY3}, "relay", "relay_in_use"),
        ({"cut_seconds": 0}, "cut_seconds", "cut_seconds_out_of_range"),
        ({"cut_seconds": 60.5}, "cut_seconds", "cut_seconds_out_of_range"),
        ({"warning_seconds": -1}, "warning_seconds", "warning_seconds_out_of_range"),
        ({"warning_seconds": 601}, "warning_seconds", "warning_seconds_out_of_range"),
        ({"flame": {"verify_seconds": 4}}, "verify_seconds", "verify_seconds_out_of_range"),
        ({"flame": {"verify_seconds": 601}}, "verify_seconds", "verify_seconds_out_of_range"),
        ({"flame": {"max_on_minutes": -1}}, "max_on_minutes", "max_on_minutes_out_of_range"),
        ({"flame": {"max_on_minutes": 1441}}, "max_on_minutes", "max_on_minutes_out_of_range"),
        ({"watchdogs": {"unattended_minutes": 0}}, "unattended_minutes", "unattended_minutes_out_of_range"),
        ({"watchdogs": {"unattended_minutes": 241}}, "unattended_minutes", "unattended_minutes_out_of_range"),
        ({"flame": {"flame_sensor": "switch.flame"}}, "flame_sensor", "sensor_wrong_domain"),
        ({"flame": {"flame_sensor": "binary_sensor.nope"}}, "flame_sensor", "sensor_unknown_entity"),
        ({"flame": {"flame_sensor": TEMPERATURE}}, "flame_on_above", "flame_thresholds_required"),
        (
            {"flame": {"flame_sensor": TEMPERATURE, "flame_on_above": 50}},
            "flame_on_above",
            "flame_thresholds_required",
        ),
        (
            {"flame": {"flame_sensor": TEMPERATURE, "flame_off_below": 50}},
            "flame_on_above",
            "flame_thresholds_required",
        ),
        (
            {"flame": {"flame_sensor": TEMPERATURE, "flame_on_above": 40, "flame_off_below": 50}},
            "flame_off_below",
            "flame_thresholds_order",
        ),
        ({"watchdogs": {"presence_sensor": TEMPERATURE}}, "presence_sensor", "sensor_wrong_domain"),
        (
            {"watchdogs": {"presence_sensor": "binary_sensor.nobody"}},
            "presence_sensor",
            "sensor_unknown_entity",
        ),
        (
            {"watchdogs": {"hazard_sensors": [SMOKE, "binary_sensor.nope"]}},
            "hazard_sensors",
            "sensor_unknown_entity",
        ),
        (
            {"watchdogs": {"hazard_sensors": ["input_boolean.relay2"]}},
            "hazard_sensors",
            "sensor_wrong_domain",
        ),
    ],
)
async def test_options_flow_errors(
    hass: HomeAssistant, sensors: None, changes: dict[str, Any], field: str, error: str
) -> None:
    await add_burner(hass, "Right burner", relay=RELAY3)
    entry = await add_burner(hass, "Left burner", relay=RELAY, cut_seconds=5)
    options_before = dict(entry.options)
    controller = entry.runtime_data

    result = await hass.config_entries.options.async_init(entry.entry_id)
    user_input: dict[str, Any] = {"relay": RELAY, "cut_seconds": 5, "flame": {}, "watchdogs": {}}
    for key, value in changes.items():
        user_input[key] = {**user_input[key], **value} if isinstance(value, dict) else value
    result = await hass.config_entries.options.async_configure(result["flow_id"], user_input)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["errors"] == {field: error}
    await assert_translated(hass, "options", result["errors"], "options.error")
    assert dict(entry.options) == options_before
    assert entry.runtime_data is controller  # not reloaded

    # Corrected, the same form saves.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"relay": RELAY, "cut_seconds": 6, "flame": {}, "watchdogs": {}}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["cut_seconds"] == 6


async def test_options_flow_keeps_its_own_relay(hass: HomeAssistant, relays: list[str]) -> None:
    """The burner's own relay is not "in use by another burner"."""
    entry = await add_burner(hass, "Left burner", relay=RELAY)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"relay": RELAY, "cut_seconds": 3, "flame": {}, "watchdogs": {}}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["cut_seconds"] == 3


async def test_options_change_reloads_and_keeps_state(
    hass: HomeAssistant, relays: list[str], freezer: Any
) -> None:
    entry = await add_burner(hass, "Left burner", relay=RELAY, cut_seconds=5)
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.left_burner_shut_off"}, blocking=True
    )
    await hass.async_block_till_done()
    freezer.tick(timedelta(seconds=6))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(RELAY).state == "off"
    last_before = hass.states.get("sensor.left_burner_last_shut_off")
    assert last_before.state == "manual"
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.left_burner_lockout"}, blocking=True
    )
    await hass.async_block_till_done()
    assert hass.states.get(RELAY).state == "on"
    controller = entry.runtime_data

    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    shut_offs = async_capture_events(hass, EVENT_SHUT_OFF)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"relay": RELAY, "cut_seconds": 8, "flame": {}, "watchdogs": {}}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.runtime_data is not controller
    assert entry.runtime_data.guard.settings.cut_seconds == 8
    assert hass.states.get("switch.left_burner_lockout").state == "on"
    assert hass.states.get("valve.left_burner").state == "closed"
    last_after = hass.states.get("sensor.left_burner_last_shut_off")
    assert last_after.state == "manual"
    assert last_after.attributes["at"] == last_before.attributes["at"]
    # The relay stayed cut through the reload: not a single command, no new shut-off.
    assert relay_calls(calls) == []
    assert hass.states.get(RELAY).state == "on"
    assert shut_offs == []


# --- the reconfigure flow --------------------------------------------------------------------------


async def test_reconfigure_points_at_a_new_relay(hass: HomeAssistant, relays: list[str]) -> None:
    entry = await add_burner(hass, "Left burner", relay=RELAY, warning_seconds=30)
    controller = entry.runtime_data

    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["description_placeholders"] == {"burner": "Left burner"}
    assert suggested(result, "relay") == RELAY
    assert "name" not in {str(k) for k in result["data_schema"].schema}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"relay": RELAY2, "wiring": "cut_when_on", "cut_seconds": 4, "relay_restores_itself": False},
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.options == {
        "name": "Left burner",
        "relay": RELAY2,
        "wiring": "cut_when_on",
        "cut_seconds": 4,
        "relay_restores_itself": False,
        "warning_seconds": 30,
    }
    assert entry.runtime_data is not controller
    assert entry.state is config_entries.ConfigEntryState.LOADED

    # The burner now drives the new relay, and leaves the old one alone.
    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    await hass.services.async_call("valve", "close_valve", {"entity_id": "valve.left_burner"}, blocking=True)
    await hass.async_block_till_done()
    assert relay_calls(calls) == [("turn_on", RELAY2)]
    assert hass.states.get(RELAY2).state == "on"
    assert hass.states.get(RELAY).state == "off"


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"relay": RELAY3}, "relay", "relay_in_use"),
        ({"relay": "light.kitchen"}, "relay", "relay_wrong_domain"),
        ({"relay": "switch.gone"}, "relay", "relay_unknown_entity"),
        ({"cut_seconds": 0}, "cut_seconds", "cut_seconds_out_of_range"),
        ({"cut_seconds": 61}, "cut_seconds", "cut_seconds_out_of_range"),
    ],
)
async def test_reconfigure_errors(
    hass: HomeAssistant, relays: list[str], changes: dict[str, Any], field: str, error: str
) -> None:
    await add_burner(hass, "Right burner", relay=RELAY3)
    entry = await add_burner(hass, "Left burner", relay=RELAY)
    options_before = dict(entry.options)
    controller = entry.runtime_data

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"relay": RELAY2, "cut_seconds": 5, **changes}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {field: error}
    await assert_translated(hass, "config", result["errors"], "config.error")
    assert dict(entry.options) == options_before
    assert entry.runtime_data is controller
    assert suggested(result, field) == changes[field]


# --- the fix flow of a missing relay -----------------------------------------------------------------


async def start_repair_fix_flow(client: Any, handler: str, issue_id: str) -> dict[str, Any]:
    """Start a fix flow the way the frontend does (HA core's tests/components/repairs helper)."""
    resp = await client.post("/api/repairs/issues/fix", json={"handler": handler, "issue_id": issue_id})
    assert resp.status == HTTPStatus.OK
    return await resp.json()


async def process_repair_fix_flow(
    client: Any, flow_id: str, json: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Submit a step of a fix flow the way the frontend does."""
    resp = await client.post(f"/api/repairs/issues/fix/{flow_id}", json=json or {})
    assert resp.status == HTTPStatus.OK
    return await resp.json()


async def remove_relay_entity(hass: HomeAssistant, entity_id: str, freezer: Any) -> None:
    """Delete the relay entity (as a user deleting the helper would) and let the 60 s grace pass."""
    er.async_get(hass).async_remove(entity_id)
    await hass.async_block_till_done()
    assert hass.states.get(entity_id) is None
    freezer.tick(timedelta(seconds=61))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


@pytest.fixture
async def repairs_client(hass: HomeAssistant, hass_client: Any) -> Any:
    assert await async_setup_component(hass, "repairs", {})
    await hass.async_block_till_done()
    return await hass_client()


async def test_relay_missing_fix_flow(
    hass: HomeAssistant, relays: list[str], repairs_client: Any, freezer: Any
) -> None:
    await add_burner(hass, "Right burner", relay=RELAY3)
    entry = await add_burner(hass, "Left burner", relay=RELAY)
    issue_id = f"relay_missing_{entry.entry_id}"
    registry = ir.async_get(hass)

    await remove_relay_entity(hass, RELAY, freezer)
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_key == "relay_missing"
    assert issue.translation_placeholders == {"burner": "Left burner", "relay": RELAY}
    assert registry.async_get_issue(DOMAIN, f"relay_unavailable_{entry.entry_id}") is None
    assert hass.states.get("valve.left_burner").state == "unavailable"

    data = await start_repair_fix_flow(repairs_client, DOMAIN, issue_id)
    assert data["type"] == "form"
    assert data["step_id"] == "init"
    assert data["description_placeholders"] == {"burner": "Left burner"}
    # The first form opens clean: no error before the user has chosen anything.
    assert data["errors"] in ({}, None)
    flow_id = data["flow_id"]

    # Bad choices: translated errors, issue stays, options unchanged.
    texts = await error_texts(hass, "issues")
    for relay, error in (
        ("light.kitchen", "relay_wrong_domain"),
        ("switch.gone", "relay_unknown_entity"),
        (RELAY3, "relay_in_use"),
        (RELAY, "relay_unknown_entity"),
    ):
        data = await process_repair_fix_flow(repairs_client, flow_id, {"relay": relay})
        assert data["type"] == "form"
        assert data["errors"] == {"relay": error}
        assert texts[f"component.{DOMAIN}.issues.relay_missing.fix_flow.error.{error}"]
        assert entry.options["relay"] == RELAY
        assert registry.async_get_issue(DOMAIN, issue_id) is not None

    data = await process_repair_fix_flow(
        repairs_client, flow_id, {"relay": RELAY2, "wiring": "cut_when_on", "cut_seconds": 3}
    )
    await hass.async_block_till_done()
    assert data["type"] == "create_entry"
    assert registry.async_get_issue(DOMAIN, issue_id) is None
    assert entry.options["relay"] == RELAY2
    assert entry.options["cut_seconds"] == 3
    assert entry.options["name"] == "Left burner"
    assert entry.state is config_entries.ConfigEntryState.LOADED
    assert entry.runtime_data.relay_entity_id == RELAY2
    assert hass.states.get("valve.left_burner").state != "unavailable"

    # And it works: a shut-off drives the new relay.
    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.left_burner_shut_off"}, blocking=True
    )
    await hass.async_block_till_done()
    assert relay_calls(calls) == [("turn_on", RELAY2)]
    assert not [i for (d, i) in registry.issues if d == DOMAIN and i.endswith(entry.entry_id)]


async def test_relay_missing_fix_flow_after_burner_deleted(
    hass: HomeAssistant, relays: list[str], repairs_client: Any, freezer: Any
) -> None:
    entry = await add_burner(hass, "Left burner", relay=RELAY)
    issue_id = f"relay_missing_{entry.entry_id}"
    await remove_relay_entity(hass, RELAY, freezer)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    data = await start_repair_fix_flow(repairs_client, DOMAIN, issue_id)
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None

    data = await process_repair_fix_flow(repairs_client, data["flow_id"], {"relay": RELAY2})
    assert data["type"] == "abort"
    assert data["reason"] == "burner_removed"
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_relay_missing_issue_removed_when_relay_returns(
    hass: HomeAssistant, relays: list[str], freezer: Any
) -> None:
    """A relay that is re-created under the same entity id clears the issue by itself."""
    entry = await add_burner(hass, "Left burner", relay=RELAY)
    issue_id = f"relay_missing_{entry.entry_id}"
    await remove_relay_entity(hass, RELAY, freezer)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    hass.states.async_set(RELAY, "off")
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get("valve.left_burner").state != "unavailable"


async def test_options_flow_of_a_burner_not_set_up(hass: HomeAssistant, relays: list[str]) -> None:
    """A burner that is not loaded (set-up pending or failed) can still be edited."""
    entry = MockConfigEntry(domain=DOMAIN, title="Wok", options={"name": "Wok", "relay": RELAY})
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert suggested(result, "relay") == RELAY
