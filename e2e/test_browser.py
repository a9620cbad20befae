"""In a real browser: log in, see the band's heart rate and the wheel's battery, measure again.

Playwright drives Debian's Chromium (/usr/bin/chromium); nothing is downloaded. On the pinned
release, screenshots go to docs/screenshots/, where the README and docs/development.md take them
from (conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import re
import shutil
import time
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
import pytest

ROOT = Path(__file__).resolve().parent.parent
BRAND = ROOT / "custom_components" / "miband_ninebot" / "brand"
# What this machine's closed network needs (no background connections), and root needs.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MEASUREMENT_TIMEOUT_MS = 60_000  # the band needs about 10 s, plus the sensor start


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is missing: apt-get install chromium (.ci/run does it)")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _get(develop: dict[str, Any], path: str) -> tuple[str, bytes]:
    """GET from the development instance with its token: the content type and the body."""
    request = Request(  # noqa: S310 - the local development instance
        f"{develop['url']}{path}", headers={"Authorization": f"Bearer {develop['token']}"}
    )
    with urlopen(request, timeout=10) as response:  # noqa: S310
        return str(response.headers.get_content_type()), response.read()


def _post(develop: dict[str, Any], path: str, body: dict[str, Any]) -> Any:
    """POST JSON to the development instance with its token; its JSON answer."""
    request = Request(  # noqa: S310 - the local development instance
        f"{develop['url']}{path}",
        data=json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {develop['token']}",
            "Content-Type": "application/json",
        },
    )
    with urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def _state(develop: dict[str, Any], entity_id: str) -> str:
    return str(json.loads(_get(develop, f"/api/states/{entity_id}")[1])["state"])


def _state_or_none(develop: dict[str, Any], entity_id: str) -> str | None:
    """The state, or None while Home Assistant has none under that id (HTTP 404)."""
    try:
        return _state(develop, entity_id)
    except HTTPError as err:
        if err.code != 404:
            raise
        return None


def _sensor_row(page: Page, name: str) -> Locator:
    """The row of a sensor on a device page (names are unique per device here)."""
    return page.locator("hui-sensor-entity-row", has_text=name).first


def _without_launch_screen(page: Page) -> None:
    """Wait for the frontend's launch screen to fade out, so that a screenshot shows the page."""
    page.wait_for_selector("#ha-launch-screen", state="detached")


def _log_in(page: Page, develop: dict[str, Any]) -> None:
    page.goto(develop["url"])
    page.get_by_role("textbox", name="Username").fill(develop["username"])
    page.get_by_role("textbox", name="Password").fill(develop["password"])
    page.get_by_role("button", name="Log in").click()
    # The 2026 frontend opens on its Home dashboard (/home/overview), no longer on /lovelace.
    page.wait_for_url("**/home/**")


def test_the_instance_runs_the_release_under_test(develop: dict[str, Any]) -> None:
    """What the instance reports, not what a venv holds: this run exercises that release."""
    config = json.loads(_get(develop, "/api/config")[1])
    assert config["version"] == develop["release"]
    assert config["state"] == "RUNNING"
    assert "miband_ninebot" in config["components"]


