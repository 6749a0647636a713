"""Benchmark of the PDF accessibility checker over the veraPDF PDF/UA-1 corpus.

    make bench-a11y        (A11Y_CORPUS=/path/to/PDF_UA-1 to use another folder)

File names encode the expectation: `<clause>-t<NN>-<pass|fail>-<x>.pdf` targets veraPDF rule
`<clause>-<NN>`. Printed per rule and overall: fail files caught (the rule reported failed),
pass files with any false alarm on a PDF/UA rule, rules not implemented, and the checker's time
per page as a ratio to a plain pikepdf open-and-walk of the same files, measured in this run.
Exits non-zero when a floor is broken (a false alarm, or under 90 % caught).
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import pikepdf  # noqa: E402

from samdrift.accessibility.rules import BY_VERAPDF, verapdf_sort_key  # noqa: E402
from samdrift.accessibility.runner import check_in_process  # noqa: E402
from samdrift.accessibility.services import check_pdf  # noqa: E402

NAME = re.compile(
    r"^(?P<clause>[\d.\-]+?)-t(?P<test>\d+)-(?P<expect>pass|fail)-(?P<variant>[a-z]+)\.pdf$"
)
FLOOR_CAUGHT = 0.90


def target_rule(filename: str) -> tuple[str, str] | None:
    match = NAME.match(filename)
    if not match:
        return None
    clause = match["clause"].replace("-", ".")  # the corpus's one typo: 7-18.3 → 7.18.3
    if clause == "7.18.7":  # file-attachment annotations exercise the embedded-file rule
        return "7.11-1", match["expect"]
    return f"{clause}-{int(match['test'])}", match["expect"]


def profile_rule_ids(profile: Path) -> list[str]:
    """The rule ids of veraPDF's PDF/UA-1 profile, when it lies beside the corpus."""
    if not profile.exists():
        return []
    from lxml import etree

    tree = etree.parse(str(profile), etree.XMLParser(resolve_entities=False, no_network=True))
    return [f"{i.get('clause')}-{i.get('testNumber')}" for i in tree.getroot().iter("{*}id")]


def plain_walk(path: Path) -> int:
    """The baseline: open with pikepdf and touch every page, its content and the struct tree."""
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            pikepdf.parse_content_stream(page)
        stack = [pdf.Root.get("/StructTreeRoot")]
        seen = set()
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary):
                if node.is_indirect:
                    if node.objgen in seen:
                        continue
                    seen.add(node.objgen)
                stack.append(node.get("/K"))
        return len(pdf.pages)


def main() -> int:
    default = ROOT.parent / "shared" / "corpus" / "PDF_UA-1"
    corpus = Path(os.environ.get("A11Y_CORPUS", default))
    files = sorted(p for p in corpus.rglob("*.pdf") if target_rule(p.name))
    if not files:
        print(f"no corpus files under {corpus}")
        return 1
    caught: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # rule → [caught, fail files]
    alarms: dict[str, list[str]] = defaultdict(list)  # rule → pass files it fired on
    not_implemented: dict[str, int] = defaultdict(int)
    errors: list[str] = []
    pass_files = pass_with_alarm = 0
    pages = 0
    t_check = t_isolated = t_base = 0.0
    for path in files:
        rule, expect = target_rule(path.name)  # type: ignore[misc]
        started = time.perf_counter()
        pages += plain_walk(path)
        t_base += time.perf_counter() - started
        started = time.perf_counter()
        result = check_in_process(str(path), "pdfua1", path.name)
        t_check += time.perf_counter() - started
        started = time.perf_counter()
        isolated = check_pdf(path, profile="pdfua1")
        t_isolated += time.perf_counter() - started
        if result.error or isolated.error:
            errors.append(f"{path.name}: {result.error or isolated.error}")
            continue
        failed = {r.verapdf or r.rule for r in result.results if r.status == "failed"}
        if expect == "pass":
            pass_files += 1
            for verapdf in failed:
                alarms[verapdf].append(path.name)
            if failed and os.environ.get("A11Y_VERBOSE"):
                for r in result.results:
                    if r.status == "failed":
                        print(f"  alarm: {path.name} {r.verapdf}: {r.message}")
            pass_with_alarm += bool(failed)
        elif rule not in BY_VERAPDF:
            not_implemented[rule] += 1
        else:
            caught[rule][1] += 1
            caught[rule][0] += rule in failed
            if rule not in failed:
                # Some corpus files predate veraPDF's renumbering (e.g. a Table with two
                # Captions named 7.2-3, now rule 7.2-39): show what the checker did report.
                print(
                    f"  missed: {path.name} (reported instead: {', '.join(sorted(failed)) or 'nothing'})"
                )
    print(f"corpus: {corpus} ({len(files)} files, {pages} pages)")
    print(f"{'rule':<12} {'caught':>10} {'false alarms':>13}")
    for rule in sorted(
        set(caught) | set(alarms),
        key=lambda r: verapdf_sort_key(r) if r[0].isdigit() else ((99,), 0),
    ):
        got, total = caught.get(rule, [0, 0])
        print(
            f"{rule:<12} {f'{got}/{total}':>10} {len(alarms.get(rule, [])):>13}"
            + (f"  on {', '.join(alarms[rule][:3])}" if rule in alarms else "")
        )
    total_caught = sum(c for c, _ in caught.values())
    total_fail = sum(t for _, t in caught.values())
    share = total_caught / total_fail if total_fail else 1.0
    print(
        f"fail files whose rule is not implemented: {dict(sorted(not_implemented.items())) or 'none'}"
    )
    profile_ids = profile_rule_ids(corpus.parent / "PDFUA-1.xml")
    if profile_ids:
        missing = [i for i in profile_ids if i not in BY_VERAPDF]
        print(
            f"rules implemented: {len(profile_ids) - len(missing)} of {len(profile_ids)} in "
            f"PDFUA-1.xml; not implemented: {', '.join(missing) or 'none'}"
        )
    else:
        print(f"rules implemented: {len(BY_VERAPDF)} PDF/UA-1 rules (PDFUA-1.xml not found)")
    print(
        f"overall: fail files caught {total_caught}/{total_fail} ({share:.1%}) over implemented rules;"
        f" pass files with a false alarm {pass_with_alarm}/{pass_files}; files not checkable {len(errors)}"
    )
    for line in errors:
        print(f"  error: {line}")
    per_page = lambda seconds: 1000 * seconds / max(pages, 1)  # noqa: E731
    print(
        f"time per page: baseline pikepdf open+walk {per_page(t_base):.2f} ms; checker in-process "
        f"{per_page(t_check):.2f} ms (ratio {t_check / t_base:.1f}x); checker isolated per file "
        f"{per_page(t_isolated):.2f} ms (ratio {t_isolated / t_base:.1f}x)"
    )
    ok = pass_with_alarm == 0 and share >= FLOOR_CAUGHT and not errors
    print("floors: " + ("met" if ok else "NOT MET"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
