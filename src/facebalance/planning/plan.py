"""The Plan and its versioned JSON document (schema ``facebalance.treatment_plan``, ``data/plan.schema.json``).

Dates are ISO ``YYYY-MM-DD``; money is US dollars as ``{"low": .., "high": ..}``; ``day`` is days from the
plan's start date. Bump :data:`PLAN_SCHEMA_VERSION` on any incompatible change and update the schema file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from facebalance.planning.cadence import ToxinCadence
from facebalance.planning.datafiles import packaged_text
from facebalance.planning.documents import (
    CadenceDocument,
    FlagLevel,
    ItemDocument,
    LedgerRowDocument,
    MaintenanceDocument,
    MoneyDocument,
    PatientItemDocument,
    PatientSectionDocument,
    PlanDocument,
    PlanStatus,
    PricingDocument,
    ScreeningDocument,
    SolverDocument,
    VisitDocument,
)
from facebalance.planning.patient import PatientItem, PatientSection
from facebalance.planning.pricing import PriceRange
from facebalance.planning.safety import ScreenResult
from facebalance.planning.timeline import ItemTimeline, MaintenanceEntry
from facebalance.version import __version__

PLAN_SCHEMA = "facebalance.treatment_plan"
PLAN_SCHEMA_VERSION = "1.1"
DISCLAIMER = (
    "Clinical decision support: a proposed plan for the treating clinician to review, change and sign. "
    "Doses, products and prices are ranges, not a prescription."
)


@dataclass(frozen=True)
class Reassess:
    """A step this item waits for: the result of ``after`` is reassessed on or after ``on`` before this step."""

    after: str
    label: str
    on: date
    sentence: str
    rule: str = ""


@dataclass(frozen=True)
class PlannedItem:
    """One treatment in the plan, with why it is there, why at that visit, and what it costs.

    ``price`` is ``None`` for an item the price list does not price (quoted on consultation); ``phase`` is 0 for
    the plan now and 1, 2 for the later phases of a plan under a budget; ``role`` is ``treatment`` or
    ``adjunct`` (offered alongside a surgical opinion, which may change or replace it).
    """

    key: str
    treatment: str
    label: str
    modality: str
    product_class: str
    area: str
    region: str
    visit: int
    date: date
    dose_low: float
    dose_high: float
    unit: str
    dose_text: str
    price: PriceRange | None
    value: float
    rules: tuple[str, ...]
    evidence: tuple[str, ...]
    why: str
    when: str
    flags: tuple[str, ...]
    reversible: bool
    reversal: str
    timeline: ItemTimeline
    sources: tuple[str, ...]
    phase: int = 0
    role: str = "treatment"
    reassess_before: tuple[Reassess, ...] = ()


@dataclass(frozen=True)
class Visit:
    index: int
    day: int
    date: date
    items: tuple[str, ...]
    price: PriceRange
    purpose: str
    phase: int = 0


@dataclass(frozen=True)
class Phase:
    """One phase of a plan under a budget: phase 0 now, later phases after a reassessment; each is priced."""

    index: int
    visits: tuple[int, ...]
    items: tuple[str, ...]
    price: PriceRange
    starts_on: date
    sentence: str


@dataclass(frozen=True)
class Omission:
    """A treatment considered and left out, with the reason code and the sentence the plan shows.

    ``reason`` is one of: no_finding, suppressed, deferred, excluded, cap, over_projection, budget,
    visits, visit_caps, plan_caps, area_caps, timing, exclusive, several, impossible, prefer_reversible,
    needs_override. ``rule`` is the data row behind it, when one is (a relation, indication or contraindication).
    """

    treatment: str
    label: str
    reason: str
    sentence: str
    rule: str = ""


@dataclass(frozen=True)
class Flag:
    id: str
    level: FlagLevel
    sentence: str
    source: str = ""


@dataclass(frozen=True)
class Referral:
    """A referral, with what injectables can and cannot do for the finding behind it."""

    id: str
    to: str
    sentence: str
    source: str
    can: str = ""
    cannot: str = ""


@dataclass(frozen=True)
class PricingRow:
    """One row of the written pricing; ``price`` is ``None`` for an item priced on consultation."""

    visit: int | None
    item: str
    quantity: str
    unit_price: str
    price: PriceRange | None


@dataclass(frozen=True)
class Pricing:
    """The written-pricing table: rows per item, subtotal per visit, total, and how it compares."""

    rows: tuple[PricingRow, ...]
    visit_totals: tuple[PriceRange, ...]
    total: PriceRange
    typical: PriceRange
    within_typical: bool
    budget_usd: float | None
    budget_basis: str
    notes: tuple[str, ...]
    price_list: str
    clinician_notes: tuple[str, ...] = ()
    phase_totals: tuple[PriceRange, ...] = ()
    unpriced: tuple[str, ...] = ()


@dataclass(frozen=True)
class LedgerRow:
    area: str
    present_ml: float
    label_expired_ml: float
    planned_ml_high: float
    cap_ml: float | None


@dataclass(frozen=True)
class SolverSummary:
    status: str
    value: float
    visits_used: int
    max_visits: int
    budget_usd: float | None
    budget_basis: str
    cost_on_basis: float


@dataclass(frozen=True)
class OverrideRecord:
    """A clinician's documented decision to go past a gate, as the plan records it."""

    gate: str
    clinician: str
    reason: str
    sentence: str
    treatment: str = ""


