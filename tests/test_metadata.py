"""The integration's metadata is consistent (issue 5): manifest, hacs.json, translations, services, icons,
quality scale, brand images.

Translation keys are checked both ways: every key the code can use exists, and every key in en.json is used
(by the entity platforms, the flows, the exceptions, the issues, the device automations or the logbook).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
import json
from pathlib import Path
import re
import string
from typing import Any

from awesomeversion import AwesomeVersion
from homeassistant.const import Platform, __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util.yaml import load_yaml_dict
from PIL import Image
import pytest

from custom_components.gas_stove_guard import PLATFORMS
from custom_components.gas_stove_guard.const import (
    DOMAIN,
    EVENT_CUT_FAILED,
    EVENT_SHUT_OFF,
    EVENT_TIMER_CANCELLED,
    EVENT_TIMER_ENDED,
    EVENT_TIMER_STARTED,
    EVENT_WARNING,
    RANGES,
    Wiring,
)
from custom_components.gas_stove_guard.controller import (
    ISSUE_RELAY_MISSING,
    ISSUE_STORAGE_CORRUPT,
    NOTIFY_TIMER_MISSED,
)
from custom_components.gas_stove_guard.device_action import ACTION_TYPES
from custom_components.gas_stove_guard.device_condition import CONDITIONS
from custom_components.gas_stove_guard.device_trigger import REASON_FILTERS, TRIGGER_TYPES
from custom_components.gas_stove_guard.event import EVENT_TYPES
from custom_components.gas_stove_guard.guard import SHUT_OFF_REASONS, Problem, Reason
from custom_components.gas_stove_guard.logbook import _template as logbook_template

from .stove import FLAME_SENSOR, FLAME_SENSOR_2, burner, setup_stove

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / DOMAIN
TRANSLATIONS = INTEGRATION / "translations"
SOURCES = {path.name: path.read_text(encoding="utf-8") for path in INTEGRATION.glob("*.py")}
MIN_HA = "2025.4.4"

# Home Assistant's Integration Quality Scale, as of Home Assistant 2026.10 (54 rules).
QUALITY_RULES = {
    "bronze": [
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow-test-coverage",
        "config-flow",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ],
    "silver": [
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ],
    "gold": [
        "devices",
        "diagnostics",
        "discovery-update-info",
        "discovery",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}
# Where the README must say what a documentation rule marked done asks for: a heading matching this.
DOCS_HEADINGS = {
    "docs-actions": r"services|actions",
    "docs-conditions": r"condition",
    "docs-triggers": r"trigger",
    "docs-high-level-description": r"^gas stove guard$",
    "docs-installation-instructions": r"install",
    "docs-removal-instructions": r"remov|uninstall",
    "docs-configuration-parameters": r"configuration|options",
    "docs-installation-parameters": r"configuration",
    "docs-data-update": r"how .*works|data update|updates",
    "docs-examples": r"example|blueprint",
    "docs-known-limitations": r"limitation|what does not work",
    "docs-supported-devices": r"wiring|supported",
    "docs-supported-functions": r"entities",
    "docs-troubleshooting": r"troubleshoot|goes wrong",
    "docs-use-cases": r"use case|why",
}
# Integrations a custom integration may use without listing them as dependencies (hassfest's list).
HASSFEST_ALLOWED = {
    "alert",
    "automation",
    "conversation",
    "default_config",
    "device_automation",
    "frontend",
    "group",
    "homeassistant",
    "input_boolean",
    "input_button",
    "input_datetime",
    "input_number",
    "input_select",
    "input_text",
    "media_source",
    "onboarding",
    "panel_custom",
    "persistent_notification",
    "person",
    "script",
    "shopping_list",
    "sun",
    "system_health",
    "system_log",
    "timer",
    "webhook",
    "websocket_api",
    "zone",
}


def load_json(path: Path) -> dict[str, Any]:
    """A JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested translations as {"a.b.c": text}."""
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat |= flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def placeholders(text: str) -> set[str]:
    """The {placeholders} of a translated text."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def quoted(key: str) -> bool:
    """Whether a key appears as a string literal in the integration's code."""
    return any(f'"{key}"' in source for source in SOURCES.values())


EN = load_json(TRANSLATIONS / "en.json")
MANIFEST = load_json(INTEGRATION / "manifest.json")


