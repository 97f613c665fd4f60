"""A small simulated stove for the automation tests (issue 5): real helper entities only.

- input_boolean.relay / relay2 / relay3: relays wired cut_when_on ("on" opens the loop).
- input_boolean.flame / flame2 drive the template binary sensors binary_sensor.flame_sensor / flame_sensor_2.
- switch.range_hood: a template switch over input_boolean.hood.
- switch.flaky_relay: a template switch over input_boolean.relay3 that is available only while
  input_boolean.relay_ok is on, for a relay that drops out and comes back.
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.gas_stove_guard.const import DOMAIN

from .conftest import add_burner

FLAME_SENSOR = "binary_sensor.flame_sensor"
FLAME_SENSOR_2 = "binary_sensor.flame_sensor_2"
FLAKY_RELAY = "switch.flaky_relay"
RANGE_HOOD = "switch.range_hood"


async def setup_stove(hass: HomeAssistant) -> None:
    """Set up the helper entities the burners are built on."""
    names = ("relay", "relay2", "relay3", "flame", "flame2", "hood")
    config: dict[str, Any] = {name: {} for name in names}
    config["relay_ok"] = {"initial": True}
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": config})
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "binary_sensor": [
                        {"name": "Flame sensor", "state": "{{ is_state('input_boolean.flame', 'on') }}"},
                        {"name": "Flame sensor 2", "state": "{{ is_state('input_boolean.flame2', 'on') }}"},
                    ],
                    "switch": [
                        {
                            "name": "Range hood",
                            "state": "{{ is_state('input_boolean.hood', 'on') }}",
                            "turn_on": {
                                "action": "input_boolean.turn_on",
                                "target": {"entity_id": "input_boolean.hood"},
                            },
                            "turn_off": {
                                "action": "input_boolean.turn_off",
                                "target": {"entity_id": "input_boolean.hood"},
                            },
                        },
                        {
                            "name": "Flaky relay",
                            "state": "{{ is_state('input_boolean.relay3', 'on') }}",
                            "availability": "{{ is_state('input_boolean.relay_ok', 'on') }}",
                            "turn_on": {
                                "action": "input_boolean.turn_on",
                                "target": {"entity_id": "input_boolean.relay3"},
                            },
                            "turn_off": {
                                "action": "input_boolean.turn_off",
                                "target": {"entity_id": "input_boolean.relay3"},
                            },
                        },
                    ],
                }
            ]
        },
    )
    await hass.async_block_till_done()


async def switch(hass: HomeAssistant, entity_id: str, on: bool) -> None:
    """Turn a helper entity on or off and let Home Assistant settle."""
    domain = entity_id.split(".", maxsplit=1)[0]
    await hass.services.async_call(
        domain, "turn_on" if on else "turn_off", {"entity_id": entity_id}, blocking=True
    )
    await settle(hass)


async def settle(hass: HomeAssistant) -> None:
    """Let changes travel through template entities to the burners (each hop may need a round)."""
    for _ in range(3):
        await hass.async_block_till_done()


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float, step: float = 1
) -> None:
    """Move simulated time forward in steps, firing whatever comes due."""
    left = seconds
    while left > 0:
        tick = min(step, left)
        freezer.tick(tick)
        async_fire_time_changed(hass)
        await settle(hass)
        left -= tick


async def burner(hass: HomeAssistant, title: str = "Left burner", **options: Any) -> MockConfigEntry:
    """A burner entry on input_boolean.relay unless told otherwise."""
    return await add_burner(hass, title, **options)


def device_of(hass: HomeAssistant, entry: MockConfigEntry) -> dr.DeviceEntry:
    """The burner's device."""
    [device] = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert (DOMAIN, entry.entry_id) in device.identifiers
    return device


def registry_id(hass: HomeAssistant, entity_id: str) -> str:
    """The registry id (UUID) device automations refer to an entity by."""
    entity = er.async_get(hass).async_get(entity_id)
    assert entity is not None
    return entity.id
