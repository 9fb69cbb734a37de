"""Prices as low-high ranges: per item, per visit and for the plan (``data/prices_default.toml``).

A clinic's own price list (same format) is layered over the default with :func:`layer_price_lists`.
Products are billed in whole increments (one opened HA syringe is charged whole): the quantity billed
is the dose rounded up to the row's ``increment``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from facebalance.planning.datafiles import packaged_toml, source_of
from facebalance.planning.errors import ClinicalDataError

BudgetBasis = Literal["high", "mid"]


@dataclass(frozen=True)
class PriceRow:
    """The price of one billing unit (a toxin unit, a syringe, a vial, an area) as a range in dollars."""

    key: str
    label: str
    per: str
    low: float
    high: float
    increment: float
    source: str

    def quantity_billed(self, dose: float) -> float:
        """The dose rounded up to whole billing increments, in billing units.

        Examples
        --------
        >>> PriceRow("ha", "HA", "syringe", 750, 1200, 1, "src").quantity_billed(0.5)
        1.0
        >>> PriceRow("caha", "CaHA", "syringe", 800, 1100, 1.5, "src").quantity_billed(3.0)
        2.0
        """
        # A tolerance keeps 2.0000000001 syringes (float dose arithmetic) from billing as 3.
        return float(math.ceil(dose / self.increment - 1e-9))


@dataclass(frozen=True)
class PriceRange:
    low: float
    high: float

    @property
    def mid(self) -> float:
        return (self.low + self.high) / 2

    def on(self, basis: BudgetBasis) -> float:
        return self.high if basis == "high" else self.mid

    def __add__(self, other: PriceRange) -> PriceRange:
        return PriceRange(self.low + other.low, self.high + other.high)

    def text(self) -> str:
        """``'$1,500-2,400'`` (one figure when low = high)."""
        if round(self.low) == round(self.high):
            return f"${self.low:,.0f}"
        return f"${self.low:,.0f}-{self.high:,.0f}"


ZERO = PriceRange(0.0, 0.0)


@dataclass(frozen=True)
class PriceList:
    name: str
    version: str
    currency: str
    rows: Mapping[str, PriceRow]
    typical_plan: PriceRange
    typical_source: str

    def item_price(self, key: str, dose_low: float, dose_high: float) -> PriceRange:
        """The price range of a dose range billed on row ``key``: low dose at the low price, high at the high."""
        row = self.rows.get(key)
        if row is None:
            raise ClinicalDataError(f"The price list has no row {key!r}.", hint="Add it to the clinic's price list.")
        return PriceRange(row.quantity_billed(dose_low) * row.low, row.quantity_billed(dose_high) * row.high)


def parse_price_list(doc: Mapping[str, Any]) -> PriceList:
    """A price list from its TOML form; every row needs a source and ``low <= high``."""
    rows: dict[str, PriceRow] = {}
    for row in doc.get("price", []):
        where = f"price {row.get('key')!r}"
        if not 0 <= row["low"] <= row["high"]:
            raise ClinicalDataError(f"{where} has low {row['low']} above high {row['high']}.")
        rows[row["key"]] = PriceRow(
            key=row["key"],
            label=row["label"],
            per=row["per"],
            low=float(row["low"]),
            high=float(row["high"]),
            increment=float(row.get("increment", 1)),
            source=source_of(row, where),
        )
    typical = doc.get("typical", {})
    meta = doc.get("meta", {})
    return PriceList(
        name=str(meta.get("name", "clinic")),
        version=str(meta.get("version", "")),
        currency=str(meta.get("currency", "USD")),
        rows=rows,
        typical_plan=PriceRange(float(typical.get("plan_low", 0)), float(typical.get("plan_high", 0))),
        typical_source=source_of(typical, "[typical]") if typical else "",
    )


def layer_price_lists(base: PriceList, clinic: PriceList) -> PriceList:
    """``clinic`` over ``base``: its rows replace the base's rows with the same key."""
    has_typical = clinic.typical_plan.high > 0
    return PriceList(
        name=f"{clinic.name} over {base.name}",
        version=clinic.version or base.version,
        currency=clinic.currency,
        rows={**base.rows, **clinic.rows},
        typical_plan=clinic.typical_plan if has_typical else base.typical_plan,
        typical_source=clinic.typical_source if has_typical else base.typical_source,
    )


@functools.lru_cache(maxsize=1)
def load_price_list() -> PriceList:
    """The packaged default price list (Los Angeles clinic default)."""
    return parse_price_list(packaged_toml("prices_default.toml"))