# --- manifest and HACS ----------------------------------------------------------------------------


def test_manifest_has_what_hacs_and_hassfest_require() -> None:
    assert MANIFEST["domain"] == DOMAIN
    assert MANIFEST["name"] == "Gas Stove Guard"
    assert MANIFEST["codeowners"]
    assert all(owner.startswith("@") for owner in MANIFEST["codeowners"])
    assert MANIFEST["documentation"].startswith("https://")
    assert MANIFEST["issue_tracker"].startswith("https://")
    assert AwesomeVersion(MANIFEST["version"]).valid
    assert MANIFEST["config_flow"] is True
    assert MANIFEST["integration_type"] == "helper"
    assert MANIFEST["iot_class"] == "calculated"
    assert isinstance(MANIFEST.get("requirements", []), list)
    # hassfest: domain and name first, then the keys in alphabetical order.
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def test_hacs_json() -> None:
    hacs = load_json(ROOT / "hacs.json")
    assert hacs["name"] == MANIFEST["name"]
    assert hacs["homeassistant"] == MIN_HA
    allowed = {
        "name",
        "content_in_root",
        "zip_release",
        "filename",
        "hide_default_branch",
        "country",
        "homeassistant",
        "persistent_directory",
        "hacs",
        "render_readme",
    }
    assert set(hacs) <= allowed
    assert AwesomeVersion(HA_VERSION) >= AwesomeVersion(MIN_HA)


def test_dependencies_as_hassfest_sees_them() -> None:
    """Every Home Assistant integration imported is allowed, a platform of ours, or a dependency."""
    allowed = HASSFEST_ALLOWED | {p.value for p in PLATFORMS} | set(MANIFEST.get("dependencies", []))
    allowed |= set(MANIFEST.get("after_dependencies", []))
    allowed |= {path.stem for path in INTEGRATION.glob("*.py")}  # platforms: logbook, repairs, ...
    used: set[str] = set()
    for source in SOURCES.values():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if match := re.match(r"homeassistant\.components\.(\w+)", name):
                    used.add(match.group(1))
    assert used - allowed == set()


def test_every_platform_module_is_set_up_and_limits_parallel_updates() -> None:
    platform_files = {path.stem for path in INTEGRATION.glob("*.py")} & {p.value for p in Platform}
    assert {p.value for p in PLATFORMS} == platform_files
    for platform in PLATFORMS:
        assert re.search(r"^PARALLEL_UPDATES = \d+", SOURCES[f"{platform.value}.py"], re.MULTILINE), platform


# --- services ---------------------------------------------------------------------------------------


def test_every_service_has_translations_and_an_icon() -> None:
    services = load_yaml_dict(INTEGRATION / "services.yaml")
    icons = load_json(INTEGRATION / "icons.json")
    assert set(EN["services"]) == set(services)
    assert set(icons["services"]) == set(services)
    for name, spec in services.items():
        texts = EN["services"][name]
        assert texts["name"]
        assert texts["description"]
        fields = (spec or {}).get("fields", {})
        assert set(texts.get("fields", {})) == set(fields), name
        for field in fields:
            assert texts["fields"][field]["name"]
            assert texts["fields"][field]["description"]


async def test_registered_services_match_services_yaml(hass: HomeAssistant) -> None:
    await setup_stove(hass)
    await burner(hass)
    services = load_yaml_dict(INTEGRATION / "services.yaml")
    assert set(hass.services.async_services_for_domain(DOMAIN)) == set(services)


# --- translations: every key used, every used key present -------------------------------------------


async def test_entity_translations_are_exactly_the_entities(hass: HomeAssistant) -> None:
    """Set up a burner with every optional entity; its entities' translation keys are en.json's."""
    await setup_stove(hass)
    entry = await burner(
        hass, flame_sensor=FLAME_SENSOR, presence_sensor=FLAME_SENSOR_2, hazard_sensors=[FLAME_SENSOR_2]
    )
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    used = {(e.domain, e.translation_key) for e in entities if e.translation_key}
    assert used == {(platform, key) for platform, keys in EN["entity"].items() for key in keys}
    icons = load_json(INTEGRATION / "icons.json")["entity"]
    assert {(platform, key) for platform, keys in icons.items() for key in keys} <= used

    sensor = EN["entity"]["sensor"]["last_shut_off"]
    assert set(sensor["state"]) == set(SHUT_OFF_REASONS)
    assert set(sensor["state_attributes"]) == {"at"}
    safety = EN["entity"]["event"]["safety"]["state_attributes"]
    assert set(safety["event_type"]["state"]) == set(EVENT_TYPES.values())
    assert set(safety["reason"]["state"]) == {r.value for r in Reason}
    assert set(safety["problem"]["state"]) == {p.value for p in Problem}


