"""Checkpoints outside the database, and the verification of the chain against them (ADR 0060).

A checkpoint names the head at one moment: the last event's id (its sequence number), its hash
and the number of events up to it, MAC'd with the chain key and, where efos has registered its
CA and TSA, signed (CMS) and time-stamped (RFC 3161). It is a JSON file in
`SAMDRIFT_AUDIT_CHECKPOINT_DIR`, created once and never rewritten: someone who can rewrite the
database cannot reach it, so a rewritten, truncated or re-headed chain disagrees with it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .anchoring import AnchorCheck, default_signer, signer_named
from .chain import GENESIS, canonical, chain_key, mac, payload, seal
from .models import AuditChainHead, AuditEvent

FORMAT = "samdrift-audit-checkpoint/1"


def checkpoint_dir() -> Path:
    configured = getattr(settings, "SAMDRIFT_AUDIT_CHECKPOINT_DIR", None)
    return Path(configured or Path(settings.DATA_DIR) / "audit-checkpoints")


@dataclass
class Checkpoint:
    path: Path
    event_id: int
    hash: str
    count: int
    at: str
    body: bytes
    document: dict[str, Any]


@dataclass
class Verdict:
    """The outcome of `verify`: `broken_at` is the first event that fails (None if the fault
    is not one event's, e.g. a checkpoint file itself); `problem` says what, in both languages."""

    intact: bool
    events: int = 0
    broken_at: int | None = None
    problem: str = ""
    checkpoints: int = 0
    anchors: list[AnchorCheck] = field(default_factory=list)
    last_id: int = 0
    last_hash: str = GENESIS


def read_checkpoints(directory: Path | None = None) -> list[Checkpoint]:
    """Every checkpoint file, oldest head first. An unreadable file is a finding, not skipped."""
    found = []
    for path in sorted((directory or checkpoint_dir()).glob("*.json")):
        document = json.loads(path.read_bytes())
        body = canonical(document["checkpoint"])
        head = document["checkpoint"]
        found.append(
            Checkpoint(
                path,
                int(head["event_id"]),
                head["hash"],
                int(head["count"]),
                head["at"],
                body,
                document,
            )
        )
    return sorted(found, key=lambda c: (c.event_id, c.at))


def _broken(events: int, event_id: int | None, sv: str, en: str) -> Verdict:
    return Verdict(False, events=events, broken_at=event_id, problem=f"{sv} / {en}")


def verify(directory: Path | None = None) -> Verdict:
    """Recompute every HMAC in order and hold the chain against every checkpoint.

    Finds a changed event (its HMAC or the next link fails), a rewrite with recomputed hashes (the
    key is needed; with it, a checkpoint's hash no longer matches), truncation (a checkpoint names
    an event that is gone) and a moved head (the head row disagrees with the last event)."""
    try:
        checkpoints = read_checkpoints(directory)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return _broken(
            0,
            None,
            f"en kontrollpunkt går inte att läsa: {exc}",
            f"a checkpoint cannot be read: {exc}",
        )
    key = chain_key()
    head, head_id = _head_now()
    anchors: list[AnchorCheck] = []
    for checkpoint in checkpoints:
        problem = _check_checkpoint(checkpoint, key, anchors)
        if problem:
            return _broken(0, None, *problem)
    pending = [c for c in checkpoints if c.event_id]  # a checkpoint of the empty chain names none
    previous, count, last_id = GENESIS, 0, 0
    events = AuditEvent.objects.filter(id__lte=head_id).order_by("id")
    for event in events.iterator(chunk_size=2000):
        while pending and pending[0].event_id < event.id:
            gone = pending.pop(0)
            return _broken(
                count,
                gone.event_id,
                f"händelse {gone.event_id} i kontrollpunkten {gone.path.name} saknas",
                f"event {gone.event_id} of checkpoint {gone.path.name} is missing",
            )
        if event.previous_hash != previous:
            return _broken(
                count,
                event.id,
                f"händelse {event.id} pekar inte på föregående",
                f"event {event.id} does not link to the one before it",
            )
        if event.hash != seal(previous, payload(event), key):
            return _broken(
                count,
                event.id,
                f"händelse {event.id} har ändrats",
                f"event {event.id} has been changed (its HMAC does not match)",
            )
        count += 1
        while pending and pending[0].event_id == event.id:
            seen = pending.pop(0)
            if seen.hash != event.hash or seen.count != count:
                return _broken(
                    count,
                    event.id,
                    f"händelse {event.id} skiljer sig från kontrollpunkten {seen.path.name}",
                    f"event {event.id} differs from checkpoint {seen.path.name}",
                )
        previous, last_id = event.hash, event.id
    if pending:
        lost = pending[-1]
        return _broken(
            count,
            last_id or None,
            f"kedjan slutar vid händelse {last_id} men kontrollpunkten "
            f"{lost.path.name} såg händelse {lost.event_id} (avkortad)",
            f"the chain ends at event {last_id} but checkpoint {lost.path.name} "
            f"saw event {lost.event_id} (truncated)",
        )
    if head != previous:
        return _broken(
            count,
            last_id or None,
            "kedjans huvud pekar inte på den sista händelsen (flyttat huvud)",
            "the chain head does not name the last event (moved head)",
        )
    return Verdict(True, events=count, checkpoints=len(checkpoints), anchors=anchors,
                   last_id=last_id, last_hash=previous)  # fmt: skip


def _head_now() -> tuple[str, int]:
    """The head and the last event's id as one consistent pair: writers change both under the
    head row's lock, so events written while verify runs are neither seen nor mistaken for a
    moved head."""
    with transaction.atomic():
        head = (
            AuditChainHead.objects.select_for_update()
            .filter(id=1)
            .values_list("last_hash", flat=True)
            .first()
        )
        last_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return head or GENESIS, last_id or 0


def _check_checkpoint(
    checkpoint: Checkpoint, key: bytes, anchors: list[AnchorCheck]
) -> tuple[str, str] | None:
    document, name = checkpoint.document, checkpoint.path.name
    if document["checkpoint"].get("format") != FORMAT or document.get("mac") != mac(
        checkpoint.body, key
    ):
        return (
            f"kontrollpunkten {name} är inte äkta (MAC)",
            f"checkpoint {name} is not authentic (its MAC does not match)",
        )
    proof = document.get("anchor")
    if proof:
        signer = signer_named(proof.get("signer", ""))
        if signer is None:
            return (
                f"kontrollpunkten {name} är signerad av {proof.get('signer')}, som saknas här",
                f"checkpoint {name} is signed by {proof.get('signer')}, not available here",
            )
        check = signer.verify(checkpoint.body, proof)
        if check.problem:
            return (
                f"kontrollpunkten {name}: {check.problem}",
                f"checkpoint {name}: {check.problem}",
            )
        anchors.append(check)
    return None


def write_checkpoint(directory: Path | None = None) -> Checkpoint:
    """Verify the chain, then anchor its head in a new file. A broken chain is not anchored."""
    verdict = verify(directory)
    if not verdict.intact:
        raise ChainBroken(verdict)
    # Anchor exactly the head that was verified (events written meanwhile wait for the next one).
    event_id, head_hash, count = verdict.last_id, verdict.last_hash, verdict.events
    at = timezone.now().astimezone(dt.UTC).isoformat()
    head: dict[str, Any] = {
        "format": FORMAT,
        "event_id": event_id,
        "hash": head_hash,
        "count": count,
        "at": at,
    }
    body = canonical(head)
    document: dict[str, Any] = {"checkpoint": head, "mac": mac(body)}
    signer = default_signer()
    if signer is not None:
        document["anchor"] = {"signer": signer.name, **signer.sign(body)}
    target = directory or checkpoint_dir()
    target.mkdir(parents=True, exist_ok=True)
    stamp = at.replace(":", "").replace("-", "").replace("+0000", "Z")
    path = target / f"{stamp}-{event_id:012d}.json"
    # Created once, read-only: a checkpoint is never rewritten, only added.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    with os.fdopen(fd, "wb") as handle:
        handle.write(json.dumps(document, indent=1, sort_keys=True).encode())
    return Checkpoint(path, event_id, head_hash, count, at, body, document)


class ChainBroken(Exception):
    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.problem)
        self.verdict = verdict
