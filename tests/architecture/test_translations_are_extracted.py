"""Every translated text can be found by `makemessages` (xgettext): it knows `_`, `gettext`,
`gettext_lazy`, `ngettext`, `pgettext` and their lazy forms by name, not an alias of them. A
module that imported `gettext_lazy as _l` had its labels left out of the catalogue, and the
Swedish page showed them in English. Read from the source tree (production code), and shown to
catch what it forbids on a small bad snippet.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXTRACTED = {
    "_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext",
    "pgettext_lazy", "npgettext", "npgettext_lazy",
}  # fmt: skip


def unextracted_aliases(source: str) -> list[str]:
    """`name as alias` imports of django.utils.translation's functions under a name xgettext
    does not know."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            found.extend(
                f"{alias.name} as {alias.asname}"
                for alias in node.names
                if alias.asname and alias.name in EXTRACTED and alias.asname not in EXTRACTED
            )
    return found


def test_the_guard_catches_an_alias():
    bad = "from django.utils.translation import gettext_lazy as _l\n"
    assert unextracted_aliases(bad) == ["gettext_lazy as _l"]
    assert unextracted_aliases("from django.utils.translation import gettext_lazy as _\n") == []


def test_no_module_hides_its_texts_from_makemessages():
    offenders = {}
    for path in sorted((ROOT / "samdrift").rglob("*.py")):
        if "/tests/" in str(path) or "/migrations/" in str(path):
            continue
        if found := unextracted_aliases(path.read_text(encoding="utf-8")):
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}
