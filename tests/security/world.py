"""The world the cross-agency matrix runs in, built once per test module.

Two provider agencies: Försäkringskassan (FK, the catalogue's owner) and a second one, "SITSSAM"
(like the SITSSAM agencies that may also provide, DESIGN.md §3). FK has two customers, A (the
callers' own agency, under an umbrella whose contact sees it) and B (the victim for customers and
for SITSSAM's staff); SITSSAM has one, C (the victim for FK's staff). Every victim owns one of
each kind of object an address can name, and its name is a *marker*: it must not appear in any
answer to someone who may not see it. Drafts of both providers are markers too (the draft leak).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.utils import timezone

from samdrift.accounts.app_passwords import app_password_create
from samdrift.accounts.models import ApiToken, User
from samdrift.accounts.selectors import actor_for_user
from samdrift.accounts.services import token_create
from samdrift.audit.services import audit_record
from samdrift.billing.models import (
    Account,
    AllocationResult,
    AllocationRun,
    BillableService,
    CostEntry,
    FeeArea,
    Invoice,
    InvoiceRun,
    LedgerEntry,
    Usage,
    YearEndClose,
)
from samdrift.calendars import services as calendar_services
from samdrift.calendars.models import Calendar
from samdrift.catalogue.models import Service, ServiceDependency
from samdrift.collaboration.models import Document as CollabDocument
from samdrift.collaboration.models import HeldUpload as CollabHeldUpload
from samdrift.collaboration.models import Invitation as CollabInvitation
from samdrift.collaboration.models import Member as CollabMember
from samdrift.collaboration.models import ShareLink as CollabShareLink
from samdrift.collaboration.models import Version as CollabVersion
from samdrift.collaboration.models import Workspace as CollabWorkspace
from samdrift.collaboration.selectors import SEARCH_KIND as COLLAB_SEARCH_KIND
from samdrift.collaboration.selectors import search_key as collab_search_key
from samdrift.collaboration.services.shares import token_hash as collab_token_hash
from samdrift.core.actor import SYSTEM
from samdrift.core.files.services import store as store_file
from samdrift.core.jobs.models import Job
from samdrift.core.search.services import index_entry
from samdrift.core.tenancy import LOGIN_SESSION_KEY
from samdrift.efos import services as efos_services
from samdrift.efos.models import Credential, Official, SignableDocument
from samdrift.onboarding.models import ServiceRequest, Subscription
from samdrift.operations import services as operations_services
from samdrift.operations.models import Outage
from samdrift.organisations.models import Membership, Organisation
from samdrift.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProviderFactory,
    SecondProviderFactory,
    ServiceFactory,
    ServiceRequestFactory,
    SubscriptionFactory,
    UserFactory,
    luhn_complete,
)
from tests.api.support import checklist_templates, open_case


def _pdf() -> bytes:
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


CUSTOMER_ROLES = ("member", "orderer", "contact", "parent_contact")
FK_ROLES = ("provider_admin", "service_manager", "account_manager", "finance", "security")
ROLES = (*CUSTOMER_ROLES, *FK_ROLES, "second_provider", "anonymous")


@dataclass
class Victim:
    """One agency's objects, each of a kind some address names by id."""

    org: Organisation
    case: Any
    item: Any
    request: ServiceRequest
    subscription: Subscription
    invoice: Invoice
    usage: Usage
    official: Official
    credential: Credential
    document: SignableDocument
    membership: Membership
    token: ApiToken
    app_password: Any  # a WebDAV app password of the contact (ADR 0613)
    notification: Any
    job: Any
    contact: User
    draft: Service
    service: Service  # the provider's published service (catalogue keeping, ADR 0220)
    # cooperation: the provider's draft DSAM evaluation (ADR 0962), read by its staff only.
    evaluation: Any = None
    decision: Any = None
    markers: tuple[str, ...] = ()
    # SAFOS (collaboration): a workspace of the agency, its owner row, a pending invitation
    # to someone else, and a document with one version.
    workspace: Any = None
    cmember: Any = None
    cinvitation: Any = None
    cdoc: Any = None
    cshare: Any = None  # a share link of cdoc naming the agency itself (ADR 0609)
    cshare_token: str = ""
    cheld: Any = None  # an upload of the contact's waiting for its malware scan (ADR 0671)
    # operations: an incident the agency reported, reaching only the agency itself.
    incident: Any = None
    # operations: an open outage of the provider's unpublished service, which no agency has.
    outage: Any = None
    # calendars: the workspace's calendar, with one event (ADR 0642).
    calendar: Any = None
    # operations: an NKI survey of the provider's unpublished service (no agency has it).
    survey: Any = None
    # operations: a draft responsibility matrix of the provider's service naming the agency.
    matrix: Any = None
    # operations: the provider's problem and draft change on the victim's service.
    problem: Any = None
    change: Any = None
    # security: the provider's advisory of the victim's finding, its copy sent to the victim;
    # the finding itself and its component (only the victim's own services use it).
    advisory: Any = None
    finding: Any = None
    component: Any = None
    # coediting: a live note in the victim's workspace, with one kept version (ADR 0680).
    live_doc: Any = None
    live_version: Any = None
    # meetings: a room in the victim's workspace, its owner waiting in the lobby (ADR 0677).
    meeting: Any = None
    meeting_admission: Any = None
    # chat: the workspace's room and one archived part of its history (ADR 0655).
    chat_room: Any = None
    chat_archive: Any = None
    # continuity: the placement of the victim's provider's service on the shared site (ADR 0913).
    placement: Any = None
    # billing: the victim's provider's own fee model (ADR 0664): a fee area billing the
    # provider's service, a cost of a pool of its own, an allocation run and a closed year.
    fee_area: Any = None
    cost: Any = None
    allocation_run: Any = None
    close: Any = None
    # billing: the victim's provider's own invoice run of the world's month, with a draft to the
    # victim (ADR 0668), and the victim's account with the provider, which an exit would settle.
    run: Any = None
    account: Any = None