@dataclass(frozen=True)
class Untreated:
    """A finding deliberately left without an injectable answer: why (for the clinician and the patient)."""

    finding: str
    sentence: str
    patient: str


@dataclass(frozen=True)
class Reconsult:
    """When to see the patient again after a deferral or a hold, and why."""

    on: date
    reasons: tuple[str, ...]
    patient: str


@dataclass(frozen=True)
class Plan:
    """A proposed, sequenced, priced multi-visit plan, or the reason there is none.

    ``overrides`` are the clinician's documented decisions the plan relies on; ``untreated`` the findings left
    without an injectable answer on purpose; ``free_text`` the intake's entries the rules do not read (by
    field); ``reconsult`` the date to see the patient again after a deferral, a hold or a later phase.
    """

    status: PlanStatus
    start_date: date
    summary: str
    visits: tuple[Visit, ...]
    items: tuple[PlannedItem, ...]
    omissions: tuple[Omission, ...]
    flags: tuple[Flag, ...]
    referrals: tuple[Referral, ...]
    notes: tuple[str, ...]
    pricing: Pricing | None
    maintenance: tuple[MaintenanceEntry, ...]
    toxin_cadence: ToxinCadence | None
    ledger: tuple[LedgerRow, ...]
    screening: ScreenResult
    solver: SolverSummary | None
    data_versions: Mapping[str, str]
    overrides: tuple[OverrideRecord, ...] = ()
    untreated: tuple[Untreated, ...] = ()
    free_text: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    reconsult: Reconsult | None = None
    phases: tuple[Phase, ...] = ()
    patient: PatientSection | None = None
    sign_off_words: Mapping[str, str] = field(default_factory=dict)

    def item(self, treatment: str) -> PlannedItem:
        """The planned item of a treatment id (the first, for PLLA sessions); ``KeyError`` if not planned."""
        for i in self.items:
            if i.treatment == treatment:
                return i
        raise KeyError(f"{treatment} is not in the plan (planned: {', '.join(self.treatments) or 'nothing'})")

    @property
    def treatments(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i.treatment for i in self.items))

    def omission(self, treatment: str) -> Omission:
        """Why a treatment id was left out; ``KeyError`` if it was not considered and left out."""
        for o in self.omissions:
            if o.treatment == treatment:
                return o
        raise KeyError(f"{treatment} has no omission (omitted: {', '.join(o.treatment for o in self.omissions)})")


# --- the JSON document -------------------------------------------------------------------------------


def _money(p: PriceRange) -> MoneyDocument:
    return {"low": round(p.low, 2), "high": round(p.high, 2)}


def _maybe_money(p: PriceRange | None) -> MoneyDocument | None:
    return None if p is None else _money(p)


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _patient_item_doc(p: PatientItem | None) -> PatientItemDocument | None:
    if p is None:
        return None
    return {
        "title": p.title,
        "what": p.what,
        "product": p.product,
        "why": list(p.why),
        "when": list(p.when),
        "risks": list(p.risks),
        "aftercare": list(p.aftercare),
        "downtime": p.downtime,
        "alternatives": list(p.alternatives),
        "reversibility": p.reversibility,
        "notes": list(p.notes),
    }


