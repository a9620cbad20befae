"""`scripts/develop --onboard`: make the development Home Assistant usable without a click.

Waits for Home Assistant, creates the owner through the onboarding API (or logs in, if a previous
run did), finishes onboarding, adds the emulated ESPHome Bluetooth proxy through esphome's config
flow (host and port, as a user does), accepts the discovery flows of the emulated band and wheel
behind it (the band's pairing included: the emulated band taps itself), takes one heart-rate
measurement so the dashboard has a value, creates the dashboard of `docs/dashboard.yaml` ("Band &
wheel" in the sidebar), then prints the login. What it learned (login, token,
device ids) goes to `<config>/.develop.json` for the browser test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
import sys
import time
from typing import Any

import aiohttp
from homeassistant.util.yaml import load_yaml_dict

USERNAME = "dev"
PASSWORD = "develop-only"  # noqa: S105 - a development instance that listens on 127.0.0.1 only
DOMAIN = "miband_ninebot"
ONBOARDING = ("user", "core_config", "analytics", "integration")
DEVICES = 2  # the emulated band and wheel
START_TIMEOUT = 90.0  # s for Home Assistant to answer
STEP_TIMEOUT = 120.0  # s for discovery, pairing and the first values
DASHBOARD = Path(__file__).parent.parent / "docs" / "dashboard.yaml"
DASHBOARD_PATH = "band-wheel"  # a dashboard's url_path needs a hyphen


def say(message: str) -> None:
    """Progress on stderr, next to Home Assistant's log."""
    print(f"onboard: {message}", file=sys.stderr, flush=True)


