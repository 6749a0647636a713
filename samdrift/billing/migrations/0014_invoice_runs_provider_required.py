"""The run's and the project time's provider become required; a run is unique per provider and
month, a time key per provider (ADR 0668); 0013 filled the columns in its own transaction."""

import django.db.models.deletion
from django.db import migrations, models


def _provider():
    return models.ForeignKey(
        db_index=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="organisations.organisation",
    )


class Migration(migrations.Migration):
    dependencies = [("billing", "0013_invoice_runs_per_provider")]

    operations = [
        migrations.AlterField(model_name="invoicerun", name="provider", field=_provider()),
        migrations.AlterField(model_name="projecttime", name="provider", field=_provider()),
        migrations.AlterModelOptions(name="invoicerun", options={"ordering": ["-period", "provider_id"]}),
        migrations.AddConstraint(
            model_name="invoicerun",
            constraint=models.UniqueConstraint(
                fields=("provider", "period"), name="invoice_run_per_provider_and_period"
            ),
        ),
        migrations.AddConstraint(
            model_name="projecttime",
            constraint=models.UniqueConstraint(
                fields=("provider", "source_key"), name="project_time_key_per_provider"
            ),
        ),
    ]
