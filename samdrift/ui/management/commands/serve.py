"""`samdrift serve [--port N]`: the production WSGI server (gunicorn) with static files ready."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve samdrift with gunicorn on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("SAMDRIFT_WORKERS", "2"))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("SAMDRIFT_THREADS", "4"))
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(
            f"samdrift at http://{bind}/ (settings {os.environ.get('DJANGO_SETTINGS_MODULE')})"
        )
        self.stdout.flush()
        argv = [
            gunicorn,
            "config.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ]
        os.execv(gunicorn, argv)  # noqa: S606 - replaces this process with the server
