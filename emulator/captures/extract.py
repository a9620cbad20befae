"""Convert a captured btsnoop file into its corpus form (`tests/captures/<name>.toml`).

    python -m emulator.captures.extract btsnoop FILE NAME --title ... --url ... --device ... \
        --captured-by ... [--repository OWNER/NAME --path PATH --commit SHA]

The btsnoop itself stays with its source; the corpus keeps its records as text and the original's
SHA-256, so running this again on the same file must give the same corpus file (`--check`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
import sys

from . import btsnoop
from .corpus import CORPUS


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=True)  # a JSON string is a TOML basic string


def btsnoop_document(data: bytes, source: dict[str, str]) -> str:
    """The corpus file for a btsnoop file's bytes."""
    capture = btsnoop.read(data)
    fields = {**source, "sha256": hashlib.sha256(data).hexdigest()}
    lines = ["[source]"]
    lines += [f"{key} = {_toml_string(value)}" for key, value in fields.items() if value]
    lines += [
        "",
        "[btsnoop]",
        f"started = {capture.started.isoformat(timespec='microseconds')}",
        "# seconds since the first record, btsnoop flags, the H4 packet",
        "records = [",
        *(f"  {_toml_string(line)}," for line in btsnoop.to_lines(capture)),
        "]",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) one corpus file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("form", choices=["btsnoop"])
    parser.add_argument("file", type=Path)
    parser.add_argument("name")
    for field in ("title", "url", "device", "captured-by"):
        parser.add_argument(f"--{field}", required=True)
    for field in ("repository", "path", "commit"):
        parser.add_argument(f"--{field}")
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args(argv)
    source = {
        "title": args.title,
        "url": args.url,
        "device": args.device,
        "captured_by": args.captured_by,
        "repository": args.repository,
        "path": args.path,
        "commit": args.commit,
    }
    document = btsnoop_document(args.file.read_bytes(), source)
    target = CORPUS / f"{args.name}.toml"
    if args.check:
        same = target.read_text() == document
        print(f"{target}: {'matches' if same else 'DIFFERS from'} {args.file}")  # noqa: T201
        return 0 if same else 1
    target.write_text(document)
    return 0


if __name__ == "__main__":
    sys.exit(main())
