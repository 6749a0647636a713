"""What a price version charges for a quantity: pure functions, no database.

A year price is billed monthly as a twelfth (BaseQuantity 12 in the UBL). To keep twelve
months adding up to the year amount to the öre, the month's amount is the rounded running total
minus the rounded total before it (ADR 0200).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from .choices import PriceBasis, PriceModel
from .money import line_amount, parse_decimal, to_ore

TWELVE = Decimal(12)
ONE = Decimal(1)


class Charge(NamedTuple):  # a tuple: a national run makes tens of thousands of them
    quantity: Decimal
    price: Decimal
    base_quantity: Decimal
    amount_ore: int
    tier: int = 0


@dataclass(frozen=True)
class Price:
    model: str
    basis: str
    unit_price: Decimal
    tiers: tuple[tuple[Decimal | None, Decimal], ...] = ()
    package_size: Decimal | None = None

    @classmethod
    def from_version(cls, version: object) -> Price:
        tiers = tuple(
            (None if up_to is None else parse_decimal(up_to), parse_decimal(price))
            for up_to, price in (getattr(version, "tiers", None) or [])
        )
        return cls(
            model=version.model,  # type: ignore[attr-defined]
            basis=version.basis,  # type: ignore[attr-defined]
            unit_price=Decimal(version.unit_price),  # type: ignore[attr-defined]
            tiers=tiers,
            package_size=version.package_size,  # type: ignore[attr-defined]
        )


def charges(price: Price, quantity: Decimal, before: Decimal = Decimal(0)) -> list[Charge]:
    """The charges of one period. `before` is the quantity already billed this year at this price
    (year basis only). Fixed and one-time fees use quantity 1."""
    if price.model == PriceModel.GRADUATED:
        return _graduated(price, quantity)
    if price.model == PriceModel.PACKAGE:
        size = price.package_size or ONE
        quantity = Decimal(math.ceil(quantity / size))
    if price.basis == PriceBasis.YEAR:
        amount = to_ore((before + quantity) * price.unit_price / TWELVE) - to_ore(
            before * price.unit_price / TWELVE
        )
        return [Charge(quantity, price.unit_price, TWELVE, amount)]
    return [Charge(quantity, price.unit_price, ONE, line_amount(quantity, price.unit_price))]


def standalone_amount(price: Price, quantity: Decimal) -> list[Charge]:
    """A late adjustment: priced on its own, without the running total of the year."""
    return charges(price, quantity, Decimal(0))


def _graduated(price: Price, quantity: Decimal) -> list[Charge]:
    """Each tier's units at the tier's price; one charge per tier used (PEPPOL-EN16931-R120)."""
    result: list[Charge] = []
    floor = Decimal(0)
    for index, (up_to, tier_price) in enumerate(price.tiers, start=1):
        ceiling = quantity if up_to is None else min(quantity, up_to)
        units = ceiling - floor
        if units > 0:
            result.append(
                Charge(units, tier_price, ONE, line_amount(units, tier_price), tier=index)
            )
        if up_to is None or quantity <= up_to:
            break
        floor = up_to
    return result


def validate_tiers(tiers: list[list[object]]) -> list[list[str | None]]:
    """Tiers as stored: ascending limits, the last one open (null). Raises ValueError."""
    cleaned: list[list[str | None]] = []
    previous = Decimal(0)
    for position, tier in enumerate(tiers):
        up_to_raw, price_raw = tier
        price = parse_decimal(price_raw)
        if price < 0:
            raise ValueError("negative tier price")
        if up_to_raw is None or up_to_raw == "":
            if position != len(tiers) - 1:
                raise ValueError("only the last tier may be open")
            cleaned.append([None, str(price)])
            continue
        up_to = parse_decimal(up_to_raw)
        if up_to <= previous:
            raise ValueError("tier limits must increase")
        previous = up_to
        cleaned.append([str(up_to), str(price)])
    if not cleaned or cleaned[-1][0] is not None:
        raise ValueError("the last tier must be open")
    return cleaned