def _patient_doc(p: PatientSection | None) -> PatientSectionDocument:
    if p is None:
        return {
            "summary": "",
            "untreated": [],
            "findings_untreated": [],
            "alternatives": [],
            "consent": [],
            "phases": [],
            "referrals": [],
            "notices": [],
            "reconsult": "",
        }
    return {
        "summary": p.summary,
        "untreated": list(p.untreated),
        "findings_untreated": list(p.findings_untreated),
        "alternatives": list(p.alternatives),
        "consent": list(p.consent),
        "phases": list(p.phases),
        "referrals": list(p.referrals),
        "notices": list(p.notices),
        "reconsult": p.reconsult,
    }


def _item_doc(i: PlannedItem, patient: PatientItem | None) -> ItemDocument:
    t = i.timeline
    return {
        "key": i.key,
        "treatment": i.treatment,
        "label": i.label,
        "modality": i.modality,
        "product_class": i.product_class,
        "area": i.area,
        "region": i.region,
        "visit": i.visit,
        "date": i.date.isoformat(),
        "dose": {"low": i.dose_low, "high": i.dose_high, "unit": i.unit, "text": i.dose_text},
        "price": _maybe_money(i.price),
        "value": round(i.value, 2),
        "rules": list(i.rules),
        "evidence": list(i.evidence),
        "why": i.why,
        "when": i.when,
        "flags": list(i.flags),
        "reversible": i.reversible,
        "reversal": i.reversal,
        "timeline": {
            "onset": t.onset_on.isoformat(),
            "review": t.review_on.isoformat(),
            "result_visible": t.result_visible_on.isoformat(),
            "lasts_from": _iso(t.lasts_from),
            "lasts_until": _iso(t.lasts_until),
            "sentence": t.sentence,
        },
        "sources": list(i.sources),
        "phase": i.phase,
        "role": i.role,
        "reassess_before": [
            {"after": r.after, "label": r.label, "date": r.on.isoformat(), "sentence": r.sentence}
            for r in i.reassess_before
        ],
        "patient": _patient_item_doc(patient),
    }


def _screening_doc(s: ScreenResult) -> ScreeningDocument:
    return {
        "bddq_as_recorded": s.recorded,
        "bddq_as_positive": s.positive,
        "proceed": s.proceed,
        "sentence": s.sentence,
        "override": None if s.override is None else {"clinician": s.override.clinician, "reason": s.override.reason},
    }


def _visit_doc(v: Visit) -> VisitDocument:
    return {
        "index": v.index,
        "day": v.day,
        "date": v.date.isoformat(),
        "items": list(v.items),
        "price": _money(v.price),
        "purpose": v.purpose,
        "phase": v.phase,
    }


def _pricing_doc(p: Pricing | None) -> PricingDocument | None:
    if p is None:
        return None
    return {
        "rows": [
            {
                "visit": r.visit,
                "item": r.item,
                "quantity": r.quantity,
                "unit_price": r.unit_price,
                "price": _maybe_money(r.price),
            }
            for r in p.rows
        ],
        "visit_totals": [_money(v) for v in p.visit_totals],
        "total": _money(p.total),
        "typical": _money(p.typical),
        "within_typical": p.within_typical,
        "budget_usd": p.budget_usd,
        "budget_basis": p.budget_basis,
        "notes": list(p.notes),
        "price_list": p.price_list,
        "clinician_notes": list(p.clinician_notes),
        "phase_totals": [_money(t) for t in p.phase_totals],
        "unpriced": list(p.unpriced),
    }


def _maintenance_doc(m: MaintenanceEntry) -> MaintenanceDocument:
    return {
        "treatment": m.treatment,
        "label": m.label,
        "due_from": m.due_from.isoformat(),
        "due_until": m.due_until.isoformat(),
        "sentence": m.sentence,
    }