def test_flow_translations_are_used() -> None:
    flow = SOURCES["config_flow.py"]
    for step in EN["config"]["step"]:
        assert f'step_id="{step}"' in flow, step
    assert set(EN["options"]["step"]) == {"init"}
    assert set(EN["options"]["step"]["init"]["sections"]) == {"flame", "watchdogs"}
    assert 'SECTION_FLAME = "flame"' in flow
    assert 'SECTION_WATCHDOGS = "watchdogs"' in flow
    # The form errors validate_options can produce.
    entity_errors = set(re.findall(r'return "(\w+)"', flow))
    possible = set(re.findall(r'"(\w+)"', flow))
    possible |= {f"{prefix}_{error}" for prefix in ("relay", "sensor") for error in entity_errors}
    possible |= {f"{key}_out_of_range" for key in RANGES}
    for errors in (
        EN["config"]["error"],
        EN["options"]["error"],
        EN["issues"]["relay_missing"]["fix_flow"]["error"],
    ):
        assert set(errors) <= possible
    # Aborts Home Assistant raises for us, or the repair flow does.
    assert set(EN["config"]["abort"]) == {"reconfigure_successful"}
    assert "async_update_reload_and_abort" in flow
    assert set(EN["issues"]["relay_missing"]["fix_flow"]["abort"]) == {"burner_removed"}
    assert 'reason="burner_removed"' in SOURCES["repairs.py"]
    for key in EN["selector"]:
        assert quoted(key), f"selector {key} is never used"
    assert set(EN["selector"]["wiring"]["options"]) == {w.value for w in Wiring}
    for reasons, key in REASON_FILTERS.values():
        assert set(EN["selector"][key]["options"]) == set(reasons)


def test_exception_and_issue_translations_are_used() -> None:
    for key in EN["exceptions"]:
        assert quoted(key), f"exception {key} is never raised"
    used_by_code = re.findall(r'translation_key="(\w+)"', "".join(SOURCES.values()))
    used_by_code += re.findall(r'InvalidDuration\("(\w+)"\)', SOURCES["guard.py"])
    assert set(used_by_code) <= set(EN["exceptions"])
    raised = {p.value for p in Problem} | {ISSUE_RELAY_MISSING, ISSUE_STORAGE_CORRUPT, NOTIFY_TIMER_MISSED}
    assert raised <= set(EN["issues"])
    for key in EN["issues"]:
        assert key in raised or quoted(key), f"issue {key} is never raised"


def test_device_automation_translations() -> None:
    texts = EN["device_automation"]
    assert set(texts["trigger_type"]) == set(TRIGGER_TYPES)
    assert set(texts["condition_type"]) == set(CONDITIONS)
    assert set(texts["action_type"]) == set(ACTION_TYPES)
    assert set(texts["extra_fields"]) == {"for", "reason", "duration"}
    assert set(texts["extra_fields_descriptions"]) <= set(texts["extra_fields"])
    for text in [
        *texts["trigger_type"].values(),
        *texts["condition_type"].values(),
        *texts["action_type"].values(),
    ]:
        assert placeholders(text) == {"entity_name"}, text


def test_logbook_texts() -> None:
    """The sentences the logbook can pick, and the reasons and problems it names."""
    cases = [
        (EVENT_SHUT_OFF, {}),
        (EVENT_SHUT_OFF, {"late_seconds": 12.0}),
        (EVENT_WARNING, {}),
        (EVENT_CUT_FAILED, {}),
        (EVENT_TIMER_STARTED, {"extended": False}),
        (EVENT_TIMER_STARTED, {"extended": True}),
        (EVENT_TIMER_ENDED, {}),
        (EVENT_TIMER_CANCELLED, {"cause": "user"}),
        (EVENT_TIMER_CANCELLED, {"cause": "flame_off"}),
        (EVENT_TIMER_CANCELLED, {"cause": "shut_off"}),
    ]
    expected = {logbook_template(event_type, data) for event_type, data in cases}
    expected |= {f"reason_{r.value}" for r in Reason} | {f"problem_{p.value}" for p in Problem}
    assert set(EN["common"]) == expected


