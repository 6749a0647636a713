"""Two ledger indexes no query uses are dropped; the invoice guard is called only when it refuses.

Measured per object (ADR 0222): a year's 23,798 ledger entries pay 14 ms for the single-column
index on `year` (every query on the year also names the account, served by (account, year)) and,
on PostgreSQL, 22 ms for the `varchar_pattern_ops` copy Django adds beside a unique CharField's
index (for LIKE; the idempotency key is only ever compared whole). The index on `year` is dropped
with plain SQL so that SQLite does not rebuild the table (which would lose the guards of 0002).

On PostgreSQL the row guard of finalised invoices now has a WHEN clause: the PL/pgSQL function
runs only for a row that was already finalised (and then refuses), instead of once per updated
draft, as when finalising stamps a month's numbers. The rule is the same.
"""

from django.db import migrations, models

YEAR_INDEX = "billing_ledgerentry_year_a436c4e1"
LIKE_INDEX = "billing_ledgerentry_idempotency_key_f930c288_like"
GUARD = """CREATE TRIGGER billing_invoice_final BEFORE UPDATE OR DELETE ON billing_invoice
   FOR EACH ROW {when}EXECUTE FUNCTION billing_invoice_guard();"""


def forwards(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {YEAR_INDEX}", None)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {LIKE_INDEX}", None)
        schema_editor.execute("DROP TRIGGER billing_invoice_final ON billing_invoice", None)
        schema_editor.execute(GUARD.format(when="WHEN (OLD.status = 'finalised') "), None)


def backwards(apps, schema_editor):
    schema_editor.execute(f"CREATE INDEX {YEAR_INDEX} ON billing_ledgerentry (year)", None)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {LIKE_INDEX} ON billing_ledgerentry "
            "(idempotency_key varchar_pattern_ops)",
            None,
        )
        schema_editor.execute("DROP TRIGGER billing_invoice_final ON billing_invoice", None)
        schema_editor.execute(GUARD.format(when=""), None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0008_line_insert_guard_by_invoice_ids")]
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="year",
                    field=models.PositiveSmallIntegerField(),
                )
            ],
        )
    ]
