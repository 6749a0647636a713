"""Tokens issued ahead of the join click (ADR 0662): a credential records when a join claimed it.
Every credential issued before this migration was issued at a join."""

from django.db import migrations, models
from django.db.models import F


def joined_when_issued(apps, schema_editor):
    credential = apps.get_model("meetings", "MeetingCredential")
    credential.objects.update(joined_at=F("issued_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0004_broadcast"),
    ]

    operations = [
        migrations.AddField(
            model_name="meetingcredential",
            name="joined_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(joined_when_issued, migrations.RunPython.noop),
    ]
