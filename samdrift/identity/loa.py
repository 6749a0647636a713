"""Levels of assurance: the one place that knows the Sweden Connect URIs and how they rank.

Pure Python, no Django: the relying party (this app), the EFOS OpenID provider (`samdrift.efos`)
and the development identity provider all import it, so a URI is spelled in exactly one place.

Rules kept here (reference/identity.md §2.3, §10.3):

* `acr` values are compared through this registry only: never by string prefix or order.
* "At least level N" becomes the explicit list of acceptable URIs (SAML demands `exact`; OIDC
  gets it as `claims.id_token.acr.values`), built by `acceptable_uris`.
* `…/loaN` may only be asserted by providers Digg has approved; our own providers assert the
  `uncertified-*` URIs. A relying party accepts uncertified levels only from a provider it has
  explicitly been told to trust for them (`allow_uncertified`).
* eIDAS low ranks *below* Swedish level 2 (rank 1), so "level 2" never admits `eidas-low`.
* `*-nonresident` levels come without a personal identity number.
"""

from __future__ import annotations

from dataclasses import dataclass

_ELN = "http://id.elegnamnden.se/loa/1.0/"
_SC = "http://id.swedenconnect.se/loa/1.0/"

LOA1 = _ELN + "loa1"
LOA2 = _ELN + "loa2"
LOA3 = _ELN + "loa3"
LOA4 = _ELN + "loa4"
EIDAS_LOW = _ELN + "eidas-low"
EIDAS_SUB = _ELN + "eidas-sub"
EIDAS_HIGH = _ELN + "eidas-high"
EIDAS_NF_LOW = _ELN + "eidas-nf-low"
EIDAS_NF_SUB = _ELN + "eidas-nf-sub"
EIDAS_NF_HIGH = _ELN + "eidas-nf-high"
LOA2_NONRESIDENT = _SC + "loa2-nonresident"
LOA3_NONRESIDENT = _SC + "loa3-nonresident"
LOA4_NONRESIDENT = _SC + "loa4-nonresident"
UNCERTIFIED_LOA2 = _SC + "uncertified-loa2"
UNCERTIFIED_LOA3 = _SC + "uncertified-loa3"
UNCERTIFIED_EIDAS_LOW = _SC + "uncertified-eidas-low"
UNCERTIFIED_EIDAS_SUB = _SC + "uncertified-eidas-sub"
UNCERTIFIED_EIDAS_HIGH = _SC + "uncertified-eidas-high"

#: The lowest and highest rank a page may ask for.
MIN_RANK = 1
MAX_RANK = 4


@dataclass(frozen=True)
class Level:
    """One authentication-context URI and what we know about it."""

    uri: str
    rank: int
    label: str
    certified: bool = False  # reviewed and approved by Digg (…/loaN, *-nonresident)
    eidas: bool = False
    notified: bool = False  # eIDAS scheme notified to the Commission
    nonresident: bool = False  # no Swedish personal identity number
    uncertified: bool = False  # self-declared or re-asserted by a proxy

    @property
    def kind_order(self) -> int:
        """Preference when several URIs satisfy a request: Swedish certified first."""
        if self.uncertified:
            return 4
        if self.eidas:
            return 3 if not self.notified else 2
        return 1 if self.nonresident else 0


