"""The lock files (requirements/*.txt, made by `make lock`) hold what pyproject.toml pins: every
direct dependency at its pinned version, every package with a hash, the test tools only in the
test lock. A pin changed without `make lock` fails here instead of installing something else."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;]+)$")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        match = PIN.match(requirement.strip())
        assert match, f"{requirement!r} in pyproject.toml is not pinned with =="
        pins[_name(match.group(1))] = match.group(2)
    return pins


def _locked(path: Path) -> dict[str, list[str]]:
    """name -> the versions locked (one per environment marker), each checked for a hash."""
    text = path.read_text(encoding="utf-8")
    locked: dict[str, list[str]] = {}
    for entry in re.split(r"\n(?=\S)", text):
        first = entry.split("\n", 1)[0]
        if first.startswith("#") or not first.strip():
            continue
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", first)
        assert match, f"{path.name}: {first!r} is not an exact pin"
        assert "--hash=sha256:" in entry, f"{path.name}: {first!r} has no hash"
        locked.setdefault(_name(match.group(1)), []).append(match.group(2))
    return locked


APP = _pins(PYPROJECT["project"]["dependencies"])
TEST = _pins(PYPROJECT["project"]["optional-dependencies"]["test"])


@pytest.mark.parametrize("lock, pins, absent", [
    ("app.txt", APP, TEST),
    ("test.txt", {**APP, **TEST}, {}),
])
def test_the_lock_holds_every_pin_of_pyproject(lock, pins, absent):
    locked = _locked(ROOT / "requirements" / lock)
    for name, version in pins.items():
        assert locked.get(name) == [version], \
            f"{name}=={version} is pinned in pyproject.toml but {lock} has {locked.get(name)}: " \
            "run `make lock`"
    for name in absent:
        assert name not in locked, f"{name} (a test tool) is in {lock}"
