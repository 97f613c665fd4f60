"""Logbook entries of a burner (issue 5): read back through the logbook's websocket API, as the UI does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_integration
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events
from pytest_homeassistant_custom_component.components.recorder.common import async_wait_recording_done

from custom_components.gas_stove_guard.const import (
    DOMAIN,
    EVENT_CUT_FAILED,
    EVENT_SHUT_OFF,
    EVENT_TIMER_CANCELLED,
    EVENT_TIMER_ENDED,
    EVENT_TIMER_STARTED,
    EVENT_WARNING,
)

from .stove import FLAKY_RELAY, advance, burner, setup_stove, switch

VALVE = "valve.left_burner"
TRANSLATIONS = Path(__file__).parent.parent / "custom_components" / DOMAIN / "translations"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_mock: Any, enable_custom_integrations: None) -> None:
    """The recorder must be prepared before hass starts: ask for it ahead of conftest's hass fixtures."""


@pytest.fixture
async def stove(hass: HomeAssistant) -> None:
    """Recorder and logbook, and the helper entities the burners are built on."""
    # The logbook needs the frontend, which the newest Home Assistant's test requirements leave out.
    pytest.importorskip("hass_frontend", reason="the logbook needs the frontend package")
    assert await async_setup_component(hass, "logbook", {})
    await setup_stove(hass)


@pytest.fixture
async def described(hass: HomeAssistant) -> dict[str, Callable[[Any], dict[str, Any]]]:
    """The describers this integration hands the logbook, taken through the logbook platform contract.

    Used where the logbook component cannot be set up (no frontend package); the websocket tests above
    check the same texts end to end where it can.
    """
    await setup_stove(hass)
    describers: dict[str, Callable[[Any], dict[str, Any]]] = {}

    def collect(domain: str, event_type: str, describe: Callable[[Any], dict[str, Any]]) -> None:
        assert domain == DOMAIN
        describers[event_type] = describe

    platform = await async_get_integration(hass, DOMAIN)
    (await platform.async_get_platform("logbook")).async_describe_events(hass, collect)
    return describers


async def our_entries(hass: HomeAssistant, hass_ws_client: Any, since: Any) -> list[dict[str, Any]]:
    """The logbook entries this integration wrote for the left burner's valve, oldest first.

    The websocket connects only now: simulated minutes would time an earlier connection out.
    """
    await async_wait_recording_done(hass)
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id(
        {
            "type": "logbook/get_events",
            # The logbook starts strictly after start_time; events at `since` itself belong in.
            "start_time": (since - timedelta(milliseconds=1)).isoformat(),
            "end_time": (dt_util.utcnow() + timedelta(seconds=1)).isoformat(),
            "entity_ids": [VALVE],
        }
    )
    msg = await ws.receive_json()
    assert msg["success"], msg
    return [e for e in msg["result"] if e.get("domain") == DOMAIN]


def local_hm(iso: str) -> str:
    """An ISO instant as the logbook writes it: local hours and minutes."""
    parsed = dt_util.parse_datetime(iso)
    assert parsed is not None
    return dt_util.as_local(parsed).strftime("%H:%M")


async def test_the_story_of_a_timer_shut_off(
    hass: HomeAssistant, stove: None, hass_ws_client: Any, freezer: FrozenDateTimeFactory
) -> None:
    await burner(hass, warning_seconds=30)
    since = dt_util.utcnow()

    await hass.services.async_call(
        DOMAIN, "start_timer", {"entity_id": VALVE, "duration": {"minutes": 2}}, blocking=True
    )
    ends = hass.states.get("sensor.left_burner_timer_ends").state
    await advance(hass, freezer, 130, step=5)

    entries = await our_entries(hass, hass_ws_client, since)
    assert [(e["name"], e["message"]) for e in entries] == [
        ("Left burner", f"timer started, ends at {local_hm(ends)}"),
        ("Left burner", "will be shut off in 30 s: timer"),
        ("Left burner", "timer ended"),
        ("Left burner", "was shut off: timer"),
    ]
    assert {e["entity_id"] for e in entries} == {VALVE}  # attached to the burner's valve


async def test_extend_cancel_and_a_manual_shut_off(
    hass: HomeAssistant, stove: None, hass_ws_client: Any, freezer: FrozenDateTimeFactory
) -> None:
    await burner(hass)
    since = dt_util.utcnow()

    await hass.services.async_call(DOMAIN, "start_timer", {"entity_id": VALVE}, blocking=True)
    started = hass.states.get("sensor.left_burner_timer_ends").state
    await hass.services.async_call(
        DOMAIN, "extend_timer", {"entity_id": VALVE, "duration": {"minutes": 5}}, blocking=True
    )
    ends = hass.states.get("sensor.left_burner_timer_ends").state
    await hass.services.async_call(DOMAIN, "cancel_timer", {"entity_id": VALVE}, blocking=True)
    await hass.services.async_call(DOMAIN, "shut_off", {"entity_id": VALVE}, blocking=True)
    await advance(hass, freezer, 10)

    messages = [e["message"] for e in await our_entries(hass, hass_ws_client, since)]
    assert messages == [
        "timer started, ends at " + local_hm(started),
        f"timer extended, ends at {local_hm(ends)}",
        "timer cancelled",
        "was shut off: manual",
    ]


