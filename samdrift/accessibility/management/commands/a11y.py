"""`samdrift a11y check FILE... --profile acrobat|pdfua1 --format text|json|html|pdf`.

Each file is checked in its own child process with a time limit, so a batch always finishes;
a file that cannot be checked gets `error` in its entry. JSON is exactly the issue's shape:
`{"files": [{"path", "profile", "error", "results": [{"rule", "verapdf", "acrobat", "status",
"count", "message"}]}]}`. With `--strict` the command exits 1 when any rule failed or any file
could not be checked (for CI pipelines).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samdrift.accessibility.report import render_html, render_pdf, render_text
from samdrift.accessibility.services import PROFILE_CHOICES, check_pdf, report_json


class Command(BaseCommand):
    help = "Check PDF files for accessibility (Acrobat's Full Check or PDF/UA-1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check"])
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--profile", choices=PROFILE_CHOICES, default="acrobat")
        parser.add_argument("--format", choices=["text", "json", "html", "pdf"], default="text")
        parser.add_argument(
            "--lang",
            choices=["sv", "en"],
            default="sv",
            help="language of the text, HTML and PDF reports (default sv)",
        )
        parser.add_argument("--timeout", type=float, default=60.0, help="seconds per file")
        parser.add_argument("--output", "-o", help="write to this file instead of stdout")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="exit 1 if any rule failed or any file could not be checked",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        results = [
            check_pdf(path, profile=options["profile"], timeout=options["timeout"])
            for path in options["files"]
        ]
        fmt, lang = options["format"], options["lang"]
        data: bytes
        if fmt == "json":
            data = (json.dumps(report_json(results), ensure_ascii=False, indent=2) + "\n").encode()
        elif fmt == "text":
            data = ("\n\n".join(render_text(r, lang) for r in results) + "\n").encode()
        elif fmt == "html":
            data = render_html(results, lang).encode()
        else:
            data = render_pdf(results, lang)
        if options["output"]:
            with open(options["output"], "wb") as handle:
                handle.write(data)
        elif fmt == "pdf":
            if sys.stdout.isatty():
                raise CommandError("refusing to write a PDF to a terminal; use --output FILE")
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            self.stdout.write(data.decode("utf-8"), ending="")
        if options["strict"] and any(r.error or r.failed for r in results):
            raise CommandError("accessibility check failed", returncode=1)
