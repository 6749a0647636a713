"""`samdrift serve [--port N]`: the production server with static files ready.

gunicorn manages the processes, each one a uvicorn worker serving `config.asgi` (pages and the
live-update WebSocket, ADR 0025). Django runs each request's sync view in a thread pool of
`--threads` threads (`ASGI_THREADS`). The in-memory channel layer reaches only its own process,
so without `REDIS_URL` one worker serves everything (ADR 0026)."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

# glibc gives each large allocation (an upload's 1 MiB pieces, its 5 MiB S3 parts) pages of its
# own and returns them on free, so every upload faulted in fresh zeroed memory: a tenth of the
# server's CPU per uploaded MB (perf, bench-files). Fixed thresholds keep such buffers in the
# heap for reuse (ADR 0691); an operator's own GLIBC_TUNABLES wins.
MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=134217728"


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
        workers = options["workers"]
        if workers > 1 and not os.environ.get("REDIS_URL"):
            self.stdout.write(
                "En process: live-uppdateringar behöver REDIS_URL för flera. / "
                "One worker: live updates need REDIS_URL to span several."
            )
            workers = 1
        self.stdout.write(
            f"samdrift at http://{bind}/ (settings {os.environ.get('DJANGO_SETTINGS_MODULE')})"
        )
        self.stdout.flush()
        os.environ["ASGI_THREADS"] = str(options["threads"])
        argv = [
            gunicorn,
            "config.asgi:application",
            "--worker-class",
            "uvicorn_worker.UvicornWorker",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ]
        os.environ.setdefault("GLIBC_TUNABLES", MALLOC_TUNABLES)
        os.execv(gunicorn, argv)  # noqa: S606 - replaces this process with the server
