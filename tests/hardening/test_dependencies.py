"""pyproject.toml declares the runtime dependencies of requirements/base.in (ADR 0035).

`pip install .` must bring Django and the rest; the hashed lock stays the install path. The two
lists drift apart silently unless a test reads both.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def _requirements(lines: list[str]) -> dict[str, Requirement]:
    parsed = (Requirement(line) for line in lines)
    return {canonicalize_name(req.name): req for req in parsed}


def base_in() -> dict[str, Requirement]:
    text = (ROOT / "requirements" / "base.in").read_text()
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    return _requirements([line for line in lines if line])


def pyproject() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return _requirements(project["dependencies"])


def locked() -> dict[str, Version]:
    pins = re.findall(
        r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s\\]+)",
        (ROOT / "requirements" / "lock.txt").read_text(),
        re.M,
    )
    return {canonicalize_name(name): Version(version) for name, version in pins}


def test_pyproject_names_the_same_packages_as_base_in() -> None:
    assert set(pyproject()) == set(base_in())


def test_pyproject_ranges_and_extras_match_base_in() -> None:
    declared, wanted = pyproject(), base_in()
    for name, req in wanted.items():
        assert declared[name].specifier == req.specifier, name
        assert declared[name].extras == req.extras, name


def test_every_declared_range_admits_the_locked_version() -> None:
    pins = locked()
    for name, req in pyproject().items():
        assert name in pins, f"{name} is declared but not in the lock"
        assert req.specifier.contains(pins[name], prereleases=True), (name, str(pins[name]))


def test_ranges_not_pins() -> None:
    assert all("==" not in str(req.specifier) for req in pyproject().values())
