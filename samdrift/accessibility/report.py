"""The "Detaljerad rapport" / "Detailed report": a checked file as text, HTML or tagged PDF.

One template body (`accessibility/_report_body.html`) serves the web page, the `--format html`
file and the PDF, so they cannot drift apart. The Acrobat profile keeps Acrobat's groups, rule
names and status words (Godkänt, Underkänt, Kräver manuell kontroll, Överhoppat); the PDF/UA
profile lists its rules by veraPDF id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.accessibility.engine.results import STATUSES, FileResult, RuleResult, Status
from samdrift.accessibility.rules import GROUPS, RULES
from samdrift.core import pdf

# Acrobat's own Swedish status words, copied from the source report; English as in Acrobat.
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "passed": ("Godkänt", "Passed"),
    "failed": ("Underkänt", "Failed"),
    "manual": ("Kräver manuell kontroll", "Needs manual check"),
    "skipped": ("Överhoppat", "Skipped"),
    "not_applicable": ("Ej tillämpligt", "Not applicable"),
}
ERROR_TEXT = {
    "not_pdf": gettext_lazy("The file is not a PDF."),
    "empty": gettext_lazy("The file is empty."),
    "too_large": gettext_lazy("The file is too large to check."),
    "encrypted": gettext_lazy("The file is protected by a password and cannot be opened."),
    "damaged": gettext_lazy("The file is damaged (broken or truncated) and cannot be read."),
    "cyclic_structure": gettext_lazy("The file's structure tree contains a cycle."),
    "deep_structure": gettext_lazy("The file's structure tree is too deep to check."),
    "large_structure": gettext_lazy("The file's structure tree is too large to check."),
    "timeout": gettext_lazy("Checking the file took too long and was stopped."),
    "memory": gettext_lazy("Checking the file needed too much memory and was stopped."),
    "crashed": gettext_lazy("The checker stopped on this file."),
    "unreadable": gettext_lazy("The file cannot be read."),
    "too_many_pages": gettext_lazy("The file has more pages than the checker takes."),
    "cpu_time": gettext_lazy("Checking the file needed too much processor time and was stopped."),
}


# The chapters of ISO 14289-1 that the PDF/UA-1 profile's rules fall into.
CLAUSES: dict[str, tuple[str, str]] = {
    "5": ("Versionsidentifiering", "Version identification"),
    "6": ("Tekniska krav på filen", "File requirements"),
    "7.1": ("Allmänt", "General"),
    "7.2": ("Text och struktur", "Text and structure"),
    "7.3": ("Grafik", "Graphics"),
    "7.4": ("Rubriker", "Headings"),
    "7.5": ("Tabeller", "Tables"),
    "7.7": ("Matematiska uttryck", "Mathematical expressions"),
    "7.9": ("Noter och referenser", "Notes and references"),
    "7.10": ("Valfritt innehåll", "Optional content"),
    "7.11": ("Inbäddade filer", "Embedded files"),
    "7.15": ("XFA", "XFA"),
    "7.16": ("Säkerhet", "Security"),
    "7.18": ("Anteckningar", "Annotations"),
    "7.20": ("XObjekt", "XObjects"),
    "7.21": ("Typsnitt", "Fonts"),
}


def clause_group(verapdf: str, lang: str) -> tuple[str, str]:
    clause = verapdf.rsplit("-", 1)[0]
    parts = clause.split(".")
    key = parts[0] if parts[0] in ("5", "6") else ".".join(parts[:2])
    sv, en = CLAUSES.get(key, (key, key))
    return key, f"{key} {sv if lang == 'sv' else en}"


def status_word(status: str, lang: str) -> str:
    sv, en = STATUS_WORDS[status]
    return sv if lang == "sv" else en


def error_text(result: FileResult) -> str:
    """The per-file error in the current language, with the technical detail in English."""
    text = ERROR_TEXT.get(result.error_code or "", gettext_lazy("The file could not be checked."))
    return str(text)


@dataclass
class Row:
    result: RuleResult
    label: str
    status_word: str
    ref: str  # veraPDF id or Acrobat's English name, shown beside the label
    description: str = ""


@dataclass
class Group:
    name: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Report:
    file: FileResult
    lang: str
    summary: list[tuple[Status, str, int]]  # (status, word, count)
    groups: list[Group]

    @property
    def profile_name(self) -> str:
        return "Acrobat Full Check" if self.file.profile == "acrobat" else "PDF/UA-1 (ISO 14289-1)"


def build(result: FileResult, lang: str) -> Report:
    counts = result.counts()
    shown = [s for s in STATUSES if s != "not_applicable" or result.profile != "acrobat"]
    summary = [(s, status_word(s, lang), counts[s]) for s in shown]
    groups: dict[str, Group] = {}
    for item in result.results:
        rule = RULES.get(item.rule)
        if rule is None:
            continue
        if rule.group is not None:
            sv, en = GROUPS[rule.group]
            key, name = rule.group, sv if lang == "sv" else en
            ref = rule.acrobat or ""
        else:
            key, name = clause_group(rule.verapdf or "0-0", lang)
            ref = rule.verapdf or ""
        group = groups.setdefault(key, Group(name))
        label = rule.label_sv if lang == "sv" else rule.label_en
        description = rule.description_sv if lang == "sv" else rule.description_en
        group.rows.append(Row(item, label, status_word(item.status, lang), ref, description))
    return Report(result, lang, summary, list(groups.values()))


def render_text(result: FileResult, lang: str) -> str:
    with translation.override(lang):
        lines = [f"{result.path} ({result.profile})"]
        if result.error:
            label = _("Error")
            lines.append(f"  {label}: {error_text(result)} ({result.error})")
            return "\n".join(lines)
        report = build(result, lang)
        lines.append("  " + ", ".join(f"{word}: {n}" for _s, word, n in report.summary))
        for group in report.groups:
            lines.append(f"  {group.name}")
            for row in group.rows:
                line = f"    [{row.status_word}] {row.label} ({row.ref})"
                if row.description:
                    line += f": {row.description}"
                lines.append(line)
                if row.result.status in ("failed", "manual") and row.result.message:
                    lines.append(f"      → {row.result.message}")
        return "\n".join(lines)


def render_html(results: list[FileResult], lang: str) -> str:
    """A standalone, accessible HTML document (also the source of the PDF)."""
    with translation.override(lang):
        items = [
            {
                "file": r,
                "report": build(r, lang) if not r.error else None,
                "error": error_text(r) if r.error else None,
            }
            for r in results
        ]
        return render_to_string(
            "accessibility/report_document.html",
            {"items": items, "lang": lang, "title": _("Accessibility report")},
        )


def render_pdf(results: list[FileResult], lang: str) -> bytes:
    """The same report as tagged PDF/UA-1 (WeasyPrint), so it can pass its own check."""
    with translation.override(lang):
        title = str(_("Accessibility report"))
    return pdf.render_html(
        render_html(results, lang), kind="accessibility.checker-report", language=lang, title=title
    )
