"""What the cross-agency matrix knows about every address: one declaration per URL pattern name
and per OpenAPI operation. An address without one fails `test_every_address_is_declared`, so a
new page or operation cannot slip in untested.

Kinds:
* OBJECT: names another agency's (or provider's) object by id, in the path or in the form. The
  answer for the victim's object must be a refusal, the same as for an id that does not exist,
  at the same query cost, with nothing changed.
* LIST: names no object; every role's answer must hold none of the victim's markers.
* PUBLIC: open to anyone by design, and carries no agency's data (checked like LIST).
* PROTOCOL: answers another system, not a user (OpenID provider, OCSP, CRL, TSA); its own tests
  cover it, and its answers hold no agency data. Not called by the matrix.
* SKIP: calling it would change the shared test clients themselves (logout); the reason says so.

Ids are filled from the victim by *reference* ("case.id", "draft.code"), so the same
declaration serves every victim and the missing counterpart (`MISSING`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

OBJECT, LIST, PUBLIC, PROTOCOL, SKIP = "object", "list", "public", "protocol", "skip"
MISSING_ID = 987654


@dataclass(frozen=True)
class Case:
    kind: str
    params: dict[str, str] = field(default_factory=dict)  # path parameter → victim reference
    method: str = "GET"
    data: Callable[[Callable[[str], Any]], dict[str, Any]] | None = None  # ref → body
    reason: str = ""


# The demand report across providers (SITSSAM): totals over every agency, to provider staff only.
_ACROSS_PROVIDERS = {"year": 2026, "basis": "all", "providers": "all"}

# The items of CERT-SE's final report (operations/data/legal_deadlines.json): a complete report,
# so only whose incident it is may be wrong.
_CERT_FINAL = ("occurred", "detected", "ongoing", "scope", "categories")


def _get(victim: Any, ref: str) -> Any:
    value = victim
    for part in ref.split("."):
        value = getattr(value, part)
    return value


def ref_of(victim: Any, world: Any) -> Callable[[str], Any]:
    """A resolver for references: the victim's value, or a missing one when victim is None."""

    def resolve(ref: str) -> Any:
        if ref == "period":
            return world.run_period.strftime("%Y-%m") if victim is not None else "2031-05"
        if victim is None:
            return "NOPE" if ref.endswith(".code") else MISSING_ID
        value = _get(victim, ref)
        return value if value is not None else MISSING_ID

    return resolve


def _org(ref: Callable[[str], Any]) -> dict[str, Any]:
    return {"organisation": ref("org.id")}


def _dsam_csv() -> SimpleUploadedFile:
    return SimpleUploadedFile("krav.csv", b"id;area;text;grade\nM1;Video;Matris;skall\n")


def _dsam_import(ref: Callable[[str], Any]) -> dict[str, Any]:
    """A valid DSAM catalogue; only the keeping agency (the victim's provider) is wrong."""
    return {"code": "MATRIS", "name": "Matris", "owner": ref("evaluation.catalogue.owner_id")}


def _report(ref: Callable[[str], Any]) -> dict[str, Any]:
    """A valid Trivy report; only the component (the victim's) is wrong."""
    report = (
        b'{"SchemaVersion": 2, "Results": [{"Target": "matris", "Vulnerabilities": ['
        b'{"VulnerabilityID": "CVE-2030-0002", "PkgName": "matris", "Severity": "HIGH"}]}]}'
    )
    return {"component": ref("component.name"),
            "file": SimpleUploadedFile("matris.json", report, "application/json")}  # fmt: skip


def _decision(ref: Callable[[str], Any]) -> dict[str, Any]:
    """A valid decision; only the recording agency (the victim's provider) is wrong."""
    return {"recorded_for": ref("decision.recorded_for_id"), "body": "sitssam",
            "reference": "MATRIS-1", "decided_on": "2025-01-02", "title": "Matris",
            "text": "Matris."}  # fmt: skip


def _service_form(provider_id: Any) -> dict[str, Any]:
    """A complete, valid service (catalogue pages and API): only whose it is may be wrong."""
    form = {
        "code": "MATRIXNY",
        "name_sv": "Matris",
        "name_en": "Matrix",
        "category": "infrastructure",
        "availability_target": "99.5",
        "support_hours": "office",
        "rto_hours": "8",
        "rpo_hours": "8",
        "display_order": "100",
    }
    return form if provider_id is None else {**form, "provider": provider_id}


