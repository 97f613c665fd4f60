"""Shared fixtures: a real hass with input_boolean relays, and burners set up through the config flow."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.gas_stove_guard.const import CONF_RELAY, DOMAIN


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> Generator[None]:
    """Load this integration from custom_components."""
    return


@pytest.fixture
async def relays(hass: HomeAssistant) -> list[str]:
    """Input booleans standing in for relays, and for flame, presence and hazard sensors' sources."""
    assert await async_setup_component(
        hass,
        "input_boolean",
        {"input_boolean": {name: {} for name in ("relay", "relay2", "relay3")}},
    )
    await hass.async_block_till_done()
    return ["input_boolean.relay", "input_boolean.relay2", "input_boolean.relay3"]


async def add_burner(hass: HomeAssistant, title: str = "Left burner", **options: Any) -> MockConfigEntry:
    """Add and set up a burner entry with the given options."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=title,
        options={"name": title, CONF_RELAY: "input_boolean.relay", **options},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry
