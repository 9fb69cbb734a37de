"""The treatment catalogue (``data/catalog.toml``): modalities, areas and treatments, each number sourced."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from facebalance.planning.datafiles import packaged_toml, source_of
from facebalance.planning.errors import ClinicalDataError

ModalityKind = Literal["neuromodulator", "filler", "biostimulator", "enzyme", "skin", "energy", "autologous"]
Region = Literal["whole_face", "upper_face", "midface", "lower_face"]
DosePer = Literal["total", "side", "point"]
#: ``whole_face`` (a skin or device treatment of the whole face) shares every region and comes first.
REGION_ORDER: tuple[Region, ...] = ("whole_face", "upper_face", "midface", "lower_face")


@dataclass(frozen=True)
class Modality:
    """A kind of product, with its timing (days after the injection) and reversibility.

    ``visible_delay_per_session_months``: for a course of sessions (PLLA), how much later the result shows for
    each session still to come."""

    id: str
    label: str
    kind: ModalityKind
    unit: str
    reversible: bool
    reversal: str
    reversal_source: str
    onset_days: int
    peak_days: int
    settled_days: int
    visible_days: int
    timing_source: str
    visible_delay_per_session_months: float = 0.0


@dataclass(frozen=True)
class Area:
    """A treatment area; filler areas carry the per-visit and cumulative caps of the over-treatment guard."""

    id: str
    label: str
    region: Region
    visit_cap_ml: float | None = None
    cumulative_cap_ml: float | None = None
    cap_source: str = ""


@dataclass(frozen=True)
class Treatment:
    """A modality at a site, with its per-visit dose range and how long its result lasts.

    ``dose_low``/``dose_high`` are per ``per`` (total, side or point); :attr:`total_dose` gives the visit
    total. ``area = "*"`` (hyaluronidase) is instantiated per area by the planner. ``lip_upper_share`` (every
    filler of the lips has one) is the share of the dose for the upper lip: such a treatment goes through the
    lip guard.
    """

    id: str
    label: str
    modality: str
    product_class: str
    area: str
    dose_low: float
    dose_high: float
    per: DosePer
    price: str
    source: str
    review: str
    durability_months: tuple[float, float]
    durability_source: str
    points: int = 1
    sessions: int = 1
    high_risk: bool = False
    large_muscle: bool = False
    lip_upper_share: float | None = None
    male_dose: tuple[float, float] | None = None
    male_source: str = ""
    optional: bool = False
    cadence_days: tuple[int, int] | None = None
    downtime: str = ""

    @property
    def multiplier(self) -> int:
        return {"total": 1, "side": 2, "point": self.points}[self.per]

    @property
    def total_dose(self) -> tuple[float, float]:
        """(low, high) dose for the whole visit, in the modality's unit."""
        return self.dose_low * self.multiplier, self.dose_high * self.multiplier

    def dose_for(self, sex: str | None) -> tuple[float, float]:
        """(low, high) per ``per`` for a patient of this sex: the male row for a man, else the label's."""
        if sex == "male" and self.male_dose is not None:
            return self.male_dose
        return self.dose_low, self.dose_high

    def total_dose_for(self, sex: str | None) -> tuple[float, float]:
        """(low, high) for the whole visit for a patient of this sex.

        >>> from facebalance.planning.catalog import load_catalog
        >>> t = load_catalog().treatments["toxin_glabella"]
        >>> t.total_dose_for("female"), t.total_dose_for("male")
        ((20.0, 20.0), (30.0, 40.0))
        """
        low, high = self.dose_for(sex)
        return low * self.multiplier, high * self.multiplier

    def dose_source_for(self, sex: str | None) -> str:
        return self.male_source if sex == "male" and self.male_dose is not None else self.source

    @property
    def is_course(self) -> bool:
        """A course of sessions at a cadence (a skin or device treatment): the dose counts sessions."""
        return self.cadence_days is not None

    def course_text(self, low: float, high: float) -> str:
        """``'3-5 sessions, every 3-4 weeks'``: a course in words."""
        assert self.cadence_days is not None
        count = f"{low:g}-{high:g}" if low != high else f"{low:g}"
        a, b = self.cadence_days
        every = f"{a / 7:g}-{b / 7:g} weeks" if a != b else f"{a / 7:g} weeks"
        return f"{count} session{'s' if high != 1 else ''}, every {every}"

    def dose_text(self, unit: str, sex: str | None = None) -> str:
        """The dose as the plan writes it, e.g. ``'2-5 U per side (4-10 U)'``, or a course's sessions."""
        lo, hi = self.total_dose_for(sex)
        if self.is_course:
            return self.course_text(lo, hi)
        low, high = self.dose_for(sex)
        span = f"{low:g}-{high:g}" if low != high else f"{low:g}"
        total = f"{lo:g}-{hi:g}" if lo != hi else f"{lo:g}"
        if self.per == "total":
            return f"{total} {unit}"
        where = "side" if self.per == "side" else "point"
        return f"{span} {unit} per {where} ({total} {unit})"


@dataclass(frozen=True)
class Catalog:
    name: str
    version: str
    modalities: Mapping[str, Modality]
    areas: Mapping[str, Area]
    treatments: Mapping[str, Treatment]

    def modality_of(self, treatment: Treatment) -> Modality:
        return self.modalities[treatment.modality]

    def region_of(self, area: str) -> Region:
        return self.areas[area].region


def _modality(row: Mapping[str, Any]) -> Modality:
    where = f"modality {row.get('id')!r}"
    return Modality(
        id=str(row["id"]),
        label=str(row["label"]),
        kind=row["kind"],
        unit=str(row["unit"]),
        reversible=bool(row["reversible"]),
        reversal=str(row["reversal"]),
        reversal_source=source_of(row, where, key="reversal_source"),
        onset_days=int(row["onset_days"]),
        peak_days=int(row["peak_days"]),
        settled_days=int(row["settled_days"]),
        visible_days=int(row["visible_days"]),
        timing_source=source_of(row, where, key="timing_source"),
        visible_delay_per_session_months=float(row.get("visible_delay_per_session_months", 0.0)),
    )


def parse_catalog(doc: Mapping[str, Any]) -> Catalog:
    """A catalogue from its TOML form, checked: every number sourced, every reference resolvable."""
    modalities = {m.id: m for m in (_modality(r) for r in doc["modality"])}
    areas: dict[str, Area] = {}
    for row in doc["area"]:
        cap_source = ""
        if "visit_cap_ml" in row or "cumulative_cap_ml" in row:
            cap_source = source_of(row, f"area {row['id']!r}", key="cap_source")
        areas[row["id"]] = Area(
            id=row["id"],
            label=row["label"],
            region=row["region"],
            visit_cap_ml=row.get("visit_cap_ml"),
            cumulative_cap_ml=row.get("cumulative_cap_ml"),
            cap_source=cap_source,
        )
    treatments: dict[str, Treatment] = {}
    for row in doc["treatment"]:
        where = f"treatment {row.get('id')!r}"
        if row["modality"] not in modalities:
            raise ClinicalDataError(f"{where} names unknown modality {row['modality']!r}.")
        if row["area"] != "*" and row["area"] not in areas:
            raise ClinicalDataError(f"{where} names unknown area {row['area']!r}.")
        if not 0 < row["dose_low"] <= row["dose_high"]:
            raise ClinicalDataError(f"{where} has dose {row['dose_low']}-{row['dose_high']}.")
        share = row.get("lip_upper_share")
        if (row["area"] == "lips" and modalities[row["modality"]].kind == "filler" and share is None) or (
            share is not None and not 0 <= share <= 1
        ):
            raise ClinicalDataError(
                f"{where} has lip_upper_share {share!r}.",
                hint="A filler of the lips names the share of its dose for the upper lip (0-1), for the lip guard.",
            )
        low, high = row["durability_months"]
        cadence = row.get("cadence_days")
        if cadence is not None:
            source_of(row, where, key="cadence_source")
            if not row.get("downtime") or not 0 < cadence[0] <= cadence[1]:
                raise ClinicalDataError(f"{where}: a course names its cadence (days, low-high) and its downtime.")
        male = None
        if "male_dose_low" in row:
            male = (float(row["male_dose_low"]), float(row["male_dose_high"]))
            if not 0 < male[0] <= male[1]:
                raise ClinicalDataError(f"{where} has male dose {male[0]}-{male[1]}.")
        treatments[row["id"]] = Treatment(
            id=row["id"],
            label=row["label"],
            modality=row["modality"],
            product_class=row["product_class"],
            area=row["area"],
            dose_low=float(row["dose_low"]),
            dose_high=float(row["dose_high"]),
            per=row["per"],
            price=row["price"],
            source=source_of(row, where),
            review=row["review"],
            durability_months=(float(low), float(high)),
            durability_source=source_of(row, where, key="durability_source"),
            points=int(row.get("points", 1)),
            sessions=int(row.get("sessions", 1)),
            high_risk=bool(row.get("high_risk", False)),
            large_muscle=bool(row.get("large_muscle", False)),
            lip_upper_share=None if share is None else float(share),
            male_dose=male,
            male_source=source_of(row, where, key="male_source") if male is not None else "",
            optional=bool(row.get("optional", False)),
            cadence_days=None if cadence is None else (int(cadence[0]), int(cadence[1])),
            downtime=str(row.get("downtime", "")),
        )
    meta = doc["meta"]
    return Catalog(str(meta["name"]), str(meta["version"]), modalities, areas, treatments)


@functools.lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The packaged catalogue, parsed once per process."""
    return parse_catalog(packaged_toml("catalog.toml"))
