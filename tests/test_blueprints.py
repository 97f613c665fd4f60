"""The three automation blueprints (issue 5), loaded through Home Assistant's blueprint machinery and run.

Each test copies the repository's blueprints into a temporary configuration directory, as importing them
does, sets up an automation with `use_blueprint`, and drives it through real entities and events. The
phone is a mobile_app device whose notify service records its calls (nothing leaves the machine).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
import shutil
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import automation
from homeassistant.components.blueprint import models as blueprint_models
from homeassistant.components.blueprint.schemas import BLUEPRINT_SCHEMA
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.gas_stove_guard.const import DOMAIN

from .stove import FLAME_SENSOR, FLAME_SENSOR_2, RANGE_HOOD, advance, burner, setup_stove, switch

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / DOMAIN
REPOSITORY = "https://github.com/gas-stove-guard/gas_stove_guard"
LEFT = "valve.left_burner"
RIGHT = "valve.right_burner"
TIMER_ENDS = "sensor.left_burner_timer_ends"


@pytest.fixture
async def stove(hass: HomeAssistant, tmp_path: Path) -> None:
    """A configuration directory holding the blueprints, and the helper entities of the stove."""
    hass.config.config_dir = str(tmp_path)
    target = tmp_path / "blueprints" / "automation" / DOMAIN
    target.mkdir(parents=True)
    for blueprint in BLUEPRINTS.glob("*.yaml"):
        shutil.copy(blueprint, target / blueprint.name)
    await setup_stove(hass)
    assert await async_setup_component(hass, "homeassistant", {})  # homeassistant.turn_on / turn_off


async def use_blueprint(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    """Set up one automation from a blueprint, and check it is running."""
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "alias": name,
                    "use_blueprint": {"path": f"{DOMAIN}/{name}.yaml", "input": inputs},
                }
            ]
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get(f"automation.{name}")
    assert state is not None
    assert state.state == STATE_ON, state


async def nowait(hass: HomeAssistant) -> None:
    """Let Home Assistant work while a blueprint run waits (for a tap, or a run-on delay).

    `async_block_till_done` would wait for that run too, and so for ever; a few rounds of the event loop
    carry the burners' relay commands and state changes through instead.
    """
    for _ in range(50):
        await asyncio.sleep(0)


async def advance_nowait(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float, step: float = 1
) -> None:
    """Move simulated time while a blueprint run waits."""
    left = seconds
    while left > 0:
        tick = min(step, left)
        freezer.tick(tick)
        async_fire_time_changed(hass)
        await nowait(hass)
        left -= tick


async def set_nowait(hass: HomeAssistant, entity_id: str, on: bool) -> None:
    """Turn a helper on or off while a blueprint run waits."""
    await hass.services.async_call(
        entity_id.split(".", maxsplit=1)[0], "turn_on" if on else "turn_off", {"entity_id": entity_id}
    )
    await nowait(hass)


def test_blueprints_are_importable() -> None:
    """Valid blueprints, each pointing back to its own place in the repository."""
    files = sorted(BLUEPRINTS.glob("*.yaml"))
    assert [f.name for f in files] == ["nobody_home.yaml", "range_hood.yaml", "warning_to_phone.yaml"]
    for path in files:
        blueprint = blueprint_models.Blueprint(
            load_yaml_dict(path), expected_domain=automation.DOMAIN, schema=BLUEPRINT_SCHEMA
        )
        assert blueprint.metadata["source_url"] == (
            f"{REPOSITORY}/blob/main/blueprints/automation/{DOMAIN}/{path.name}"
        )
        assert blueprint.name.startswith("Gas Stove Guard")
        assert blueprint.metadata["description"]
        for name, spec in blueprint.inputs.items():
            assert spec.get("name"), f"{path.name}: input {name} has no name"


# --- warning to phone ---------------------------------------------------------------------------


@pytest.fixture
async def phone(hass: HomeAssistant) -> tuple[dr.DeviceEntry, list[ServiceCall]]:
    """A mobile_app phone named Pixel 7, and the calls of its notify service."""
    entry = MockConfigEntry(domain="mobile_app", title="Pixel 7")
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={("mobile_app", "pixel-7")}, name="Pixel 7"
    )
    return device, async_mock_service(hass, "notify", "mobile_app_pixel_7")


async def tap(hass: HomeAssistant, button: dict[str, str]) -> None:
    """Tap a notification button on the phone; the waiting run goes on and ends."""
    hass.bus.async_fire("mobile_app_notification_action", {"action": button["action"]})
    await nowait(hass)
    await hass.async_block_till_done()


async def test_warning_to_phone_extend(
    hass: HomeAssistant, stove: None, phone: Any, freezer: FrozenDateTimeFactory
) -> None:
    device, notifications = phone
    await burner(hass, warning_seconds=30)
    await burner(hass, "Right burner", relay="input_boolean.relay2", warning_seconds=30)
    await use_blueprint(hass, "warning_to_phone", {"notify_device": device.id, "burners": [LEFT]})

    # The right burner is not selected: no notification for it.
    await hass.services.async_call(
        DOMAIN, "start_timer", {"entity_id": RIGHT, "duration": {"minutes": 1}}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN, "start_timer", {"entity_id": LEFT, "duration": {"minutes": 2}}, blocking=True
    )
    await advance(hass, freezer, 89, step=10)
    assert notifications == []
    await advance_nowait(hass, freezer, 2)  # the warning: the run now waits for a tap
    [call] = notifications
    assert call.data["title"] == "Gas stove"
    assert call.data["message"] == "Left burner will be shut off in 30 s (timer)."
    assert call.data["data"]["tag"] == f"gas_stove_guard_{LEFT}"
    extend, shut_off = call.data["data"]["actions"]
    assert extend["title"] == "Extend 10 min"
    assert shut_off["title"] == "Shut off now"

    ends = dt_util.parse_datetime(hass.states.get(TIMER_ENDS).state)
    await tap(hass, extend)
    assert dt_util.parse_datetime(hass.states.get(TIMER_ENDS).state) == ends + timedelta(minutes=10)
    await advance(hass, freezer, 60, step=10)
    assert hass.states.get("input_boolean.relay").state == STATE_OFF  # not shut off: extended


async def test_warning_to_phone_shut_off_now(
    hass: HomeAssistant, stove: None, phone: Any, freezer: FrozenDateTimeFactory
) -> None:
    device, notifications = phone
    await burner(hass, warning_seconds=30)
    await use_blueprint(hass, "warning_to_phone", {"notify_device": device.id})
    await hass.services.async_call(
        DOMAIN, "start_timer", {"entity_id": LEFT, "duration": {"minutes": 1}}, blocking=True
    )
    await advance(hass, freezer, 29, step=10)
    await advance_nowait(hass, freezer, 2)  # the warning: the run now waits for a tap
    [call] = notifications
    _extend, shut_off = call.data["data"]["actions"]

    await tap(hass, shut_off)
    await advance(hass, freezer, 10)
    assert hass.states.get("sensor.left_burner_last_shut_off").state == "manual"  # now, not by the timer


async def test_warning_to_phone_buttons_expire(
    hass: HomeAssistant, stove: None, phone: Any, freezer: FrozenDateTimeFactory
) -> None:
    """After the shut-off a tap on Extend does nothing: it would otherwise start a new timer."""
    device, notifications = phone
    await burner(hass, warning_seconds=30)
    await use_blueprint(hass, "warning_to_phone", {"notify_device": device.id})
    await hass.services.async_call(
        DOMAIN, "start_timer", {"entity_id": LEFT, "duration": {"minutes": 1}}, blocking=True
    )
    await advance(hass, freezer, 29, step=10)
    await advance_nowait(hass, freezer, 2)  # the warning: the run now waits for a tap
    extend, _shut_off = notifications[0].data["data"]["actions"]
    await advance_nowait(hass, freezer, 30, step=10)  # the buttons expire with the timer
    await advance(hass, freezer, 10)
    assert hass.states.get("sensor.left_burner_last_shut_off").state == "timer"

    await tap(hass, extend)
    assert hass.states.get(TIMER_ENDS).state == STATE_UNKNOWN


async def test_warning_to_phone_without_extend_for_a_watchdog(
    hass: HomeAssistant, stove: None, phone: Any, freezer: FrozenDateTimeFactory
) -> None:
    """A maximum burn time is not postponed by the timer: only Shut off now is offered."""
    device, notifications = phone
    await burner(hass, flame_sensor=FLAME_SENSOR, max_on_minutes=1, warning_seconds=30)
    await use_blueprint(
        hass,
        "warning_to_phone",
        {"notify_device": device.id, "message": "{burner}: {reason}, {seconds} s", "shut_off_text": "Off"},
    )
    await switch(hass, "input_boolean.flame", True)
    await advance(hass, freezer, 29, step=10)
    await advance_nowait(hass, freezer, 2)  # the warning: the run now waits for a tap
    [call] = notifications
    assert call.data["message"] == "Left burner: maximum burn time, 30 s"
    [shut_off] = call.data["data"]["actions"]
    assert shut_off["title"] == "Off"
    await tap(hass, shut_off)
    assert hass.states.get("input_boolean.relay").state == STATE_ON  # cutting
    await switch(hass, "input_boolean.flame", False)  # the flame goes out: a verified shut-off
    await advance(hass, freezer, 10)
    assert hass.states.get("sensor.left_burner_last_shut_off").state == "manual"


# --- nobody home ----------------------------------------------------------------------------------


@pytest.fixture
async def people(hass: HomeAssistant) -> None:
    """Anna and Bob, at home, each followed by a phone's device tracker."""
    assert await async_setup_component(hass, "zone", {})
    for tracker in ("anna_phone", "bob_phone"):
        hass.states.async_set(f"device_tracker.{tracker}", "home", {"source_type": "gps"})
    assert await async_setup_component(
        hass,
        "person",
        {
            "person": [
                {"id": "anna", "name": "Anna", "device_trackers": ["device_tracker.anna_phone"]},
                {"id": "bob", "name": "Bob", "device_trackers": ["device_tracker.bob_phone"]},
            ]
        },
    )
    await hass.async_block_till_done()
    assert hass.states.get("zone.home").state == "2"


