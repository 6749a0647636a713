"""Each provider agency runs its own month (ADR 0668).

An invoice run and a project-time entry name their provider agency. Runs that exist were the
default provider's (ADR 0042, 0664): they are given to it. A run that also drafted another
provider's invoices is split: that seller gets a run of its own for the month, in the same state
(so a month already invoiced is not invoiced again by its own run), and its draft invoices move
to it; a finalised invoice never changes (migration 0002), so it stays where it was sealed and
is shown with its seller's run of the month. A project-time entry is its case's provider's (the
provider of the case's first service by code), else the default provider's. The unique run per
month and the unique time key become unique per provider in 0014.
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


def split_runs(apps, provider):
    """Every run belongs to `provider` unless it has one; another seller's invoices in a run get
    that seller's own run of the month (their drafts move to it)."""
    InvoiceRun = apps.get_model("billing", "InvoiceRun")
    Invoice = apps.get_model("billing", "Invoice")
    InvoiceRun.objects.filter(provider__isnull=True).update(provider_id=provider)
    for run in InvoiceRun.objects.order_by("period", "id"):
        sellers = (
            Invoice.objects.filter(run=run)
            .exclude(seller_id=run.provider_id)
            .values_list("seller_id", flat=True)
            .distinct()
        )
        for seller in sorted(set(sellers)):
            own, _created = InvoiceRun.objects.get_or_create(
                provider_id=seller,
                period=run.period,
                defaults={
                    "status": run.status,
                    "input_hash": run.input_hash,
                    "issue_date": run.issue_date,
                    "finalised_at": run.finalised_at,
                },
            )
            Invoice.objects.filter(run=run, seller_id=seller, status="draft").update(run=own)


def assign_providers(apps, schema_editor):
    InvoiceRun = apps.get_model("billing", "InvoiceRun")
    ProjectTime = apps.get_model("billing", "ProjectTime")
    if not (InvoiceRun.objects.exists() or ProjectTime.objects.exists()):
        return
    provider = default_provider_id(apps)
    if provider is None:
        raise RuntimeError(
            "Invoice runs or project time exist but no provider agency does: make the agency "
            "that owns them a provider (organisations kind=provider) and migrate again "
            "(ADR 0668)."
        )
    split_runs(apps, provider)
    Service = apps.get_model("catalogue", "Service")
    for case_id in sorted(
        set(ProjectTime.objects.filter(provider__isnull=True).values_list("case_id", flat=True))
    ):
        owner = (
            Service.objects.filter(connection_cases=case_id)
            .order_by("code")
            .values_list("provider_id", flat=True)
            .first()
        )
        ProjectTime.objects.filter(case_id=case_id, provider__isnull=True).update(
            provider_id=owner or provider
        )


def _provider():
    return models.ForeignKey(
        db_index=False,
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="organisations.organisation",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0012_fee_model_provider_required"),
        ("catalogue", "0002_service_lifecycle_retiring_version"),
        ("onboarding", "0006_request_own_status"),
        ("organisations", "0003_membership_invitations"),
    ]

    operations = [
        migrations.AlterField(model_name="invoicerun", name="period", field=models.DateField()),
        migrations.AlterField(
            model_name="projecttime", name="source_key", field=models.CharField(max_length=120)
        ),
        migrations.AddField(model_name="invoicerun", name="provider", field=_provider()),
        migrations.AddField(model_name="projecttime", name="provider", field=_provider()),
        migrations.RunPython(assign_providers, migrations.RunPython.noop),
    ]
