"""Backup, verification and restore of everything samdrift keeps (issue 18 item 1, ADR 0900).

One backup file holds, in a sealed tar stream (`archive`):
* `database.sqlite3` or `database.pgdump`: a consistent snapshot (`database`);
* `files/<key>`: every stored file the snapshot's rows name, checked against its SHA-256;
* `dirs/efos-ca/…` and `dirs/audit-checkpoints/…`: the EFOS CA folder (its keys stay
  passphrase-protected) and the audit checkpoints kept outside the database (ADR 0060);
* `manifest.json`, last: the samdrift version, the applied migrations, each member's size and
  SHA-256, and each table's row count and checksum as read from the snapshot.

Secrets (the audit chain key, the CA passphrase, the backup passphrase) are never in it.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext_lazy as _

from samdrift.audit.checkpoints import checkpoint_dir
from samdrift.audit.services import audit_record
from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import BusinessRuleViolation, ValidationFailed
from samdrift.core.files.storage import backend, is_s3, read_chunks

from . import database
from .archive import ArchiveError, OpeningReader, SealingWriter

MANIFEST = "manifest.json"
FORMAT = 1
COPY_CHUNK = 1024 * 1024


class BackupRefused(ValidationFailed):
    """The backup cannot be used: damaged, changed, cut short, wrong passphrase, wrong schema."""


class RestoreRefused(BusinessRuleViolation):
    code = "restore_refused"


@dataclass
class Outcome:
    """What a backup, verification or restore did, for the CLI and the drill record."""

    path: Path
    seconds: float
    bytes: int
    tables: int
    rows: int
    files: int
    problems: list[str] = field(default_factory=list)
    created_at: datetime.datetime | None = None  # when the backup was made (its manifest)


def _outside_dirs() -> dict[str, Path]:
    efos_ca = Path(getattr(settings, "SAMDRIFT_EFOS_CA_DIR", Path(settings.DATA_DIR) / "efos-ca"))
    return {"efos-ca": efos_ca, "audit-checkpoints": checkpoint_dir()}


def _version() -> str:
    try:
        return metadata.version("samdrift")
    except metadata.PackageNotFoundError:
        return "0.1.0"


def code_migrations() -> list[str]:
    """Every migration this samdrift has: what a backup's schema must equal to be restored."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(f"{app}.{name}" for app, name in loader.graph.nodes)


# --- writing --------------------------------------------------------------------------------------