@dataclass
class World:
    fk: Organisation
    second: Organisation
    a: Organisation
    b: Victim
    c: Victim
    run_period: datetime.date
    users: dict[str, User] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)

    def victim_for(self, role: str) -> Victim:
        """Whose objects the role must not reach: FK's staff try the other provider's customer;
        everyone else (customers, SITSSAM's staff, anonymous) tries FK's customer B."""
        return self.c if role in FK_ROLES else self.b

    def markers_for(self, role: str) -> tuple[str, ...]:
        """Names that must appear in no answer to the role."""
        if role in FK_ROLES:
            return self.c.markers
        if role == "second_provider":
            return (*self.b.markers, self.a.name)
        return (*self.b.markers, *self.c.markers)


def _victim(
    name: str,
    number: str,
    provider: Organisation,
    service: Service,
    draft: Service,
    contact: User,
) -> Victim:
    org = OrganisationFactory(name=name, org_number=luhn_complete(number))
    MembershipFactory(user=contact, organisation=org, role="contact")
    case = open_case(org.id, [service.code])
    request = ServiceRequestFactory(organisation=org, service=service)
    subscription = SubscriptionFactory(organisation=org, service=service)
    today = datetime.date(2030, 1, 1)
    invoice = Invoice.objects.create(
        status="finalised",
        seller=provider,
        buyer=org,
        period=today,
        number=f"T-{org.pk}",
        issue_date=today,
        due_date=today + datetime.timedelta(days=30),
        buyer_reference="matrix",
        total_ore=100_00,
        finalised_at=timezone.now(),
    )
    usage = Usage.objects.create(
        organisation=org,
        service=service,
        period=today,
        billed_period=today,
        quantity=1,
        source="matrix",
        source_key=f"u{org.pk}",
    )
    official = efos_services.add_official(
        actor=SYSTEM, organisation_id=org.pk, given_name="Hemlig", surname=f"Tjänsteman {name}"
    )
    credential = efos_services.order_credential(actor=SYSTEM, official=official)
    document = efos_services.create_document(
        actor=SYSTEM, organisation_id=org.pk, title=f"Avtal {name}", sign_message="ok", pdf=_pdf()
    )
    token, _secret = token_create(actor=actor_for_user(contact), name=f"token {name}")
    app_password, _secret = app_password_create(
        actor=actor_for_user(contact), name=f"dav {name}", max_class=0
    )
    audit_record(actor=SYSTEM, action="matrix.victim", obj=org, organisation_id=org.pk)
    notification = _notification(contact)
    workspace, cmember, cinvitation, cdoc = _collaboration(org, contact, name)
    cshare, cshare_token = _share_link(cdoc, org)
    cheld = _held_upload(workspace, contact, org)
    incident = operations_services.incident_open(
        actor=actor_for_user(contact),
        service_code=service.code,
        title=f"Hemlig störning {name}",
        impact=2,
        urgency=2,
        organisation_id=org.pk,
    )
    # Reportable to CERT-SE and as a personal data breach, with a first report on record.
    operations_services.incident_classify(
        actor=SYSTEM, incident_id=incident.pk, regimes=["cert-se", "gdpr-33"]
    )
    operations_services.legal_report_record(
        actor=SYSTEM,
        incident_id=incident.pk,
        key="cert-se/first",
        content=dict.fromkeys(
            ("what", "detected", "handlers", "crime", "support"), f"Hemlig rapport {name}"
        ),
    )
    outage = Outage.objects.create(
        service=draft,
        provider=provider,
        cause="manual",
        summary=f"Hemligt avbrott {name}",
        started_at=timezone.now() - datetime.timedelta(hours=1),
    )
    calendar = _calendar(workspace, contact, name)
    matrix = operations_services.matrix_draft(
        actor=SYSTEM,
        service_code=service.code,
        name=f"Hemlig matris {name}",
        effective_from=datetime.date(2030, 1, 1),
        text=f"Drift;R;{org.name}\nDrift;A;{org.name}",
    )
    problem = operations_services.problem_open(
        actor=SYSTEM, service_code=service.code, title=f"Hemligt problem {name}"
    )
    change = operations_services.change_create(
        actor=SYSTEM, service_code=service.code, kind="normal", title=f"Hemlig ändring {name}",
        window_start="2030-03-01T08:00", window_end="2030-03-01T09:00",
    )  # fmt: skip
    # The provider's capacity figure of its unpublished service (ADR 0846).
    operations_services.capacity_metric_set(
        actor=SYSTEM, service_code=draft.code, kind="users", capacity="100"
    )
    survey = operations_services.survey_create(
        actor=SYSTEM, service_code=draft.code, year=2030, closes_on=datetime.date(2031, 12, 31)
    )
    return Victim(
        org=org,
        case=case,
        item=case.checklist_items.first(),
        request=request,
        subscription=subscription,
        invoice=invoice,
        usage=usage,
        official=official,
        credential=credential,
        document=document,
        membership=Membership.objects.get(user=contact, organisation=org),
        token=token,
        app_password=app_password,
        notification=notification,
        job=Job.objects.create(task_path="matrix.task", created_by_id=contact.pk, agency_id=org.pk),
        contact=contact,
        draft=draft,
        service=service,
        markers=(
            org.name,
            draft.name_sv,
            draft.name_en,
            workspace.name,
            cdoc.name,
            incident.title,
            outage.summary,
            f"Hemlig rapport {name}",
            matrix.name,
            problem.title,
            change.title,
            f"Hemligt möte {name}",
        ),
        workspace=workspace,
        cmember=cmember,
        cinvitation=cinvitation,
        cdoc=cdoc,
        cshare=cshare,
        cshare_token=cshare_token,
        cheld=cheld,
        incident=incident,
        outage=outage,
        calendar=calendar,
        survey=survey,
        matrix=matrix,
        problem=problem,
        change=change,
    )