def test_band_and_wheel_in_home_assistant_s_own_ui(
    develop: dict[str, Any], browser: Browser, screenshots: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 960})
    _log_in(page, develop)

    # The wheel: its battery as the emulated wheel reports it (it drains while being ridden, so
    # compare with Home Assistant's state at the same moment).
    page.goto(f"{develop['url']}/config/devices/device/{develop['devices']['wheel']}")
    battery_row = _sensor_row(page, "Battery")
    deadline = time.monotonic() + 30
    while True:
        battery = _state(develop, "sensor.ninebot_one_e_0001_battery")
        shown = re.compile(rf"\b{battery}\s*%")
        if shown.search(battery_row.inner_text()) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    expect(battery_row).to_contain_text(shown)
    expect(_sensor_row(page, "Speed")).to_contain_text("km/h")
    expect(_sensor_row(page, "Top speed")).to_contain_text("km/h")
    # The emulated wheel is being ridden: its ride started when Home Assistant first read it.
    ride = json.loads(_get(develop, "/api/states/event.ninebot_one_e_0001_ride")[1])
    assert ride["attributes"]["event_type"] == "started", ride
    page.screenshot(path=screenshots / "wheel.png", full_page=True)

    # The band: the heart rate --onboard measured (72), then a new measurement from the button.
    page.goto(f"{develop['url']}/config/devices/device/{develop['devices']['band']}")
    heart_rate = _sensor_row(page, "Heart rate")
    expect(heart_rate).to_contain_text(re.compile(r"\b72\s*bpm"))
    button = page.locator("hui-button-entity-row", has_text="Measure heart rate")
    button.get_by_role("button", name="Press").click()
    # The emulated band answers each measurement with the next of 72, 78, 69, ...
    expect(heart_rate).to_contain_text(re.compile(r"\b78\s*bpm"), timeout=MEASUREMENT_TIMEOUT_MS)
    assert _state(develop, "sensor.mi_band_1s_7e51_heart_rate") == "78"

    # An alarm switched on from the device page, as from a dashboard.
    alarm = page.locator("hui-toggle-entity-row", has_text="Alarm 1").filter(has_not_text="smart")
    assert _state(develop, "switch.mi_band_1s_7e51_alarm_1") == "off"
    # The switch's thumb covers its input: click where a user does, on the control.
    alarm.get_by_role("switch").click(force=True)
    deadline = time.monotonic() + 30
    while _state(develop, "switch.mi_band_1s_7e51_alarm_1") != "on":
        assert time.monotonic() < deadline, "the alarm switch did not turn on"
        time.sleep(0.5)
    page.screenshot(path=screenshots / "band.png", full_page=True)

    # The user gives the heart rate another entity id (2026.11 renames it in place; older
    # releases remove and re-add it): the next measurement shows under the new one, in the UI's
    # own websocket call, as the entity settings dialog makes it.
    original, renamed = "sensor.mi_band_1s_7e51_heart_rate", "sensor.wrist_heart_rate"
    rename = """([old, renamed]) => document.querySelector("home-assistant").hass.callWS({
        type: "config/entity_registry/update", entity_id: old, new_entity_id: renamed})"""
    page.evaluate(rename, [original, renamed])
    _post(
        develop,
        "/api/services/button/press",
        {"entity_id": "button.mi_band_1s_7e51_measure_heart_rate"},
    )
    deadline = time.monotonic() + MEASUREMENT_TIMEOUT_MS / 1000
    while _state_or_none(develop, renamed) != "69":  # the next after 78
        assert time.monotonic() < deadline, "no measurement under the new entity id"
        time.sleep(0.5)
    assert _state_or_none(develop, original) is None
    # And back, for the dashboard, which names the original.
    page.evaluate(rename, [renamed, original])
    deadline = time.monotonic() + 30
    while _state_or_none(develop, original) != "69":
        assert time.monotonic() < deadline, "the heart rate did not come back under its own id"
        time.sleep(0.5)


@pytest.mark.parametrize("image", ["icon.png", "icon@2x.png", "dark_icon.png", "dark_icon@2x.png"])
def test_home_assistant_serves_the_integration_s_own_brand_images(
    develop: dict[str, Any], image: str
) -> None:
    content_type, body = _get(develop, f"/api/brands/integration/miband_ninebot/{image}")
    assert content_type == "image/png"
    assert body == (BRAND / image).read_bytes()  # ours, not a placeholder from the brands CDN


def test_integrations_page_shows_the_brand_icon(
    develop: dict[str, Any], browser: Browser, screenshots: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 960})
    _log_in(page, develop)
    page.goto(f"{develop['url']}/config/integrations/dashboard")
    card = page.locator("ha-integration-card", has_text="Mi Band 1S & Ninebot One")
    icon = card.locator("img[src*='/api/brands/integration/miband_ninebot/icon.png']")
    expect(icon).to_be_visible()
    # Loaded, at the size of the file it came from (a broken image has no natural width).
    page.wait_for_function("img => img.complete", arg=icon.element_handle())
    assert icon.evaluate("img => img.naturalWidth") == 256
    page.screenshot(path=screenshots / "integrations.png")


