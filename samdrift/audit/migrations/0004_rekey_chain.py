"""Re-key the existing chain: every stored hash becomes the HMAC of the keyed scheme (ADR 0060).

The old chain is verified first under the unkeyed scheme; a broken one stops the migration (it
must not be laundered into a valid keyed chain). The append-only triggers are lifted for this
transaction only: SQLite through the seal function, PostgreSQL by disabling the trigger, which
needs the table's owner (the role that runs migrations, not the application's role).
"""

from django.db import migrations

from samdrift.audit.chain import GENESIS, chain_key, payload, seal, unkeyed_digest
from samdrift.audit.sealing import unsealed_for_test_flush


def rekey(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    events = list(AuditEvent.objects.order_by("id"))
    if not events:
        return
    key = chain_key()
    previous_old, previous_new, rewritten = GENESIS, GENESIS, []
    for event in events:
        body = payload(event)
        if event.previous_hash != previous_old or event.hash != unkeyed_digest(previous_old, body):
            raise RuntimeError(
                f"audit event {event.id} does not verify; the chain is not re-keyed / "
                f"händelse {event.id} i granskningsloggen stämmer inte; kedjan nycklas inte om"
            )
        previous_old = event.hash
        new_hash = seal(previous_new, body, key)
        rewritten.append((event.id, previous_new, new_hash))
        previous_new = new_hash
    postgres = schema_editor.connection.vendor == "postgresql"
    with unsealed_for_test_flush(), schema_editor.connection.cursor() as cursor:
        if postgres:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        for event_id, previous_hash, new_hash in rewritten:
            cursor.execute(
                "UPDATE audit_auditevent SET previous_hash = %s, hash = %s WHERE id = %s",
                [previous_hash, new_hash, event_id],
            )
        if postgres:
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")
    AuditChainHead.objects.update_or_create(id=1, defaults={"last_hash": previous_new})


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_security_log")]
    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
