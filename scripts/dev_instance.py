"""Prepare and onboard a Home Assistant config for development and the browser tests (standard library only).

    python scripts/dev_instance.py prepare CONFIG_DIR
        Link the integration into CONFIG_DIR/custom_components and the project's blueprints into
        CONFIG_DIR/blueprints/automation/gas_stove_guard, create the files configuration.yaml includes,
        and, on a fresh config, mark onboarding's location, analytics and integration steps done so that only
        the user remains (the location comes from configuration.yaml; the onboarding API's location step would
        also set up weather and radio integrations that need packages installed at run time).
    python scripts/dev_instance.py create-user URL [--name N] [--username U] [--password P] [--timeout S]
        Wait until Home Assistant answers at URL, then create the owner through the onboarding API unless a
        user exists already. Prints "created" or "exists".

scripts/develop and tests/e2e use the same functions.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
import sys
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

REPO = Path(__file__).resolve().parent.parent
ONBOARDING_STORE = {
    "version": 4,
    "minor_version": 1,
    "key": "onboarding",
    "data": {"done": ["core_config", "analytics", "integration"]},
}
INCLUDED_FILES = {"automations.yaml": "[]\n", "scripts.yaml": "{}\n", "scenes.yaml": "[]\n"}


def prepare(config_dir: Path, *, absolute_link: bool = False) -> None:
    """Make CONFIG_DIR ready for `hass -c CONFIG_DIR` (idempotent)."""
    config_dir = Path(config_dir)
    link = config_dir / "custom_components"
    target = REPO / "custom_components"
    if not link.is_symlink() and not link.exists():
        link.symlink_to(target if absolute_link else Path("..") / "custom_components")
    # The project's blueprints, so the automation editor offers them without an import.
    blueprints = config_dir / "blueprints" / "automation"
    blueprints.mkdir(parents=True, exist_ok=True)
    blueprint_link = blueprints / "gas_stove_guard"
    if not blueprint_link.is_symlink() and not blueprint_link.exists():
        blueprint_target = REPO / "blueprints" / "automation" / "gas_stove_guard"
        blueprint_link.symlink_to(
            blueprint_target
            if absolute_link
            else Path("../../..") / "blueprints" / "automation" / "gas_stove_guard"
        )
    for name, empty in INCLUDED_FILES.items():
        if not (config_dir / name).exists():
            (config_dir / name).write_text(empty)
    storage = config_dir / ".storage"
    storage.mkdir(exist_ok=True)
    if not (storage / "onboarding").exists() and not (storage / "auth").exists():
        (storage / "onboarding").write_text(json.dumps(ONBOARDING_STORE, indent=2))


def request(
    url: str, data: dict[str, Any] | None = None, *, token: str | None = None, form: bool = False
) -> Any:
    """GET (data None) or POST JSON / form data; returns the decoded JSON answer (or text)."""
    headers = {}
    body = None
    if data is not None:
        if form:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(
        url, data=body, headers=headers, method="POST" if body is not None else "GET"
    )
    with urllib.request.urlopen(req, timeout=30) as response:
        text = response.read().decode()
    try:
        return json.loads(text)
    except ValueError:
        return text


def onboarding_steps(url: str) -> list[dict[str, Any]]:
    """Onboarding's steps and whether each is done; empty once onboarding is over (the API is then gone)."""
    try:
        return request(f"{url}/api/onboarding")
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return []
        raise


def wait_until_up(url: str, timeout: float, alive: Any = None) -> list[dict[str, Any]]:
    """Wait until Home Assistant's HTTP server answers (it has started); returns onboarding's steps.

    `alive` is an optional callable that returns False when the process has died (then stop waiting).
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise RuntimeError("Home Assistant exited before it answered")
        try:
            return onboarding_steps(url)
        except (urllib.error.URLError, ConnectionError, TimeoutError) as err:
            last_error = err
        time.sleep(0.5)
    raise TimeoutError(f"Home Assistant did not answer at {url} within {timeout:.0f} s: {last_error}")


def client_id(url: str) -> str:
    """The OAuth client id the frontend at URL would use."""
    return f"{url}/"


def create_user(url: str, name: str, username: str, password: str) -> str | None:
    """Create the owner through onboarding; returns an authorization code, or None if a user exists."""
    steps = onboarding_steps(url)
    if not any(step["step"] == "user" and not step["done"] for step in steps):
        return None
    answer = request(
        f"{url}/api/onboarding/users",
        {
            "client_id": client_id(url),
            "name": name,
            "username": username,
            "password": password,
            "language": "en",
        },
    )
    return answer["auth_code"]


def tokens_from_code(url: str, code: str) -> dict[str, Any]:
    """Exchange an authorization code for access and refresh tokens."""
    return request(
        f"{url}/auth/token",
        {"grant_type": "authorization_code", "code": code, "client_id": client_id(url)},
        form=True,
    )


def login(url: str, username: str, password: str) -> dict[str, Any]:
    """Log in with the username/password provider (as the login page does); returns tokens."""
    flow = request(
        f"{url}/auth/login_flow",
        {
            "client_id": client_id(url),
            "handler": ["homeassistant", None],
            "redirect_uri": f"{url}/?auth_callback=1",
        },
    )
    result = request(
        f"{url}/auth/login_flow/{flow['flow_id']}",
        {"client_id": client_id(url), "username": username, "password": password},
    )
    if result.get("type") != "create_entry":
        raise RuntimeError(f"login failed: {result}")
    return tokens_from_code(url, result["result"])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def main(argv: list[str]) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    prep = sub.add_parser("prepare")
    prep.add_argument("config_dir", type=Path)
    user = sub.add_parser("create-user")
    user.add_argument("url")
    user.add_argument("--name", default="Dev")
    user.add_argument("--username", default="dev")
    user.add_argument("--password", default="dev")
    user.add_argument("--timeout", type=float, default=600)
    user.add_argument("--pid", type=int, help="stop waiting when this process (hass) has ended")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare(args.config_dir)
        return 0
    wait_until_up(args.url, args.timeout, alive=(lambda: _alive(args.pid)) if args.pid else None)
    code = create_user(args.url, args.name, args.username, args.password)
    print("created" if code else "exists")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
