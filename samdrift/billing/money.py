"""Money arithmetic: integer öre, Decimal prices, one rounding mode, exact splits.

Every amount the engine stores is an `int` of öre. Prices and quantities are `Decimal`. The one
rounding mode is ROUND_HALF_UP (fee-model.md §5.2, ADR 0200); bare `round()` and floats are never
used, because the reference's own MSEK example (45,65 → 45,7) differs under banker's rounding.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

K = TypeVar("K")

ROUNDING = ROUND_HALF_UP
ORE_PER_KRONA = 100


def to_ore(kronor: Decimal) -> int:
    """Kronor (any precision) → whole öre, half up."""
    return int((kronor * ORE_PER_KRONA).quantize(Decimal(1), rounding=ROUNDING))


def ore_to_decimal(ore: int) -> Decimal:
    """Öre → kronor with exactly two decimals (what UBL and CSV show)."""
    return (Decimal(ore) / ORE_PER_KRONA).quantize(Decimal("0.01"))


def format_kronor(ore: int) -> str:
    """Swedish display: thin spaces between thousands, comma decimals, minus sign."""
    value = ore_to_decimal(abs(ore))
    whole, _, frac = f"{value:.2f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    sign = "−" if ore < 0 else ""
    return f"{sign}{' '.join(groups)},{frac}"


def round_presentation(ore: int, unit: int, places: int = 1) -> Decimal:
    """A report figure in a bigger unit (MSEK: unit=100_000_000 öre), rounded half up on its own."""
    return (Decimal(ore) / Decimal(unit)).quantize(Decimal(1).scaleb(-places), rounding=ROUNDING)


def line_amount(quantity: Decimal, unit_price: Decimal, base_quantity: Decimal = Decimal(1)) -> int:
    """quantity × (price ÷ base quantity), quantised to öre once (PEPPOL-EN16931-R120)."""
    return to_ore(quantity * unit_price / base_quantity)


def parse_decimal(value: object) -> Decimal:
    """Strict decimal parsing: accepts '12,5' and '12.5'; refuses NaN, infinity and garbage."""
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number


def largest_remainder(total: int, weights: Mapping[K, Decimal | int]) -> dict[K, int]:
    """Split `total` öre over keys in proportion to `weights`; the parts sum to `total` exactly.

    Each key gets the floor of its exact share; the öre left over go one each to the largest
    remainders, ties broken by the sorted key (stable, independent of input order). With all
    weights zero the split is even. A negative total is split as −split(−total).
    """
    if total < 0:
        return {key: -part for key, part in largest_remainder(-total, weights).items()}
    keys: list[K] = sorted(weights, key=_sort_key)
    if not keys:
        if total:
            raise ValueError("cannot split a non-zero amount over nothing")
        return {}
    exact_weights = {key: Decimal(weights[key]) for key in keys}
    if any(w < 0 for w in exact_weights.values()):
        raise ValueError("weights must not be negative")
    weight_sum = sum(exact_weights.values(), Decimal(0))
    if weight_sum == 0:
        exact_weights = dict.fromkeys(keys, Decimal(1))
        weight_sum = Decimal(len(keys))
    parts: dict[K, int] = {}
    remainders: list[tuple[Decimal, int, K]] = []
    for index, key in enumerate(keys):
        numerator = Decimal(total) * exact_weights[key]
        whole = int(numerator // weight_sum)
        parts[key] = whole
        remainders.append((numerator - whole * weight_sum, index, key))
    left = total - sum(parts.values())
    # Largest remainder first; among equal remainders the earlier sorted key wins.
    remainders.sort(key=lambda item: (-item[0], item[1]))
    for _remainder, _index, key in remainders[:left]:
        parts[key] += 1
    return parts


def split_evenly(total: int, count: int) -> list[int]:
    """`total` in `count` parts (months, instalments); earlier parts take the leftover öre."""
    parts = largest_remainder(total, dict.fromkeys(range(count), 1))
    return [parts[index] for index in range(count)]


def _sort_key(key: Any) -> Any:
    """Keys sort by their own order (ints, strings, tuples of those): the stable tie-break."""
    return key