def test_translations_are_tidy() -> None:
    for key, text in flatten(EN).items():
        assert text == text.strip(), key
        assert text, key
        assert "<" not in text, key  # no HTML
        assert not re.search(r"https?://", text), key


def test_zh_hans_carries_the_same_keys_and_placeholders() -> None:
    """Fails until translations/zh-Hans.json exists: the integration promises English and Chinese."""
    zh_file = TRANSLATIONS / "zh-Hans.json"
    assert zh_file.exists(), "translations/zh-Hans.json is missing"
    en, zh = flatten(EN), flatten(load_json(zh_file))
    assert set(zh) == set(en)
    for key, text in en.items():
        assert placeholders(zh[key]) == placeholders(text), key


# --- icons ----------------------------------------------------------------------------------------


def all_icons(tree: Any) -> Iterator[str]:
    """Every mdi:... value in icons.json."""
    if isinstance(tree, dict):
        for value in tree.values():
            yield from all_icons(value)
    elif isinstance(tree, str):
        yield tree


def test_icons_exist() -> None:
    frontend = pytest.importorskip("hass_frontend", reason="the frontend package lists the icons")
    icon_list = json.loads((Path(frontend.__file__).parent / "static" / "mdi" / "iconList.json").read_text())
    known = {icon["name"] for icon in icon_list} | {
        alias for icon in icon_list for alias in icon.get("aliases", [])
    }
    icons = list(all_icons(load_json(INTEGRATION / "icons.json")))
    assert icons
    for icon in icons:
        assert icon.startswith("mdi:"), icon
        assert icon.removeprefix("mdi:") in known, icon


# --- quality scale, documentation, brand -----------------------------------------------------------


def quality_scale() -> dict[str, dict[str, Any]]:
    """The rules of quality_scale.yaml, each as {"status": ..., "comment": ...}."""
    rules = load_yaml_dict(INTEGRATION / "quality_scale.yaml")["rules"]
    return {name: value if isinstance(value, dict) else {"status": value} for name, value in rules.items()}


def test_quality_scale_lists_every_rule() -> None:
    rules = quality_scale()
    expected = {rule for tier in QUALITY_RULES.values() for rule in tier}
    # Rules the installed Home Assistant's own integrations rate themselves on, for a newer rule list.
    from homeassistant import components  # noqa: PLC0415

    for path in Path(components.__path__[0]).glob("*/quality_scale.yaml"):
        expected |= set(load_yaml_dict(path).get("rules", {}))
    assert set(rules) == expected
    for name, rule in rules.items():
        assert rule["status"] in ("done", "exempt", "todo"), name
        if rule["status"] != "done":
            assert rule.get("comment"), f"{name} needs a reason"
    # Everything up to gold is done or does not apply to a helper.
    for tier in ("bronze", "silver", "gold"):
        for name in QUALITY_RULES[tier]:
            assert rules[name]["status"] in ("done", "exempt"), name


def test_documentation_rules_are_backed_by_the_readme() -> None:
    readme = ROOT / "README.md"
    assert readme.exists(), "README.md is missing"
    headings = [
        line.lstrip("#").strip().lower()
        for line in readme.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    ]
    for name, rule in quality_scale().items():
        if name.startswith("docs-") and rule["status"] == "done":
            pattern = DOCS_HEADINGS[name]
            assert any(re.search(pattern, heading) for heading in headings), (
                f"{name}: no README heading /{pattern}/"
            )


def test_brand_images() -> None:
    brand = INTEGRATION / "brand"
    for theme in ("", "dark_"):
        for kind in ("icon", "logo"):
            with (
                Image.open(brand / f"{theme}{kind}.png") as one,
                Image.open(brand / f"{theme}{kind}@2x.png") as two,
            ):
                assert one.format == two.format == "PNG"
                assert one.mode == two.mode == "RGBA"
                assert two.size == (one.width * 2, one.height * 2)
                if kind == "icon":
                    assert one.size == (256, 256)
                else:
                    assert 128 <= min(one.size) <= 256
                    assert one.width > one.height  # icon and name side by side
                assert one.getbbox() is not None  # not empty