PAGES: dict[str, Case] = {
    "set_language": Case(PUBLIC, method="POST", data=lambda ref: {"language": "sv"}),
    "accounts:login": Case(PUBLIC),
    "accounts:logout": Case(SKIP, reason="would end the shared client's session"),
    "accounts:tokens": Case(LIST),
    "accounts:app_passwords": Case(LIST),
    "organisations:list": Case(LIST),
    "organisations:detail": Case(OBJECT, {"pk": "org.id"}),
    "organisations:invite": Case(
        OBJECT,
        {"pk": "org.id"},
        "POST",
        lambda ref: {"email": "a_member@example.se", "role": "member"},
    ),
    # The token is the secret: a logged-in holder of the link reads the invitation (ADR 0111).
    "organisations:invitation_accept": Case(LIST, {"token": "literal:nope"}),
    "organisations:member_role": Case(
        OBJECT,
        {"pk": "org.id", "membership_id": "membership.id"},
        "POST",
        lambda ref: {"role": "member"},
    ),
    "organisations:member_end": Case(
        OBJECT, {"pk": "org.id", "membership_id": "membership.id"}, "POST"
    ),
    "catalogue:list": Case(LIST),
    "catalogue:detail": Case(OBJECT, {"code": "draft.code"}),
    # Keeping the catalogue (ADR 0220): the victim is the other provider's *published* service,
    # which the role may see but not change (a customer's victim is FK's EFOS).
    "catalogue:create": Case(
        OBJECT, method="POST", data=lambda ref: _service_form(ref("service.provider_id"))
    ),
    "catalogue:edit": Case(
        OBJECT,
        {"code": "service.code"},
        "POST",
        lambda ref: {**_service_form(None), "version": "1", "min_rank": "4"},
    ),
    "catalogue:transition": Case(
        OBJECT,
        {"code": "service.code"},
        "POST",
        lambda ref: {"to": "retiring", "version": "1", "retirement_date": "2031-01-01"},
    ),
    "catalogue:dependency_add": Case(
        OBJECT, {"code": "service.code"}, "POST", lambda ref: {"depends_on": "HEMLIGFK"}
    ),
    "catalogue:dependency_remove": Case(
        OBJECT, {"code": "draft.code", "depends_on": "literal:EFOS"}, "POST"
    ),
    "catalogue:graph": Case(LIST),
    "catalogue:categories": Case(LIST),
    "onboarding:case_list": Case(LIST),
    "onboarding:case_open": Case(
        OBJECT,
        method="POST",
        data=lambda ref: {"organisation": ref("org.id"), "scope": "single", "services": "EFOS"},
    ),
    "onboarding:case_detail": Case(OBJECT, {"pk": "case.id"}),
    "onboarding:case_attachment_add": Case(
        OBJECT,
        {"pk": "case.id"},
        "POST",
        lambda ref: {"file": SimpleUploadedFile("plan.txt", b"matrix", "text/plain")},
    ),
    "onboarding:case_attachment": Case(
        OBJECT, {"pk": "case.id", "attachment_id": "literal:987654"}
    ),
    "onboarding:case_check": Case(
        OBJECT,
        {"pk": "case.id", "item_id": "item.id"},
        "POST",
        lambda ref: {"done": "on", "version": "1"},
    ),
    "onboarding:case_sign_off": Case(
        OBJECT, {"pk": "case.id"}, "POST", lambda ref: {"version": "1"}
    ),
    "onboarding:case_advance": Case(
        OBJECT, {"pk": "case.id"}, "POST", lambda ref: {"version": "1"}
    ),
    "onboarding:case_cancel": Case(
        OBJECT, {"pk": "case.id"}, "POST", lambda ref: {"version": "1", "reason": "x"}
    ),
    "onboarding:request_list": Case(LIST),
    "onboarding:request_create": Case(
        OBJECT, method="POST", data=lambda ref: {**_org(ref), "service": "EFOS"}
    ),
    "onboarding:request_withdraw": Case(OBJECT, {"pk": "request.id"}, "POST"),
    "onboarding:request_decline": Case(OBJECT, {"pk": "request.id"}, "POST"),
    "onboarding:demand_report": Case(LIST, data=lambda ref: _ACROSS_PROVIDERS),
    "onboarding:checklists": Case(LIST),
    "identity:login": Case(PUBLIC),
    "identity:login_start": Case(PROTOCOL, reason="starts a login at an identity provider"),
    "identity:callback": Case(PROTOCOL, reason="an identity provider's redirect back"),
    "identity:step_up": Case(PUBLIC),
    "identity:session": Case(LIST),
    "identity:access_request": Case(PUBLIC),
    "identity:access_request_list": Case(LIST),
    "identity:provider_list": Case(LIST),
    "identity:jwks": Case(PROTOCOL, reason="our public key"),
    "efos:discovery": Case(PROTOCOL, reason="OpenID provider metadata"),
    "efos:jwks": Case(PROTOCOL, reason="OpenID provider keys"),
    "efos:authorize": Case(PROTOCOL, reason="OpenID provider endpoint"),
    "efos:token": Case(PROTOCOL, reason="OpenID provider endpoint"),
    "efos:userinfo": Case(PROTOCOL, reason="OpenID provider endpoint (bearer token)"),
    "efos:ocsp": Case(PROTOCOL, reason="OCSP responder"),
    "efos:ocsp_get": Case(PROTOCOL, reason="OCSP responder"),
    "efos:crl": Case(PROTOCOL, reason="certificate revocation list"),
    "efos:root_crl": Case(PROTOCOL, reason="certificate revocation list"),
    "efos:ca_chain": Case(PROTOCOL, reason="CA certificates"),
    "efos:tsa": Case(PROTOCOL, reason="time-stamping authority"),
    "efos:home": Case(LIST),
    "efos:official_list": Case(LIST),
    "efos:official_new": Case(
        OBJECT,
        method="POST",
        data=lambda ref: {**_org(ref), "given_name": "X", "surname": "Y"},
    ),
    "efos:official_detail": Case(OBJECT, {"official_id": "official.id"}),
    "efos:credential_action": Case(
        OBJECT,
        {"credential_id": "credential.id", "action": "literal:verify"},
        "POST",
        lambda ref: {"note": "matrix"},
    ),
    "efos:document_list": Case(LIST),
    "efos:document_detail": Case(OBJECT, {"document_id": "document.id"}),
    "efos:document_sign": Case(OBJECT, {"document_id": "document.id"}, "POST"),
    "efos:sign_callback": Case(PROTOCOL, reason="the signing service's redirect back"),
    "efos:signature_pdf": Case(
        OBJECT, {"document_id": "document.id", "signature_id": "literal:987654"}
    ),
    "efos:validate": Case(LIST),
    "efos:client_list": Case(LIST),
    "billing:invoices": Case(LIST),
    "billing:invoices_export": Case(LIST),
    "billing:invoice": Case(OBJECT, {"invoice_id": "invoice.id"}),
    "billing:invoice_ubl": Case(OBJECT, {"invoice_id": "invoice.id"}),
    "billing:invoice_pdf": Case(OBJECT, {"invoice_id": "invoice.id"}),
    "billing:invoice_credit": Case(
        OBJECT, {"invoice_id": "invoice.id"}, "POST", lambda ref: {"reason": "matrix"}
    ),
    "billing:invoice_correct": Case(OBJECT, {"invoice_id": "invoice.id"}, "POST"),
    # Each provider's own runs (ADR 0668): the victim's provider's is missing to another's staff.
    "billing:runs": Case(OBJECT, data=lambda ref: {"provider": ref("run.provider_id")}),
    "billing:run": Case(
        OBJECT, {"period": "period"}, data=lambda ref: {"provider": ref("run.provider_id")}
    ),
    "billing:run_finalise": Case(
        OBJECT, {"period": "period"}, "POST", lambda ref: {"provider": ref("run.provider_id")}
    ),
    "billing:prices": Case(LIST),
    "billing:costs": Case(LIST),
    "billing:ledger": Case(LIST),
    "billing:usage": Case(LIST),
    "billing:report": Case(LIST),
    "billing:report_export": Case(LIST),
    "billing:allocation": Case(LIST),
    # Each provider's own fee model (ADR 0664): the victim's provider is missing to the others.
    "billing:fee_areas": Case(OBJECT, data=lambda ref: {"provider": ref("fee_area.provider_id")}),
    "billing:fee_area": Case(OBJECT, {"fee_area_id": "fee_area.id"}),
    "billing:project_time": Case(LIST),
    "billing:exit": Case(LIST),
    "accessibility:check": Case(LIST),
    # Program 2032 sites (ADR 0913): provider staff only, each their own provider's services.
    "continuity:sites": Case(LIST),
    "continuity:lose": Case(LIST, data=lambda ref: {"site": "MATRIS-1"}),
    "continuity:drills": Case(LIST),
    "continuity:site_add": Case(
        LIST,
        method="POST",
        data=lambda ref: {
            "site-code": "MATRIS-2",
            "site-name": "Matris",
            "site-operator": "202100-5521",
            "site-region": "mitt",
            "site-security_class": 0,
            "site-capacity": 1,
        },
    ),
    "continuity:place": Case(
        OBJECT,
        method="POST",
        data=lambda ref: {
            "place-service": ref("service.code"),
            "place-site": "MATRIS-1",
            "place-role": "secondary",
            "place-rto_hours": 4,
        },
    ),
    "continuity:policy": Case(
        OBJECT,
        method="POST",
        data=lambda ref: {
            "policy-service": ref("service.code"),
            "policy-min_sites": 1,
            "policy-min_regions": 1,
            "policy-min_security_class": 0,
        },
    ),
    "continuity:unplace": Case(OBJECT, {"placement_id": "placement.id"}, "POST"),
    # Security findings (ADR 0952): the SOC its own components', a customer what reaches it.
    "security:findings": Case(LIST),
    "security:finding": Case(OBJECT, {"finding_id": "finding.id"}),
    # The SOC imports for its own component: the victim's is refused as a missing one is.
    "security:imports": Case(OBJECT, method="POST", data=lambda ref: _report(ref)),
    "security:dashboard": Case(LIST),
    "security:advisories": Case(LIST),
    "security:cases": Case(LIST),
    "security:advisory": Case(OBJECT, {"advisory_id": "advisory.id"}),
    "security:advisory_csaf": Case(OBJECT, {"advisory_id": "advisory.id"}),
    "collaboration:workspaces": Case(LIST),
    "operations:incidents": Case(LIST),
    "operations:surveys": Case(LIST),
    "operations:survey": Case(OBJECT, {"survey_id": "survey.id"}),
    "operations:report": Case(
        LIST,
        method="POST",
        data=lambda ref: {
            "service": ref("service.code"),
            "organisation": ref("org.id"),
            "title": "Matris",
            "impact": "3",
            "urgency": "3",
        },
    ),
    "operations:incident": Case(OBJECT, {"incident_id": "incident.id"}),
    "operations:incident_transition": Case(
        OBJECT, {"incident_id": "incident.id"}, "POST", data=lambda ref: {"state": "resolved"}
    ),
    # The refused form shows the text as typed (the victim's code or the missing one): a LIST,
    # whose answers must hold none of the victim's markers; the API's refusal is compared.
    "operations:incident_note": Case(
        OBJECT, {"incident_id": "incident.id"}, "POST", data=lambda ref: {"text": "Matris"}
    ),
    "operations:incident_respond": Case(
        OBJECT, {"incident_id": "incident.id"}, "POST", data=lambda ref: {"message": "Matris"}
    ),
    "operations:incident_priority": Case(
        OBJECT, {"incident_id": "incident.id"}, "POST", data=lambda ref: {"impact": 1, "urgency": 1}
    ),
    "operations:incident_wait": Case(
        OBJECT,
        {"incident_id": "incident.id"},
        "POST",
        data=lambda ref: {"organisation": ref("org.id"), "waiting": "1", "reason": "Matris"},
    ),
    "operations:incident_major": Case(
        OBJECT, {"incident_id": "incident.id"}, "POST", data=lambda ref: {"major": "1"}
    ),
    "operations:incident_parent": Case(
        OBJECT, {"incident_id": "incident.id"}, "POST", data=lambda ref: {"parent": ""}
    ),
    "operations:incident_problem": Case(
        OBJECT, {"incident_id": "incident.id"}, "POST", data=lambda ref: {"problem": ""}
    ),
    "operations:problems": Case(
        LIST, method="POST", data=lambda ref: {"service": ref("draft.code"), "title": "Matris"}
    ),
    "operations:problem": Case(OBJECT, {"problem_id": "problem.id"}),
    "operations:problem_known_error": Case(
        OBJECT,
        {"problem_id": "problem.id"},
        "POST",
        data=lambda ref: {"root_cause": "Matris", "workaround": "Matris"},
    ),
    "operations:problem_transition": Case(
        OBJECT, {"problem_id": "problem.id"}, "POST", data=lambda ref: {"state": "resolved"}
    ),
    "operations:changes": Case(
        LIST,
        method="POST",
        data=lambda ref: {
            "service": ref("draft.code"),
            "kind": "normal",
            "title": "Matris",
            "window_start": "2030-01-01T08:00",
            "window_end": "2030-01-01T09:00",
        },
    ),
    "operations:change": Case(OBJECT, {"change_id": "change.id"}),
    "operations:change_transition": Case(
        OBJECT, {"change_id": "change.id"}, "POST", data=lambda ref: {"state": "approved"}
    ),
    "operations:change_reschedule": Case(
        OBJECT,
        {"change_id": "change.id"},
        "POST",
        data=lambda ref: {"window_start": "2030-02-01T08:00", "window_end": "2030-02-01T09:00"},
    ),
    "operations:capacity": Case(
        LIST,
        method="POST",
        data=lambda ref: {"text": f"{ref('draft.code')};users;2020-01-01 08:00;1"},
    ),
    "operations:capacity_service": Case(
        OBJECT,
        {"code": "draft.code"},
        "POST",
        data=lambda ref: {"kind": "users", "capacity": "5", "prometheus_query": ""},
    ),
    "operations:matrices": Case(
        LIST,
        method="POST",
        data=lambda ref: {
            "service": ref("draft.code"),
            "name": "Matris",
            "effective_from": "2030-01-01",
            "text": "Drift;R;202100-5521\nDrift;A;202100-5521",
        },
    ),
    "operations:matrix": Case(OBJECT, {"matrix_id": "matrix.id"}),
    "operations:matrix_publish": Case(OBJECT, {"matrix_id": "matrix.id"}, "POST"),
    "operations:incident_route": Case(
        OBJECT, {"incident_id": "incident.id"}, "POST", data=lambda ref: {"function": "Drift"}
    ),
    "operations:incident_escalate": Case(
        OBJECT, {"incident_id": "incident.id"}, "POST", data=lambda ref: {"reason": "Matris"}
    ),
    "operations:incident_classify": Case(
        OBJECT, {"incident_id": "incident.id"}, "POST", data=lambda ref: {"regimes": ["nis2"]}
    ),
    "operations:legal_report": Case(
        OBJECT,
        {"incident_id": "incident.id", "regime": "literal:cert-se", "code": "literal:final"},
        "POST",
        data=lambda ref: {f"item_{k}": "Matris" for k in _CERT_FINAL},
    ),
    "operations:legal_report_customer": Case(
        OBJECT,
        {
            "incident_id": "incident.id",
            "regime": "literal:gdpr-33",
            "code": "literal:processor-notice",
            "customer": "org.id",
        },
    ),
    "operations:legal_download": Case(
        OBJECT,
        {
            "incident_id": "incident.id",
            "regime": "literal:cert-se",
            "code": "literal:first",
            "fmt": "literal:txt",
        },
    ),
    "operations:legal_download_customer": Case(
        OBJECT,
        {
            "incident_id": "incident.id",
            "regime": "literal:gdpr-33",
            "code": "literal:processor-notice",
            "customer": "org.id",
            "fmt": "literal:txt",
        },
    ),
    "operations:availability": Case(LIST),
    "operations:availability_service": Case(OBJECT, {"code": "draft.code"}),
    "operations:availability_agency": Case(OBJECT, {"agency_id": "org.id"}),
    "operations:outage_record": Case(
        LIST,
        method="POST",
        data=lambda ref: {
            "service_code": ref("draft.code"),
            "summary": "Matris",
            "level": "outage",
            "started_at": "2030-01-01T08:00",
        },
    ),
    "operations:outage_end": Case(OBJECT, {"outage_id": "outage.id"}, "POST"),
    "operations:status": Case(PUBLIC),
    "operations:status_service": Case(OBJECT, {"code": "draft.code"}),
    "collaboration:invitations": Case(LIST),
    "collaboration:search": Case(LIST, data=lambda ref: {"q": "hemligt"}),
    "collaboration:invitation_accept": Case(OBJECT, {"invitation_id": "cinvitation.id"}, "POST"),
    "collaboration:invitation_decline": Case(OBJECT, {"invitation_id": "cinvitation.id"}, "POST"),
    "collaboration:workspace": Case(OBJECT, {"workspace_id": "workspace.id"}),
    "chat:room": Case(OBJECT, {"workspace_id": "workspace.id"}),
    "chat:provision": Case(OBJECT, {"workspace_id": "workspace.id"}, "POST"),
    "chat:export": Case(OBJECT, {"workspace_id": "workspace.id"}),
    "chat:export_pdf": Case(OBJECT, {"workspace_id": "workspace.id"}),
    "chat:hold": Case(
        OBJECT,
        {"workspace_id": "workspace.id"},
        "POST",
        data=lambda ref: {"action": "set", "reason": "Matris"},
    ),
    "chat:send": Case(
        OBJECT, {"workspace_id": "workspace.id"}, "POST", data=lambda ref: {"text": "Matris"}
    ),
    "chat:react": Case(
        OBJECT,
        {"workspace_id": "workspace.id"},
        "POST",
        data=lambda ref: {"event_id": "$matris", "key": "👍"},
    ),
    "chat:attach": Case(
        OBJECT,
        {"workspace_id": "workspace.id"},
        "POST",
        lambda ref: {"file": SimpleUploadedFile("plan.txt", b"matrix", "text/plain")},
    ),
    "chat:archive_download": Case(
        OBJECT,
        {"workspace_id": "workspace.id", "archive_id": "chat_archive.id", "kind": "literal:json"},
    ),
    "chat:appservice_transaction": Case(
        PROTOCOL, reason="the Matrix homeserver's transactions (samdrift/chat/tests/test_engine.py)"
    ),
    "chat:appservice_query": Case(PROTOCOL, reason="the Matrix homeserver's queries"),
    "chat:room_entry": Case(
        PROTOCOL,
        reason="the homeserver's room-entry module (its own secret; ADR 0666, "
        "samdrift/chat/tests/test_room_entry.py)",
    ),
    "chat:sso_discovery": Case(PROTOCOL, reason="OpenID provider metadata for the homeserver"),
    "chat:sso_jwks": Case(PROTOCOL, reason="OpenID provider keys for the homeserver"),
    "chat:sso_authorize": Case(
        PROTOCOL, reason="the homeserver's sign-in; the person's own session, no object id"
    ),
    "chat:sso_token": Case(PROTOCOL, reason="the homeserver's code redemption (client secret)"),
    "calendars:list": Case(LIST),
    "calendars:detail": Case(OBJECT, {"calendar_id": "calendar.id"}),
    "calendars:board": Case(OBJECT, {"calendar_id": "calendar.id"}),
    "calendars:free_busy": Case(OBJECT, {"calendar_id": "calendar.id"}),
    "calendars:move": Case(
        OBJECT,
        {"calendar_id": "calendar.id"},
        "POST",
        data=lambda ref: {"href": "x.ics", "etag": '"x"', "status": "COMPLETED"},
    ),
    "calendars:import": Case(OBJECT, {"calendar_id": "calendar.id"}, "POST"),
    "calendars:export": Case(OBJECT, {"calendar_id": "calendar.id"}),
    # GET: the titles; creating in a foreign workspace is refused by the same workspace_get
    # (coediting/tests/test_pages.py).
    "coediting:list": Case(OBJECT, {"workspace_id": "workspace.id"}),
    "coediting:doc": Case(OBJECT, {"doc_id": "live_doc.id"}),
    "coediting:export": Case(OBJECT, {"doc_id": "live_doc.id", "fmt": "literal:html"}),
    "coediting:version_keep": Case(
        OBJECT, {"doc_id": "live_doc.id"}, "POST", data=lambda ref: {"name": "Matris"}
    ),
    "coediting:version_restore": Case(
        OBJECT, {"doc_id": "live_doc.id", "version_id": "live_version.id"}, "POST"
    ),
    # GET: the titles; starting a meeting in a foreign workspace is refused by the same
    # workspace_get (meetings/tests/test_pages.py).
    "meetings:mine": Case(LIST),
    "meetings:workspace": Case(OBJECT, {"workspace_id": "workspace.id"}),
    "meetings:room": Case(OBJECT, {"room_id": "meeting.id"}),
    "meetings:broadcast": Case(OBJECT, {"room_id": "meeting.id"}),
    # A segment's address is signed for one viewer by the playlist (ADR 0970): unsigned, 404.
    "meetings:broadcast_segment": Case(
        OBJECT, {"room_id": "meeting.id", "name": "literal:seg0.ts"}
    ),
    "collaboration:upload": Case(
        OBJECT,
        {"workspace_id": "workspace.id"},
        "POST",
        lambda ref: {"file": SimpleUploadedFile("plan.txt", b"matrix", "text/plain")},
    ),
    "collaboration:folder_create": Case(
        OBJECT, {"workspace_id": "workspace.id"}, "POST", lambda ref: {"name": "Matris"}
    ),
    "collaboration:workspace_classify": Case(
        OBJECT, {"workspace_id": "workspace.id"}, "POST", lambda ref: {"classification": "1"}
    ),
    "collaboration:trash": Case(OBJECT, {"workspace_id": "workspace.id"}),
    "collaboration:members": Case(OBJECT, {"workspace_id": "workspace.id"}),
    "collaboration:invitation_revoke": Case(
        OBJECT, {"workspace_id": "workspace.id", "invitation_id": "cinvitation.id"}, "POST"
    ),
    "collaboration:member_role": Case(
        OBJECT,
        {"workspace_id": "workspace.id", "member_id": "cmember.id"},
        "POST",
        lambda ref: {"role": "reader"},
    ),
    "collaboration:member_remove": Case(
        OBJECT, {"workspace_id": "workspace.id", "member_id": "cmember.id"}, "POST"
    ),
    "collaboration:member_transfer": Case(
        OBJECT, {"workspace_id": "workspace.id", "member_id": "cmember.id"}, "POST"
    ),
    "collaboration:leave": Case(OBJECT, {"workspace_id": "workspace.id"}, "POST"),
    "collaboration:document": Case(OBJECT, {"document_id": "cdoc.id"}),
    "collaboration:document_download": Case(OBJECT, {"document_id": "cdoc.id"}),
    "collaboration:version_upload": Case(
        OBJECT,
        {"document_id": "cdoc.id"},
        "POST",
        lambda ref: {"file": SimpleUploadedFile("plan.txt", b"matrix", "text/plain")},
    ),
    "collaboration:version_restore": Case(
        OBJECT, {"document_id": "cdoc.id", "number": "literal:1"}, "POST"
    ),
    "collaboration:document_lock": Case(OBJECT, {"document_id": "cdoc.id"}, "POST"),
    "collaboration:document_unlock": Case(OBJECT, {"document_id": "cdoc.id"}, "POST"),
    "collaboration:document_trash": Case(OBJECT, {"document_id": "cdoc.id"}, "POST"),
    "collaboration:document_untrash": Case(OBJECT, {"document_id": "cdoc.id"}, "POST"),
    "collaboration:document_classify": Case(
        OBJECT, {"document_id": "cdoc.id"}, "POST", lambda ref: {"classification": "2"}
    ),
    "collaboration:document_reads": Case(OBJECT, {"document_id": "cdoc.id"}),
    "collaboration:document_shares": Case(OBJECT, {"document_id": "cdoc.id"}),
    "collaboration:document_preview": Case(OBJECT, {"document_id": "cdoc.id"}),
    "collaboration:share_revoke": Case(OBJECT, {"share_id": "cshare.id"}, "POST"),
    "collaboration:shared": Case(OBJECT, {"token": "cshare_token"}),
    "collaboration:shared_download": Case(OBJECT, {"token": "cshare_token"}),
    "collaboration:document_reads_csv": Case(OBJECT, {"document_id": "cdoc.id"}),
    # publishing (ADR 0618) and the agency's own scale, kept by its security role (ADR 0617)
    "collaboration:document_publish": Case(OBJECT, {"document_id": "cdoc.id"}, "POST"),
    "collaboration:document_unpublish": Case(OBJECT, {"document_id": "cdoc.id"}, "POST"),
    "collaboration:workspace_publishing": Case(
        OBJECT,
        {"workspace_id": "workspace.id"},
        "POST",
        lambda ref: {"require_accessible_pdfs": "on"},
    ),
    "collaboration:agency_scale": Case(
        OBJECT,
        {"agency_id": "org.id"},
        "POST",
        lambda ref: {"rows": "1", "sv_0": "Matris", "en_0": "Matrix", "level_0": "1"},
    ),
    "reporting:index": Case(LIST),
    "reporting:government": Case(LIST, {"year": "literal:2030"}),
    "reporting:government_pdf": Case(SKIP, reason="renders a PDF (seconds); the HTML is matrixed"),
    # Queues the PDF job (no worker runs here): only the provider's own staff may; no agency data.
    "reporting:government_pdf_prepare": Case(LIST, {"year": "literal:2030"}, "POST"),
    "reporting:text_edit": Case(LIST, {"year": "literal:2030"}),
    "reporting:decision_edit": Case(LIST, {"year": "literal:2030"}),
    # ADR 0516: the deciding official files the report with EFOS; the signed PDF once sealed.
    "reporting:sign": Case(LIST, {"year": "literal:2030"}, "POST"),
    "reporting:signed_pdf": Case(LIST, {"year": "literal:2030"}),
    "audit:trail": Case(LIST),
    "audit:export": Case(LIST),
    "jobs:list": Case(LIST),
    "jobs:detail": Case(OBJECT, {"job_id": "job.id"}),
    "jobs:file": Case(OBJECT, {"job_id": "job.id"}),
    "notifications:inbox": Case(LIST),
    "notifications:preferences": Case(LIST),
    "ui:dashboard": Case(LIST),
    "ui:start": Case(LIST),
    "ui:healthz": Case(PUBLIC),
    "ui:profile": Case(LIST),
    # The site-wide search (ADR 0702): a word in every victim's agency, official, workspace and
    # incident; samdrift/ui/tests/test_search_tenancy.py searches each object by its own terms.
    "ui:search": Case(LIST, data=lambda ref: {"q": "hemlig"}),
    # DSAM evaluations (ADR 0963): the victim is the other provider's draft evaluation.
    "cooperation:home": Case(LIST),
    "cooperation:catalogue_import": Case(
        OBJECT, method="POST", data=lambda ref: {**_dsam_import(ref), "file": _dsam_csv()}
    ),
    "cooperation:catalogue": Case(OBJECT, {"code": "evaluation.catalogue.code"}),
    "cooperation:evaluation_create": Case(
        OBJECT,
        method="POST",
        data=lambda ref: {
            "catalogue": ref("evaluation.catalogue.code"),
            "code": "MATRIS",
            "title": "Matris",
        },
    ),
    "cooperation:evaluation": Case(OBJECT, {"code": "evaluation.code"}),
    "cooperation:report": Case(OBJECT, {"code": "evaluation.code"}),
    "cooperation:solution_add": Case(
        OBJECT, {"code": "evaluation.code"}, "POST", lambda ref: {"name": "Matris"}
    ),
    "cooperation:assess": Case(
        OBJECT,
        {"code": "evaluation.code"},
        "POST",
        lambda ref: {"solution": "1", "requirement": "K1", "verdict": "met", "evidence": "x"},
    ),
    "cooperation:publish": Case(OBJECT, {"code": "evaluation.code"}, "POST"),
    # Steering group decisions (ADR 0972): the victim's decision binds its own provider alone.
    "cooperation:decisions": Case(LIST),
    "cooperation:decision": Case(OBJECT, {"decision_id": "decision.id"}),
    "cooperation:decision_record": Case(OBJECT, method="POST", data=lambda ref: _decision(ref)),
}

