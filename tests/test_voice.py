"""Voice (issue 5): "close the left burner" through Home Assistant's intents and Assist.

Valves are not exposed to Assist by default; the user exposes the burner's valve once (Settings > Voice
assistants > Expose), as these tests do. Closing is the only thing the valve can do: no sentence can light
a burner.
"""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.const import STATE_ON
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import intent
from homeassistant.setup import async_setup_component
import pytest

from .stove import advance, burner, setup_stove

VALVE = "valve.left_burner"


@pytest.fixture
async def assist(hass: HomeAssistant) -> None:
    """The stove, and what intent handling needs: the homeassistant and intent components."""
    await setup_stove(hass)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "intent", {})


def relay_pulses(hass: HomeAssistant) -> list[str]:
    """Record the relay's states from now on."""
    seen: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: (
            seen.append(event.data["new_state"].state)
            if event.data["entity_id"] == "input_boolean.relay"
            else None
        ),
    )
    return seen


async def test_turn_off_intent_closes_the_exposed_valve(
    hass: HomeAssistant, assist: None, freezer: FrozenDateTimeFactory
) -> None:
    await burner(hass)
    async_expose_entity(hass, "conversation", VALVE, True)
    seen = relay_pulses(hass)

    response = await intent.async_handle(
        hass,
        "conversation",
        intent.INTENT_TURN_OFF,
        {"name": {"value": "Left burner"}},
        assistant="conversation",
    )
    await advance(hass, freezer, 10)
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert [target.id for target in response.success_results] == [VALVE]
    assert seen[0] == STATE_ON  # the loop was opened: the gas is off
    assert hass.states.get("sensor.left_burner_last_shut_off").state == "manual"


async def test_a_valve_that_is_not_exposed_is_not_touched(hass: HomeAssistant, assist: None) -> None:
    await burner(hass)
    seen = relay_pulses(hass)
    with pytest.raises(intent.MatchFailedError):
        await intent.async_handle(
            hass,
            "conversation",
            intent.INTENT_TURN_OFF,
            {"name": {"value": "Left burner"}},
            assistant="conversation",
        )
    await hass.async_block_till_done()
    assert seen == []


@pytest.fixture
async def conversation(hass: HomeAssistant, assist: None) -> None:
    """Assist's default agent; it needs hassil and home-assistant-intents."""
    pytest.importorskip("hassil", reason="Assist's sentence matching (hassil) is not installed")
    pytest.importorskip("home_assistant_intents", reason="home-assistant-intents is not installed")
    assert await async_setup_component(hass, "conversation", {})


async def converse(hass: HomeAssistant, text: str, language: str) -> str:
    """Say a sentence to Assist; returns its spoken answer."""
    from homeassistant.components.conversation import async_converse  # noqa: PLC0415 - needs hassil

    result = await async_converse(hass, text, None, Context(), language=language)
    assert result.response.response_type is intent.IntentResponseType.ACTION_DONE, result.response.as_dict()
    return result.response.speech["plain"]["speech"]


async def test_close_the_left_burner(
    hass: HomeAssistant, conversation: None, freezer: FrozenDateTimeFactory
) -> None:
    await burner(hass)
    async_expose_entity(hass, "conversation", VALVE, True)
    seen = relay_pulses(hass)

    speech = await converse(hass, "close the left burner", "en")
    await advance(hass, freezer, 10)
    assert speech
    assert seen[0] == STATE_ON
    assert hass.states.get("sensor.left_burner_last_shut_off").state == "manual"


async def test_chinese(hass: HomeAssistant, conversation: None, freezer: FrozenDateTimeFactory) -> None:
    await hass.config.async_update(language="zh-Hans")
    await burner(hass, "左灶")
    [valve] = [s.entity_id for s in hass.states.async_all("valve")]
    assert hass.states.get(valve).attributes["friendly_name"] == "左灶"
    async_expose_entity(hass, "conversation", valve, True)
    seen = relay_pulses(hass)

    speech = await converse(hass, "关闭左灶", "zh-Hans")
    await advance(hass, freezer, 10)
    assert speech
    assert seen[0] == STATE_ON
    [last] = [s for s in hass.states.async_all("sensor") if s.entity_id.endswith("_last_shut_off")]
    assert last.state == "manual"


async def test_the_valve_cannot_be_opened(
    hass: HomeAssistant, assist: None, freezer: FrozenDateTimeFactory
) -> None:
    """What an "open" or "turn on" sentence would call: refused, and the relay is left alone.

    (Assist itself may still answer "Opened": Home Assistant runs the call in the background.)
    """
    await burner(hass)
    seen = relay_pulses(hass)
    before = hass.states.get(VALVE).state

    with pytest.raises(HomeAssistantError):
        await hass.services.async_call("valve", "open_valve", {"entity_id": VALVE}, blocking=True)
    await advance(hass, freezer, 10)
    assert seen == []
    assert hass.states.get(VALVE).state == before
