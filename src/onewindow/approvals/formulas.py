"""Fee formulas of the catalog: a fixed amount, a rate per unit of a numeric project fact, or both,
optionally bounded; no expressions are evaluated. Money is ``Decimal`` in yuan, rounded half up to
the fen (0.01) only at the end.

    amount = fixed + rate × fact, then at least ``minimum`` and at most ``maximum``

A fee whose fact the project has not recorded cannot be computed yet: ``compute_fee`` answers None
("to be assessed") rather than guessing zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from onewindow.approvals.rules import applies, as_number

FEN = Decimal("0.01")


@dataclass(frozen=True)
class FeeSpec:
    name: str
    legal_basis: str = ""
    amount: Decimal | None = None  # fixed part, yuan
    rate: Decimal | None = None  # yuan per unit of ``per``
    per: str = ""  # a numeric fact, e.g. floor_area_m2
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    waivable: bool = False
    applies_when: Mapping[str, Any] = field(default_factory=dict)


def compute_fee(fee: FeeSpec, facts: Mapping[str, Any]) -> Decimal | None:
    """The fee in yuan for these facts; ``Decimal('0.00')`` when its rule does not apply; None when a
    fact it needs is unknown."""
    if not applies(fee.applies_when, facts):
        return Decimal("0.00")
    total = fee.amount or Decimal(0)
    if fee.rate is not None:
        quantity = as_number(facts.get(fee.per))
        if quantity is None:
            return None
        total += fee.rate * quantity
    if fee.minimum is not None:
        total = max(total, fee.minimum)
    if fee.maximum is not None:
        total = min(total, fee.maximum)
    return total.quantize(FEN, rounding=ROUND_HALF_UP)