# API operations: path parameters are named after what they hold, so one map serves them all.
API_PARAMS: dict[str, str] = {
    "evaluation_code": "evaluation.code",
    "catalogue_code": "evaluation.catalogue.code",
    "decision_id": "decision.id",
    "agency_id": "org.id",
    "case_id": "case.id",
    "item_id": "item.id",
    "request_id": "request.id",
    "subscription_id": "subscription.id",
    "token_id": "token.id",
    "password_id": "app_password.id",
    "membership_id": "membership.id",
    "invoice_id": "invoice.id",
    "fee_area_id": "fee_area.id",
    "official_id": "official.id",
    "credential_id": "credential.id",
    "notification_id": "notification.id",
    "code": "draft.code",
    "dependency_code": "literal:EFOS",
    "period": "period",
    "year": "literal:2030",
    "attachment_id": "literal:987654",
    "job_id": "job.id",  # the case is what is foreign; no document is needed
    "workspace_id": "workspace.id",
    "document_id": "cdoc.id",
    "member_id": "cmember.id",
    "invitation_id": "cinvitation.id",
    "number": "literal:1",
    "incident_id": "incident.id",
    "outage_id": "outage.id",
    "share_id": "cshare.id",
    "held_id": "cheld.id",
    "token": "cshare_token",
    "calendar_id": "calendar.id",
    "survey_id": "survey.id",
    "matrix_id": "matrix.id",
    "problem_id": "problem.id",
    "advisory_id": "advisory.id",
    "finding_id": "finding.id",
    "change_id": "change.id",
    "room_id": "meeting.id",
    "admission_id": "meeting_admission.id",
    "doc_id": "live_doc.id",
    "version_id": "live_version.id",
    "fmt": "literal:html",
    "archive_id": "chat_archive.id",
    "kind": "literal:pdf",
    "placement_id": "placement.id",
    "service_code": "service.code",
}


