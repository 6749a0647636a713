"""Who signs and time-stamps checkpoints: an interface that a higher app fills in (ADR 0062).

audit sits on floor 2 and may not import efos (floor 6), whose CA and TSA do the signing. So
audit names what it needs here, and efos registers its implementation in `AppConfig.ready()`.
Without one registered, checkpoints are still written and MAC'd with the chain key, unsigned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class AnchorCheck:
    """What a verifier found: `problem` is empty when signature and timestamp hold."""

    problem: str = ""
    signed_by: str = ""
    timestamp: str = ""


class AnchorSigner(Protocol):
    name: str

    def sign(self, payload: bytes) -> dict[str, str]:
        """Sign the bytes and time-stamp them; the proof is stored beside the checkpoint."""
        ...

    def verify(self, payload: bytes, proof: dict[str, str]) -> AnchorCheck: ...


_signers: dict[str, AnchorSigner] = {}


def register_anchor_signer(signer: AnchorSigner) -> None:
    _signers[signer.name] = signer


def default_signer() -> AnchorSigner | None:
    return next(iter(_signers.values()), None)


def signer_named(name: str) -> AnchorSigner | None:
    return _signers.get(name)
