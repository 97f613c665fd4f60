"""A new user's story in a real browser against a real Home Assistant with the simulated stove.

Create a burner guard through the helper dialog, use its device page (timer, shut-off, lockout), configure
its flame and hazard sensors in the options dialog, and check every effect on the simulated stove through the
REST API.
Screenshots of each step land in e2e-artifacts/<test name>/ (some also in docs/screenshots/ for the README).
"""

from __future__ import annotations

from datetime import datetime, timedelta
import re
from typing import Any

from .harness import PASSWORD, USERNAME, HassProcess, now

RELAY = "switch.hob_left_relay"
FLAME = "binary_sensor.hob_left_flame_sensor"
KNOB = "input_button.hob_left_knob"
VALVE = "valve.left_burner"
CUT_SECONDS = 2
EXPECTED_OPTIONS = {  # what the dialogs should have stored
    "name": "Left burner",
    "relay": RELAY,
    "wiring": "cut_when_on",
    "cut_seconds": CUT_SECONDS,
    "flame_sensor": FLAME,
    "presence_sensor": "binary_sensor.kitchen_presence",
    "hazard_sensors": ["binary_sensor.kitchen_smoke", "binary_sensor.kitchen_gas"],
}


def expect(locator: Any) -> Any:
    """Playwright's assertions (imported late: the module must import without playwright)."""
    from playwright.sync_api import expect as playwright_expect  # noqa: PLC0415

    return playwright_expect(locator)


def entity_row(scope: Any, name: str) -> Any:
    """The entities-card row whose name is NAME."""
    page = getattr(scope, "page", scope)  # a Locator knows its page
    return scope.locator("hui-generic-entity-row").filter(has=page.get_by_text(name, exact=True))


def log_in(page: Any, ha: HassProcess) -> None:
    """Through Home Assistant's login page."""
    page.goto(f"{ha.url}/")
    page.get_by_role("textbox", name="Username").fill(USERNAME)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/lovelace/"))


def pick_entity(page: Any, label: str, name: str) -> None:
    """Choose NAME in the entity picker labelled LABEL (the last one, for lists of pickers)."""
    box = page.get_by_role("combobox", name=label).last
    box.click()
    box.fill(name)
    # The list may open below the fold of a long dialog: take the highlighted first match with the keyboard.
    expect(page.get_by_role("option", name=re.compile(re.escape(name))).first).to_be_attached()
    box.press("Enter")


def scroll_to_top(page: Any) -> None:
    """Scroll the page's content back up (Home Assistant scrolls an inner panel, not the window)."""
    page.evaluate(
        """() => {
            const walk = (root) => root.querySelectorAll("*").forEach((el) => {
                if (el.scrollTop > 0) el.scrollTop = 0;
                if (el.shadowRoot) walk(el.shadowRoot);
            });
            walk(document);
            window.scrollTo(0, 0);
        }"""
    )


def open_device_page(page: Any, ha: HassProcess, name: str) -> None:
    """Settings -> Devices & services -> Devices -> NAME."""
    page.goto(f"{ha.url}/config/devices/dashboard")
    page.get_by_role("rowheader", name=name).click()
    expect(page.get_by_text("Burner guard")).to_be_visible()


