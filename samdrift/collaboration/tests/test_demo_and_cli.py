"""The demo hook on the real demo foundation, and the CLI."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from samdrift.collaboration import a11y, demo
from samdrift.collaboration.models import Member, Version, Workspace
from samdrift.demo.foundation import load_foundation

pytestmark = pytest.mark.django_db


def test_the_demo_has_workspaces_across_agencies_with_versions(files_dir):
    load_foundation()
    demo.load(stdout=StringIO())
    workspaces = list(Workspace.objects.all())
    assert len(workspaces) == 2
    for workspace in workspaces:
        assert workspace.members.filter(role="owner").count() >= 1
        assert workspace.members.values("organisation").distinct().count() >= 2
    assert Version.objects.filter(number=2).exists()  # a document saved twice
    assert Member.objects.filter(user__username="admin").count() == 2
    pages = a11y.pages()
    assert len(pages) >= 6 and any("/documents/" in url for url in pages), pages
    demo.load(stdout=StringIO())  # idempotent
    assert Workspace.objects.count() == 2
    out = StringIO()
    call_command("collaboration", "list", stdout=out)
    assert "Samverkan krisberedskap" in out.getvalue()
    out = StringIO()
    call_command("collaboration", "classes", stdout=out)
    assert out.getvalue().splitlines()[-1].startswith("3\t3\tFalse\tFalse\tFalse")
