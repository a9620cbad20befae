"""The corpus of real captures: one TOML file per capture under `tests/captures/`.

Every file starts with a `[source]` table saying where the bytes come from (a repository, path and
commit, or an issue's address), what device was captured and by whom, and, for files that were
converted rather than copied (a binary btsnoop), the SHA-256 of the original so anyone can check
the conversion with `python -m emulator.captures.extract`. The rest of the file holds the bytes as
the source has them, under a key that names their form:

- `btsnoop`: records of a btsnoop file, `seconds flags hex` each (`emulator.captures.btsnoop`);
- `hexdump`: a btsnoop file as the source printed it in hexadecimal;
- `hcidump`: hcidump's text, as the source printed it;
- `gatttool`: a gatttool session's text;
- `transcription`: an author's own reading of a capture, as written;
- `frames`: frames as a program printed them, each with the values the program printed for it;
- `exchange`: requests and notifications in the order a page shows them;
- `vectors`: a peer's test vectors or command literals, each with what the peer asserts;
- `services`: the GATT tables a peer expects of a device.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
import tomllib
from typing import Any

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "captures"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a capture comes from."""

    title: str
    url: str
    device: str
    captured_by: str
    repository: str | None = None
    path: str | None = None
    commit: str | None = None
    sha256: str | None = None  # of the original file, where the corpus keeps a conversion


@dataclass(frozen=True, slots=True)
class CorpusFile:
    """One capture: its source and its content, keyed by form."""

    name: str
    source: Source
    content: dict[str, Any]


def names() -> list[str]:
    """Every capture in the corpus."""
    return sorted(path.stem for path in CORPUS.glob("*.toml"))


def load(name: str) -> CorpusFile:
    """Read one capture by its file name (without `.toml`)."""
    with (CORPUS / f"{name}.toml").open("rb") as file:
        document = tomllib.load(file)
    source = Source(**document.pop("source"))
    return CorpusFile(name, source, document)
