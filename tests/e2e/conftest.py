"""Browser tests against a real Home Assistant: prerequisites, the hass process, Chromium, reports on failure.

These tests SKIP (with the reason) when something they need is missing: the `playwright` package, Chromium
at /usr/bin/chromium, the `hass` command or the frontend package in this Python environment. With
GSG_REQUIRE_E2E=1 (set by scripts/test) a missing prerequisite is a failure instead. GSG_NO_E2E=1
(scripts/test --no-e2e) skips them.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable, Generator, Iterator
import contextlib
import importlib.util
import os
from pathlib import Path
import re
import shutil
import sys
import time
from typing import Any

import pytest

from .harness import REPO, HassProcess

CHROMIUM = Path(os.environ.get("GSG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1000, "height": 760}
ARTIFACTS = Path(os.environ.get("GSG_E2E_ARTIFACTS", REPO / "e2e-artifacts"))
DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"
HASS = Path(sys.executable).parent / "hass"
_shot_dirs: list[Path] = []


def missing_prerequisites() -> list[str]:
    """What the browser tests need and this machine lacks."""
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("the Python package playwright (requirements_dev.txt, installed by scripts/setup)")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    if not HASS.exists():
        missing.append(f"the hass command at {HASS}")
    if importlib.util.find_spec("hass_frontend") is None:
        missing.append(
            "the package home-assistant-frontend (requirements_dev.txt, installed by scripts/setup)"
        )
    return missing


def _enable_sockets() -> None:
    """The test plugin blocks network sockets; these tests talk to a local hass on purpose."""
    with contextlib.suppress(ImportError):
        import pytest_socket  # noqa: PLC0415

        pytest_socket.enable_socket()


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Overrides tests/conftest.py's fixture: browser tests need no in-process test hass."""


@pytest.fixture(scope="session")
def e2e_ready() -> None:
    """Skip (or fail with GSG_REQUIRE_E2E=1) when a prerequisite is missing."""
    if os.environ.get("GSG_NO_E2E"):
        pytest.skip("browser tests switched off (GSG_NO_E2E=1, scripts/test --no-e2e)")
    if missing := missing_prerequisites():
        reason = "browser tests need " + "; ".join(missing)
        if os.environ.get("GSG_REQUIRE_E2E"):
            pytest.fail(f"{reason} (GSG_REQUIRE_E2E=1 makes this a failure)", pytrace=False)
        pytest.skip(f"{reason} (GSG_REQUIRE_E2E=1 would make this a failure)")
    _enable_sockets()


@pytest.fixture(autouse=True)
def _sockets_for_e2e() -> None:
    _enable_sockets()


@pytest.fixture(autouse=True)
def verify_cleanup() -> None:
    """Overrides the test plugin's check of the in-process hass's event loop, which these tests do not use.

    Playwright's synchronous API marks its own event loop as running in this thread while the browser is
    open, so the plugin's clean-up of a per-test loop would fail; the hass under test is a separate process,
    stopped by the `ha` fixture.
    """


@pytest.fixture(autouse=True)
def enable_event_loop_debug() -> None:
    """Overrides the test plugin's fixture: no in-process event loop here."""


@pytest.fixture(scope="package")
def ha(e2e_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HassProcess]:
    """A real Home Assistant with the simulated stove, onboarded, with a logged-in API client (`ha.api`)."""
    _enable_sockets()
    process = HassProcess(tmp_path_factory.mktemp("hass"), HASS)
    atexit.register(process.stop)  # also when the session is interrupted
    started = time.monotonic()
    try:
        process.start()
    except Exception as err:  # noqa: BLE001 - reported with the log
        process.stop()
        pytest.fail(
            f"Home Assistant did not start: {err!r}\n--- hass log ---\n{process.log_tail()}", pytrace=False
        )
    print(f"\nhass up at {process.url} in {time.monotonic() - started:.1f} s")
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="package")
def browser_context(e2e_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Debian's Chromium, headless, with a fresh profile; requests leaving 127.0.0.1 are refused at once."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
            locale="en-US",
            timezone_id="Europe/Berlin",
        )
        context.set_default_timeout(15_000)
        context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
        try:
            yield context
        finally:
            context.close()


class Screenshots:
    """Numbered screenshots of a test's steps in e2e-artifacts/<test name>/; some go to docs/screenshots/."""

    def __init__(self, page: Any, folder: Path) -> None:
        """Start with an empty folder."""
        self.page = page
        self.folder = folder
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.count = 0

    def take(self, name: str, doc: str | None = None) -> Path:
        """Screenshot the page; with DOC, also write docs/screenshots/DOC.png (when missing, or always with
        GSG_UPDATE_SCREENSHOTS=1), palette-reduced to stay small."""
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.wait_for_timeout(300)  # let ripples and dialog animations settle
        self.page.screenshot(path=str(path))
        if doc:
            target = DOCS_SCREENSHOTS / f"{doc}.png"
            if os.environ.get("GSG_UPDATE_SCREENSHOTS") or not target.exists():
                _save_small(path, target)
        return path


def _save_small(source: Path, target: Path) -> None:
    from PIL import Image  # noqa: PLC0415 - Pillow comes with Home Assistant

    target.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        small = image.convert("RGB")
        if small.width > 1000:
            small = small.resize((1000, round(small.height * 1000 / small.width)))
        small.quantize(colors=96, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


@pytest.fixture
def page(request: pytest.FixtureRequest, browser_context: Any, ha: HassProcess) -> Generator[Any]:
    """A browser tab; its console is recorded and, if the test fails, reported with the hass log."""
    tab = browser_context.new_page()
    console: list[str] = []
    tab.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    tab.on("pageerror", lambda err: console.append(f"pageerror: {err}"))
    folder = ARTIFACTS / request.node.name
    shots = Screenshots(tab, folder)
    _shot_dirs.append(folder)
    request.node.gsg_shots = shots

    def diagnostics() -> list[tuple[str, str]]:
        with contextlib.suppress(Exception):
            tab.screenshot(path=str(folder / "failure.png"))
        browser_log = "\n".join(line for line in console if "ERR_FAILED" not in line) or "(empty)"
        hass_log = ha.log_tail()
        (folder / "browser-console.log").write_text(browser_log)
        (folder / "hass.log").write_text(hass_log)
        return [("browser console", browser_log), ("hass log (end)", hass_log)]

    request.node.gsg_diagnostics = diagnostics
    try:
        yield tab
    finally:
        tab.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest, page: Any) -> Screenshots:
    """The test's screenshots."""
    return request.node.gsg_shots


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any]:
    """Attach the browser console and the hass log to a failed browser test's report."""
    outcome = yield
    report = outcome.get_result()
    diagnostics: Callable[[], list[tuple[str, str]]] | None = getattr(item, "gsg_diagnostics", None)
    if report.failed and diagnostics is not None:
        for title, text in diagnostics():
            report.sections.append((title, text))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say where the screenshots are."""
    for folder in _shot_dirs:
        if folder.exists():
            terminalreporter.write_line(f"browser test screenshots: {folder}")
