"""PostgreSQL: adding lines to a finalised invoice is refused once per statement (ADR 0221).

The guard of 0002 ran a PL/pgSQL function and a lookup of the invoice for every inserted line;
a national year writes 23,798 lines. The same rule is now one AFTER INSERT statement trigger
that joins the statement's new rows (a transition table) to their invoices: any line of a
finalised invoice aborts the whole statement, whether it came from the ORM, a multi-row INSERT
or COPY. Updates and deletes of lines keep their row trigger. SQLite keeps its row trigger (it
has no statement triggers; its guard is a cheap subquery inside the same statement).
"""

from django.db import migrations

FORWARD = [
    """CREATE FUNCTION billing_invoiceline_insert_guard() RETURNS trigger AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM billing_new_lines n
                    JOIN billing_invoice i ON i.id = n.invoice_id
                    WHERE i.status = 'finalised') THEN
           RAISE EXCEPTION 'a finalised invoice cannot change' USING ERRCODE = 'restrict_violation';
         END IF;
         RETURN NULL;
       END; $$ LANGUAGE plpgsql;""",
    "DROP TRIGGER billing_invoiceline_final ON billing_invoiceline;",
    """CREATE TRIGGER billing_invoiceline_final BEFORE UPDATE OR DELETE ON billing_invoiceline
       FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_guard();""",
    """CREATE TRIGGER billing_invoiceline_final_insert AFTER INSERT ON billing_invoiceline
       REFERENCING NEW TABLE AS billing_new_lines
       FOR EACH STATEMENT EXECUTE FUNCTION billing_invoiceline_insert_guard();""",
]
BACKWARD = [
    "DROP TRIGGER billing_invoiceline_final_insert ON billing_invoiceline;",
    "DROP TRIGGER billing_invoiceline_final ON billing_invoiceline;",
    """CREATE TRIGGER billing_invoiceline_final BEFORE INSERT OR UPDATE OR DELETE ON billing_invoiceline
       FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_guard();""",
    "DROP FUNCTION billing_invoiceline_insert_guard();",
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
    dependencies = [("billing", "0006_grant_funding_source")]
    operations = [migrations.RunPython(forwards, backwards)]