def _cadence_doc(c: ToxinCadence | None) -> CadenceDocument | None:
    if c is None:
        return None
    return {
        "weeks": c.weeks,
        "estimate_weeks": c.estimate_weeks,
        "floor_weeks": c.floor_weeks,
        "prior_weeks": c.prior_weeks,
        "observed_weeks": list(c.observed_weeks),
        "adjustments": list(c.adjustments),
        "sentence": c.sentence,
    }


def _ledger_doc(r: LedgerRow) -> LedgerRowDocument:
    return {
        "area": r.area,
        "present_ml": round(r.present_ml, 2),
        "label_expired_ml": round(r.label_expired_ml, 2),
        "planned_ml_high": round(r.planned_ml_high, 2),
        "cap_ml": r.cap_ml,
    }


def _solver_doc(s: SolverSummary | None) -> SolverDocument | None:
    if s is None:
        return None
    return {
        "engine": "OR-Tools CP-SAT",
        "status": s.status,
        "value": round(s.value, 2),
        "visits_used": s.visits_used,
        "max_visits": s.max_visits,
        "budget_usd": s.budget_usd,
        "budget_basis": s.budget_basis,
        "cost_on_basis": round(s.cost_on_basis, 2),
    }


def plan_document(plan: Plan) -> PlanDocument:
    """The JSON-ready dict of a plan (validates against ``data/plan.schema.json``)."""
    return {
        "schema": PLAN_SCHEMA,
        "schema_version": PLAN_SCHEMA_VERSION,
        "facebalance_version": __version__,
        "status": plan.status,
        "start_date": plan.start_date.isoformat(),
        "summary": plan.summary,
        "screening": _screening_doc(plan.screening),
        "visits": [_visit_doc(v) for v in plan.visits],
        "items": [_item_doc(i, dict(plan.patient.items).get(i.key) if plan.patient else None) for i in plan.items],
        "omissions": [
            {"treatment": o.treatment, "label": o.label, "reason": o.reason, "sentence": o.sentence, "rule": o.rule}
            for o in plan.omissions
        ],
        "flags": [{"id": f.id, "level": f.level, "sentence": f.sentence, "source": f.source} for f in plan.flags],
        "referrals": [
            {"id": r.id, "to": r.to, "sentence": r.sentence, "source": r.source, "can": r.can, "cannot": r.cannot}
            for r in plan.referrals
        ],
        "notes": list(plan.notes),
        "pricing": _pricing_doc(plan.pricing),
        "maintenance": [_maintenance_doc(m) for m in plan.maintenance],
        "toxin_cadence": _cadence_doc(plan.toxin_cadence),
        "ledger": [_ledger_doc(r) for r in plan.ledger],
        "solver": _solver_doc(plan.solver),
        "data_versions": dict(plan.data_versions),
        "disclaimer": DISCLAIMER,
        "overrides": [
            {
                "gate": o.gate,
                "clinician": o.clinician,
                "reason": o.reason,
                "sentence": o.sentence,
                "treatment": o.treatment,
            }
            for o in plan.overrides
        ],
        "untreated": [{"finding": u.finding, "sentence": u.sentence, "patient": u.patient} for u in plan.untreated],
        "free_text": {k: list(v) for k, v in plan.free_text.items()},
        "reconsult": None
        if plan.reconsult is None
        else {
            "date": plan.reconsult.on.isoformat(),
            "reasons": list(plan.reconsult.reasons),
            "patient": plan.reconsult.patient,
        },
        "phases": [
            {
                "index": ph.index,
                "visits": list(ph.visits),
                "items": list(ph.items),
                "price": _money(ph.price),
                "starts_on": ph.starts_on.isoformat(),
                "sentence": ph.sentence,
            }
            for ph in plan.phases
        ],
        "patient": _patient_doc(plan.patient),
        "sign_off": {
            "clinician_statement": plan.sign_off_words.get("clinician", ""),
            "patient_statement": plan.sign_off_words.get("patient", ""),
            "clinician": None,
            "signed_on": None,
            "overrides": [o.sentence for o in plan.overrides],
        },
    }


def plan_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the plan document."""
    schema: dict[str, Any] = json.loads(packaged_text("plan.schema.json"))
    return schema