def _calendar(workspace: Any, contact: User, name: str) -> Any:
    calendar_services.ensure_calendars(actor=actor_for_user(contact, loa_rank=3))
    calendar = Calendar.objects.get(workspace=workspace)
    calendar_services.event_create(
        actor=actor_for_user(contact, loa_rank=3),
        calendar_id=calendar.pk,
        summary=f"Hemligt möte {name}",
        start=datetime.datetime(2030, 1, 7, 9, tzinfo=datetime.UTC),
        end=datetime.datetime(2030, 1, 7, 10, tzinfo=datetime.UTC),
    )
    return calendar


def _collaboration(org: Organisation, contact: User, name: str) -> tuple[Any, Any, Any, Any]:
    workspace = CollabWorkspace.objects.create(
        name=f"Samarbetsyta {name}", owner_org=org, classification=0, quota_bytes=10**9
    )
    member = CollabMember.objects.create(
        workspace=workspace, user=contact, organisation=org, role="owner"
    )
    invitation = CollabInvitation.objects.create(
        workspace=workspace, email=f"inbjuden.{org.pk}@example.se", role="editor"
    )
    stored = store_file(
        io.BytesIO(b"hemligt"), "hemligt.txt", "text/plain", actor=SYSTEM, owner_org_id=org.pk
    )
    document = CollabDocument.objects.create(
        workspace=workspace, name=f"Hemligt dokument {name}.txt", classification=0
    )
    CollabVersion.objects.create(
        document=document,
        number=1,
        file=stored,
        size=stored.size,
        sha256=stored.sha256,
        content_type="text/plain",
    )
    # Indexed as an upload would be, so that a search for the word finds every agency's document
    # and the matrix can see whether a foreign one shows.
    index_entry(
        kind=COLLAB_SEARCH_KIND,
        object_id=document.pk,
        visibility_key=collab_search_key(workspace.pk),
        title=document.name,
        text="hemligt",
        owner_org_id=org.pk,
    )
    return workspace, member, invitation, document


