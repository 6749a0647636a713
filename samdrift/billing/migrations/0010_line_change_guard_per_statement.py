"""PostgreSQL: changing or removing lines of a finalised invoice is refused once per statement.

Like the insert guard of 0007/0008 (ADR 0221): the row trigger of 0002 ran a PL/pgSQL function and
a lookup of the invoice for every updated or deleted line — a rerun of a draft month deletes its
2,000 lines one guard call each. Now an AFTER UPDATE and an AFTER DELETE statement trigger collect
the statement's old (and, for an update, new) lines' invoice ids from the transition tables and
abort the whole statement if any of those invoices is finalised. That also refuses moving a line
INTO a finalised invoice, which the row guard (it looked at the old row only) let through.
SQLite keeps its row triggers (ADR 0222).
"""

from django.db import migrations

FORWARD = [
    """CREATE FUNCTION billing_invoiceline_change_guard() RETURNS trigger AS $$
       DECLARE ids bigint[];
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           SELECT array_agg(DISTINCT invoice_id) INTO ids FROM (
             SELECT invoice_id FROM billing_old_lines
             UNION SELECT invoice_id FROM billing_changed_lines) AS touched;
         ELSE
           SELECT array_agg(DISTINCT invoice_id) INTO ids FROM billing_old_lines;
         END IF;
         IF EXISTS (SELECT 1 FROM billing_invoice WHERE id = ANY(ids) AND status = 'finalised') THEN
           RAISE EXCEPTION 'a finalised invoice cannot change' USING ERRCODE = 'restrict_violation';
         END IF;
         RETURN NULL;
       END; $$ LANGUAGE plpgsql;""",
    "DROP TRIGGER billing_invoiceline_final ON billing_invoiceline;",
    """CREATE TRIGGER billing_invoiceline_final_update AFTER UPDATE ON billing_invoiceline
       REFERENCING OLD TABLE AS billing_old_lines NEW TABLE AS billing_changed_lines
       FOR EACH STATEMENT EXECUTE FUNCTION billing_invoiceline_change_guard();""",
    """CREATE TRIGGER billing_invoiceline_final_delete AFTER DELETE ON billing_invoiceline
       REFERENCING OLD TABLE AS billing_old_lines
       FOR EACH STATEMENT EXECUTE FUNCTION billing_invoiceline_change_guard();""",
]
BACKWARD = [
    "DROP TRIGGER billing_invoiceline_final_update ON billing_invoiceline;",
    "DROP TRIGGER billing_invoiceline_final_delete ON billing_invoiceline;",
    "DROP FUNCTION billing_invoiceline_change_guard();",
    """CREATE TRIGGER billing_invoiceline_final BEFORE UPDATE OR DELETE ON billing_invoiceline
       FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_guard();""",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql, None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql, None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0009_ledger_indexes_guard_when")]
    operations = [migrations.RunPython(forwards, backwards)]
