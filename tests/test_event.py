"""The burner's safety event entity (issue 5): shut-offs, warnings and failed shut-offs, with their data."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant, State
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.gas_stove_guard.const import (
    DOMAIN,
    EVENT_CUT_FAILED,
    EVENT_SHUT_OFF,
    EVENT_WARNING,
)

from .stove import FLAKY_RELAY, advance, burner, setup_stove, switch

VALVE = "valve.left_burner"
SAFETY = "event.left_burner_safety"


@pytest.fixture
async def stove(hass: HomeAssistant) -> None:
    """The helper entities the burners are built on."""
    await setup_stove(hass)


def event_attributes(state: State) -> dict[str, Any]:
    """The event's own attributes, without the entity's fixed ones."""
    fixed = {"event_types", "friendly_name", "icon"}
    return {k: v for k, v in state.attributes.items() if k not in fixed}


def bus_data(event: Event) -> dict[str, Any]:
    """The bus event's data as the event entity carries it: everything but the valve's entity id."""
    return {k: v for k, v in event.data.items() if k != "entity_id"}


async def test_entity(hass: HomeAssistant, stove: None) -> None:
    await burner(hass)
    state = hass.states.get(SAFETY)
    assert state is not None
    assert state.state == STATE_UNKNOWN  # nothing has happened yet
    assert state.attributes["friendly_name"] == "Left burner Safety"
    assert state.attributes["event_types"] == ["shut_off", "warning", "cut_failed"]
    assert state.attributes["event_type"] is None


async def test_shut_off_and_warning_carry_the_bus_events_data(
    hass: HomeAssistant, stove: None, freezer: FrozenDateTimeFactory
) -> None:
    await burner(hass, warning_seconds=30)
    shut_offs = async_capture_events(hass, EVENT_SHUT_OFF)
    warnings = async_capture_events(hass, EVENT_WARNING)

    await hass.services.async_call(DOMAIN, "shut_off", {"entity_id": VALVE}, blocking=True)
    await advance(hass, freezer, 10)
    [shut_off] = shut_offs
    state = hass.states.get(SAFETY)
    assert dt_util.parse_datetime(state.state) is not None  # the instant of the event
    assert event_attributes(state) == {"event_type": "shut_off", **bus_data(shut_off)}
    assert event_attributes(state) == {
        "event_type": "shut_off",
        "burner": "Left burner",
        "reason": "manual",
        "verified": False,
        "late": False,
    }
    assert "entity_id" not in state.attributes  # it would make the entity look like a group

    await hass.services.async_call(
        DOMAIN, "start_timer", {"entity_id": VALVE, "duration": {"minutes": 1}}, blocking=True
    )
    await advance(hass, freezer, 31)
    [warning] = warnings
    state = hass.states.get(SAFETY)
    assert event_attributes(state) == {"event_type": "warning", **bus_data(warning)}
    assert state.attributes["reason"] == "timer"
    assert state.attributes["seconds_left"] == 30
    assert state.attributes["ends_at"] == warning.data["ends_at"]

    # Timer events are on the bus and in the logbook, not in the safety entity.
    await advance(hass, freezer, 40)
    assert hass.states.get(SAFETY).attributes["event_type"] == "shut_off"
    assert hass.states.get(SAFETY).attributes["reason"] == "timer"


async def test_cut_failed_while_the_relay_is_unavailable(hass: HomeAssistant, stove: None) -> None:
    """The event entity stays available when everything else cannot be: that is what it must report."""
    await burner(hass, relay=FLAKY_RELAY)
    failures = async_capture_events(hass, EVENT_CUT_FAILED)
    await switch(hass, "input_boolean.relay_ok", False)
    assert hass.states.get(VALVE).state == STATE_UNAVAILABLE

    await hass.services.async_call(DOMAIN, "shut_off", {"entity_id": VALVE}, blocking=True)
    await hass.async_block_till_done()
    [failure] = failures
    state = hass.states.get(SAFETY)
    assert state.state != STATE_UNAVAILABLE
    assert event_attributes(state) == {"event_type": "cut_failed", **bus_data(failure)}
    assert state.attributes["problem"] == "relay_unavailable"
    assert state.attributes["reason"] == "manual"


async def test_last_event_survives_a_reload(
    hass: HomeAssistant, stove: None, freezer: FrozenDateTimeFactory
) -> None:
    entry = await burner(hass)
    await hass.services.async_call(DOMAIN, "shut_off", {"entity_id": VALVE}, blocking=True)
    await advance(hass, freezer, 10)
    before = hass.states.get(SAFETY)

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    after = hass.states.get(SAFETY)
    assert after.state == before.state
    assert event_attributes(after) == event_attributes(before)
