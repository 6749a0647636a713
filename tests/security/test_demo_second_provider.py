"""The demo's second provider (ADR 0041): its administrator sees its own customer, and none of
Försäkringskassan's customers' cases, requests, subscriptions, invoices or history."""

from __future__ import annotations

from django.test import TestCase

from samdrift.accounts.models import User
from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.models import AuditEvent
from samdrift.audit.selectors import object_history
from samdrift.billing.selectors import invoice_list
from samdrift.demo.foundation import load_foundation
from samdrift.onboarding.models import ConnectionCase
from samdrift.onboarding.selectors import case_list, request_list, subscription_list
from samdrift.organisations.models import Organisation
from samdrift.organisations.selectors import organisation_list


class SecondProviderInTheDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.loaded = load_foundation()
        cls.sitssam = actor_for_user(User.objects.get(username="sitssam"))
        cls.fk = actor_for_user(User.objects.get(username="admin"))

    def test_the_second_provider_is_listed_among_the_demo_logins(self) -> None:
        assert "sitssam" in [username for username, _agency, _what in self.loaded.users]

    def test_it_sees_its_own_customer_only(self) -> None:
        (customer,) = {r.organisation for r in request_list(actor=self.sitssam)}
        assert customer.id in self.sitssam.customer_org_ids
        assert not self.sitssam.customer_org_ids & self.fk.customer_org_ids
        assert customer.id not in self.fk.visible_org_ids  # and FK does not see it either

    def test_none_of_fks_customers_data(self) -> None:
        assert ConnectionCase.objects.exists()
        assert list(case_list(actor=self.sitssam)) == []
        assert list(subscription_list(actor=self.sitssam, active_only=False)) == []
        assert {r.organisation_id for r in request_list(actor=self.sitssam)}.isdisjoint(
            self.fk.customer_org_ids
        )
        assert list(invoice_list(actor=self.sitssam)) == []
        names = set(organisation_list(actor=self.sitssam).values_list("name", flat=True))
        fk_customers = set(
            Organisation.objects.filter(id__in=self.fk.customer_org_ids).values_list(
                "name", flat=True
            )
        )
        assert fk_customers and not names & fk_customers

    def test_none_of_fks_customers_history(self) -> None:
        event = AuditEvent.objects.filter(organisation_id__in=self.fk.customer_org_ids).first()
        assert event is not None
        seen = object_history(
            actor=self.sitssam, object_type=event.object_type, object_ids=[event.object_id]
        )
        assert list(seen) == []
        assert list(
            object_history(
                actor=self.fk, object_type=event.object_type, object_ids=[event.object_id]
            )
        )