class Onboarding:
    """One Home Assistant at `url`, driven through its HTTP and websocket APIs."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        """Talk to `url` through `session`; `log_in` gets the token."""
        self.session = session
        self.url = url
        self.client_id = f"{url}/"
        self.token = ""
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._message_id = 0

    async def wait_until_up(self) -> None:
        """Wait for Home Assistant's HTTP server to answer."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                async with self.session.get(f"{self.url}/api/onboarding") as response:
                    if response.status in (200, 404):  # 404: onboarding finished earlier
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"onboard: Home Assistant did not answer within {START_TIMEOUT} s")
            await asyncio.sleep(0.5)

    async def log_in(self) -> None:
        """Create the owner on a fresh instance, else log in with the development login."""
        async with self.session.get(f"{self.url}/api/onboarding") as response:
            steps = await response.json() if response.status == 200 else []
        done = {step["step"]: step["done"] for step in steps} or dict.fromkeys(ONBOARDING, True)
        if not done.get("user"):
            user = {
                "client_id": self.client_id,
                "name": "Developer",
                "username": USERNAME,
                "password": PASSWORD,
                "language": "en",
            }
            code = (await self._post("/api/onboarding/users", user))["auth_code"]
            say(f"created the user {USERNAME}")
        else:
            code = await self._login_code()
        form = {"grant_type": "authorization_code", "code": code, "client_id": self.client_id}
        async with self.session.post(f"{self.url}/auth/token", data=form) as response:
            response.raise_for_status()
            self.token = (await response.json())["access_token"]
        for step, payload in (
            ("core_config", {}),
            ("analytics", {}),
            ("integration", {"client_id": self.client_id, "redirect_uri": self.client_id}),
        ):
            if not done.get(step):
                await self._post(f"/api/onboarding/{step}", payload)

    async def _login_code(self) -> str:
        flow = await self._post(
            "/auth/login_flow",
            {
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.client_id,
            },
        )
        result = await self._post(
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": self.client_id, "username": USERNAME, "password": PASSWORD},
        )
        if result.get("type") != "create_entry":
            raise SystemExit("onboard: this config directory has another login; use --reset")
        return str(result["result"])

    async def add_esphome_proxy(self, port: int) -> None:
        """Add the emulated ESPHome proxy as a user does, unless a previous run did."""
        if await self._ws_call("config_entries/get", domain="esphome"):
            return
        flow = await self._post("/api/config/config_entries/flow", {"handler": "esphome"})
        path = f"/api/config/config_entries/flow/{flow['flow_id']}"
        result = await self._post(path, {"host": "127.0.0.1", "port": port})
        if result.get("type") != "create_entry":
            raise SystemExit(f"onboard: adding the ESPHome proxy ended with {result}")
        say(f"added the ESPHome proxy {result['title']} (127.0.0.1:{port})")

    async def add_devices(self) -> None:
        """Accept every discovery flow of the integration, pairing the band on the way."""
        deadline = time.monotonic() + STEP_TIMEOUT
        while len(await self._entries()) < DEVICES:
            for flow in await self._ws_call("config_entries/flow/progress"):
                if flow["handler"] == DOMAIN and flow["context"].get("source") == "bluetooth":
                    await self._accept(flow["flow_id"], flow["context"]["title_placeholders"])
            if time.monotonic() > deadline:
                raise SystemExit("onboard: the emulated devices were not discovered in time")
            await asyncio.sleep(1)

    async def _accept(self, flow_id: str, placeholders: dict[str, str]) -> None:
        path = f"/api/config/config_entries/flow/{flow_id}"
        result = await self._post(path, {})
        if result.get("step_id") == "profile":
            result = await self._post(path, {})  # the defaults
            say(f"pairing {placeholders['name']}: the emulated band vibrates and taps itself")
        while result.get("type") == "progress":
            await asyncio.sleep(1)
            async with self.session.get(f"{self.url}{path}", headers=self._auth) as response:
                result = await response.json()
        if result.get("type") != "create_entry":
            raise SystemExit(f"onboard: adding {placeholders['name']} ended with {result}")
        say(f"added {result['title']}")

    async def devices(self) -> dict[str, str]:
        """Device ids of the integration's devices, by their kind."""
        entries = {entry["entry_id"]: entry for entry in await self._entries()}
        kinds: dict[str, str] = {}
        for device in await self._ws_call("config/device_registry/list"):
            for entry_id in device["config_entries"]:
                if entry_id in entries:
                    kinds["band" if device["manufacturer"] == "Xiaomi" else "wheel"] = device["id"]
        return kinds

    async def measure(self, band_device_id: str) -> int:
        """Take a heart-rate measurement through the integration's action."""
        deadline = time.monotonic() + STEP_TIMEOUT
        while True:  # the band's first connection may still be initialising
            try:
                response = await self._ws_call(
                    "call_service",
                    domain=DOMAIN,
                    service="measure_heart_rate",
                    service_data={"device_id": band_device_id},
                    return_response=True,
                )
                return int(response["response"]["heart_rate"])
            except RuntimeError as err:
                if time.monotonic() > deadline:
                    raise SystemExit(f"onboard: no heart rate: {err}") from err
                await asyncio.sleep(2)

    async def create_dashboard(self) -> None:
        """Create (or update) the dashboard of docs/dashboard.yaml, in the sidebar."""
        config = load_yaml_dict(DASHBOARD)
        dashboards = await self._ws_call("lovelace/dashboards/list")
        if all(board["url_path"] != DASHBOARD_PATH for board in dashboards):
            await self._ws_call(
                "lovelace/dashboards/create",
                url_path=DASHBOARD_PATH,
                title=config["title"],
                icon="mdi:watch-variant",
                show_in_sidebar=True,
                require_admin=False,
                mode="storage",
            )
        await self._ws_call("lovelace/config/save", url_path=DASHBOARD_PATH, config=config)
        say(f"created the dashboard {config['title']} ({self.url}/{DASHBOARD_PATH})")

    async def _entries(self) -> list[dict[str, Any]]:
        entries = await self._ws_call("config_entries/get", domain=DOMAIN)
        return [entry for entry in entries if entry["state"] == "loaded"]

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        async with self.session.post(
            f"{self.url}{path}", json=payload, headers=self._auth
        ) as response:
            if response.status >= 400:
                raise SystemExit(f"onboard: {path}: {response.status} {await response.text()}")
            result: dict[str, Any] = await response.json()
            return result

    async def _ws_call(self, message_type: str, **data: Any) -> Any:
        if self._ws is None:
            self._ws = await self.session.ws_connect(f"{self.url}/api/websocket")
            await self._ws.receive_json()  # auth_required
            await self._ws.send_json({"type": "auth", "access_token": self.token})
            if (await self._ws.receive_json())["type"] != "auth_ok":
                raise SystemExit("onboard: websocket authentication failed")
        self._message_id += 1
        await self._ws.send_json({"id": self._message_id, "type": message_type, **data})
        while True:
            message = await self._ws.receive_json()
            if message.get("id") == self._message_id:
                break
        if not message["success"]:
            raise RuntimeError(message["error"]["message"])
        return message["result"]

    async def close(self) -> None:
        """Close the websocket."""
        if self._ws is not None:
            await self._ws.close()


async def main() -> None:
    """Onboard, add the devices, measure once, write the login and print it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8123")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--proxy-port", type=int, help="the emulated ESPHome proxy's API port")
    args = parser.parse_args()
    async with aiohttp.ClientSession() as session:
        onboarding = Onboarding(session, args.url)
        try:
            await onboarding.wait_until_up()
            await onboarding.log_in()
            if args.proxy_port:
                await onboarding.add_esphome_proxy(args.proxy_port)
            await onboarding.add_devices()
            devices = await onboarding.devices()
            bpm = await onboarding.measure(devices["band"])
            say(f"first heart-rate measurement: {bpm} bpm")
            await onboarding.create_dashboard()
        finally:
            await onboarding.close()
    login = {
        "url": args.url,
        "username": USERNAME,
        "password": PASSWORD,
        "token": onboarding.token,
        "devices": devices,
    }
    (args.config / ".develop.json").write_text(json.dumps(login, indent=2))
    print(
        f"\n  Ready: {args.url}  (username {USERNAME}, password {PASSWORD})\n",
        file=sys.stderr,
        flush=True,
    )


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:  # Ctrl-C on scripts/develop while this was still working
        sys.exit(130)