async def leave(hass: HomeAssistant, who: str, where: str = "not_home") -> None:
    """Someone's phone reports a new place."""
    hass.states.async_set(f"device_tracker.{who}_phone", where, {"source_type": "gps"})
    for _ in range(3):
        await hass.async_block_till_done()


async def test_nobody_home(
    hass: HomeAssistant, stove: None, people: None, freezer: FrozenDateTimeFactory
) -> None:
    await burner(hass)
    await burner(hass, "Right burner", relay="input_boolean.relay2")
    await use_blueprint(hass, "nobody_home", {"burners": [LEFT, RIGHT]})
    lockouts = ("switch.left_burner_lockout", "switch.right_burner_lockout")

    await leave(hass, "anna")
    await advance(hass, freezer, 10)
    assert hass.states.get("sensor.left_burner_last_shut_off").state == STATE_UNKNOWN  # Bob is home

    await leave(hass, "bob")
    await advance(hass, freezer, 10)
    for name in ("left", "right"):
        assert hass.states.get(f"sensor.{name}_burner_last_shut_off").state == "manual"
    assert [hass.states.get(s).state for s in lockouts] == [STATE_ON, STATE_ON]
    assert hass.states.get("input_boolean.relay").state == STATE_ON  # held open while away

    await leave(hass, "bob", "home")
    await advance(hass, freezer, 10)
    assert [hass.states.get(s).state for s in lockouts] == [STATE_OFF, STATE_OFF]
    assert hass.states.get("input_boolean.relay").state == STATE_OFF


