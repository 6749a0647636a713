"""Invoices keep their parties as they were; the Peppol UBL is rendered on demand (ADR 0209).

Existing invoices get their snapshot from the current organisation data. The immutability
triggers of 0002 refuse that update, so they are lifted for it: on PostgreSQL disabled and
enabled again, on SQLite (whose table rebuilds drop a table's triggers anyway) created again
at the end from 0002's definitions.
"""

import importlib

from django.db import migrations, models

GUARDED = ("billing_invoice", "billing_invoiceline")
PG_TRIGGERS = (("billing_invoice", "billing_invoice_final"), ("billing_invoiceline", "billing_invoiceline_final"))


def _sqlite_guards():
    original = importlib.import_module("samdrift.billing.migrations.0002_immutability_triggers")
    return [
        sql.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1)
        for sql in original.SQLITE
        if sql.split()[6] in GUARDED
    ]


def lift_guards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, trigger in PG_TRIGGERS:
            schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}", None)
    else:
        for sql in _sqlite_guards():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {sql.split()[5]}", None)


def restore_guards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, trigger in PG_TRIGGERS:
            schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}", None)
    else:
        for sql in _sqlite_guards():
            schema_editor.execute(sql, None)


def fill_snapshot(apps, schema_editor):
    Invoice = apps.get_model("billing", "Invoice")
    InvoiceLine = apps.get_model("billing", "InvoiceLine")
    Organisation = apps.get_model("organisations", "Organisation")
    BillingProfile = apps.get_model("billing", "BillingProfile")
    orgs = {o.pk: o for o in Organisation.objects.all()}
    profiles = {p.organisation_id: p for p in BillingProfile.objects.all()}
    for invoice in Invoice.objects.all():
        seller, buyer = orgs[invoice.seller_id], orgs[invoice.buyer_id]
        seller_profile, buyer_profile = profiles.get(seller.pk), profiles.get(buyer.pk)
        Invoice.objects.filter(pk=invoice.pk).update(
            seller_name=seller.name,
            seller_org_number=seller.org_number,
            seller_city=seller_profile.city if seller_profile else "",
            seller_bankgiro=seller_profile.bankgiro if seller_profile else "",
            buyer_name=buyer.name,
            buyer_org_number=buyer.org_number,
            buyer_city=buyer_profile.city if buyer_profile else "",
        )
    for line in InvoiceLine.objects.select_related("invoice"):
        if line.organisation_id != line.invoice.buyer_id:
            InvoiceLine.objects.filter(pk=line.pk).update(
                subject_name=orgs[line.organisation_id].name
            )


def _text(max_length):
    return models.CharField(blank=True, default="", max_length=max_length)


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_exit_settlement_line")]

    operations = [
        migrations.RunPython(lift_guards, restore_guards),
        migrations.AddField("invoice", "seller_name", _text(200)),
        migrations.AddField("invoice", "seller_org_number", _text(20)),
        migrations.AddField("invoice", "seller_city", _text(100)),
        migrations.AddField("invoice", "seller_bankgiro", _text(20)),
        migrations.AddField("invoice", "buyer_name", _text(200)),
        migrations.AddField("invoice", "buyer_org_number", _text(20)),
        migrations.AddField("invoice", "buyer_city", _text(100)),
        migrations.AddField("invoiceline", "subject_name", _text(200)),
        migrations.RunPython(fill_snapshot, migrations.RunPython.noop),
        migrations.RemoveField("invoice", "ubl_sha256"),
        migrations.RemoveField("invoice", "ubl_xml"),
        migrations.RunPython(restore_guards, lift_guards),
    ]
