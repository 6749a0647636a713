"""The database itself keeps finalised invoices and the ledger unchangeable (I-04, I-14, R-06).

Whatever path a write takes (ORM, raw SQL, admin, a shell), the database refuses to update or
delete a finalised invoice or any line of one, to add a line to one, and to change or remove a
ledger entry, recovery schedule, year-end close, allocation result or price version. Corrections
are new rows: a credit note, a new price version. On SQLite the triggers ask
`samdrift_audit_sealed()` (registered by the audit app on every connection) so the test runner's
flush can empty the tables; PostgreSQL's flush uses TRUNCATE, which row triggers do not see.
"""

from django.db import migrations

APPEND_ONLY = [
    "billing_ledgerentry", "billing_recoveryschedule", "billing_yearendclose",
    "billing_allocationresult", "billing_priceversion",
]
FINAL = "'finalised'"
LINE_PARENT_FINAL = "(SELECT status FROM billing_invoice WHERE id = {row}.invoice_id) = " + FINAL


def _sqlite_raise(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"


SQLITE = []
for _table in APPEND_ONLY:
    for _op in ("UPDATE", "DELETE"):
        SQLITE.append(
            f"CREATE TRIGGER {_table}_no_{_op.lower()} BEFORE {_op} ON {_table} "
            f"WHEN samdrift_audit_sealed() {_sqlite_raise(f'{_table} is append-only')}"
        )
for _op in ("UPDATE", "DELETE"):
    SQLITE.append(
        f"CREATE TRIGGER billing_invoice_final_no_{_op.lower()} BEFORE {_op} ON billing_invoice "
        f"WHEN samdrift_audit_sealed() AND OLD.status = {FINAL} "
        f"{_sqlite_raise('a finalised invoice cannot change')}"
    )
    SQLITE.append(
        f"CREATE TRIGGER billing_invoiceline_final_no_{_op.lower()} BEFORE {_op} ON billing_invoiceline "
        f"WHEN samdrift_audit_sealed() AND {LINE_PARENT_FINAL.format(row='OLD')} "
        f"{_sqlite_raise('a finalised invoice cannot change')}"
    )
SQLITE.append(
    "CREATE TRIGGER billing_invoiceline_final_no_insert BEFORE INSERT ON billing_invoiceline "
    f"WHEN {LINE_PARENT_FINAL.format(row='NEW')} {_sqlite_raise('a finalised invoice cannot change')}"
)
SQLITE_REVERSE = [
    f"DROP TRIGGER {sql.split()[2]};" for sql in SQLITE
]

POSTGRES = [
    """CREATE FUNCTION billing_refuse_change() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation'; END; $$ LANGUAGE plpgsql;""",
    """CREATE FUNCTION billing_invoice_guard() RETURNS trigger AS $$
       BEGIN
         IF OLD.status = 'finalised' THEN
           RAISE EXCEPTION 'a finalised invoice cannot change' USING ERRCODE = 'restrict_violation';
         END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE FUNCTION billing_invoiceline_guard() RETURNS trigger AS $$
       DECLARE parent_status text;
       BEGIN
         IF TG_OP = 'INSERT' THEN
           SELECT status INTO parent_status FROM billing_invoice WHERE id = NEW.invoice_id;
         ELSE
           SELECT status INTO parent_status FROM billing_invoice WHERE id = OLD.invoice_id;
         END IF;
         IF parent_status = 'finalised' THEN
           RAISE EXCEPTION 'a finalised invoice cannot change' USING ERRCODE = 'restrict_violation';
         END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER billing_invoice_final BEFORE UPDATE OR DELETE ON billing_invoice
       FOR EACH ROW EXECUTE FUNCTION billing_invoice_guard();""",
    """CREATE TRIGGER billing_invoiceline_final BEFORE INSERT OR UPDATE OR DELETE ON billing_invoiceline
       FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_guard();""",
] + [
    f"""CREATE TRIGGER {_table}_append_only BEFORE UPDATE OR DELETE ON {_table}
        FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();"""
    for _table in APPEND_ONLY
]
POSTGRES_REVERSE = [
    "DROP TRIGGER billing_invoice_final ON billing_invoice;",
    "DROP TRIGGER billing_invoiceline_final ON billing_invoiceline;",
    *[f"DROP TRIGGER {_table}_append_only ON {_table};" for _table in APPEND_ONLY],
    "DROP FUNCTION billing_refuse_change();",
    "DROP FUNCTION billing_invoice_guard();",
    "DROP FUNCTION billing_invoiceline_guard();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql, None)  # None: no client-side % placeholders (PostgreSQL)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql, None)  # None: no client-side % placeholders (PostgreSQL)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial"), ("audit", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forwards, backwards)]