def _held_upload(workspace: Any, contact: User, org: Organisation) -> Any:
    stored = store_file(
        io.BytesIO(b"hemligt stort"), "stort.txt", "text/plain", actor=SYSTEM, owner_org_id=org.pk
    )
    return CollabHeldUpload.objects.create(
        workspace=workspace, name="Hemlig stor fil.txt", file=stored, size=stored.size,
        sha256=stored.sha256, created_by=contact,
    )  # fmt: skip


def _share_link(document: Any, org: Organisation) -> tuple[Any, str]:
    token = f"matrix-share-{org.pk}"
    link = CollabShareLink.objects.create(
        document=document,
        token_hash=collab_token_hash(token),
        agencies=[org.pk],
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    return link, token


def _notification(user: User) -> Any:
    try:
        from samdrift.core.notifications.models import Notification
    except ImportError:  # the notifications app is not in this tree yet
        return None
    return Notification.objects.create(
        recipient=user, kind="matrix", channel="in_app", language="sv", subject="s", body="b"
    )


def build_world() -> World:
    checklist_templates(per_phase=1)
    fk = ProviderFactory(name="Försäkringskassan", org_number="202100-5521")
    second = SecondProviderFactory()
    efos = ServiceFactory(code="EFOS", provider=fk)
    fk_draft = ServiceFactory(
        code="HEMLIGFK",
        provider=fk,
        lifecycle="draft",
        name_sv="Hemligt utkast FK",
        name_en="Secret draft FK",
    )
    ServiceDependency.objects.create(service=fk_draft, depends_on=efos)  # the draft leak
    second_service = ServiceFactory(code="SITSSAM-INC", provider=second)
    second_draft = ServiceFactory(
        code="HEMLIGSIT",
        provider=second,
        lifecycle="draft",
        name_sv="Hemligt utkast SITSSAM",
        name_en="Secret draft SITSSAM",
    )
    ServiceDependency.objects.create(service=second_draft, depends_on=efos)

    umbrella = OrganisationFactory(name="Paraplymyndigheten", is_group=True, org_number="")
    a = OrganisationFactory(name="Myndighet A", parent=umbrella)
    open_case(a.id, ["EFOS"])
    ServiceRequestFactory(organisation=a, service=efos)
    SubscriptionFactory(organisation=a, service=efos)

    users: dict[str, User] = {}
    for role in ("member", "orderer", "contact"):
        users[role] = UserFactory(username=f"a_{role}")
        MembershipFactory(user=users[role], organisation=a, role=role)
    users["parent_contact"] = UserFactory(username="paraply_kontakt")
    MembershipFactory(user=users["parent_contact"], organisation=umbrella, role="contact")
    for role in FK_ROLES:
        users[role] = UserFactory(username=f"fk_{role}")
        MembershipFactory(user=users[role], organisation=fk, role=role)
    users["second_provider"] = UserFactory(username="sitssam_admin")
    MembershipFactory(user=users["second_provider"], organisation=second, role="provider_admin")

    b = _victim(
        "Hemliga myndigheten B",
        "202100702",
        fk,
        efos,
        fk_draft,
        UserFactory(username="b_kontakt"),
    )
    c = _victim(
        "Hemliga myndigheten C",
        "202100703",
        second,
        second_service,
        second_draft,
        UserFactory(username="c_kontakt"),
    )
    run_period = datetime.date(2029, 12, 1)
    # Each provider's own fee model (ADR 0664): a fee area billing its service, a cost of its own
    # pool (the same voucher number in both: vouchers are each provider's), an allocation run and
    # a closed year, all in the run's year so the pages show them by default.
    for victim, keeper, tag in ((b, fk, "fk"), (c, second, "sit")):
        victim.fee_area = FeeArea.objects.create(
            provider=keeper, code=f"hemlig-avgift-{tag}",
            name_sv=f"Hemligt avgiftsområde {keeper.name}",
            name_en=f"Secret fee area {keeper.name}",
        )  # fmt: skip
        BillableService.objects.create(service=victim.service, fee_area=victim.fee_area)
        pool = f"hemlig-pool-{tag}"
        victim.cost = CostEntry.objects.create(
            provider=keeper, period=datetime.date(2029, 6, 1), gl_account="5000", cost_pool=pool,
            amount_ore=1000_00, source_ref="MATRIS-1", description=f"Hemlig kostnad {keeper.name}",
        )  # fmt: skip
        victim.allocation_run = AllocationRun.objects.create(
            provider=keeper, year=2029, input_hash=f"{tag}" + "0" * 61
        )
        AllocationResult.objects.create(
            run=victim.allocation_run, cost_pool=pool, service=victim.service, amount_ore=1000_00
        )
        victim.close = YearEndClose.objects.create(
            fee_area=victim.fee_area, year=2029, input_hash="0" * 64, closed_at=timezone.now(),
            figures={"revenue_ore": 0, "cost_ore": 1000_00, "accumulated_ore": -1000_00},
        )  # fmt: skip
        victim.markers = (*victim.markers, victim.fee_area.name_sv, victim.fee_area.code, pool)
        # Each provider's own run of the same month (ADR 0668), its hash a marker (the run list
        # shows its first 12 characters), with a draft invoice to the victim; and the victim's
        # account with the provider, with a balance an exit settlement would bring to zero.
        victim.run = InvoiceRun.objects.create(
            provider=keeper, period=run_period, input_hash=f"matrisrun{tag}".ljust(64, "0"),
            issue_date=run_period,
        )  # fmt: skip
        Invoice.objects.create(
            run=victim.run, seller=keeper, buyer=victim.org, period=run_period,
            issue_date=run_period, due_date=run_period + datetime.timedelta(days=30),
            buyer_reference="matrix", total_ore=10_00,
        )  # fmt: skip
        victim.account = Account.objects.create(
            organisation=victim.org, service=victim.service, fee_area=victim.fee_area
        )
        LedgerEntry.objects.create(
            account=victim.account, year=2029, period=datetime.date(2029, 6, 1), kind="fee",
            amount_ore=10_00, idempotency_key=f"matris-{tag}",
        )  # fmt: skip
        victim.markers = (*victim.markers, victim.run.input_hash[:12])
    # Program 2032 sites (ADR 0913): both providers' services on one site, so the check and
    # "what if the site is lost" would name each provider's customers (B, C) to the other.
    from samdrift.continuity.models import Placement, Site

    site = Site.objects.create(
        code="MATRIS-1", name="Matrishallen", operator=fk, region="mitt", capacity=10
    )
    # Each victim's placement is its provider's: another provider's staff must not remove it.
    b.placement = Placement.objects.create(service=efos, site=site, role="primary", rto_hours=4)
    c.placement = Placement.objects.create(
        service=second_service, site=site, role="primary", rto_hours=4
    )
    # Security findings (ADR 0952): each provider's component used by a service only its
    # victim subscribes to, with a critical finding naming the victim in its title and location.
    from samdrift.security.models import Component, ComponentUse, Finding, ImportRun

    for victim, owner in ((b, fk), (c, second)):
        only = ServiceFactory(code=f"MATRISSEC{victim.org.pk}", provider=owner)
        SubscriptionFactory(organisation=victim.org, service=only)
        component = Component.objects.create(
            provider=owner, name=f"matris-{victim.org.pk}", kind="image"
        )
        ComponentUse.objects.create(component=component, service=only)
        seen = timezone.now()
        run = ImportRun.objects.create(
            component=component, tool="Trivy", report_format="trivy", checksum="0" * 64,
            imported_at=seen, imported_by="matris",
        )  # fmt: skip
        victim.component = component
        victim.finding = Finding.objects.create(
            component=component, tool="Trivy", dedup_key="0" * 64,
            vulnerability_id="CVE-2030-0001", severity="critical",
            title=f"Sårbarhet hos {victim.org.name}", location=f"värd {victim.org.name}",
            first_seen=seen, last_seen=seen, first_run=run, last_run=run,
        )  # fmt: skip
        # An advisory (ADR 0967) whose copy for the victim names it; the full copy is the
        # provider's.
        from samdrift.security.models import Advisory, AdvisoryCopy

        victim.advisory = Advisory.objects.create(
            provider=owner, vulnerability_id=f"CVE-2030-{victim.org.pk:04d}", severity="critical",
            title=f"Råd till {victim.org.name}", summary=f"Endast {victim.org.name}",
            first_published_at=seen, published_at=seen, published_by="matris",
        )  # fmt: skip
        for org in (None, victim.org):
            AdvisoryCopy.objects.create(
                advisory=victim.advisory, organisation=org, revision=1, category="csaf_vex",
                document={"document": {"title": f"Råd till {victim.org.name}"}},
            )  # fmt: skip
        victim.markers = (*victim.markers, victim.advisory.title)
    # Live notes (ADR 0680): one in each victim's workspace, with a kept version.
    from samdrift.coediting.models import LiveDoc, LiveVersion

    for victim in (b, c):
        victim.live_doc = LiveDoc.objects.create(
            workspace=victim.workspace, kind="note", title=f"Hemlig anteckning {victim.org.name}"
        )
        victim.live_version = LiveVersion.objects.create(
            doc=victim.live_doc, name=f"Hemlig version {victim.org.name}", state=b"\x00\x00"
        )
        victim.markers = (*victim.markers, victim.live_doc.title, victim.live_version.name)
    # Meetings (ADR 0677): a room planned in each victim's workspace (no media server needed).
    from samdrift.meetings.models import MeetingAdmission, MeetingRoom

    for victim in (b, c):
        victim.meeting = MeetingRoom.objects.create(
            workspace=victim.workspace, owner_org=victim.org, janus_room=f"sd-matris-{victim.org.pk}",
            title=f"Hemligt möte {victim.org.name}", classification=victim.workspace.classification,
        )  # fmt: skip
        victim.meeting_admission = MeetingAdmission.objects.create(
            room=victim.meeting, user=victim.cmember.user, organisation=victim.org,
            role="participant", state="waiting",
        )  # fmt: skip
        victim.markers = (*victim.markers, victim.meeting.title)
    # Chat (ADR 0655): each victim's room with one archived part of its history (no homeserver
    # needed: the archive is samdrift's own files).
    from samdrift.chat.models import ChatArchive, ChatRoom
    from samdrift.core.actor import SYSTEM as _SYSTEM
    from samdrift.core.files.services import store as _store

    for victim in (b, c):
        victim.chat_room = ChatRoom.objects.create(
            workspace=victim.workspace, room_id=f"!matris{victim.org.pk}:samdrift.localhost",
            alias=f"#matris{victim.org.pk}:samdrift.localhost",
        )  # fmt: skip
        files = [
            _store(
                io.BytesIO(f"Hemlig chatt {victim.org.name}".encode()),
                f"arkiv.{kind}",
                mime,
                actor=_SYSTEM,
                owner_org_id=victim.org.pk,
            )
            for kind, mime in (("json", "application/json"), ("pdf", "application/pdf"))
        ]
        victim.chat_archive = ChatArchive.objects.create(
            room=victim.chat_room, up_to=timezone.now(), events=1, json_file=files[0],
            pdf_file=files[1],
        )  # fmt: skip
        victim.markers = (*victim.markers, f"Hemlig chatt {victim.org.name}")
    # DSAM (ADR 0962): each provider's draft evaluation, seen by its own staff only.
    from samdrift.cooperation.models import Catalogue, Evaluation, Requirement

    for victim, keeper in ((b, fk), (c, second)):
        catalogue = Catalogue.objects.create(
            code=f"KRAV-{keeper.pk}", name=f"Hemlig kravkatalog {keeper.name}", owner=keeper
        )
        Requirement.objects.create(
            catalogue=catalogue, ref="K1", position=1, area="Video", text="Video", grade="skall"
        )
        victim.evaluation = Evaluation.objects.create(
            code=f"UTV-{keeper.pk}", title=f"Hemlig utvärdering {keeper.name}", catalogue=catalogue
        )
        victim.markers = (*victim.markers, victim.evaluation.title, catalogue.name)
    # Steering group decisions (ADR 0972): each binds its provider alone, read by its staff only.
    from samdrift.cooperation.models import SteeringDecision

    for victim, keeper in ((b, fk), (c, second)):
        victim.decision = SteeringDecision.objects.create(
            body="sitssam", reference=f"STYR-{keeper.pk}", decided_on=datetime.date(2025, 1, 1),
            title=f"Hemligt styrgruppsbeslut {keeper.name}", text="Beslut.",
            recorded_for=keeper, recorded_by="matris",
        )  # fmt: skip
        victim.decision.providers.set([keeper])
        victim.markers = (*victim.markers, victim.decision.title)

    clients = {"anonymous": Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
        # An e-ID login at loa3: the SAFOS and EFOS operator addresses would otherwise answer
        # every role with a step-up, and the matrix would never reach their tenancy rules.
        session = clients[role].session
        session[LOGIN_SESSION_KEY] = {"user_id": user.pk, "rank": 3}
        session.save()
    return World(
        fk=fk,
        second=second,
        a=a,
        b=b,
        c=c,
        run_period=run_period,
        users=users,
        clients=clients,
    )