class _Hashing(io.RawIOBase):
    """A readable stream that hashes and counts what passes through it."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._pending = memoryview(b"")
        self._offset = 0  # slicing the pending chunk per read would copy it each time
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while self._offset >= len(self._pending):
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending, self._offset = memoryview(chunk), 0
        size = min(len(buffer), len(self._pending) - self._offset)
        piece = self._pending[self._offset : self._offset + size]
        buffer[:size] = piece
        self.sha256.update(piece)
        self.size += size
        self._offset += size
        return size


def _path_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            yield chunk


def _add(tar: tarfile.TarFile, name: str, size: int, chunks: Iterator[bytes]) -> dict[str, Any]:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(time.time())
    stream = _Hashing(chunks)
    tar.addfile(info, io.BufferedReader(stream, COPY_CHUNK))
    if stream.size != size:
        raise BusinessRuleViolation(_("%(name)s changed size while it was backed up."), name=name)
    return {"size": size, "sha256": stream.sha256.hexdigest()}


def create_backup(
    output: Path,
    passphrase: bytes,
    *,
    log2_n: int | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> Outcome:
    """Write one sealed backup to `output` (refused if it exists). The file appears only when it
    is complete: it is written beside it under a temporary name and renamed at the end."""
    started = time.monotonic()
    tell = on_progress or (lambda _text: None)
    if output.exists():
        raise ValidationFailed(
            _("%(path)s exists already; a backup never overwrites a file."), path=str(output)
        )
    partial = output.with_name(f".{output.name}.partial")
    with tempfile.TemporaryDirectory(prefix="samdrift-backup-") as scratch:
        kind = database.vendor()
        dump = Path(scratch) / database.dump_name(kind)
        tell("database snapshot")
        snapshot = database.take_snapshot(dump)
        members: dict[str, dict[str, Any]] = {}
        try:
            with partial.open("xb") as target:
                extra = {} if log2_n is None else {"log2_n": log2_n}
                sealed = SealingWriter(target, passphrase, **extra)
                with tarfile.open(
                    fileobj=sealed,
                    mode="w|",
                    format=tarfile.PAX_FORMAT,
                    bufsize=COPY_CHUNK,
                ) as tar:
                    tar.copybufsize = COPY_CHUNK  # type: ignore[attr-defined]  # 16 KiB by default
                    members[dump.name] = _add(
                        tar, dump.name, dump.stat().st_size, _path_chunks(dump)
                    )
                    tell(f"{len(snapshot.files)} stored files")
                    for key, sha256, size in snapshot.files:
                        member = _add(tar, f"files/{key}", size, read_chunks(key))
                        if member["sha256"] != sha256:
                            raise BusinessRuleViolation(
                                _("The stored file %(key)s does not match its checksum; "
                                  "check the storage before backing up."), key=key
                            )  # fmt: skip
                        members[f"files/{key}"] = member
                    for label, folder in _outside_dirs().items():
                        for path in (
                            sorted(p for p in folder.rglob("*") if p.is_file())
                            if folder.is_dir()
                            else []
                        ):
                            name = f"dirs/{label}/{path.relative_to(folder).as_posix()}"
                            members[name] = _add(tar, name, path.stat().st_size, _path_chunks(path))
                    manifest = {
                        "format": FORMAT,
                        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
                        "samdrift_version": _version(),
                        "database": kind,
                        "migrations": snapshot.migrations,
                        "tables": snapshot.tables,
                        "members": members,
                    }
                    body = json.dumps(manifest, sort_keys=True, indent=1).encode()
                    _add(tar, MANIFEST, len(body), iter([body]))
                sealed.close()
                os.fsync(target.fileno())  # on disk before it takes its name
            partial.rename(output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    rows = sum(table["rows"] for table in snapshot.tables.values())
    return Outcome(
        output, time.monotonic() - started, output.stat().st_size, len(snapshot.tables), rows,
        len(snapshot.files),
    )  # fmt: skip


# --- reading --------------------------------------------------------------------------------------


@dataclass
class Opened:
    folder: Path
    manifest: dict[str, Any]


def _safe_member(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def open_backup(path: Path, passphrase: bytes, folder: Path) -> Opened:
    """Authenticate and unpack the whole backup into `folder` (private, temporary), and check
    every member against the manifest. Raises `BackupRefused` with the reason in both languages."""
    try:
        with path.open("rb") as source:
            reader = io.BufferedReader(OpeningReader(source, passphrase), COPY_CHUNK)
            seen: dict[str, dict[str, Any]] = {}
            with tarfile.open(fileobj=reader, mode="r|", bufsize=COPY_CHUNK) as tar:
                for info in tar:
                    if not info.isfile() or not _safe_member(info.name):
                        raise ArchiveError(f"unexpected member {info.name!r}")
                    target = folder / info.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    digest = hashlib.sha256()
                    handle = tar.extractfile(info)
                    if handle is None:
                        raise ArchiveError(f"unreadable member {info.name!r}")
                    with target.open("xb") as out:
                        while chunk := handle.read(COPY_CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
                    seen[info.name] = {"size": info.size, "sha256": digest.hexdigest()}
            # Whatever tar leaves unread must still be authenticated to the final part.
            while reader.read(COPY_CHUNK):
                pass
    except FileNotFoundError:
        raise BackupRefused(_("There is no file %(path)s."), path=str(path)) from None
    except (ArchiveError, tarfile.TarError) as error:
        raise BackupRefused(
            _("The backup cannot be used: %(reason)s. Nothing has been changed."),
            reason=str(error),
        ) from None
    manifest_path = folder / MANIFEST
    if MANIFEST not in seen:
        raise BackupRefused(_("The backup has no manifest. Nothing has been changed."))
    manifest = json.loads(manifest_path.read_text())
    seen.pop(MANIFEST)
    if manifest.get("format") != FORMAT or seen != manifest.get("members"):
        raise BackupRefused(
            _("The backup's contents do not match its manifest. Nothing has been changed.")
        )
    return Opened(folder, manifest)


def schema_problem(manifest: dict[str, Any]) -> RestoreRefused | None:
    """None when the backup's schema is this samdrift's; else the refusal naming both versions."""
    ours, theirs = code_migrations(), manifest.get("migrations", [])
    if ours == theirs:
        return None
    only_backup = sorted(set(theirs) - set(ours))
    only_code = sorted(set(ours) - set(theirs))
    return RestoreRefused(
        _(
            "The backup was made by samdrift %(backup_version)s with %(backup_count)s migrations; "
            "this is samdrift %(our_version)s with %(our_count)s. Only in the backup: %(backup)s. "
            "Only here: %(here)s. Nothing has been changed."
        ),
        code="schema_mismatch",
        backup_version=manifest.get("samdrift_version", "?"),
        backup_count=len(theirs),
        our_version=_version(),
        our_count=len(ours),
        backup=", ".join(only_backup[:5]) or "-",
        here=", ".join(only_code[:5]) or "-",
    )


def _compare(opened: Opened) -> tuple[list[str], database.Snapshot]:
    """Restore into a scratch database and compare every table and every file by checksum."""
    kind = opened.manifest["database"]
    state = database.state_after_restore(kind, opened.folder / database.dump_name(kind))
    expected = opened.manifest["tables"]
    problems = [
        f"table {table}: {expected.get(table)} != {state.tables.get(table)}"
        for table in sorted(set(expected) | set(state.tables))
        if expected.get(table) != state.tables.get(table)
    ]
    for key, sha256, size in state.files:
        member = opened.manifest["members"].get(f"files/{key}")
        if member is None or member != {"size": size, "sha256": sha256}:
            problems.append(f"file {key}: missing or different")
    return problems, state


def verify_backup(path: Path, passphrase: bytes) -> Outcome:
    """`samdrift backup verify`: open, restore into a scratch database, compare everything."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="samdrift-verify-") as scratch:
        opened = open_backup(path, passphrase, Path(scratch))
        problems, state = _compare(opened)
        created = datetime.datetime.fromisoformat(opened.manifest["created_at"])
    return Outcome(
        path, time.monotonic() - started, path.stat().st_size, len(state.tables),
        sum(t["rows"] for t in state.tables.values()), len(state.files), problems, created,
    )  # fmt: skip