async def test_nobody_home_counts_chosen_persons_and_can_keep_lockout(
    hass: HomeAssistant, stove: None, people: None, freezer: FrozenDateTimeFactory
) -> None:
    await burner(hass)
    await use_blueprint(
        hass,
        "nobody_home",
        {"burners": [LEFT], "persons": ["person.anna"], "away_minutes": 5, "lockout_off_on_return": False},
    )
    await leave(hass, "anna")
    await advance(hass, freezer, 240, step=30)
    assert hass.states.get("switch.left_burner_lockout").state == STATE_OFF  # not five minutes yet
    await advance(hass, freezer, 70, step=10)
    assert hass.states.get("switch.left_burner_lockout").state == STATE_ON  # Bob does not count

    await leave(hass, "anna", "home")
    await advance(hass, freezer, 10)
    assert hass.states.get("switch.left_burner_lockout").state == STATE_ON  # kept, as chosen


# --- range hood -----------------------------------------------------------------------------------


async def test_range_hood(hass: HomeAssistant, stove: None, freezer: FrozenDateTimeFactory) -> None:
    await burner(hass, flame_sensor=FLAME_SENSOR)
    await burner(hass, "Right burner", relay="input_boolean.relay2", flame_sensor=FLAME_SENSOR_2)
    await use_blueprint(
        hass,
        "range_hood",
        {
            "flames": ["binary_sensor.left_burner_flame", "binary_sensor.right_burner_flame"],
            "hood": RANGE_HOOD,
            "run_on_minutes": 5,
        },
    )

    def hood() -> str:
        return hass.states.get(RANGE_HOOD).state

    await switch(hass, "input_boolean.flame", True)
    assert hood() == STATE_ON
    await switch(hass, "input_boolean.flame2", True)
    await switch(hass, "input_boolean.flame", False)
    await advance(hass, freezer, 600, step=60)
    assert hood() == STATE_ON  # the right burner still burns

    # From here on a run waits out the run-on.
    await set_nowait(hass, "input_boolean.flame2", False)
    await advance_nowait(hass, freezer, 240, step=30)
    assert hood() == STATE_ON  # running on
    # Lit and out again during the run-on: the run-on starts over.
    await set_nowait(hass, "input_boolean.flame", True)
    await set_nowait(hass, "input_boolean.flame", False)
    await advance_nowait(hass, freezer, 240, step=30)
    assert hood() == STATE_ON
    await advance_nowait(hass, freezer, 70, step=10)
    assert hood() == STATE_OFF
    await hass.async_block_till_done()  # the run has ended
