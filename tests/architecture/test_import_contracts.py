"""The architecture contracts can fail: each forbidden import, injected into a copy of the tree,
breaks the contract that names it, and the unmodified copy keeps them all (ADRs 0045–0047).

`lint-imports` runs in a subprocess on a copy of the sources, with the copy first on the path, so
the real tree (and its grimp cache) is never touched. The meta-tests read `pyproject.toml`
against the tree: a new app, or a new page module in an old app, without its contract fails here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "importlinter"
]
CONTRACTS = {c["id"]: c for c in CONFIG["contracts"]}
# Module names (file or package) another app may never import: see ADR 0046.
PRIVATE = ("urls", "views", "api", "forms", "templatetags", "management", "a11y", "models")


@dataclass(frozen=True)
class Injection:
    file: str  # relative to the repository root
    line: str
    contracts: tuple[str, ...]  # ids of the contracts that must break
    link: str  # "importer -> imported" as lint-imports prints it


INJECTIONS = {
    # The three imports of issue 9, item 2.
    "an app's models import another app's API": Injection(
        "samdrift/billing/models.py",
        "from samdrift.onboarding import api",
        ("private-onboarding",),
        "samdrift.billing.models -> samdrift.onboarding.api",
    ),
    "an app imports a sibling app's views": Injection(
        "samdrift/onboarding/views.py",
        "from samdrift.identity import views",
        ("private-identity", "floors"),
        "samdrift.onboarding.views -> samdrift.identity.views",
    ),
    "billing reads onboarding's models directly": Injection(
        "samdrift/billing/views.py",
        "from samdrift.onboarding.models import ConnectionCase",
        ("private-onboarding",),
        "samdrift.billing.views -> samdrift.onboarding.models",
    ),
    # The same rules from other angles: allowed by the floors, refused by privacy alone.
    "an app imports a lower app's views": Injection(
        "samdrift/billing/views.py",
        "from samdrift.onboarding import views",
        ("private-onboarding",),
        "samdrift.billing.views -> samdrift.onboarding.views",
    ),
    "billing's models import onboarding's models": Injection(
        "samdrift/billing/models.py",
        "from samdrift.onboarding.models import ConnectionCase",
        ("private-onboarding",),
        "samdrift.billing.models -> samdrift.onboarding.models",
    ),
    "a lower app imports a higher one": Injection(
        "samdrift/organisations/selectors.py",
        "from samdrift.onboarding import selectors",
        ("floors", "acyclic"),
        "samdrift.organisations.selectors -> samdrift.onboarding.selectors",
    ),
    "two apps on floor 2 import each other": Injection(
        "samdrift/organisations/services.py",
        "from samdrift.accounts import selectors",
        ("acyclic",),
        ".organisations -> .accounts",  # acyclic_siblings names the packages of the cycle
    ),
    "models import services of their own app": Injection(
        "samdrift/billing/models.py",
        "from samdrift.billing import services",
        ("layers-billing",),
        "samdrift.billing.models -> samdrift.billing.services",
    ),
    "core imports a domain app": Injection(
        "samdrift/core/i18n.py",
        "from samdrift.accounts import selectors",
        ("core", "floors"),
        "samdrift.core.i18n -> samdrift.accounts.selectors",
    ),
    "the actor imports the tenancy rules that read it": Injection(
        "samdrift/core/actor.py",
        "from samdrift.core import tenancy",
        ("layers-core",),
        "samdrift.core.actor -> samdrift.core.tenancy",
    ),
    "a kernel app's models import its services": Injection(
        "samdrift/core/notifications/models.py",
        "from samdrift.core.notifications import services",
        ("layers-core-apps",),
        "samdrift.core.notifications.models -> samdrift.core.notifications.services",
    ),
}


def _copy_sources(target: Path) -> None:
    """Python sources and the configuration only: a few milliseconds, not the whole checkout."""

    def skip(directory: str, names: list[str]) -> set[str]:
        return {
            n
            for n in names
            if n in ("__pycache__", "node_modules", "static", "templates", "locale")
            or (not n.endswith(".py") and not Path(directory, n).is_dir())
        }

    for package in ("samdrift", "config"):
        shutil.copytree(ROOT / package, target / package, ignore=skip)
    shutil.copy2(ROOT / "pyproject.toml", target / "pyproject.toml")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _broken_section(output: str) -> str:
    marker = "Broken contracts"
    return output[output.index(marker) :] if marker in output else ""


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("contracts")
    _copy_sources(root)
    return root


def test_the_unmodified_tree_keeps_every_contract(tree: Path) -> None:
    result = _lint(tree)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in output


@pytest.mark.parametrize("case", INJECTIONS, ids=list(INJECTIONS))
def test_a_forbidden_import_breaks_the_contract_that_names_it(tree: Path, case: str) -> None:
    injection = INJECTIONS[case]
    path = tree / injection.file
    original = path.read_text(encoding="utf-8")
    path.write_text(f"{original}\n{injection.line}  # noqa\n", encoding="utf-8")
    try:
        result = _lint(tree)
    finally:
        path.write_text(original, encoding="utf-8")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    broken = _broken_section(output)
    for contract_id in injection.contracts:
        name = CONTRACTS[contract_id]["name"]
        assert f"{name} BROKEN" in output, f"{name!r} was not broken:\n{output}"
        assert name in broken, output
    # The report points at the injected import itself (the floors contract reports packages for
    # indirect chains, so the exact link is checked where lint-imports prints it).
    assert injection.link in re.sub(r"\s*\n\s*\(l\.", " (l.", broken), broken


# --- the configuration covers the tree ----------------------------------------------------------


def _apps() -> list[str]:
    return sorted(
        p.parent.name
        for p in (ROOT / "samdrift").glob("*/apps.py")
        if p.parent.name != "core"  # core and its kernel apps: floor 1, wildcard containers
    )


def _module_names(package: Path) -> set[str]:
    return {
        p.stem if p.is_file() else p.name
        for p in package.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }


@pytest.mark.parametrize("app", _apps())
def test_every_app_has_exhaustive_layers(app: str) -> None:
    contract = CONTRACTS.get(f"layers-{app}")
    assert contract is not None, f"samdrift.{app} has no layers contract (pyproject.toml)"
    assert contract["containers"] == [f"samdrift.{app}"]
    assert contract["exhaustive"] is True
    assert set(contract.get("exhaustive_ignores", [])) <= {"tests", "migrations"}


@pytest.mark.parametrize("app", _apps())
def test_every_private_module_of_an_app_is_protected(app: str) -> None:
    contract = CONTRACTS.get(f"private-{app}")
    assert contract is not None, f"samdrift.{app} has no privacy contract (pyproject.toml)"
    present = _module_names(ROOT / "samdrift" / app) & set(PRIVATE)
    protected = {m.removeprefix(f"samdrift.{app}.") for m in contract["protected_modules"]}
    assert present <= protected, f"add {sorted(present - protected)} to private-{app}"
    assert contract["allowed_importers"][:2] == [f"samdrift.{app}", "config"]


def test_every_app_is_on_a_floor() -> None:
    floors = " ".join(CONTRACTS["floors"]["layers"])
    missing = [app for app in _apps() if f"samdrift.{app}" not in floors]
    assert not missing, f"put {missing} on a floor (DESIGN §3) in the floors contract"