LEVELS: tuple[Level, ...] = (
    Level(LOA1, 1, "Swedish level 1"),
    Level(LOA2, 2, "Swedish level 2", certified=True),
    Level(LOA3, 3, "Swedish level 3", certified=True),
    Level(LOA4, 4, "Swedish level 4", certified=True),
    Level(EIDAS_LOW, 1, "eIDAS low", eidas=True),
    Level(EIDAS_SUB, 3, "eIDAS substantial", eidas=True),
    Level(EIDAS_HIGH, 4, "eIDAS high", eidas=True),
    Level(EIDAS_NF_LOW, 1, "eIDAS low (notified)", eidas=True, notified=True),
    Level(EIDAS_NF_SUB, 3, "eIDAS substantial (notified)", eidas=True, notified=True),
    Level(EIDAS_NF_HIGH, 4, "eIDAS high (notified)", eidas=True, notified=True),
    Level(LOA2_NONRESIDENT, 2, "Swedish level 2, non-resident", certified=True, nonresident=True),
    Level(LOA3_NONRESIDENT, 3, "Swedish level 3, non-resident", certified=True, nonresident=True),
    Level(LOA4_NONRESIDENT, 4, "Swedish level 4, non-resident", certified=True, nonresident=True),
    Level(UNCERTIFIED_LOA2, 2, "Comparable to level 2 (uncertified)", uncertified=True),
    Level(UNCERTIFIED_LOA3, 3, "Comparable to level 3 (uncertified)", uncertified=True),
    Level(
        UNCERTIFIED_EIDAS_LOW, 1, "eIDAS low via proxy (uncertified)", eidas=True, uncertified=True
    ),
    Level(
        UNCERTIFIED_EIDAS_SUB,
        3,
        "eIDAS substantial via proxy (uncertified)",
        eidas=True,
        uncertified=True,
    ),
    Level(
        UNCERTIFIED_EIDAS_HIGH,
        4,
        "eIDAS high via proxy (uncertified)",
        eidas=True,
        uncertified=True,
    ),
)

REGISTRY: dict[str, Level] = {level.uri: level for level in LEVELS}

#: The level each rank is named after, for messages ("level 3").
SWEDISH_URI_FOR_RANK: dict[int, str] = {1: LOA1, 2: LOA2, 3: LOA3, 4: LOA4}


def level(uri: str | None) -> Level | None:
    """The registered level for an exact URI, or None for anything unknown (never guessed)."""
    if not isinstance(uri, str):
        return None
    return REGISTRY.get(uri)


def rank(uri: str | None) -> int:
    """The rank of an `acr`; 0 for an unknown or missing value (satisfies nothing)."""
    found = level(uri)
    return found.rank if found else 0


def _check_rank(min_rank: int) -> None:
    if not isinstance(min_rank, int) or not MIN_RANK <= min_rank <= MAX_RANK:
        raise ValueError(f"level must be an integer {MIN_RANK}–{MAX_RANK}, not {min_rank!r}")


def _admitted(
    found: Level, *, allow_uncertified: bool, allow_eidas: bool, allow_nonresident: bool
) -> bool:
    if found.uncertified and not allow_uncertified:
        return False
    if found.eidas and not allow_eidas:
        return False
    return allow_nonresident or not found.nonresident


def acceptable_uris(
    min_rank: int,
    *,
    allow_uncertified: bool = False,
    allow_eidas: bool = True,
    allow_nonresident: bool = True,
) -> list[str]:
    """Every URI that meets `min_rank`, as the explicit list a request must carry.

    Ordered by preference: the lowest sufficient level first (no official is pushed to a stronger
    e-ID than the page needs), Swedish certified before non-resident, notified eIDAS, eIDAS and
    uncertified. Providers use the first value they support (reference §4.5).
    """
    _check_rank(min_rank)
    chosen = [
        found
        for found in LEVELS
        if found.rank >= min_rank
        and _admitted(
            found,
            allow_uncertified=allow_uncertified,
            allow_eidas=allow_eidas,
            allow_nonresident=allow_nonresident,
        )
    ]
    chosen.sort(key=lambda found: (found.rank, found.kind_order, LEVELS.index(found)))
    return [found.uri for found in chosen]


def satisfies(
    acr: str | None,
    min_rank: int,
    *,
    allow_uncertified: bool = False,
    allow_eidas: bool = True,
    allow_nonresident: bool = True,
) -> bool:
    """True when the asserted `acr` is registered, admitted by the policy and ranks high enough."""
    _check_rank(min_rank)
    found = level(acr)
    if found is None:
        return False
    return found.rank >= min_rank and _admitted(
        found,
        allow_uncertified=allow_uncertified,
        allow_eidas=allow_eidas,
        allow_nonresident=allow_nonresident,
    )


def effective_rank(
    acr: str | None,
    *,
    allow_uncertified: bool = False,
    allow_eidas: bool = True,
    allow_nonresident: bool = True,
) -> int:
    """The rank a session gains from `acr` under a provider's policy; 0 if it is not admitted."""
    found = level(acr)
    if found is None or not _admitted(
        found,
        allow_uncertified=allow_uncertified,
        allow_eidas=allow_eidas,
        allow_nonresident=allow_nonresident,
    ):
        return 0
    return found.rank
