"""What was actually done: charted treatments, the injection sites on the face diagram, adverse events and
follow-ups, as plain frozen dataclasses (the clinic app's rows become these at its edge).

One :class:`TreatmentRecord` is one product given in one catalogue area at one visit (a visit that treats
the glabella and the lips is two records sharing a date), which is also the grain of a plan item, so a
record can name the plan item it fulfils. Amounts are in the modality's unit
(:data:`facebalance.planning.intake.HISTORY_UNITS`: toxin U, HA and CaHA mL, PLLA vials, hyaluronidase U).

Face-diagram coordinates are those of the frontal diagram's SVG ``viewBox`` (``0 0 200 260``, x to the
viewer's right, y down). The diagram faces the viewer, so the **patient's right is on the viewer's left**
(``x < 100``); site ids name the patient's side.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from facebalance.planning.intake import HISTORY_UNITS, Modality

Depth = Literal["intradermal", "subcutaneous", "deep_fat", "supraperiosteal", "intramuscular"]
Technique = Literal["needle", "cannula"]
EventSeverity = Literal["mild", "moderate", "severe"]

DEPTHS: tuple[Depth, ...] = ("intradermal", "subcutaneous", "deep_fat", "supraperiosteal", "intramuscular")
TECHNIQUES: tuple[Technique, ...] = ("needle", "cannula")
EVENT_KINDS: tuple[str, ...] = (
    "bruising",
    "swelling",
    "tenderness",
    "nodule",
    "asymmetry",
    "ptosis",
    "infection",
    "vascular_occlusion",
    "hypersensitivity",
    "other",
)
#: The adverse-event kinds in words (pages and documents never show the ids).
EVENT_LABELS: Mapping[str, str] = {
    "bruising": "bruising",
    "swelling": "swelling",
    "tenderness": "tenderness",
    "nodule": "nodule or lump",
    "asymmetry": "asymmetry",
    "ptosis": "drooping lid or brow (ptosis)",
    "infection": "infection",
    "vascular_occlusion": "vascular occlusion (blocked blood vessel)",
    "hypersensitivity": "allergic or hypersensitivity reaction",
    "other": "other",
}
EVENT_SEVERITIES: tuple[EventSeverity, ...] = ("mild", "moderate", "severe")
DIAGRAM_VIEWBOX = (0.0, 0.0, 200.0, 260.0)


@dataclass(frozen=True)
class FaceSite:
    """A standard named injection site: where it sits on the diagram and which catalogue area it treats."""

    id: str
    label: str
    area: str
    x: float
    y: float


def _pair(stem: str, label: str, area: str, x_right: float, y: float) -> tuple[FaceSite, FaceSite]:
    # The patient's right is drawn on the viewer's left: mirror about the diagram's midline x = 100.
    return (
        FaceSite(f"{stem}_right", f"{label}, right", area, x_right, y),
        FaceSite(f"{stem}_left", f"{label}, left", area, 200.0 - x_right, y),
    )


#: The standard named sites of the face diagram (the charting page draws them, the FHIR export codes them).
SITES: Mapping[str, FaceSite] = {
    s.id: s
    for s in (
        FaceSite("frontalis_centre", "Frontalis, centre", "forehead", 100, 52),
        *_pair("frontalis", "Frontalis", "forehead", 76, 56),
        FaceSite("procerus", "Procerus", "glabella", 100, 93),
        *_pair("corrugator", "Corrugator", "glabella", 86, 86),
        *_pair("brow_tail", "Brow tail (orbicularis)", "brow", 58, 80),
        *_pair("crows_feet", "Lateral orbicularis (crow's feet)", "crows_feet", 46, 104),
        *_pair("temple", "Temple", "temple", 36, 78),
        *_pair("tear_trough", "Tear trough", "tear_trough", 78, 117),
        *_pair("cheek", "Zygomatic cheek", "midface", 58, 132),
        FaceSite("nasal_dorsum", "Nasal dorsum", "nose", 100, 126),
        *_pair("nasolabial", "Nasolabial fold", "nasolabial", 80, 160),
        FaceSite("upper_lip", "Upper lip vermilion", "lips", 100, 177),
        FaceSite("lower_lip", "Lower lip vermilion", "lips", 100, 191),
        *_pair("dao", "Depressor anguli oris", "mouth_corners", 78, 204),
        *_pair("marionette", "Marionette line", "marionette", 86, 197),
        FaceSite("pogonion", "Chin (pogonion)", "chin", 100, 222),
        FaceSite("mentalis", "Mentalis", "chin", 100, 209),
        *_pair("jawline", "Pre-jowl jawline", "jawline", 62, 212),
        *_pair("mandible_angle", "Mandibular angle", "jawline", 40, 186),
        *_pair("masseter", "Masseter", "masseter", 44, 166),
    )
}


def unit_of(modality: str) -> str:
    """The unit a modality's amounts are charted in (``'U'`` or ``'mL'`` or ``'vial'``)."""
    return HISTORY_UNITS[modality]


@dataclass(frozen=True)
class InjectionSite:
    """One injection (or cannula pass) at a site: ``site`` is a :data:`SITES` id, ``x``/``y`` where it was
    placed on the diagram (viewBox units), ``amount`` in the record's unit."""

    site: str
    x: float
    y: float
    amount: float
    depth: Depth
    technique: Technique
    note: str = ""


@dataclass(frozen=True)
class AdverseEvent:
    kind: str
    severity: EventSeverity
    onset: date
    resolved: date | None = None
    action: str = ""

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.kind, self.kind.replace("_", " "))


@dataclass(frozen=True)
class FollowUp:
    """A review after a treatment; for toxin, ``movement_returned_weeks`` is the patient's answer to
    "when did movement come back?" (the cadence learns from it)."""

    on: date
    movement_returned_weeks: float | None = None
    satisfied: bool | None = None
    note: str = ""


@dataclass(frozen=True)
class TreatmentRecord:
    """One charted treatment: a product in one catalogue area at one visit.

    ``plan_id``/``plan_item`` name the plan and the plan item's key it fulfils (empty when unplanned).
    ``disliked`` marks filler the patient later wants gone (the planner then proposes dissolving it).
    """

    id: str
    patient_id: str
    performed_on: date
    modality: Modality
    area: str
    product: str
    lot: str
    expiry: date | None
    sites: tuple[InjectionSite, ...] = ()
    plan_id: str = ""
    plan_item: str = ""
    clinician: str = ""
    clinic: str = ""
    adverse_events: tuple[AdverseEvent, ...] = ()
    follow_ups: tuple[FollowUp, ...] = field(default=())
    disliked: bool = False
    note: str = ""

    @property
    def unit(self) -> str:
        return unit_of(self.modality)

    @property
    def total_amount(self) -> float:
        """The sum over the injection sites, in :attr:`unit` (rounded to 0.01 against float dust)."""
        return round(sum(s.amount for s in self.sites), 2)

    @property
    def movement_returned_weeks(self) -> float | None:
        """The first recorded answer to "when did movement come back?" (toxin), or ``None``."""
        for f in sorted(self.follow_ups, key=lambda f: f.on):
            if f.movement_returned_weeks is not None:
                return f.movement_returned_weeks
        return None

    @property
    def satisfied(self) -> bool | None:
        """The latest follow-up's answer to "are you satisfied?", or ``None``."""
        answers = [f for f in sorted(self.follow_ups, key=lambda f: f.on) if f.satisfied is not None]
        return answers[-1].satisfied if answers else None
