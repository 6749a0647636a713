"""Each provider agency has its own fee model (ADR 0664).

Fee areas, cost entries, allocation rules and allocation runs name their provider agency; every
other fee-model row reaches it through its fee area or run. Rows that exist were the default
provider's (ADR 0042): they are given to it, and a direct cost to its service's provider. A fee
area's code and a cost's voucher are unique within their provider.
"""

import django.db.models.deletion
from django.db import migrations, models


def default_provider_id(apps):
    """`catalogue.selectors.default_provider` on the historical models: the provider of the
    total-commitment package, else the first provider agency."""
    Organisation = apps.get_model("organisations", "Organisation")
    Service = apps.get_model("catalogue", "Service")
    providers = Organisation.objects.filter(kind="provider")
    owner = (
        Service.objects.filter(in_total_commitment=True, provider__in=providers)
        .order_by("provider_id")
        .values_list("provider_id", flat=True)
        .first()
    )
    return owner or providers.order_by("id").values_list("id", flat=True).first()


def assign_default_provider(apps, schema_editor):
    models_ = [
        apps.get_model("billing", name) for name in ("FeeArea", "AllocationRule", "AllocationRun")
    ]
    CostEntry = apps.get_model("billing", "CostEntry")
    if not any(model.objects.exists() for model in (*models_, CostEntry)):
        return
    provider = default_provider_id(apps)
    if provider is None:
        raise RuntimeError(
            "Fee-model rows exist but no provider agency does: make the agency that owns them a "
            "provider (organisations kind=provider) and migrate again (ADR 0664)."
        )
    for model in models_:
        model.objects.filter(provider__isnull=True).update(provider_id=provider)
    Service = apps.get_model("catalogue", "Service")
    for service_id, owner in Service.objects.filter(
        pk__in=CostEntry.objects.filter(service__isnull=False).values("service_id")
    ).values_list("pk", "provider_id"):
        CostEntry.objects.filter(service_id=service_id).update(provider_id=owner)
    CostEntry.objects.filter(provider__isnull=True).update(provider_id=provider)


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
    dependencies = [
        ("billing", "0010_line_change_guard_per_statement"),
        ("catalogue", "0002_service_lifecycle_retiring_version"),
        ("organisations", "0003_membership_invitations"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="allocationrule", name="allocation_rule_unique"),
        migrations.RemoveConstraint(model_name="allocationrun", name="allocation_run_unique"),
        *[
            migrations.AddField(
                model_name=model,
                name="provider",
                field=_provider(
                    null=True, **({"verbose_name": "provider"} if model == "feearea" else {})
                ),
            )
            for model in MODELS
        ],
        migrations.RunPython(assign_default_provider, migrations.RunPython.noop),
    ]