def test_burner_guard_story(page: Any, ha: HassProcess, shots: Any) -> None:
    """Create a burner in the UI and play the whole story on the simulated stove."""
    api = ha.api
    log_in(page, ha)
    assert api.value(RELAY) == "off"
    assert api.value(VALVE) is None

    # Settings -> Devices & services -> Helpers -> Create helper -> Gas Stove Guard.
    page.goto(f"{ha.url}/config/helpers")
    page.get_by_role("button", name="Create helper").click()
    page.get_by_role("textbox", name="Search for a helper").fill("Gas Stove Guard")
    page.get_by_role("option", name="Gas Stove Guard").click()
    page.get_by_role("textbox", name="Burner name").fill("Left burner")
    pick_entity(page, "Relay", "Hob left relay")
    page.get_by_role("spinbutton", name="Cut duration").fill(str(CUT_SECONDS))
    shots.take("create-burner", doc="create_burner")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Created configuration for Left burner")).to_be_visible()
    shots.take("burner-created")
    page.get_by_role("button", name="Finish").click()
    api.wait_for(VALVE, lambda value: value is not None)

    # Light the burner by hand on the simulated stove: the flame burns while the loop is closed.
    api.call("input_button", "press", entity_id=KNOB)
    api.wait_for(FLAME, "on")

    # The device page: a 1-minute timer shows its end.
    open_device_page(page, ha, "Left burner")
    duration = entity_row(page, "Timer duration").get_by_role("spinbutton")
    duration.fill("1")
    duration.press("Enter")
    api.wait_for("number.left_burner_timer_duration", lambda value: value is not None and float(value) == 1)
    entity_row(page, "Start timer").get_by_role("button", name="Press").click()
    ends = api.wait_for("sensor.left_burner_timer_ends", lambda value: value not in (None, "unknown"))
    assert ends is not None
    left = datetime.fromisoformat(ends) - now()
    assert timedelta(seconds=45) < left <= timedelta(seconds=61), left
    expect(entity_row(page, "Timer ends")).to_contain_text(
        re.compile(r"in \d+ (second|minute)", re.IGNORECASE)
    )
    scroll_to_top(page)
    shots.take("timer-started", doc="device_page_timer")

    # "Shut off": the relay opens the loop, the flame dies, the relay is restored; the flame stays out.
    since = now()
    entity_row(page, "Shut off").get_by_role("button", name="Press").click()
    api.wait_for(RELAY, "on", timeout=10)
    cut_at = datetime.fromisoformat(api.state(RELAY)["last_changed"])
    api.wait_for(FLAME, "off", timeout=2)
    scroll_to_top(page)
    shots.take("shutting-off")
    api.wait_for(RELAY, "off", timeout=CUT_SECONDS + 15)
    restored_at = datetime.fromisoformat(api.state(RELAY)["last_changed"])
    # The cut duration chosen in the dialog (2 s, not the default 5 s).
    assert timedelta(seconds=CUT_SECONDS) <= restored_at - cut_at < timedelta(seconds=CUT_SECONDS + 1.5)
    api.wait_for("sensor.left_burner_last_shut_off", "manual")
    api.stays(FLAME, "off", 1.5)
    assert api.wait_history(RELAY, since, ["on", "off"]).count("on") == 1  # one pulse, recorded
    expect(entity_row(page, "Last shut-off")).to_contain_text(re.compile("manual", re.IGNORECASE))
    scroll_to_top(page)
    shots.take("shut-off", doc="device_page_shut_off")

    # The timer is still running (the guard cannot know the pan is off): cancel it.
    entity_row(page, "Cancel timer").get_by_role("button", name="Press").click()
    api.wait_for("sensor.left_burner_timer_ends", "unknown")
    expect(entity_row(page, "Timer ends")).to_contain_text("Unknown")

    # Lockout holds the loop open: lighting by hand on the simulated stove fails.
    entity_row(page, "Lockout").get_by_role("switch").click()
    api.wait_for("switch.left_burner_lockout", "on")
    api.wait_for(RELAY, "on")
    api.wait_for(VALVE, "closed")
    page.goto(f"{ha.url}/simulated-stove/stove")
    left_card = page.locator("hui-entities-card").filter(has_text="Left burner (simulated)")
    entity_row(left_card, "Light by hand").get_by_role("button", name="Press").click()
    api.stays(FLAME, "off", 2)
    api.stays(RELAY, "on", 0.5)
    expect(page.get_by_text(re.compile("would not stay lit"))).to_be_visible()
    shots.take("lockout-lighting-fails", doc="simulated_stove_lockout")

    # Lockout off: the loop is closed again and the burner can be lit by hand.
    open_device_page(page, ha, "Left burner")
    entity_row(page, "Lockout").get_by_role("switch").click()
    api.wait_for("switch.left_burner_lockout", "off")
    api.wait_for(RELAY, "off")
    api.call("input_button", "press", entity_id=KNOB)
    api.wait_for(FLAME, "on")

    # Options: the flame sensor, the kitchen's presence sensor (someone is there) and smoke and gas sensors.
    api.call("input_boolean", "turn_on", entity_id="input_boolean.kitchen_presence_sim")
    api.wait_for("binary_sensor.kitchen_presence", "on")
    page.goto(f"{ha.url}/config/integrations/integration/gas_stove_guard")
    page.get_by_role("button", name="Configure").first.click()
    page.get_by_role("button", name="Flame sensor and verification").click()
    pick_entity(page, "Flame sensor", "Hob left flame sensor")
    page.get_by_role("button", name="Unattended cooking and hazards").click()
    pick_entity(page, "Presence sensor", "Kitchen presence")
    pick_entity(page, "Entity", "Kitchen smoke")
    pick_entity(page, "Entity", "Kitchen gas")
    shots.take("options", doc="options_sensors")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Options successfully saved")).to_be_visible()
    page.get_by_role("button", name="Finish").click()
    api.wait_for("binary_sensor.left_burner_flame", "on")
    api.wait_for(VALVE, "open")
    entry = next(e for e in api.get("config/config_entries/entry") if e["domain"] == "gas_stove_guard")
    options = api.get(f"diagnostics/config_entry/{entry['entry_id']}")["data"]["options"]
    assert options | EXPECTED_OPTIONS == options, options

    # Smoke: the gas is cut at once and held while the smoke sensor is on.
    page.goto(f"{ha.url}/simulated-stove/stove")
    entity_row(page, "Smoke in the kitchen").get_by_role("switch").click()
    api.wait_for("binary_sensor.kitchen_smoke", "on")
    api.wait_for(RELAY, "on", timeout=5)
    api.wait_for(FLAME, "off", timeout=2)
    api.wait_for("sensor.left_burner_last_shut_off", "hazard")
    api.stays(RELAY, "on", CUT_SECONDS + 2)  # held, not a pulse
    assert api.value(VALVE) == "closed"
    entity_row(left_card, "Light by hand").get_by_role("button", name="Press").click()
    api.stays(FLAME, "off", 1.5)
    shots.take("smoke-holds-burner", doc="simulated_stove_smoke")

    # Smoke clears: the loop is restored; the flame does not come back by itself.
    entity_row(page, "Smoke in the kitchen").get_by_role("switch").click()
    api.wait_for(RELAY, "off", timeout=10)
    api.stays(FLAME, "off", 1)
    open_device_page(page, ha, "Left burner")
    expect(entity_row(page, "Last shut-off")).to_contain_text(re.compile("hazard", re.IGNORECASE))
    scroll_to_top(page)
    shots.take("smoke-cleared")

    assert not ha.log_errors(), ha.log_errors()
