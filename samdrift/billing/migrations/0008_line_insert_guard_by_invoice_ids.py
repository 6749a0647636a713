"""PostgreSQL: the statement guard of 0007 looks up each new line's invoice once per invoice.

0007 joined the transition table to billing_invoice; the planner knows nothing of a transition
table's size and chose a nested loop over a scan of all invoices, about 2 s for a year's lines
in one statement (EXPLAIN ANALYZE). Now the statement's distinct invoice ids are collected into
an array first and the invoices are read through their primary key (ADR 0221).
"""

from django.db import migrations

FORWARD = """CREATE OR REPLACE FUNCTION billing_invoiceline_insert_guard() RETURNS trigger AS $$
   DECLARE ids bigint[];
   BEGIN
     SELECT array_agg(DISTINCT invoice_id) INTO ids FROM billing_new_lines;
     IF EXISTS (SELECT 1 FROM billing_invoice WHERE id = ANY(ids) AND status = 'finalised') THEN
       RAISE EXCEPTION 'a finalised invoice cannot change' USING ERRCODE = 'restrict_violation';
     END IF;
     RETURN NULL;
   END; $$ LANGUAGE plpgsql;"""
BACKWARD = """CREATE OR REPLACE FUNCTION billing_invoiceline_insert_guard() RETURNS trigger AS $$
   BEGIN
     IF EXISTS (SELECT 1 FROM billing_new_lines n
                JOIN billing_invoice i ON i.id = n.invoice_id
                WHERE i.status = 'finalised') THEN
       RAISE EXCEPTION 'a finalised invoice cannot change' USING ERRCODE = 'restrict_violation';
     END IF;
     RETURN NULL;
   END; $$ LANGUAGE plpgsql;"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0007_line_insert_guard_per_statement")]
    operations = [migrations.RunPython(forwards, backwards)]
