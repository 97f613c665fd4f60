"""A real Home Assistant process for the browser tests, and a small client for its REST API.

The process runs `hass -c <tmp>` on a free port with a copy of the repository's config/ (the simulated
stove) and this integration linked from the working tree. Onboarding is finished and a user created through
Home Assistant's own onboarding API (scripts/dev_instance.py, shared with scripts/develop): no manual step.
"""

from __future__ import annotations

from collections.abc import Callable
import contextlib
import ctypes
from datetime import UTC, datetime
import importlib.util
import os
from pathlib import Path
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from typing import Any
import urllib.error
import urllib.parse

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "config"
USERNAME = "e2e"
PASSWORD = "e2e-password"


def _load_dev_instance() -> Any:
    spec = importlib.util.spec_from_file_location("gsg_dev_instance", REPO / "scripts" / "dev_instance.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dev_instance = _load_dev_instance()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: have the kernel send SIGTERM to hass when the test process dies, however it dies."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class HassProcess:
    """`hass -c <config_dir>` on 127.0.0.1:<port>, started, onboarded and stopped."""

    def __init__(self, workdir: Path, hass_executable: Path) -> None:
        """Copy the config into WORKDIR/config; nothing runs yet."""
        self.workdir = workdir
        self.config_dir = workdir / "config"
        self.hass_executable = hass_executable
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stdout_path = workdir / "hass.out"
        self.process: subprocess.Popen[bytes] | None = None
        self.token = ""
        self._copy_config()

    def _copy_config(self) -> None:
        # Only what the repository holds: no state, and none of a developer's UI-made automations or scripts.
        ignore = shutil.ignore_patterns(
            ".storage",
            "custom_components",
            "*.log*",
            "*.db*",
            ".HA_VERSION",
            "deps",
            "tts",
            "blueprints",
            *dev_instance.INCLUDED_FILES,
        )
        shutil.copytree(CONFIG, self.config_dir, ignore=ignore)
        config_yaml = self.config_dir / "configuration.yaml"
        text, count = re.subn(
            r"(?m)^(\s*)server_port:\s*\d+\s*$",
            rf"\g<1>server_port: {self.port}\n\g<1>server_host: 127.0.0.1",
            config_yaml.read_text(),
        )
        if count != 1:
            raise RuntimeError(
                "config/configuration.yaml must have exactly one `server_port:` line under http:"
            )
        config_yaml.write_text(text)
        dev_instance.prepare(self.config_dir, absolute_link=True)

    @property
    def log_path(self) -> Path:
        """Home Assistant's own log file."""
        return self.config_dir / "home-assistant.log"

    def start(self, timeout: float = 180) -> None:
        """Start hass, wait until it answers, create the test user and log in through the API."""
        env = {
            k: v for k, v in os.environ.items() if not k.startswith("COV_CORE_")
        }  # not measured by pytest-cov
        env["PYTHONUNBUFFERED"] = "1"
        with self.stdout_path.open("wb") as out:
            self.process = subprocess.Popen(
                [str(self.hass_executable), "-c", str(self.config_dir)],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=self.workdir,
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
            )
        try:
            dev_instance.wait_until_up(self.url, timeout, alive=lambda: self.process.poll() is None)
            dev_instance.create_user(self.url, "E2E", USERNAME, PASSWORD)
            self.token = dev_instance.login(self.url, USERNAME, PASSWORD)["access_token"]
            self.api = Api(self.url, self.token)
            self.api.wait_running(timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop hass (SIGTERM to its process group, SIGKILL after 30 s). Safe to call twice."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

    def log_tail(self, lines: int = 150) -> str:
        """The end of the hass log (or of its console output when the log file is missing)."""
        path = self.log_path if self.log_path.exists() else self.stdout_path
        if not path.exists():
            return "(no hass log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def log_errors(self) -> list[str]:
        """ERROR lines of the hass log that concern this integration."""
        if not self.log_path.exists():
            return []
        return [
            line
            for line in self.log_path.read_text(errors="replace").splitlines()
            if " ERROR " in line and "gas_stove_guard" in line
        ]


class Api:
    """Home Assistant's REST API with a user's access token."""

    def __init__(self, url: str, token: str) -> None:
        """Remember where and who."""
        self.url = url
        self.token = token

    def get(self, path: str) -> Any:
        """GET /api/<path>."""
        return dev_instance.request(f"{self.url}/api/{path}", token=self.token)

    def post(self, path: str, data: dict[str, Any] | None = None) -> Any:
        """POST /api/<path> with JSON."""
        return dev_instance.request(f"{self.url}/api/{path}", data or {}, token=self.token)

    def state(self, entity_id: str) -> dict[str, Any] | None:
        """The entity's state object, or None when it does not exist."""
        try:
            return self.get(f"states/{entity_id}")
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return None
            raise

    def value(self, entity_id: str) -> str | None:
        """The entity's state string, or None when it does not exist."""
        state = self.state(entity_id)
        return None if state is None else state["state"]

    def call(self, domain: str, service: str, **data: Any) -> Any:
        """Call an action."""
        return self.post(f"services/{domain}/{service}", data)

    def wait_for(
        self, entity_id: str, check: str | Callable[[str | None], bool], timeout: float = 15
    ) -> str | None:
        """Poll until the entity's state is CHECK (or CHECK(state) is true); fails with what it saw."""
        predicate = check if callable(check) else (lambda value: value == check)
        deadline = time.monotonic() + timeout
        seen: list[str | None] = []
        while True:
            value = self.value(entity_id)
            if not seen or seen[-1] != value:
                seen.append(value)
            if predicate(value):
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"{entity_id}: waited {timeout} s for {check!r}, saw {seen}")
            time.sleep(0.1)

    def stays(self, entity_id: str, expected: str, seconds: float) -> None:
        """Check that the entity keeps the state for a while."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.value(entity_id)
            assert value == expected, f"{entity_id} became {value!r}, expected it to stay {expected!r}"
            time.sleep(0.1)

    def history(self, entity_id: str, since: datetime) -> list[str]:
        """The states the recorder has for the entity since SINCE, oldest first."""
        start = urllib.parse.quote(since.astimezone(UTC).isoformat())
        answer = self.get(
            f"history/period/{start}?filter_entity_id={entity_id}&minimal_response&no_attributes"
            "&significant_changes_only=0"
        )
        return [row["state"] for row in (answer[0] if answer else [])]

    def wait_history(
        self, entity_id: str, since: datetime, tail: list[str], timeout: float = 15
    ) -> list[str]:
        """Wait until the recorded states since SINCE end with TAIL (the recorder commits once a second)."""
        deadline = time.monotonic() + timeout
        while True:
            states = self.history(entity_id, since)
            if states[-len(tail) :] == tail:
                return states
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{entity_id}: recorded {states} since {since}, expected it to end with {tail}"
                )
            time.sleep(0.5)

    def wait_running(self, timeout: float) -> None:
        """Wait until Home Assistant reports it has finished starting."""
        deadline = time.monotonic() + timeout
        while self.get("config").get("state") != "RUNNING":
            if time.monotonic() > deadline:
                raise TimeoutError("Home Assistant did not finish starting")
            time.sleep(0.5)


def now() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)
