"""The fee model's provider columns become required, and codes and vouchers unique within their
provider (ADR 0664); 0011 filled the columns in its own transaction."""

import django.db.models.deletion
from django.db import migrations, models


def _provider(**extra):
    return models.ForeignKey(
        db_index=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="organisations.organisation",
        **extra,
    )


MODELS = ("allocationrule", "allocationrun", "costentry", "feearea")


class Migration(migrations.Migration):
    dependencies = [("billing", "0011_fee_model_per_provider")]

    operations = [
        *[
            migrations.AlterField(
                model_name=model,
                name="provider",
                field=_provider(**({"verbose_name": "provider"} if model == "feearea" else {})),
            )
            for model in MODELS
        ],
        migrations.AlterField(
            model_name="costentry",
            name="source_ref",
            field=models.CharField(max_length=80, verbose_name="voucher"),
        ),
        migrations.AlterField(model_name="feearea", name="code", field=models.SlugField()),
        migrations.AddConstraint(
            model_name="allocationrule",
            constraint=models.UniqueConstraint(
                fields=("provider", "year", "cost_pool", "version"), name="allocation_rule_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="allocationrun",
            constraint=models.UniqueConstraint(
                fields=("provider", "year", "input_hash"), name="allocation_run_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="costentry",
            constraint=models.UniqueConstraint(
                fields=("provider", "source_ref"), name="cost_voucher_per_provider"
            ),
        ),
        migrations.AddConstraint(
            model_name="feearea",
            constraint=models.UniqueConstraint(
                fields=("provider", "code"), name="fee_area_code_per_provider"
            ),
        ),
    ]