def test_band_and_wheel_behind_an_esphome_bluetooth_proxy(
    develop: dict[str, Any], browser: Browser, screenshots: Path
) -> None:
    """The picture a proxy user has: the ESPHome device, its slots, the devices behind it."""
    page = browser.new_page(viewport={"width": 1280, "height": 960})
    _log_in(page, develop)

    page.goto(f"{develop['url']}/config/devices/dashboard")
    # The ESPHome device (the Bluetooth integration lists the proxy's adapter as another).
    proxy_row = page.get_by_role("row", name="Bluetooth proxy ESPHome")
    expect(proxy_row).to_contain_text("bluetooth-proxy")  # the ready-made proxy's model

    # Bluetooth's own panel: one adapter (the proxy), two of its three slots held.
    page.goto(f"{develop['url']}/config/bluetooth/dashboard")
    expect(page.get_by_text("2/3 connections active")).to_be_visible()
    expect(page.get_by_text("1 adapter")).to_be_visible()
    _without_launch_screen(page)
    page.screenshot(path=screenshots / "bluetooth.png")

    page.goto(f"{develop['url']}/config/bluetooth/connection-monitor")
    for name, device in (("MI1S", "Mi Band 1S (7E51)"), ("NOE002", "Ninebot One E (0001)")):
        row = page.get_by_role("row").filter(has_text=name)
        expect(row).to_contain_text(device)
        expect(row).to_contain_text("Bluetooth proxy (AC:67:B2:00:00:03)")
    _without_launch_screen(page)
    page.screenshot(path=screenshots / "connections.png")


def test_the_dashboard_shows_the_band_s_synced_days(
    develop: dict[str, Any], browser: Browser, screenshots: Path
) -> None:
    """The dashboard --onboard creates (docs/dashboard.yaml), on the band's synced memory.

    The development band carries days of memory; its first sync after onboarding fills the
    long-term statistics and finds the last night, which the dashboard's charts and cards show.
    """
    deadline = time.monotonic() + 60
    while (slept := _state_or_none(develop, "sensor.mi_band_1s_7e51_last_sleep")) in (
        None,
        "unknown",
    ) and time.monotonic() < deadline:
        time.sleep(1)
    assert slept is not None, "no last_sleep sensor"
    assert float(slept) > 0, f"no night synced: last_sleep is {slept}"

    page = browser.new_page(viewport={"width": 1280, "height": 960})
    _log_in(page, develop)
    page.goto(f"{develop['url']}/band-wheel/today")
    _without_launch_screen(page)
    graphs = page.locator("hui-statistics-graph-card")
    expect(graphs).to_have_count(3)
    for title in ("Steps per hour", "Heart rate per hour", "Sleep per day"):
        expect(graphs.filter(has_text=title)).to_have_count(1)
    # Each chart drew its statistics (an empty one says "No statistics found.").
    expect(graphs.locator("ha-chart-base")).to_have_count(3)
    expect(page.get_by_text("No statistics found.")).to_have_count(0)
    expect(page.get_by_text("Entity not found")).to_have_count(0)
    expect(page.locator("hui-entities-card", has_text="Sleep")).to_contain_text("Resting")
    time.sleep(2)  # the charts' entry animation
    page.screenshot(path=screenshots / "dashboard.png", full_page=True)


def _reload_entries(develop: dict[str, Any]) -> None:
    """Reload the integration's entries: entity names are given at setup, in the system language."""
    _, body = _get(develop, "/api/config/config_entries/entry?domain=miband_ninebot")
    for entry in json.loads(body):
        _post(develop, f"/api/config/config_entries/entry/{entry['entry_id']}/reload", {})


def _set_system_language(page: Page, language: str) -> None:
    """Settings > System > General > Language, through the frontend's own connection."""
    page.wait_for_function("() => document.querySelector('home-assistant')?.hass?.connected")
    page.evaluate(
        "language => document.querySelector('home-assistant').hass.callWS("
        "{type: 'config/core/update', language})",
        language,
    )


def test_a_device_page_in_german(develop: dict[str, Any], browser: Browser) -> None:
    """Home Assistant in German: the band's entities carry the integration's German names."""
    page = browser.new_page(viewport={"width": 1280, "height": 960})
    _log_in(page, develop)
    _set_system_language(page, "de")
    try:
        _reload_entries(develop)
        page.evaluate("localStorage.setItem('selectedLanguage', JSON.stringify('de'))")
        page.goto(f"{develop['url']}/config/devices/device/{develop['devices']['band']}")
        _without_launch_screen(page)
        # translations/de.json's names for Last sleep, Resting heart rate, Step goal.
        for name in ("Letzter Schlaf", "Ruhepuls", "Schrittziel"):
            expect(page.get_by_text(name).first).to_be_visible()
    finally:
        _set_system_language(page, "en")
        _reload_entries(develop)
