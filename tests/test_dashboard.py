"""docs/dashboard.yaml names only what the development instance's band and wheel really have.

The entity ids are those the entity snapshots record for the emulated band (C8:0F:10:3C:7E:51,
"Mi Band 1S (7E51)") and wheel ("Ninebot One E (0001)") that `scripts/develop` serves; the
statistics are the band's external ones, by the integration's own naming. The browser test then
opens the dashboard that `scripts/develop --onboard` creates from this file.
"""

from __future__ import annotations

from pathlib import Path
import re
from typing import Any

import yaml

from custom_components.miband_ninebot.band.statistics import NAMES, statistic_id
from emulator.devices import catalog

ROOT = Path(__file__).parent.parent
DASHBOARD = ROOT / "docs" / "dashboard.yaml"
SNAPSHOTS = ROOT / "tests" / "release_snapshots" / "2026.10"


def _named(node: Any) -> set[str]:
    """Every `entity:` value anywhere in the dashboard."""
    if isinstance(node, dict):
        found = {node["entity"]} if isinstance(node.get("entity"), str) else set()
        return found.union(*(_named(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_named(item) for item in node))
    return set()


def _snapshot_entity_ids() -> set[str]:
    text = "".join(path.read_text() for path in SNAPSHOTS.glob("*.ambr"))
    return set(re.findall(r"'entity_id': '([a-z_]+\.[a-z0-9_]+)'", text))


def test_the_dashboard_names_entities_and_statistics_that_exist() -> None:
    dashboard = yaml.safe_load(DASHBOARD.read_text())
    named = _named(dashboard)
    statistics = {name for name in named if ":" in name}
    entities = named - statistics

    band = catalog.mi_band_1s().address
    assert statistics <= {statistic_id(band, key) for key in NAMES}
    assert {statistic_id(band, "steps"), statistic_id(band, "heart_rate")} <= statistics
    assert entities
    assert entities <= _snapshot_entity_ids(), entities - _snapshot_entity_ids()


def test_every_card_is_one_home_assistant_ships() -> None:
    views = yaml.safe_load(DASHBOARD.read_text())["views"]
    cards = [card for view in views for card in view["cards"]]
    assert {card["type"] for card in cards} <= {"statistics-graph", "entities", "gauge"}
    assert all(card.get("stat_types") for card in cards if card["type"] == "statistics-graph")
