"""The tenancy and abilities kernel: whose rows an actor reads, and how strong its login must be.

Every app's selectors build on four things here (ADRs 0040–0044):

* `visible_or_404(queryset, what, **lookup)`: the one way to read a single object. A row that
  does not exist and one outside the actor's scope raise the same `NotFound`.
* `org_scope(actor, field)` / `provided_scope(actor, …)`: the filters that limit a queryset to
  the agencies the actor may see (customers see their own tree; provider staff see their own
  provider's customers, and only the rows of their own provider's services).
* the customer registry: which agencies are customers of a provider agency is known to the app
  that records subscriptions, cases and requests (onboarding, floor 4). It registers a source
  here in its `AppConfig.ready()`, so `accounts` (floor 2) builds the actor without importing
  upwards.
* service areas and the level of assurance: an app that *is* a catalogue service's user
  interface (EFOS, later SAFOS) registers its URL namespace and API prefix; every page,
  operation and download there demands the level the service declares (`AssuranceRequirement`,
  read through a registered source), before the view looks anything up.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .exceptions import DomainError, NotFound

if TYPE_CHECKING:
    from .actor import Actor

M = TypeVar("M", bound=Model)

#: Where identity keeps this login's e-ID level in the session (`samdrift.identity.stepup`).
LOGIN_SESSION_KEY = "identity_login"


# --- single objects -----------------------------------------------------------------------------


def visible_or_404(queryset: QuerySet[M], what: str, **lookup: Any) -> M:
    """The object matching `lookup` in an already actor-scoped queryset, or `NotFound(what)`.

    Missing and forbidden are deliberately the same exception with the same message, so an id
    tells a caller nothing about another agency's data. A malformed id is missing too."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise NotFound(what) from None


# --- scoping filters ----------------------------------------------------------------------------


def org_scope(actor: Actor, field: str = "organisation_id") -> Q:
    """Rows of agencies the actor may see: its own (and sub-agencies), its provider agencies and
    their customers. Use for rows that belong to an agency but to no one service."""
    if actor.sees_everything:
        return Q()
    return Q(**{f"{field}__in": actor.visible_org_ids})


def member_scope(actor: Actor, field: str = "organisation_id") -> Q:
    """Rows of the agencies the actor works for as a customer (never its providers' customers)."""
    if actor.sees_everything:
        return Q()
    return Q(**{f"{field}__in": actor.member_org_ids})


def provided_scope(
    actor: Actor,
    *,
    org_field: str = "organisation_id",
    provider_field: str = "service__provider_id",
) -> Q:
    """Rows of a customer's use of one provider's service: the customer's own members see them,
    and so does the staff of the provider that provides the service, no other provider's."""
    if actor.sees_everything:
        return Q()
    condition = Q(**{f"{org_field}__in": actor.member_org_ids})
    if actor.provider_org_ids:
        condition |= Q(**{f"{provider_field}__in": actor.provider_org_ids})
    return condition


# --- who is a customer of which provider --------------------------------------------------------

CustomerSource = Callable[[], Iterable[tuple[int, int]]]
_customer_sources: dict[str, CustomerSource] = {}


def register_customer_source(name: str, source: CustomerSource) -> None:
    """`source()` yields `(agency id, provider agency id)` for every relation that makes the
    agency that provider's customer. Called from an app's `AppConfig.ready()`; registering the
    same name again replaces it."""
    _customer_sources[name] = source


def customer_relations() -> dict[int, set[int]]:
    """Provider agency id → the agencies directly related to it, from every registered source.
    With no source registered the answer is empty: a provider then sees no customer (fails
    closed)."""
    found: dict[int, set[int]] = {}
    for source in _customer_sources.values():
        for org_id, provider_id in source():
            found.setdefault(provider_id, set()).add(org_id)
    return found


# --- level of assurance per service -------------------------------------------------------------

RequirementSource = Callable[[str], int | None]
_requirement_source: list[RequirementSource] = []


@dataclass(frozen=True)
class ServiceArea:
    """The part of the site that is one catalogue service's interface.

    `exempt_url_names` are protocol endpoints in the namespace that other systems call without a
    user login (an OpenID provider's token endpoint, OCSP): they are not pages of the service."""

    service_code: str
    url_namespace: str
    api_prefix: str = ""
    exempt_url_names: frozenset[str] = frozenset()


_areas: dict[str, ServiceArea] = {}


def register_service_area(area: ServiceArea) -> None:
    _areas[area.url_namespace] = area


def register_requirement_source(source: RequirementSource) -> None:
    """`source(service_code)` is the minimum rank (1–4) the service declares, or None."""
    _requirement_source[:] = [source]


def service_areas() -> list[ServiceArea]:
    return list(_areas.values())


def area_for_url(namespace: str, url_name: str) -> ServiceArea | None:
    area = _areas.get(namespace.split(":", 1)[0]) if namespace else None
    if area is None or url_name in area.exempt_url_names:
        return None
    return area


def area_for_api_path(path: str) -> ServiceArea | None:
    for area in _areas.values():
        if area.api_prefix and path.startswith(area.api_prefix):
            return area
    return None


def required_rank(service_code: str) -> int | None:
    if not _requirement_source:
        return None
    return _requirement_source[0](service_code)


class StepUpRequired(DomainError):
    """The login is genuine but weaker than the service demands: log in again at `level`."""

    code = "step_up_required"
    http_status = 401

    def __init__(self, level: int) -> None:
        self.level = level
        super().__init__(
            _(
                "This service needs a login at level of assurance %(level)s. "
                "Log in again with an e-ID at that level."
            ),
            level=level,
        )


#: Set on the request by the API's authenticators when they refuse for the level.
STEP_UP_LEVEL_ATTR = "_samdrift_step_up_level"


def step_up_challenge(level: int) -> str:
    """The `WWW-Authenticate` value of a step-up answer (RFC 9470's error code)."""
    return (
        'Bearer error="insufficient_user_authentication", '
        f'error_description="level of assurance {level} required", level="{level}"'
    )


def missing_rank(actor: Actor, area: ServiceArea) -> int | None:
    """The level the area's service demands when this login falls short of it, else None."""
    needed = required_rank(area.service_code)
    if needed is None or actor.loa_rank >= needed:
        return None
    return needed


def step_up_redirect(request: HttpRequest, level: int) -> HttpResponse:
    """To the e-ID login (anonymous) or step-up (ADR 0403), coming back to this very page."""
    params = urllib.parse.urlencode({"level": str(level), "next": request.get_full_path()})
    user = getattr(request, "user", None)
    target = "identity:step_up" if user is not None and user.is_authenticated else "identity:login"
    return HttpResponseRedirect(f"{reverse(target)}?{params}")


def scoped_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page of an agency-owned object: logged in; a missing or forbidden object is the same
    404; a class that demands a stronger login sends the user to the e-ID step-up and back."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except StepUpRequired as error:
            return step_up_redirect(request, error.level)

    return wrapper
