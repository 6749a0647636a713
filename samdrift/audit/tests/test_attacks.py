"""Issue 19 item 8: each attack on the chain, and `samdrift audit verify` catching it.

Each attack passed today's scheme (plain SHA-256, no checkpoints): rewriting an event and
recomputing the following hashes, deleting the newest events, moving the head."""

from __future__ import annotations

import base64
import json
import subprocess

import pytest
from django.core.management import call_command
from django.db import transaction

from samdrift.audit.chain import seal, unkeyed_digest
from samdrift.audit.checkpoints import read_checkpoints, verify, write_checkpoint
from samdrift.audit.models import AuditChainHead, AuditEvent
from samdrift.audit.services import audit_record
from samdrift.core.actor import SYSTEM
from samdrift.efos.ca.authority import authority

from .tampering import rewrite, triggers_bypassed, truncate

pytestmark = pytest.mark.django_db


def _record(n: int, start: int = 0) -> list[int]:
    with transaction.atomic():
        return [
            audit_record(
                actor=SYSTEM, action="test.done", object_type="test", object_id=i, after={"i": i}
            ).id
            for i in range(start, start + n)
        ]


def _verify_cli(capsys) -> tuple[int, str]:
    try:
        call_command("audit", "verify")
    except SystemExit as exc:
        return int(exc.code or 0), capsys.readouterr().err
    return 0, capsys.readouterr().out


def test_rewrite_with_recomputed_unkeyed_hashes_is_detected(capsys):
    ids = _record(5)
    rewrite(ids[1], unkeyed_digest, actor_label="someone else")
    code, output = _verify_cli(capsys)
    assert code == 1
    assert f"event {ids[1]}" in output


def test_rewrite_with_the_key_itself_is_caught_by_a_checkpoint(capsys):
    """An insider who holds the HMAC key recomputes a valid keyed chain: the anchored head
    outside the database no longer matches."""
    ids = _record(4)
    write_checkpoint()
    rewrite(ids[1], seal, actor_label="someone else")
    code, output = _verify_cli(capsys)
    assert code == 1
    assert f"event {ids[-1]} differs from checkpoint" in output


def test_truncation_is_detected(capsys):
    ids = _record(6)
    write_checkpoint()
    truncate(keep=3)
    code, output = _verify_cli(capsys)
    assert code == 1
    assert f"saw event {ids[-1]} (truncated)" in output


def test_a_moved_head_is_detected(capsys):
    ids = _record(4)
    earlier = AuditEvent.objects.get(id=ids[1]).hash
    AuditChainHead.objects.filter(id=1).update(last_hash=earlier)
    code, output = _verify_cli(capsys)
    assert code == 1
    assert "moved head" in output


def test_an_intact_chain_with_checkpoints_verifies(capsys):
    _record(3)
    first = write_checkpoint()
    _record(2, start=3)
    write_checkpoint()
    code, output = _verify_cli(capsys)
    assert code == 0, output
    assert "5 events, chain intact, 2 checkpoints hold" in output
    assert "samdrift audit anchor" in output
    assert first.document["anchor"]["signer"] == "efos-ca"


def test_a_broken_chain_is_not_anchored():
    ids = _record(3)
    with triggers_bypassed():
        AuditEvent.objects.filter(id=ids[0]).update(action="changed")
    with pytest.raises(Exception, match=f"event {ids[0]}"):
        write_checkpoint()
    assert read_checkpoints() == []


def test_a_forged_checkpoint_is_refused(settings):
    _record(2)
    checkpoint = write_checkpoint()
    document = json.loads(checkpoint.path.read_bytes())
    document["checkpoint"]["count"] = 1
    checkpoint.path.chmod(0o644)
    checkpoint.path.write_text(json.dumps(document))
    verdict = verify()
    assert not verdict.intact
    assert "not authentic" in verdict.problem


def test_openssl_accepts_the_signature_and_the_timestamp(tmp_path):
    """Not our own verifier: openssl checks the CMS signature and the RFC 3161 token."""
    _record(2)
    checkpoint = write_checkpoint()
    ca = authority()
    anchor = checkpoint.document["anchor"]
    (tmp_path / "data").write_bytes(checkpoint.body)
    (tmp_path / "sig.der").write_bytes(base64.b64decode(anchor["cms"]))
    (tmp_path / "tst.der").write_bytes(base64.b64decode(anchor["timestamp"]))
    (tmp_path / "root.pem").write_bytes((ca.directory / "root-ca.pem").read_bytes())
    (tmp_path / "chain.pem").write_bytes(ca.chain_pem() + (ca.directory / "tsa.pem").read_bytes())
    cms = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der",
         "-content", "data", "-CAfile", "root.pem", "-purpose", "any", "-out", "/dev/null"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert cms.returncode == 0, cms.stderr
    ts = subprocess.run(
        ["openssl", "ts", "-verify", "-data", "data", "-in", "tst.der", "-token_in",
         "-CAfile", "root.pem", "-untrusted", "chain.pem"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ts.returncode == 0, ts.stdout + ts.stderr
    # and a signature over other bytes is refused by the same tool
    (tmp_path / "data").write_bytes(checkpoint.body + b" ")
    tampered = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der",
         "-content", "data", "-CAfile", "root.pem", "-purpose", "any", "-out", "/dev/null"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert tampered.returncode != 0
