"""Backup and restore against a raw copy of the same files (issue 18, ADR 0900).

    make bench-backup                       # national demo data + 2 GB of documents, SQLite
    BENCH_BACKUP_MB=256 make bench-backup   # a smaller document set

Machine A: `samdrift demo` (the 347 agencies and their year), plus documents of random bytes
stored through `core.files` until BENCH_BACKUP_MB. Then, each in its own process as an operator
runs it:
* backup: `samdrift backup create` — snapshot, checksums, sealing, one file;
* verify: `samdrift backup verify` — authenticate, restore into scratch, compare everything;
* restore: `samdrift restore` onto an empty machine B.
Baseline, in the same run: a raw copy of A's database file, storage folder and outside folders
(`shutil.copyfile`/`copytree`, the fastest honest way to copy the same bytes), to a new folder
and back again. Floor: backup and restore each within 3× of the raw copy. Linux's page cache
holds the files after the first pass, for the baseline and samdrift alike.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import production_env  # noqa: E402

MEGABYTES = int(os.environ.get("BENCH_BACKUP_MB", "2048"))
FLOOR = 3.0
FILL = """
import io, os
from samdrift.core.actor import SYSTEM
from samdrift.core.files.services import store
from samdrift.organisations.selectors import organisation_list
owner = organisation_list(actor=SYSTEM).order_by("id").first().id
left = {megabytes} * 1024 * 1024
size = 16 * 1024 * 1024
while left > 0:
    part = min(size, left)
    store(io.BytesIO(os.urandom(part)), "dokument.bin", "application/octet-stream",
          actor=SYSTEM, owner_org_id=owner)
    left -= part
"""


def run(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def raw_copy(source: Path, target: Path) -> float:
    """The same bytes a backup holds: the database file, the storage and outside folders."""
    started = time.perf_counter()
    target.mkdir(parents=True)
    shutil.copyfile(source / "samdrift.sqlite3", target / "samdrift.sqlite3")
    for folder in ("media", "efos-ca", "audit-checkpoints"):
        if (source / folder).is_dir():
            shutil.copytree(source / folder, target / folder)
    os.sync()
    return time.perf_counter() - started


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="samdrift-bench-backup-") as scratch:
        base = Path(scratch)
        a, b = base / "a", base / "b"
        a.mkdir()
        b.mkdir()
        # Production's secrets (throw-away), but the development settings: production refuses
        # uploads without a running clamd (ADR 0085), and scanning is not what is measured here.
        env_a = production_env(
            a, DATABASE_URL=f"sqlite:///{a / 'samdrift.sqlite3'}",
            DJANGO_SETTINGS_MODULE="config.settings.dev",
            SAMDRIFT_BACKUP_PASSPHRASE="bänkprov-lösenfras-2026",  # noqa: S106 (a throw-away run)
        )  # fmt: skip
        env_b = {
            **env_a,
            "SAMDRIFT_DATA_DIR": str(b),
            "DATABASE_URL": f"sqlite:///{b / 'samdrift.sqlite3'}",
        }
        print(f"setting up: demo data and {MEGABYTES} MB of documents …", flush=True)
        run(env_a, "migrate", "--noinput", "-v0")
        run(env_a, "demo")
        run(env_a, "shell", "-c", FILL.format(megabytes=MEGABYTES))
        run(env_a, "audit", "checkpoint")
        data_bytes = size_of(a)
        raw_out = raw_copy(a, base / "raw-out")
        raw_back = raw_copy(base / "raw-out", base / "raw-back")
        backup_file = base / "samdrift.backup"
        backup = run(env_a, "backup", "create", str(backup_file))
        os.sync()
        verify = run(env_a, "backup", "verify", str(backup_file))
        restore = run(env_b, "restore", str(backup_file))
        os.sync()
        load = os.getloadavg()[0]
    mb = data_bytes / 1024 / 1024
    print(f"data: {mb:.0f} MB (database, {MEGABYTES} MB of documents, outside folders)")
    print(f"raw copy out: {raw_out:.2f} s ({mb / raw_out:.0f} MB/s); back: {raw_back:.2f} s")
    rows = [("backup create", backup, raw_out), ("restore (empty machine)", restore, raw_back)]
    for name, seconds, baseline in rows:
        ratio = seconds / baseline
        verdict = "met" if ratio <= FLOOR else "NOT met"
        print(
            f"{name}: {seconds:.2f} s ({mb / seconds:.0f} MB/s), {ratio:.2f}× the raw copy "
            f"— floor {FLOOR:.0f}× {verdict}"
        )
    print(f"backup verify (restore into scratch + compare all): {verify:.2f} s")
    print(f"load average {load:.1f}; each command includes its process start (~3 s)")


if __name__ == "__main__":
    main()
