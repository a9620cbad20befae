"""Every relative link in the README and the docs leads somewhere: a file, and its heading.

HACS and the Marketplace show the README inside Home Assistant, where a relative link resolves
against Home Assistant's own address (hacs/integration#4787), so the README links into this
repository by its GitHub address. Those links are checked as the relative ones are.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).parent.parent
# https://github.com/<owner>/<name>, the manifest's documentation link
REPOSITORY: str = json.loads(
    (ROOT / "custom_components" / "miband_ninebot" / "manifest.json").read_text()
)["documentation"]
OWN = re.compile(
    rf"^(?:{re.escape(REPOSITORY)}/(?:blob|tree)/main/"
    rf"|https://raw\.githubusercontent\.com/{re.escape(REPOSITORY.removeprefix('https://github.com/'))}/main/)"
)
PAGES = sorted(
    [ROOT / "README.md", ROOT / "BENCHMARKS.md", *(ROOT / "docs").glob("**/*.md")],
    key=lambda page: page.relative_to(ROOT).as_posix(),
)

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$")
# [text](target) and ![alt](target), with an optional "title"; the text holds no brackets here.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE_SPAN = re.compile(r"(`+).+?\1")
HTML_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"", re.IGNORECASE)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")


def _prose(text: str) -> list[tuple[int, str]]:
    """The lines outside fenced code blocks, with their numbers."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append((number, line))
    return lines


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: its text, lowercase, spaces to hyphens, no punctuation."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link reads as its text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = re.sub(r"[*`~]", "", text)  # emphasis and code marks
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor a page has: its headings', numbered as GitHub numbers repeats, and HTML ones."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in _prose(page.read_text()):
        found.update(HTML_ANCHOR.findall(line))
        if match := HEADING.match(line):
            anchor = github_anchor(match.group(1))
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            found.add(anchor if count == 0 else f"{anchor}-{count}")
    return found


def broken_links(page: Path) -> list[str]:
    """The relative links of a page that lead to no file, or to no heading of it."""
    broken = []
    for number, line in _prose(page.read_text()):
        for link in LINK.findall(CODE_SPAN.sub("", line)):
            base, target = page.parent, link
            if own := OWN.match(link):
                base, target = ROOT, link[own.end() :]
            elif SCHEME.match(link):
                continue
            path, _, anchor = target.partition("#")
            file = (base / unquote(path)).resolve() if path else page
            if not file.exists():
                broken.append(f"{number}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and unquote(anchor) not in anchors(file):
                broken.append(f"{number}: {target} (no such heading)")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    assert broken_links(page) == []


def test_the_pages_checked_include_the_docs() -> None:
    names = {page.relative_to(ROOT).as_posix() for page in PAGES}
    assert {"README.md", "BENCHMARKS.md", "docs/verification.md", "docs/mi-band.md"} <= names


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("How it talks to the band: the 0x08 story", "how-it-talks-to-the-band-the-0x08-story"),
        ("The band's memory: every minute, in long-term statistics",
         "the-bands-memory-every-minute-in-long-term-statistics"),
        ("Privacy: the PIN", "privacy-the-pin"),
        ("`sync_activity` and [Sleep](#sleep)", "sync_activity-and-sleep"),
        ("3.2 Additions: real devices, the Z series", "32-additions-real-devices-the-z-series"),
        ("Ninebot One Z6 / Z8 / Z10", "ninebot-one-z6--z8--z10"),
    ],
)  # fmt: skip
def test_anchors_are_githubs(heading: str, anchor: str) -> None:
    assert github_anchor(heading) == anchor


def test_a_broken_link_is_found(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text("# A page\n\n## Night sync cadence\n\nText.\n")
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Title\n\n## Sleep\n\n"
        "[ok](docs/page.md) [ok](docs/page.md#night-sync-cadence) [ok](#sleep) [ok](docs/)\n"
        "[web](https://example.com/x.md#nowhere) `[code](nowhere.md)`\n"
        "[gone](docs/missing.md) [anchor](docs/page.md#night-sync) ![img](docs/a.png)\n"
        "[here](#nowhere)\n\n```\n[fenced](nowhere.md)\n```\n"
    )
    assert broken_links(readme) == [
        "7: docs/missing.md (no such file)",
        "7: docs/page.md#night-sync (no such heading)",
        "7: docs/a.png (no such file)",
        "8: #nowhere (no such heading)",
    ]


def test_a_broken_link_by_the_repositorys_address_is_found(tmp_path: Path) -> None:
    page = tmp_path / "README.md"
    lines = [
        f"[ok]({REPOSITORY}/blob/main/docs/mi-band.md#sleep)",
        f"[ok]({REPOSITORY}/tree/main/docs/screenshots)",
        f"![ok]({REPOSITORY.replace('github.com', 'raw.githubusercontent.com')}/main/LICENSE)",
        f"[ok]({REPOSITORY}/issues)",
        f"[gone]({REPOSITORY}/blob/main/docs/missing.md)",
        f"[anchor]({REPOSITORY}/blob/main/docs/mi-band.md#nowhere)",
    ]
    page.write_text("\n".join(lines))
    assert broken_links(page) == [
        "5: docs/missing.md (no such file)",
        "6: docs/mi-band.md#nowhere (no such heading)",
    ]
