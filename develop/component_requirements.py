"""The requirements of what a development Home Assistant sets up at start, from its own manifests.

`scripts/setup --newest` runs this with the newest release's venv once Home Assistant is installed,
and installs what it prints. scripts/develop starts Home Assistant with `--skip-pip`, so nothing
installs a component's requirements at start: a component whose package is missing logs "Setup
failed" at every start, and one that esphome or Bluetooth depends on takes them down with it.
A hand-written list (requirements_develop.txt does it for the pinned release) rots with every
release; this reads the installed release itself instead:

- the components it sets up at start: the core ones and its defaults (`homeassistant/bootstrap.py`,
  read as source: importing it imports components, whose requirements are what is missing), those
  it imports ahead of setup there, the domains of the development configuration.yaml, and those
  of the config entries the development instance gets (esphome, this integration), with what Home
  Assistant installs along with each one when it may use pip (`homeassistant/requirements.py`):
  their `dependencies` and `after_dependencies`, and the discovery integrations they use;
- each one's manifest `requirements`, pinned to the release's `package_constraints.txt` where it
  names the package, and to the pins given with `--pins` (requirements_newest.txt) above both: that
  is where a pin the registry lacks is replaced (aioesphomeapi).

Prints one requirement a line, sorted; `--constraints` prints the release's constraints with the
`--pins` packages left out instead, for pip's `-c` (the pins are passed to pip themselves).
"""

from __future__ import annotations

import argparse
import ast
import json
from pathlib import Path
import re
import sys

import homeassistant

# Neither imports a component (Home Assistant's own requirements, installed first, are enough).
from homeassistant.const import BASE_PLATFORMS
from homeassistant.requirements import DISCOVERY_INTEGRATIONS

ROOT = Path(__file__).resolve().parent.parent
CONFIGURATION = ROOT / "develop" / "configuration.yaml"
DEVELOP_COMPONENTS = (ROOT / "develop", ROOT / "custom_components")
# The config entries scripts/develop --onboard creates (develop/onboard.py).
ENTRY_DOMAINS = ("esphome", "miband_ninebot")
# bootstrap.py's sets of what is set up in any case (it also sets up its stages' members, but only
# those already among these and their dependencies).
BOOTSTRAP_SETS = ("CORE_INTEGRATIONS", "DEFAULT_INTEGRATIONS")
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._\-]*)")


def normalized(name: str) -> str:
    """A package name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def package_name(requirement: str) -> str | None:
    """The normalized project name a requirement line names; None for a comment or blank."""
    line = requirement.split("#", 1)[0].strip()
    if not line or line.startswith("-"):
        return None
    match = REQUIREMENT_NAME.match(line)
    return normalized(match.group(1)) if match else None


def pins(lines: list[str]) -> dict[str, str]:
    """`name==version` lines by normalized name (comments and other lines skipped)."""
    pinned: dict[str, str] = {}
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if (name := package_name(line)) is not None and "==" in line:
            pinned[name] = line
    return pinned


def home_assistant_dir() -> Path:
    """The installed `homeassistant` package."""
    return Path(homeassistant.__file__).parent


def bootstrap_domains(package: Path) -> set[str]:
    """What bootstrap.py sets up in any case and imports ahead of setup, read from its source."""
    tree = ast.parse((package / "bootstrap.py").read_text())
    domains: set[str] = set()
    sets_read: set[str] = set()
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(target := node.targets[0], ast.Name)
            and target.id in BOOTSTRAP_SETS
        ):
            # Sets of names, `*(BASE_PLATFORMS - {...})` among them: only that name is needed.
            value = eval(  # noqa: S307 - the installed Home Assistant's own constant
                compile(ast.Expression(node.value), "bootstrap.py", "eval"),
                {"__builtins__": {}, "BASE_PLATFORMS": BASE_PLATFORMS},
            )
            domains.update(str(domain) for domain in value)
            sets_read.add(target.id)
        elif isinstance(node, ast.ImportFrom) and node.module == "components" and node.level == 1:
            domains.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("components."):
            domains.add((node.module or "").split(".")[1])
    # A release that renamed them would silently install too little: say so instead.
    if missing := set(BOOTSTRAP_SETS) - sets_read:
        raise SystemExit(f"component_requirements: bootstrap.py no longer defines {missing}")
    return domains


def configuration_domains() -> set[str]:
    """The top-level keys of the development configuration.yaml (each one a domain)."""
    return {
        match.group(1)
        for line in CONFIGURATION.read_text().splitlines()
        if (match := re.match(r"^([a-z_][a-z0-9_]*):", line))
    }


def manifest(package: Path, domain: str) -> dict[str, object] | None:
    """A component's manifest: Home Assistant's own, else a development or custom one."""
    for folder in (package / "components", *DEVELOP_COMPONENTS):
        path = folder / domain / "manifest.json"
        if path.is_file():
            loaded: dict[str, object] = json.loads(path.read_text())
            return loaded
    return None


def strings(value: object) -> list[str]:
    """A manifest's list of strings (requirements, dependencies); empty when absent."""
    return [str(item) for item in value] if isinstance(value, list) else []


def requirements(package: Path) -> dict[str, str]:
    """Every requirement of the components set up at start, by normalized package name."""
    todo = [
        *bootstrap_domains(package),
        *configuration_domains(),
        *ENTRY_DOMAINS,
    ]
    seen: set[str] = set()
    found: dict[str, str] = {}
    while todo:
        domain = todo.pop()
        if domain in seen:
            continue
        seen.add(domain)
        if (info := manifest(package, domain)) is None:
            continue  # a key of configuration.yaml that is no component (none today)
        # What Home Assistant itself would install before setting the component up
        # (requirements.py): its dependencies' and after-dependencies' requirements (usb imports
        # hassio, an after-dependency, for its add-ons), and a discovery integration's where the
        # manifest has its key (esphome's "dhcp", "mqtt").
        todo.extend(strings(info.get("dependencies")))
        todo.extend(strings(info.get("after_dependencies")))
        todo.extend(
            key for key, names in DISCOVERY_INTEGRATIONS.items() if info.keys() & set(names)
        )
        for requirement in strings(info.get("requirements")):
            if (name := package_name(requirement)) is not None:
                found[name] = requirement
    return found


def pinned_requirements(package: Path, pins_file: Path) -> list[str]:
    """The requirements to install: ours, else the constraints' pin, else the manifest's line."""
    ours = pins(pins_file.read_text().splitlines())
    constraints = pins((package / "package_constraints.txt").read_text().splitlines())
    lines = {
        ours.get(name) or constraints.get(name) or requirement
        for name, requirement in requirements(package).items()
    }
    return sorted(lines, key=str.lower)


def constraints_without(package: Path, pins_file: Path) -> list[str]:
    """The release's constraints, less the packages we pin ourselves (pip gets those as ours)."""
    ours = pins(pins_file.read_text().splitlines())
    lines = (package / "package_constraints.txt").read_text().splitlines()
    return [line for line in lines if package_name(line) not in ours]


def main() -> None:
    """Print the pinned requirements (or, with --constraints, the constraints to pass pip)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pins", type=Path, required=True, help="requirements_newest.txt")
    parser.add_argument("--constraints", action="store_true", help="print pip's constraints")
    args = parser.parse_args()
    package = home_assistant_dir()
    if args.constraints:
        lines = constraints_without(package, args.pins)
    else:
        lines = pinned_requirements(package, args.pins)
    sys.stdout.write("".join(f"{line}\n" for line in lines))


if __name__ == "__main__":
    main()
