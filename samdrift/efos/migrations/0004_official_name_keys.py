"""The officials' lowercased names, indexed, for the site-wide search (ADR 0703)."""

from django.db import migrations, models


def fill_keys(apps, schema_editor):
    Official = apps.get_model("efos", "Official")
    batch = []
    for official in Official.objects.only("id", "given_name", "surname").iterator(chunk_size=2000):
        official.given_key = official.given_name.strip().lower()[:100]
        official.surname_key = official.surname.strip().lower()[:100]
        batch.append(official)
        if len(batch) >= 2000:
            Official.objects.bulk_update(batch, ["given_key", "surname_key"])
            batch = []
    Official.objects.bulk_update(batch, ["given_key", "surname_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("efos", "0003_oidc_client_subject_type"),
    ]

    operations = [
        migrations.AddField(
            model_name="official",
            name="given_key",
            field=models.CharField(db_index=True, default="", editable=False, max_length=100),
        ),
        migrations.AddField(
            model_name="official",
            name="surname_key",
            field=models.CharField(db_index=True, default="", editable=False, max_length=100),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
