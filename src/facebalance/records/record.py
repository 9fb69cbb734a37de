"""A patient's whole record as plain data: what the FHIR export writes and its import gives back.

The clinic app builds a :class:`PatientRecord` from its rows; :mod:`facebalance.records.fhir` turns it
into a FHIR Bundle and back, and the round trip is tested for equality of these dataclasses.
Datetimes are timezone-aware (UTC).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from facebalance.planning.intake import BddqAs, PriorTreatment
from facebalance.records.treatments import TreatmentRecord


@dataclass(frozen=True)
class Demographics:
    id: str
    given_name: str
    family_name: str
    birth_date: date
    sex: str  # "female" | "male": the norm sets' sexes, also FHIR administrative genders


@dataclass(frozen=True)
class Norm:
    """The norm a measurement was compared with, as the analysis document states it."""

    mean: float | None
    sd: float | None
    low: float | None
    high: float | None
    sex: str
    population: str
    source: str
    review: str
    status: str
    deviation: float | None


@dataclass(frozen=True)
class Measurement:
    """One measurement: ``value`` and its one-sigma ``uncertainty`` in ``unit`` (``None`` when not
    measurable, with ``reason``)."""

    id: str
    label: str
    zone: str
    unit: str
    value: float | None
    uncertainty: float | None
    norm: Norm | None = None
    reason: str = ""


@dataclass(frozen=True)
class AnalysisRecord:
    """The measurements of one assessment, taken from ``photo_id``."""

    id: str
    taken: datetime
    photo_id: str
    measurements: tuple[Measurement, ...]


@dataclass(frozen=True)
class PhotoRecord:
    """A stored photo's metadata (the pixels stay in the photo store; ``data`` only when embedded)."""

    id: str
    view_id: str
    taken: datetime
    content_type: str
    sha256: str
    size_bytes: int
    width_px: int
    height_px: int
    data: bytes | None = None


@dataclass(frozen=True)
class DocumentRecord:
    """A generated document (the written plan or the assessment report PDF), embedded."""

    id: str
    kind: str  # "treatment_plan" | "assessment_report"
    title: str
    created: datetime
    content_type: str
    data: bytes


@dataclass(frozen=True)
class PlanRecord:
    """A plan: its ``facebalance.treatment_plan`` document and whether the patient accepted it."""

    id: str
    created: datetime
    status: str  # "proposed" | "accepted"
    document: Mapping[str, Any]


@dataclass(frozen=True)
class IntakeRecord:
    """What an intake holds that other systems read: allergies and medications (one entry per line, as
    written), the BDDQ-AS answers (when all seven were given) and the prior treatments the patient reported
    (dates and amounts, in the planner's :class:`~facebalance.planning.intake.PriorTreatment` form)."""

    id: str
    recorded: datetime
    allergies: tuple[str, ...] = ()
    medications: tuple[str, ...] = ()
    bddq_as: BddqAs | None = None
    prior_treatments: tuple[PriorTreatment, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.allergies or self.medications or self.bddq_as or self.prior_treatments)


@dataclass(frozen=True)
class PatientRecord:
    patient: Demographics
    analyses: tuple[AnalysisRecord, ...] = ()
    plans: tuple[PlanRecord, ...] = ()
    treatments: tuple[TreatmentRecord, ...] = ()
    photos: tuple[PhotoRecord, ...] = ()
    documents: tuple[DocumentRecord, ...] = ()
    intakes: tuple[IntakeRecord, ...] = ()


def _opt(x: Any) -> float | None:
    return None if x is None else float(x)


def analysis_record(analysis_id: str, taken: datetime, photo_id: str, doc: Mapping[str, Any]) -> AnalysisRecord:
    """An :class:`AnalysisRecord` from a ``facebalance.frontal_analysis`` document
    (:func:`facebalance.report.document.analysis_document`)."""
    out = []
    for mid, m in doc.get("measurements", {}).items():
        n = m.get("norm")
        norm = (
            None
            if n is None
            else Norm(
                _opt(n.get("mean")),
                _opt(n.get("sd")),
                _opt(n.get("low")),
                _opt(n.get("high")),
                str(n.get("sex", "")),
                str(n.get("population", "")),
                str(n.get("source", "")),
                str(n.get("review", "")),
                str(n.get("status", "")),
                _opt(n.get("deviation")),
            )
        )
        out.append(
            Measurement(
                mid,
                str(m.get("label", mid)),
                str(m.get("zone", "")),
                str(m.get("unit", "")),
                _opt(m.get("value")),
                _opt(m.get("uncertainty")),
                norm,
                str(m.get("not_measurable_reason", "")),
            )
        )
    return AnalysisRecord(analysis_id, taken, photo_id, tuple(out))