async def test_failed_shut_off_then_late(
    hass: HomeAssistant, stove: None, hass_ws_client: Any, freezer: FrozenDateTimeFactory
) -> None:
    await burner(hass, relay=FLAKY_RELAY)
    since = dt_util.utcnow()
    await switch(hass, "input_boolean.relay_ok", False)

    await hass.services.async_call(DOMAIN, "shut_off", {"entity_id": VALVE}, blocking=True)
    await advance(hass, freezer, 20, step=5)
    await switch(hass, "input_boolean.relay_ok", True)
    await advance(hass, freezer, 10)

    messages = [e["message"] for e in await our_entries(hass, hass_ws_client, since)]
    assert messages == [
        "could not be shut off (manual): the relay is unavailable",
        "was shut off 20.0 s late: manual",
    ]


async def test_other_languages(
    hass: HomeAssistant, stove: None, hass_ws_client: Any, freezer: FrozenDateTimeFactory
) -> None:
    """The text follows Home Assistant's language; one without these texts gets English."""
    await burner(hass)

    await hass.config.async_update(language="de")
    await hass.async_block_till_done()
    since = dt_util.utcnow()
    await hass.services.async_call(DOMAIN, "shut_off", {"entity_id": VALVE}, blocking=True)
    await advance(hass, freezer, 10)
    assert [e["message"] for e in await our_entries(hass, hass_ws_client, since)] == ["was shut off: manual"]

    zh_file = TRANSLATIONS / "zh-Hans.json"
    if not zh_file.exists():
        pytest.skip("translations/zh-Hans.json does not exist yet (test_metadata fails for it)")
    common = json.loads(zh_file.read_text(encoding="utf-8"))["common"]
    await hass.config.async_update(language="zh-Hans")
    await hass.async_block_till_done()
    await advance(hass, freezer, 60)
    since = dt_util.utcnow()
    await hass.services.async_call(DOMAIN, "shut_off", {"entity_id": VALVE}, blocking=True)
    await advance(hass, freezer, 10)
    expected = common["logbook_shut_off"].replace("{reason}", common["reason_manual"])
    assert [e["message"] for e in await our_entries(hass, hass_ws_client, since)] == [expected]
    assert expected != "was shut off: manual"


async def test_describers_through_the_platform_contract(
    hass: HomeAssistant,
    described: dict[str, Callable[[Any], dict[str, Any]]],
    freezer: FrozenDateTimeFactory,
) -> None:
    types = (
        EVENT_SHUT_OFF,
        EVENT_WARNING,
        EVENT_CUT_FAILED,
        EVENT_TIMER_STARTED,
        EVENT_TIMER_ENDED,
        EVENT_TIMER_CANCELLED,
    )
    assert set(described) == set(types)
    await burner(hass, warning_seconds=30)
    await burner(hass, "Right burner", relay=FLAKY_RELAY)
    captured = {t: async_capture_events(hass, t) for t in types}

    await hass.services.async_call(
        DOMAIN, "start_timer", {"entity_id": VALVE, "duration": {"minutes": 2}}, blocking=True
    )
    ends = hass.states.get("sensor.left_burner_timer_ends").state
    await advance(hass, freezer, 130, step=5)
    await hass.services.async_call(DOMAIN, "start_timer", {"entity_id": VALVE}, blocking=True)
    await hass.services.async_call(DOMAIN, "cancel_timer", {"entity_id": VALVE}, blocking=True)
    await switch(hass, "input_boolean.relay_ok", False)
    await hass.services.async_call(DOMAIN, "shut_off", {"entity_id": "valve.right_burner"}, blocking=True)
    await hass.async_block_till_done()

    def texts(event_type: str) -> list[tuple[str, str, str]]:
        return [
            (d["name"], d["message"], d["entity_id"])
            for d in (described[event_type](event) for event in captured[event_type])
        ]

    left = ("Left burner", VALVE)
    assert texts(EVENT_TIMER_STARTED)[0] == (left[0], f"timer started, ends at {local_hm(ends)}", VALVE)
    assert texts(EVENT_WARNING) == [(left[0], "will be shut off in 30 s: timer", VALVE)]
    assert texts(EVENT_TIMER_ENDED) == [(left[0], "timer ended", VALVE)]
    assert texts(EVENT_SHUT_OFF) == [(left[0], "was shut off: timer", VALVE)]
    assert texts(EVENT_TIMER_CANCELLED) == [(left[0], "timer cancelled", VALVE)]
    assert texts(EVENT_CUT_FAILED) == [
        ("Right burner", "could not be shut off (manual): the relay is unavailable", "valve.right_burner")
    ]