def _version(ref: Callable[[str], Any]) -> dict[str, Any]:
    return {"version": 1}


def _service_body(provider_id: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        **_service_form(None),
        "availability_target": 99.5,
        "rto_hours": 8,
        "rpo_hours": 8,
        "display_order": 100,
    }
    return body if provider_id is None else {**body, "provider_id": provider_id}


API: dict[tuple[str, str], Case] = {
    ("GET", "/cooperation/evaluations"): Case(LIST),
    ("GET", "/cooperation/evaluations/{evaluation_code}"): Case(OBJECT),
    ("GET", "/cooperation/catalogues/{catalogue_code}"): Case(OBJECT),
    ("POST", "/cooperation/catalogues"): Case(
        OBJECT,
        data=lambda ref: {
            "code": "MATRIS",
            "name": "Matris",
            "owner_id": ref("evaluation.catalogue.owner_id"),
            "requirements": [{"id": "M1", "area": "Video", "text": "Matris", "grade": "skall"}],
        },
    ),
    ("POST", "/cooperation/evaluations/{evaluation_code}/assessments"): Case(
        OBJECT,
        data=lambda ref: {
            "solution": "Matris",
            "requirement": "K1",
            "verdict": "met",
            "evidence": "x",
        },
    ),
    ("GET", "/cooperation/decisions"): Case(LIST),
    ("GET", "/cooperation/decisions/{decision_id}"): Case(OBJECT),
    ("POST", "/cooperation/decisions"): Case(
        OBJECT,
        data=lambda ref: {**_decision(ref), "decided_on": "2025-01-02", "provider_ids": []},
    ),
    ("GET", "/agencies"): Case(LIST),
    ("GET", "/agencies/{agency_id}"): Case(OBJECT),
    ("GET", "/agencies/{agency_id}/members"): Case(OBJECT),
    ("GET", "/agencies/{agency_id}/invitations"): Case(OBJECT),
    ("POST", "/agencies/{agency_id}/invitations"): Case(
        OBJECT, data=lambda ref: {"email": "a_member@example.se", "role": "member"}
    ),
    ("POST", "/invitations/accept"): Case(LIST, method="POST", data=lambda ref: {"token": "nope"}),
    ("PATCH", "/agencies/{agency_id}/members/{membership_id}"): Case(
        OBJECT, data=lambda ref: {"role": "member"}
    ),
    ("DELETE", "/agencies/{agency_id}/members/{membership_id}"): Case(OBJECT),
    ("GET", "/services"): Case(LIST),
    ("GET", "/services/{code}"): Case(OBJECT),
    ("POST", "/services"): Case(OBJECT, data=lambda ref: _service_body(ref("service.provider_id"))),
    ("PUT", "/services/{code}"): Case(
        OBJECT, data=lambda ref: {**_service_body(None), "version": 1}
    ),
    ("POST", "/services/{code}/transition"): Case(
        OBJECT, data=lambda ref: {"to": "active", "version": 1}
    ),
    ("POST", "/services/{code}/dependencies"): Case(
        OBJECT, data=lambda ref: {"depends_on": "EFOS"}
    ),
    ("DELETE", "/services/{code}/dependencies/{dependency_code}"): Case(OBJECT),
    ("PUT", "/identity/services/{code}/assurance"): Case(OBJECT, data=lambda ref: {"min_rank": 4}),
    ("GET", "/categories"): Case(LIST),
    ("POST", "/categories"): Case(
        LIST, method="POST", data=lambda ref: {"code": "", "name_sv": "", "name_en": ""}
    ),
    ("GET", "/requests"): Case(LIST),
    ("POST", "/requests"): Case(
        OBJECT, data=lambda ref: {"organisation_id": ref("org.id"), "service_code": "EFOS"}
    ),
    ("GET", "/requests/{request_id}"): Case(OBJECT),
    ("POST", "/requests/{request_id}/withdraw"): Case(OBJECT),
    ("POST", "/requests/{request_id}/decline"): Case(OBJECT),
    ("PUT", "/requests/{request_id}/plan"): Case(
        OBJECT, data=lambda ref: {"planned_on": "2027-06-30"}
    ),
    ("GET", "/cases"): Case(LIST),
    ("POST", "/cases"): Case(
        OBJECT,
        data=lambda ref: {
            "organisation_id": ref("org.id"),
            "scope": "single",
            "service_codes": ["EFOS"],
        },
    ),
    ("GET", "/cases/{case_id}"): Case(OBJECT),
    ("POST", "/cases/{case_id}/checklist/{item_id}"): Case(
        OBJECT, data=lambda ref: {"done": True, "version": 1}
    ),
    ("POST", "/cases/{case_id}/sign-off"): Case(OBJECT, data=_version),
    ("POST", "/cases/{case_id}/advance"): Case(OBJECT, data=_version),
    ("POST", "/cases/{case_id}/cancel"): Case(
        OBJECT, data=lambda ref: {"reason": "x", "version": 1}
    ),
    ("GET", "/cases/{case_id}/attachments"): Case(OBJECT),
    ("POST", "/cases/{case_id}/attachments"): Case(OBJECT),
    ("GET", "/cases/{case_id}/attachments/{attachment_id}/download"): Case(OBJECT),
    ("GET", "/subscriptions"): Case(LIST),
    ("GET", "/subscriptions/{subscription_id}"): Case(OBJECT),
    ("GET", "/reports/demand"): Case(LIST, data=lambda ref: _ACROSS_PROVIDERS),
    ("GET", "/me/tokens"): Case(LIST),
    ("POST", "/me/tokens"): Case(SKIP, reason="creates the caller's own token (tests/api)"),
    ("DELETE", "/me/tokens/{token_id}"): Case(OBJECT),
    ("GET", "/me/app-passwords"): Case(LIST),
    ("POST", "/me/app-passwords"): Case(SKIP, reason="creates the caller's own app password"),
    ("DELETE", "/me/app-passwords/{password_id}"): Case(OBJECT),
    ("POST", "/accessibility/check"): Case(SKIP, reason="takes a file upload; stores nothing"),
    ("GET", "/continuity/sites"): Case(LIST),
    ("GET", "/continuity/check"): Case(LIST),
    ("GET", "/continuity/drills"): Case(LIST),
    ("GET", "/continuity/archiving"): Case(LIST),
    ("GET", "/continuity/loss"): Case(LIST, data=lambda ref: {"site": "MATRIS-1"}),
    ("POST", "/continuity/sites"): Case(
        LIST,
        method="POST",
        data=lambda ref: {
            "code": "MATRIS-3",
            "name": "Matris",
            "operator": "202100-5521",
            "region": "mitt",
            "security_class": 0,
            "capacity": 1,
        },
    ),
    ("POST", "/continuity/placements"): Case(
        OBJECT,
        method="POST",
        data=lambda ref: {
            "service": ref("service.code"),
            "site": "MATRIS-1",
            "role": "secondary",
            "rto_hours": 4,
        },
    ),
    ("DELETE", "/continuity/placements/{placement_id}"): Case(OBJECT, method="DELETE"),
    ("PUT", "/continuity/policies/{service_code}"): Case(
        OBJECT, method="PUT", data=lambda ref: {"min_sites": 1, "min_regions": 1}
    ),
    ("GET", "/security/findings"): Case(LIST),
    ("GET", "/security/findings/{finding_id}"): Case(OBJECT),
    ("GET", "/security/components"): Case(LIST),
    ("GET", "/security/imports"): Case(LIST),
    ("POST", "/security/imports"): Case(
        SKIP, reason="takes a file upload; the page form of the same service is matrixed"
    ),
    ("GET", "/security/advisories"): Case(LIST),
    ("GET", "/security/cases"): Case(LIST),
    ("POST", "/security/cases"): Case(
        OBJECT,
        method="POST",
        data=lambda ref: {"incident": ref("incident.id"), "category": "malware"},
    ),
    ("GET", "/security/advisories/{advisory_id}/csaf"): Case(OBJECT),
    ("POST", "/security/advisories"): Case(
        LIST,
        method="POST",
        data=lambda ref: {
            "vulnerability_id": "CVE-2030-0001",
            "title": "Matris",
            "summary": "Matris",
        },
    ),
    ("GET", "/collaboration/workspaces"): Case(LIST),
    ("GET", "/collaboration/search"): Case(LIST, data=lambda ref: {"q": "hemligt"}),
    ("GET", "/search"): Case(LIST, data=lambda ref: {"q": "hemlig"}),
    ("GET", "/operations/incidents"): Case(LIST),
    ("GET", "/operations/surveys"): Case(LIST),
    ("POST", "/operations/surveys"): Case(
        LIST,
        method="POST",
        data=lambda ref: {"service": ref("draft.code"), "year": 2031, "closes_on": "2031-12-31"},
    ),
    ("POST", "/operations/surveys/{survey_id}/answer"): Case(
        OBJECT,
        method="POST",
        data=lambda ref: {
            "organisation": ref("org.id"),
            "overall": 5,
            "expectations": 5,
            "ideal": 5,
        },
    ),
    ("GET", "/operations/changes"): Case(LIST),
    ("GET", "/operations/problems"): Case(LIST),
    ("POST", "/operations/incidents"): Case(
        LIST,
        method="POST",
        data=lambda ref: {
            "service": ref("service.code"),
            "title": "Matris",
            "impact": 3,
            "urgency": 3,
            "organisation_id": ref("org.id"),
        },
    ),
    ("GET", "/operations/incidents/{incident_id}"): Case(OBJECT),
    ("POST", "/operations/incidents/{incident_id}/transition"): Case(
        OBJECT, method="POST", data=lambda ref: {"state": "resolved"}
    ),
    ("POST", "/operations/incidents/{incident_id}/notes"): Case(
        OBJECT, method="POST", data=lambda ref: {"text": "Matris"}
    ),
    ("POST", "/operations/problems"): Case(
        LIST, method="POST", data=lambda ref: {"service": ref("draft.code"), "title": "Matris"}
    ),
    ("GET", "/operations/problems/{problem_id}"): Case(OBJECT),
    ("POST", "/operations/problems/{problem_id}/known-error"): Case(
        OBJECT, method="POST", data=lambda ref: {"root_cause": "Matris", "workaround": "Matris"}
    ),
    ("POST", "/operations/problems/{problem_id}/transition"): Case(
        OBJECT, method="POST", data=lambda ref: {"state": "resolved"}
    ),
    ("POST", "/operations/changes"): Case(
        LIST,
        method="POST",
        data=lambda ref: {
            "service": ref("draft.code"),
            "kind": "normal",
            "title": "Matris",
            "window_start": "2030-01-01T08:00",
            "window_end": "2030-01-01T09:00",
        },
    ),
    ("GET", "/operations/changes/{change_id}"): Case(OBJECT),
    ("POST", "/operations/changes/{change_id}/transition"): Case(
        OBJECT, method="POST", data=lambda ref: {"state": "approved"}
    ),
    ("POST", "/operations/changes/{change_id}/reschedule"): Case(
        OBJECT,
        method="POST",
        data=lambda ref: {"window_start": "2030-02-01T08:00", "window_end": "2030-02-01T09:00"},
    ),
    ("POST", "/operations/incidents/{incident_id}/respond"): Case(
        OBJECT, method="POST", data=lambda ref: {"message": "Matris"}
    ),
    ("POST", "/operations/incidents/{incident_id}/priority"): Case(
        OBJECT, method="POST", data=lambda ref: {"impact": 1, "urgency": 1}
    ),
    ("POST", "/operations/incidents/{incident_id}/wait"): Case(
        OBJECT,
        method="POST",
        data=lambda ref: {"organisation_id": ref("org.id"), "waiting": True, "reason": "Matris"},
    ),
    ("POST", "/operations/incidents/{incident_id}/major"): Case(
        OBJECT, method="POST", data=lambda ref: {"major": True}
    ),
    ("POST", "/operations/incidents/{incident_id}/parent"): Case(
        OBJECT, method="POST", data=lambda ref: {"parent_id": None}
    ),
    ("POST", "/operations/incidents/{incident_id}/problem"): Case(
        OBJECT, method="POST", data=lambda ref: {"problem_id": None}
    ),
    ("GET", "/operations/capacity"): Case(LIST),
    ("GET", "/operations/capacity/services/{code}"): Case(OBJECT),
    ("POST", "/operations/capacity/samples"): Case(
        OBJECT,
        method="POST",
        data=lambda ref: {"text": f"{ref('draft.code')};users;2020-01-01 08:00;1"},
    ),
    ("POST", "/operations/capacity/metrics"): Case(
        OBJECT,
        method="POST",
        data=lambda ref: {"service": ref("draft.code"), "kind": "users", "capacity": "5"},
    ),
    ("GET", "/operations/matrices"): Case(LIST),
    ("POST", "/operations/matrices"): Case(
        LIST,
        method="POST",
        data=lambda ref: {
            "service": ref("draft.code"),
            "name": "Matris",
            "effective_from": "2030-01-01",
            "text": "Drift;R;202100-5521\nDrift;A;202100-5521",
        },
    ),
    ("GET", "/operations/matrices/{matrix_id}"): Case(OBJECT),
    ("POST", "/operations/matrices/{matrix_id}/publish"): Case(OBJECT, method="POST"),
    ("POST", "/operations/incidents/{incident_id}/route"): Case(
        OBJECT, method="POST", data=lambda ref: {"function": "Drift"}
    ),
    ("POST", "/operations/incidents/{incident_id}/escalate"): Case(
        OBJECT, method="POST", data=lambda ref: {"reason": "Matris"}
    ),
    ("GET", "/operations/incidents/{incident_id}/legal"): Case(OBJECT),
    ("POST", "/operations/incidents/{incident_id}/legal/classify"): Case(
        OBJECT, method="POST", data=lambda ref: {"regimes": ["nis2"]}
    ),
    ("POST", "/operations/incidents/{incident_id}/legal/reports"): Case(
        OBJECT,
        method="POST",
        data=lambda ref: {"key": "cert-se/final", "content": dict.fromkeys(_CERT_FINAL, "Matris")},
    ),
    ("GET", "/operations/outages"): Case(LIST),
    ("POST", "/operations/outages"): Case(
        LIST,
        method="POST",
        data=lambda ref: {
            "service": ref("draft.code"),
            "summary": "Matris",
            "started_at": "2030-01-01T08:00",
        },
    ),
    ("POST", "/operations/outages/{outage_id}/end"): Case(
        OBJECT, method="POST", data=lambda ref: {}
    ),
    ("POST", "/operations/alertmanager"): Case(
        PROTOCOL,
        reason="Alertmanager's webhook: a provider's monitoring token, no user's session or "
        "API token (samdrift/operations/tests/test_alertmanager.py)",
    ),
    ("GET", "/operations/availability"): Case(LIST),
    ("GET", "/operations/availability/services/{code}"): Case(OBJECT),
    ("GET", "/operations/availability/agencies/{agency_id}"): Case(OBJECT),
    ("POST", "/collaboration/workspaces"): Case(
        LIST, method="POST", data=lambda ref: {"name": "Matris", "classification": "0"}
    ),
    ("GET", "/collaboration/workspaces/{workspace_id}"): Case(OBJECT),
    ("GET", "/chat/workspaces/{workspace_id}/room"): Case(OBJECT),
    ("POST", "/chat/workspaces/{workspace_id}/room/provision"): Case(OBJECT, method="POST"),
    ("GET", "/chat/workspaces/{workspace_id}/room/export"): Case(OBJECT),
    ("GET", "/chat/workspaces/{workspace_id}/room/export.pdf"): Case(OBJECT),
    ("PUT", "/chat/workspaces/{workspace_id}/room/hold"): Case(
        OBJECT, method="PUT", data=lambda ref: {"reason": "Matris"}
    ),
    ("DELETE", "/chat/workspaces/{workspace_id}/room/hold"): Case(OBJECT, method="DELETE"),
    ("GET", "/chat/workspaces/{workspace_id}/room/messages"): Case(OBJECT),
    ("POST", "/chat/workspaces/{workspace_id}/room/messages"): Case(
        OBJECT, method="POST", data=lambda ref: {"text": "Matris"}
    ),
    ("POST", "/chat/workspaces/{workspace_id}/room/reactions"): Case(
        OBJECT, method="POST", data=lambda ref: {"event_id": "$matris", "key": "👍"}
    ),
    ("POST", "/chat/workspaces/{workspace_id}/room/read"): Case(
        OBJECT, method="POST", data=lambda ref: {"event_id": "$matris"}
    ),
    ("POST", "/chat/workspaces/{workspace_id}/room/attachments"): Case(
        SKIP, reason="takes a file upload; the page form of the same service is matrixed"
    ),
    ("GET", "/chat/workspaces/{workspace_id}/room/archives"): Case(OBJECT),
    ("GET", "/chat/workspaces/{workspace_id}/room/archives/{archive_id}/{kind}"): Case(OBJECT),
    ("GET", "/live/workspaces/{workspace_id}/docs"): Case(OBJECT),
    ("POST", "/live/workspaces/{workspace_id}/docs"): Case(
        OBJECT, method="POST", data=lambda ref: {"kind": "note", "title": "Matris"}
    ),
    ("GET", "/live/docs/{doc_id}"): Case(OBJECT),
    ("GET", "/live/docs/{doc_id}/export/{fmt}"): Case(OBJECT),
    ("GET", "/live/docs/{doc_id}/images"): Case(OBJECT),
    ("GET", "/live/docs/{doc_id}/versions"): Case(OBJECT),
    ("POST", "/live/docs/{doc_id}/versions"): Case(
        OBJECT, method="POST", data=lambda ref: {"name": "Matris"}
    ),
    ("POST", "/live/docs/{doc_id}/versions/{version_id}/restore"): Case(OBJECT, method="POST"),
    ("GET", "/meetings/rooms"): Case(LIST),
    ("POST", "/meetings/rooms"): Case(
        OBJECT,
        method="POST",
        data=lambda ref: {"title": "Matris", "workspace": ref("workspace.id")},
    ),
    ("GET", "/meetings/rooms/{room_id}"): Case(OBJECT),
    ("POST", "/meetings/rooms/{room_id}/join"): Case(OBJECT, method="POST"),
    ("POST", "/meetings/rooms/{room_id}/ready"): Case(OBJECT, method="POST"),
    ("POST", "/meetings/rooms/{room_id}/admissions/{admission_id}/admit"): Case(
        OBJECT, method="POST"
    ),
    ("POST", "/meetings/rooms/{room_id}/admissions/{admission_id}/refuse"): Case(
        OBJECT, method="POST"
    ),
    ("POST", "/meetings/rooms/{room_id}/admissions/{admission_id}/remove"): Case(
        OBJECT, method="POST"
    ),
    ("POST", "/meetings/rooms/{room_id}/admissions/{admission_id}/mute"): Case(
        OBJECT, method="POST", data=lambda ref: {"media": "audio"}
    ),
    ("POST", "/meetings/rooms/{room_id}/lock"): Case(OBJECT, method="POST", data=lambda ref: {}),
    ("POST", "/meetings/rooms/{room_id}/end"): Case(OBJECT, method="POST"),
    ("POST", "/meetings/rooms/{room_id}/hand"): Case(OBJECT, method="POST", data=lambda ref: {}),
    ("POST", "/meetings/rooms/{room_id}/broadcast"): Case(
        OBJECT, method="POST", data=lambda ref: {}
    ),
    ("POST", "/meetings/rooms/{room_id}/broadcast/stop"): Case(OBJECT, method="POST"),
    ("GET", "/calendars/"): Case(LIST),
    ("GET", "/calendars/{calendar_id}/events"): Case(
        OBJECT, data=lambda ref: {"start": "2030-01-01", "end": "2030-02-01"}
    ),
    ("GET", "/calendars/{calendar_id}/tasks"): Case(OBJECT),
    ("GET", "/calendars/{calendar_id}/free-busy"): Case(
        OBJECT, data=lambda ref: {"start": "2030-01-06", "end": "2030-01-13"}
    ),
    ("POST", "/calendars/{calendar_id}/tasks/move"): Case(
        OBJECT, method="POST", data=lambda ref: {"href": "x.ics", "status": "COMPLETED"}
    ),
    ("PUT", "/collaboration/workspaces/{workspace_id}/classification"): Case(
        OBJECT, method="PUT", data=lambda ref: {"classification": "1"}
    ),
    ("GET", "/collaboration/workspaces/{workspace_id}/members"): Case(OBJECT),
    ("POST", "/collaboration/workspaces/{workspace_id}/invitations"): Case(
        OBJECT, method="POST", data=lambda ref: {"email": "x@example.se", "role": "reader"}
    ),
    ("POST", "/collaboration/workspaces/{workspace_id}/invitations/{invitation_id}/revoke"): Case(
        OBJECT, method="POST"
    ),
    ("PUT", "/collaboration/workspaces/{workspace_id}/members/{member_id}"): Case(
        OBJECT, method="PUT", data=lambda ref: {"role": "reader"}
    ),
    ("DELETE", "/collaboration/workspaces/{workspace_id}/members/{member_id}"): Case(
        OBJECT, method="DELETE"
    ),
    ("POST", "/collaboration/workspaces/{workspace_id}/members/{member_id}/transfer"): Case(
        OBJECT, method="POST"
    ),
    ("POST", "/collaboration/workspaces/{workspace_id}/leave"): Case(OBJECT, method="POST"),
    ("GET", "/collaboration/invitations"): Case(LIST),
    ("POST", "/collaboration/invitations/{invitation_id}/accept"): Case(
        OBJECT, method="POST", data=lambda ref: {}
    ),
    ("POST", "/collaboration/invitations/{invitation_id}/decline"): Case(OBJECT, method="POST"),
    ("POST", "/collaboration/workspaces/{workspace_id}/folders"): Case(
        OBJECT, method="POST", data=lambda ref: {"name": "Matris"}
    ),
    ("GET", "/collaboration/workspaces/{workspace_id}/documents"): Case(OBJECT),
    ("POST", "/collaboration/workspaces/{workspace_id}/documents"): Case(
        SKIP, reason="takes a file upload; the page form of the same service is matrixed"
    ),
    ("GET", "/collaboration/documents/{document_id}"): Case(OBJECT),
    ("GET", "/collaboration/held/{held_id}"): Case(OBJECT),
    ("GET", "/collaboration/workspaces/{workspace_id}/held"): Case(OBJECT),
    ("GET", "/collaboration/documents/{document_id}/versions"): Case(OBJECT),
    ("POST", "/collaboration/documents/{document_id}/versions"): Case(
        SKIP, reason="takes a file upload; the page form of the same service is matrixed"
    ),
    ("GET", "/collaboration/documents/{document_id}/content"): Case(OBJECT),
    ("POST", "/collaboration/documents/{document_id}/versions/{number}/restore"): Case(
        OBJECT, method="POST"
    ),
    ("POST", "/collaboration/documents/{document_id}/lock"): Case(OBJECT, method="POST"),
    ("POST", "/collaboration/documents/{document_id}/unlock"): Case(OBJECT, method="POST"),
    ("POST", "/collaboration/documents/{document_id}/trash"): Case(OBJECT, method="POST"),
    ("POST", "/collaboration/documents/{document_id}/untrash"): Case(OBJECT, method="POST"),
    ("PUT", "/collaboration/documents/{document_id}/classification"): Case(
        OBJECT, method="PUT", data=lambda ref: {"classification": "2"}
    ),
    ("POST", "/collaboration/documents/{document_id}/publish"): Case(OBJECT, method="POST"),
    ("POST", "/collaboration/documents/{document_id}/unpublish"): Case(OBJECT, method="POST"),
    ("PUT", "/collaboration/workspaces/{workspace_id}/publishing"): Case(
        OBJECT, method="PUT", data=lambda ref: {"require_accessible_pdfs": True}
    ),
    ("GET", "/collaboration/agencies/{agency_id}/scale"): Case(OBJECT),
    ("PUT", "/collaboration/agencies/{agency_id}/scale"): Case(
        OBJECT,
        method="PUT",
        data=lambda ref: {"labels": [{"name_sv": "Matris", "name_en": "Matrix", "level": 1}]},
    ),
    ("GET", "/collaboration/documents/{document_id}/reads"): Case(OBJECT),
    ("GET", "/collaboration/documents/{document_id}/shares"): Case(OBJECT),
    ("GET", "/collaboration/documents/{document_id}/preview"): Case(OBJECT),
    ("POST", "/collaboration/documents/{document_id}/shares"): Case(
        OBJECT, method="POST", data=lambda ref: {"agencies": [ref("org.id")], "days": 3}
    ),
    ("POST", "/collaboration/shares/{share_id}/revoke"): Case(OBJECT, method="POST"),
    ("GET", "/collaboration/shared/{token}"): Case(OBJECT),
    ("GET", "/collaboration/shared/{token}/content"): Case(OBJECT),
    ("GET", "/billing/invoices"): Case(LIST),
    ("GET", "/billing/invoices/{invoice_id}"): Case(OBJECT),
    ("GET", "/billing/invoices/{invoice_id}/ubl"): Case(OBJECT),
    ("POST", "/billing/invoices/{invoice_id}/credit"): Case(
        OBJECT, data=lambda ref: {"reason": "matrix"}
    ),
    ("POST", "/billing/invoices/{invoice_id}/correct"): Case(OBJECT, data=lambda ref: {}),
    ("GET", "/billing/usage"): Case(LIST),
    ("POST", "/billing/usage"): Case(
        OBJECT,
        data=lambda ref: {
            "rows": [
                {
                    "organisation_id": ref("org.id"),
                    "service_code": "EFOS",
                    "period": "2030-02-01",
                    "quantity": "1",
                    "source_key": "matrix",
                }
            ]
        },
    ),
    ("POST", "/billing/costs"): Case(LIST, method="POST", data=lambda ref: {"rows": []}),
    ("GET", "/billing/costs"): Case(LIST, data=lambda ref: {"year": 2029}),
    ("GET", "/billing/prices"): Case(LIST),
    ("POST", "/billing/prices"): Case(LIST, method="POST", data=lambda ref: {}),
    ("GET", "/billing/runs"): Case(OBJECT, data=lambda ref: {"provider": ref("run.provider_id")}),
    ("POST", "/billing/runs"): Case(
        OBJECT, data=lambda ref: {"period": "2031-01", "provider": ref("run.provider_id")}
    ),
    ("POST", "/billing/runs/{period}/finalise"): Case(
        OBJECT, data=lambda ref: {"provider": ref("run.provider_id")}
    ),
    ("GET", "/billing/ledger"): Case(LIST, data=lambda ref: {"year": 2029}),
    # The fee model's writes name the provider: the victim's is missing to another's staff.
    ("POST", "/billing/closes"): Case(
        OBJECT, data=lambda ref: {"year": 2031, "provider": ref("fee_area.provider_id")}
    ),
    ("GET", "/billing/fee-areas"): Case(LIST),
    ("POST", "/billing/fee-areas"): Case(
        OBJECT,
        data=lambda ref: {
            "code": "matris-ny",
            "name_sv": "Matris",
            "name_en": "Matrix",
            "provider": ref("fee_area.provider_id"),
        },
    ),
    ("GET", "/billing/fee-areas/{fee_area_id}"): Case(OBJECT),
    # The victim's provider's own unbilled draft: only whose fee area it is can be wrong.
    ("POST", "/billing/fee-areas/{fee_area_id}/services"): Case(
        OBJECT, data=lambda ref: {"service": ref("draft.code")}
    ),
    ("GET", "/billing/allocation-runs"): Case(LIST, data=lambda ref: {"year": 2029}),
    ("POST", "/billing/allocation-runs"): Case(
        OBJECT, data=lambda ref: {"year": 2029, "provider": ref("fee_area.provider_id")}
    ),
    ("GET", "/billing/report"): Case(LIST),
    ("GET", "/billing/fee-proposal"): Case(LIST),
    ("POST", "/billing/allocation-rules"): Case(LIST, method="POST", data=lambda ref: {}),
    ("POST", "/billing/project-time"): Case(
        OBJECT,
        data=lambda ref: {
            "case_id": ref("case.id"),
            "period": "2030-01",
            "hours": "1",
            "hourly_rate": "100",
            # complete, so only whose case it is can be wrong (not refused by the schema)
            "description": "Matris",
            "key": "matrix-project-time",
        },
    ),
    # A complete settlement by the caller's own provider: only whose customer it is can be
    # wrong (the victim has an account with its own provider only, ADR 0668).
    ("POST", "/billing/exit-settlements"): Case(
        OBJECT,
        data=lambda ref: {"organisation_id": ref("org.id"), "period": "2030-01", "reason": "x"},
    ),
    ("GET", "/efos/officials"): Case(LIST),
    ("GET", "/efos/officials/{official_id}"): Case(OBJECT),
    ("POST", "/efos/credentials/{credential_id}/suspend"): Case(OBJECT),
    ("POST", "/efos/credentials/{credential_id}/resume"): Case(OBJECT),
    ("POST", "/efos/credentials/{credential_id}/revoke"): Case(
        OBJECT, data=lambda ref: {"reason": "unspecified"}
    ),
    ("GET", "/identity/levels"): Case(LIST),
    ("GET", "/identity/session"): Case(LIST),
    ("GET", "/jobs"): Case(LIST),
    ("GET", "/jobs/{job_id}"): Case(OBJECT),
    ("GET", "/inbox"): Case(LIST),
    ("POST", "/inbox/read-all"): Case(LIST, method="POST"),
    ("POST", "/inbox/{notification_id}/read"): Case(OBJECT),
    ("GET", "/reporting/government/{year}"): Case(LIST),
    ("GET", "/reporting/government/{year}/pdf"): Case(
        SKIP, reason="renders a PDF (seconds); the JSON is matrixed"
    ),
    ("GET", "/reporting/government/{year}/text"): Case(LIST),
    ("PUT", "/reporting/government/{year}/text"): Case(
        LIST, method="PUT", data=lambda ref: {"parts": {}}
    ),
}


# Live topics (`samdrift.core.live.register_topic`): the key is filled from the victim, so a
# subscription to another agency's case, job or inbox is refused like a missing one.
LIVE: dict[str, str] = {
    "case": "case.id",
    "job": "job.id",
    "inbox": "contact.id",
    "opsstatus": "org.id",
    "chat": "workspace.id",
}
