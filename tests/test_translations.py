"""Every language the integration ships has every string of en.json, with the same placeholders.

en.json is the source (there is no strings.json); each translations/<lang>.json must have exactly
its keys, in the same nesting, each string with the same set of `{placeholders}` and the same
`[%key:...%]` references. A key added to en.json without its translations fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import re
from typing import Any

import pytest

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "miband_ninebot"
TRANSLATIONS = INTEGRATION / "translations"
SOURCE = TRANSLATIONS / "en.json"
# The languages the README promises; more may ship, none of these may go missing.
REQUIRED = {"de", "es", "fr", "it", "nl", "pl", "pt-BR", "ru", "zh-Hans"}
LANGUAGE_FILES = sorted(path for path in TRANSLATIONS.glob("*.json") if path != SOURCE)

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
REFERENCE = re.compile(r"\[%key:[^%]*%\]")
# What hassfest refuses in a string (script/hassfest/translations.py): a placeholder in single
# quotes, and HTML.
QUOTED_PLACEHOLDER = re.compile(r"'\{\w+\}'")
HTML = re.compile(r"<[a-zA-Z/][^>]*>")


def _strings(tree: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """Every string of a translation file, by its dotted key."""
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _strings(value, (*path, key))
        else:
            assert isinstance(value, str), (".".join((*path, key)), value)
            yield ".".join((*path, key)), value


def _load(path: Path) -> dict[str, str]:
    tree = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(tree, dict)
    return dict(_strings(tree))


ENGLISH = _load(SOURCE)


def test_the_promised_languages_ship() -> None:
    found = {path.stem for path in LANGUAGE_FILES}
    assert found >= REQUIRED, sorted(REQUIRED - found)


def test_the_source_is_clean() -> None:
    for key, text in ENGLISH.items():
        assert text, key
        assert text.strip() == text, key
        assert not QUOTED_PLACEHOLDER.search(text), key
        assert not HTML.search(text), key


@pytest.mark.parametrize("path", LANGUAGE_FILES, ids=lambda path: path.name)
def test_language_file_matches_en(path: Path) -> None:
    strings = _load(path)  # fails on invalid JSON or a non-string leaf
    missing = sorted(set(ENGLISH) - set(strings))
    extra = sorted(set(strings) - set(ENGLISH))
    assert not missing, f"{path.name} misses {missing}"
    assert not extra, f"{path.name} has keys en.json does not have: {extra}"
    for key, english in ENGLISH.items():
        text = strings[key]
        assert text, f"{path.name}: {key} is empty"
        assert text.strip() == text, f"{path.name}: {key} is padded"
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(english)), (
            f"{path.name}: {key} has placeholders {sorted(PLACEHOLDER.findall(text))}, "
            f"en.json {sorted(PLACEHOLDER.findall(english))}"
        )
        assert REFERENCE.findall(text) == REFERENCE.findall(english), f"{path.name}: {key}"
        assert not QUOTED_PLACEHOLDER.search(text), f"{path.name}: {key}"
        assert not HTML.search(text), f"{path.name}: {key}"