def restore_backup(path: Path, passphrase: bytes) -> Outcome:
    """`samdrift restore`: onto an empty database and storage only. Everything is opened,
    authenticated and compared before the first byte is put in place."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="samdrift-restore-") as scratch:
        opened = open_backup(path, passphrase, Path(scratch))
        refusal = schema_problem(opened.manifest)
        if refusal:
            raise refusal
        kind = opened.manifest["database"]
        if kind != database.vendor():
            raise RestoreRefused(
                _("The backup is of a %(backup)s database; samdrift is configured for %(here)s."),
                backup=kind,
                here=database.vendor(),
            )
        problems, state = _compare(opened)
        if problems:
            raise RestoreRefused(
                _("The backup does not restore to what it recorded: %(first)s"), first=problems[0]
            )
        connections.close_all()
        if not database.target_is_empty():
            raise RestoreRefused(
                _("The configured database is not empty; restore only onto an empty one.")
            )
        storage = backend()
        taken = [key for key, _sha, _size in state.files if storage.exists(key)]
        if taken:
            raise RestoreRefused(
                _("The file storage already holds %(count)s of the backup's files (e.g. %(key)s); "
                  "restore only onto empty storage."), count=len(taken), key=taken[0]
            )  # fmt: skip
        for label, folder in _outside_dirs().items():
            if (
                folder.is_dir()
                and any(folder.iterdir())
                and (opened.folder / "dirs" / label).is_dir()
            ):
                raise RestoreRefused(
                    _("%(folder)s is not empty; restore only onto an empty one."),
                    folder=str(folder),
                )
        database.put_in_place(kind, opened.folder / database.dump_name(kind))
        for key, _sha, _size in state.files:
            _put_file(storage, key, opened.folder / "files" / key)
        for label, folder in _outside_dirs().items():
            source = opened.folder / "dirs" / label
            if source.is_dir():
                shutil.copytree(source, folder, dirs_exist_ok=True)
    return Outcome(
        path, time.monotonic() - started, path.stat().st_size, len(state.tables),
        sum(t["rows"] for t in state.tables.values()), len(state.files),
    )  # fmt: skip


def _put_file(storage: Any, key: str, source: Path) -> None:
    """A folder storage gets the checked file moved into place (a rename on the same disk, not a
    second copy of every byte); S3 gets it through the Storage API under the same key."""
    if not is_s3(storage) and hasattr(storage, "path"):
        target = Path(storage.path(key))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, target)
        return
    with source.open("rb") as handle:
        saved = storage.save(key, handle)
    if saved != key:
        raise RestoreRefused(_("The file storage renamed %(key)s on restore."), key=key)


def record_outcome(action: str, outcome: Outcome) -> None:
    """A backup made or a restore done, on record in the audit chain (after a restore: the
    restored chain, which then names the backup it came from, ADR 0064)."""
    with transaction.atomic():
        audit_record(
            actor=SYSTEM,
            action=action,
            object_type="continuity.backup",
            object_id=outcome.path.name,
            after={"bytes": outcome.bytes, "tables": outcome.tables, "rows": outcome.rows,
                   "files": outcome.files},
        )  # fmt: skip


def read_passphrase(source: IO[str] | None, environ: dict[str, str]) -> bytes:
    """From a file (first line) or `SAMDRIFT_BACKUP_PASSPHRASE`; never from the command line."""
    text = source.readline().rstrip("\n") if source is not None else environ.get(
        "SAMDRIFT_BACKUP_PASSPHRASE", ""
    )  # fmt: skip
    if len(text) < 12:
        raise ValidationFailed(
            _("Give a backup passphrase of at least 12 characters (--passphrase-file, or "
              "SAMDRIFT_BACKUP_PASSPHRASE).")
        )  # fmt: skip
    return text.encode()
