"""`samdrift security component|import|status` (issue 17 item 6): the same validated, audited
services as the pages; refusals in Swedish and English that change nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from samdrift.security.models import Component, Finding, ImportRun

from .conftest import DATA

pytestmark = pytest.mark.django_db


def _run(*args):
    out = io.StringIO()
    call_command("security", *args, stdout=out)
    return out.getvalue()


def test_register_import_again_and_status(landscape, security_officer):
    me = ["--as", security_officer.username]
    assert "komponent: kap-app" in _run(
        "component", "kap-app", "--kind", "application", "--service", "KAP", *me
    )
    assert Component.objects.get(name="kap-app").uses.get().service.code == "KAP"
    first = _run(
        "import", str(DATA / "trivy/scheme_2_many_vulns.json"), "--component", "kap-app", *me
    )
    assert "Trivy JSON (Trivy): 5 reported / rapporterade, 5 new / nya" in first
    again = _run(
        "import", str(DATA / "trivy/scheme_2_many_vulns.json"), "--component", "kap-app", *me
    )
    assert "already imported / redan importerad" in again
    assert Finding.objects.count() == 5 and ImportRun.objects.count() == 1
    status = _run("status", "--component", "kap-app", *me)
    assert "critical: 1\nhigh: 1\nmedium: 3\n" in status and "open / öppna: 5" in status


def test_refusals_are_bilingual_and_change_nothing(landscape, security_officer, tmp_path):
    me = ["--as", security_officer.username]
    broken = tmp_path / "broken.json"
    broken.write_bytes(b"")
    with pytest.raises(CommandError) as caught:
        _run("import", str(broken), "--component", "efos-web", *me)
    assert "Filen är tom." in str(caught.value) and "The file is empty." in str(caught.value)
    with pytest.raises(CommandError, match="no such file"):
        _run("import", str(tmp_path / "none.json"), "--component", "efos-web", *me)
    with pytest.raises(CommandError, match="unknown user"):
        _run("status", "--as", "nobody")
    with pytest.raises(CommandError) as caught:
        _run("component", "x", "--kind", "boat", "--service", "KAP", *me)
    assert "Okänd typ" in str(caught.value) and "Unknown kind" in str(caught.value)
    assert not ImportRun.objects.exists() and not Finding.objects.exists()
    assert Component.objects.count() == 1
