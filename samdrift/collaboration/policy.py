"""The classification policy, in code (ADR 0601): what each KLASSA class allows.

One table decides, for a workspace or document of a class: the minimum level of assurance of the
login (1–4, as `samdrift.identity.loa` ranks them), whether guests (officials of agencies not
connected to SAFOS) may be members, whether share links may be made, whether files may be
downloaded or only viewed, and how long the documents are kept before final deletion (gallring).
Pages, API, CLI and services all read it through `policy_for`; nothing else knows the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from samdrift.core.exceptions import ValidationFailed

from .choices import SECURITY_PROTECTED, Classification


@dataclass(frozen=True)
class ClassPolicy:
    classification: int
    min_loa: int  # 0: no more than the SAFOS service itself demands
    guests_allowed: bool
    share_links_allowed: bool
    download_allowed: bool  # False: view only (preview), never the bytes
    retention_years: int


POLICY: dict[int, ClassPolicy] = {
    0: ClassPolicy(0, min_loa=0, guests_allowed=True, share_links_allowed=True,
                   download_allowed=True, retention_years=2),
    1: ClassPolicy(1, min_loa=2, guests_allowed=True, share_links_allowed=True,
                   download_allowed=True, retention_years=5),
    2: ClassPolicy(2, min_loa=2, guests_allowed=True, share_links_allowed=False,
                   download_allowed=True, retention_years=10),
    3: ClassPolicy(3, min_loa=3, guests_allowed=False, share_links_allowed=False,
                   download_allowed=False, retention_years=10),
}  # fmt: skip


def policy_for(classification: int) -> ClassPolicy:
    return POLICY[int(classification)]


SECURITY_PROTECTED_REFUSED = _(
    "Security-protected information (säkerhetsskyddsklassificerade uppgifter) may not be stored "
    "in SAFOS. Use your agency's approved system for security-protected information."
)
BAD_CLASS = _("Choose a confidentiality class from 0 to 3.")


class SecurityProtectedRefused(ValidationFailed):
    code = "security_protected"


def parse_classification(value: Any, field: str = "classification") -> int:
    """A class 0–3 from a form or API value; security-protected information is refused with its
    own message, anything else unknown with the general one."""
    text = str(value).strip().upper() if value is not None else ""
    if text in {SECURITY_PROTECTED, "SECURITY_PROTECTED", "4"}:
        raise SecurityProtectedRefused(
            SECURITY_PROTECTED_REFUSED, errors={field: [str(SECURITY_PROTECTED_REFUSED)]}
        )
    if text not in {str(c.value) for c in Classification}:
        raise ValidationFailed(BAD_CLASS, errors={field: [str(BAD_CLASS)]})
    return int(text)
