"""`samdrift billing …`: run, close, report formats, UBL export, imports; errors in both languages."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from samdrift.billing.documents import invoice_ubl
from samdrift.billing.models import CostEntry, Invoice, Usage
from samdrift.billing.schematron import fatal_errors

from .builders import agency, make_world, price, subscribe


@pytest.fixture
def world(db):
    world = make_world(("ARBETSPLATS",))
    a = agency(world, "Myndighet A")
    subscribe(a, world.services["ARBETSPLATS"])
    price(world, "ARBETSPLATS", "400", datetime.date(2024, 1, 1))
    return world


def run(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("billing", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_year_of_runs_close_report_and_export(world, tmp_path):
    usage = tmp_path / "usage.csv"
    usage.write_text(
        "period;organisation;service;quantity;key\n"
        + "".join(f"2024-{m:02d};Myndighet A;ARBETSPLATS;{10 + m};u{m}\n" for m in range(1, 13)),
        encoding="utf-8",
    )
    costs = tmp_path / "costs.csv"
    costs.write_text(
        "period,cost_pool,service,amount,voucher\n2024-12,direkt,ARBETSPLATS,60000,V1\n",
        encoding="utf-8",
    )
    assert "created=12" in run("import-usage", str(usage))
    assert "created=1" in run("import-costs", str(costs))
    output = run("run", "--year", "2024", "--finalise")
    assert "[12/12]" in output and output.count("finalised") >= 12
    assert "it-drift 2024 closed" in run("close", "--year", "2024")
    report = json.loads(run("report", "--year", "2024", "--format", "json"))
    row = report["rows"][0]
    assert (
        row["cost"] == "60000.00"
        and row["revenue"] == str(sum(400 * (10 + m) for m in range(1, 13))) + ".00"
    )
    assert run("report", "--format", "csv").startswith("fee_area,year,revenue")
    assert "Intäkter MSEK" in run("report", "--format", "table")
    out = tmp_path / "ubl"
    assert "1 UBL files" in run("export-ubl", "--period", "2024-03", "--out", str(out))
    (document,) = out.iterdir()
    assert fatal_errors(document.read_bytes()) == []
    assert document.read_bytes() == invoice_ubl(
        Invoice.objects.get(period=datetime.date(2024, 3, 1))
    )


def test_bad_input_fails_with_both_languages_and_writes_nothing(world, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "period;organisation;service;quantity\n2024-01;Myndighet A;ARBETSPLATS;5\n2024-02;Okänd;ARBETSPLATS;-1\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as error:
        run("import-usage", str(bad))
    assert " / " in str(error.value) and "row 2" in str(error.value)
    assert Usage.objects.count() == 0
    with pytest.raises(CommandError):
        run("run", "--period", "2024-13")
    badcost = tmp_path / "c.csv"
    badcost.write_text("period,cost_pool,amount,voucher\n2024-01,x,tolv,V9\n", encoding="utf-8")
    with pytest.raises(CommandError):
        run("import-costs", str(badcost))
    assert CostEntry.objects.count() == 0


def test_as_names_a_user_whose_actor_runs_the_command_and_refuses_an_unknown_one(world):
    """`--as ekonomi` runs as the finance user (the run is audited as theirs); an unknown user
    name is refused in both languages before anything runs."""
    from samdrift.audit.models import AuditEvent

    run("run", "--period", "2024-01", "--as", "ekonomi")
    assert AuditEvent.objects.filter(actor__username="ekonomi").exists()
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="okänd användare / unknown user: ingen"):
        run("run", "--period", "2024-02", "--as", "ingen")
    assert AuditEvent.objects.count() == before
