"""The planner's JSON documents as types: what crosses the boundary to the clinic, the CLI and the records.

* :class:`PlanDocument` - the ``facebalance.treatment_plan`` 1.1 document (:func:`~facebalance.planning.plan_document`,
  ``data/plan.schema.json``);
* :class:`IntakeDocument` - the ``facebalance.intake`` 1.1 document (:func:`~facebalance.planning.parse_intake`);
* :class:`DynamicFindingRow` - a reviewed dynamic finding (:func:`~facebalance.planning.findings_from_dynamics`);
* :class:`PlanEditRequest`, :class:`EditResultDocument`, :class:`EditChoicesDocument` - an edit of a plan, what
  it did, and what may be edited (:mod:`facebalance.planning.edit`).

They are ``TypedDict`` s: plain JSON-ready dicts (stored as they are in a JSON column, sent as they are over
HTTP) whose keys and value types a type checker knows. Dates are ISO ``YYYY-MM-DD`` strings.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

PlanStatus = Literal["proposed", "refer", "hold", "deferred", "nothing_to_treat"]
FlagLevel = Literal["info", "caution", "high"]

# --- the plan document ------------------------------------------------------------------------------------


class MoneyDocument(TypedDict):
    """US dollars, a range."""

    low: float
    high: float


class OverrideDocument(TypedDict):
    clinician: str
    reason: str


class ScreeningDocument(TypedDict):
    bddq_as_recorded: bool
    bddq_as_positive: bool
    proceed: bool
    sentence: str
    override: OverrideDocument | None


class VisitDocument(TypedDict):
    index: int
    day: int
    date: str
    items: list[str]
    price: MoneyDocument
    purpose: str
    phase: int


class DoseDocument(TypedDict):
    low: float
    high: float
    unit: str
    text: str


class TimelineDocument(TypedDict):
    onset: str
    review: str
    result_visible: str
    lasts_from: str | None
    lasts_until: str | None
    sentence: str


class ReassessDocument(TypedDict):
    """A step an item waits for: its result is reassessed on or after ``date`` before the item."""

    after: str
    label: str
    date: str
    sentence: str


class PatientItemDocument(TypedDict):
    """One item in the patient's words: what, why (which finding), when, risks, aftercare, downtime, alternatives."""

    title: str
    what: str
    product: str
    why: list[str]
    when: list[str]
    risks: list[str]
    aftercare: list[str]
    downtime: str
    alternatives: list[str]
    reversibility: str
    notes: list[str]


class ItemDocument(TypedDict):
    key: str
    treatment: str
    label: str
    modality: str
    product_class: str
    area: str
    region: str
    visit: int
    date: str
    dose: DoseDocument
    price: MoneyDocument | None
    value: float
    rules: list[str]
    evidence: list[str]
    why: str
    when: str
    flags: list[str]
    reversible: bool
    reversal: str
    timeline: TimelineDocument
    sources: list[str]
    phase: int
    role: str
    reassess_before: list[ReassessDocument]
    patient: PatientItemDocument | None


class OmissionDocument(TypedDict):
    treatment: str
    label: str
    reason: str
    sentence: str
    rule: NotRequired[str]


class FlagDocument(TypedDict):
    id: str
    level: FlagLevel
    sentence: str
    source: str


class ReferralDocument(TypedDict):
    id: str
    to: str
    sentence: str
    source: str
    can: str
    cannot: str


class PricingRowDocument(TypedDict):
    visit: int | None
    item: str
    quantity: str
    unit_price: str
    price: MoneyDocument | None


class PricingDocument(TypedDict):
    rows: list[PricingRowDocument]
    visit_totals: list[MoneyDocument]
    total: MoneyDocument
    typical: MoneyDocument
    within_typical: bool
    budget_usd: float | None
    budget_basis: str
    notes: list[str]
    price_list: str
    clinician_notes: list[str]
    phase_totals: list[MoneyDocument]
    unpriced: list[str]


class MaintenanceDocument(TypedDict):
    treatment: str
    label: str
    due_from: str
    due_until: str
    sentence: str


class CadenceDocument(TypedDict):
    weeks: float
    estimate_weeks: float
    floor_weeks: float
    prior_weeks: float
    observed_weeks: list[float]
    adjustments: list[str]
    sentence: str


class LedgerRowDocument(TypedDict):
    area: str
    present_ml: float
    label_expired_ml: float
    planned_ml_high: float
    cap_ml: float | None


class SolverDocument(TypedDict):
    engine: str
    status: str
    value: float
    visits_used: int
    max_visits: int
    budget_usd: float | None
    budget_basis: str
    cost_on_basis: float


class OverrideRecordDocument(TypedDict):
    """A clinician's documented decision to go past a gate (``bddq_as``, ``patient_selection``...)."""

    gate: str
    clinician: str
    reason: str
    sentence: str
    treatment: str


class UntreatedDocument(TypedDict):
    """A finding deliberately left without an injectable answer, with why (clinician and patient wording)."""

    finding: str
    sentence: str
    patient: str


class ReconsultDocument(TypedDict):
    """When to see the patient again after a deferral, a hold or before a later phase."""

    date: str
    reasons: list[str]
    patient: str


class PhaseDocument(TypedDict):
    """One phase of a plan under a budget (index 0 now), priced; later phases are reassessed first."""

    index: int
    visits: list[int]
    items: list[str]
    price: MoneyDocument
    starts_on: str
    sentence: str


class PatientSectionDocument(TypedDict):
    """The plan in the patient's words (no internal ids): what is deliberately left untreated and why, the
    alternatives, the consent points, the phases, referrals, notices and when to come back."""

    summary: str
    untreated: list[str]
    findings_untreated: list[str]
    alternatives: list[str]
    consent: list[str]
    phases: list[str]
    referrals: list[str]
    notices: list[str]
    reconsult: str


class SignOffDocument(TypedDict):
    """The clinician's sign-off block: empty (``None``) until the clinician signs; the overrides it covers."""

    clinician_statement: str
    patient_statement: str
    clinician: str | None
    signed_on: str | None
    overrides: list[str]


class PlanDocument(TypedDict):
    """The ``facebalance.treatment_plan`` 1.1 document (every key required, see ``data/plan.schema.json``)."""

    schema: str
    schema_version: str
    facebalance_version: str
    status: PlanStatus
    start_date: str
    summary: str
    screening: ScreeningDocument
    visits: list[VisitDocument]
    items: list[ItemDocument]
    omissions: list[OmissionDocument]
    flags: list[FlagDocument]
    referrals: list[ReferralDocument]
    notes: list[str]
    pricing: PricingDocument | None
    maintenance: list[MaintenanceDocument]
    toxin_cadence: CadenceDocument | None
    ledger: list[LedgerRowDocument]
    solver: SolverDocument | None
    data_versions: dict[str, str]
    disclaimer: str
    overrides: list[OverrideRecordDocument]
    untreated: list[UntreatedDocument]
    free_text: dict[str, list[str]]
    reconsult: ReconsultDocument | None
    phases: list[PhaseDocument]
    patient: PatientSectionDocument
    sign_off: SignOffDocument


# --- the planner's inputs ---------------------------------------------------------------------------------


class PatientDocument(TypedDict, total=False):
    id: str
    age_years: int
    sex: str
    new_patient: bool


class MedicalDocument(TypedDict, total=False):
    """The medical part of the intake (the fields of :class:`~facebalance.planning.MedicalHistory`)."""

    pregnant: bool
    breastfeeding: bool
    anticoagulants: bool
    keloid_history: bool
    herpes_labialis_history: bool
    autoimmune_active: bool
    implanted_electronic_device: bool
    bleeding_disorder: bool
    skin_type_fitzpatrick: int | None
    allergies: list[str]
    medications: list[str]
    neuromuscular_conditions: list[str]
    autoimmune_conditions: list[str]
    active_infection_areas: list[str]
    allergies_other: list[str]
    medications_other: list[str]


class HistoryDocument(TypedDict):
    """One earlier treatment; ``amount`` in the modality's unit (toxin U, HA and CaHA mL, PLLA vials)."""

    date: str
    modality: str
    area: str
    amount: float
    unit: NotRequired[str]
    product: NotRequired[str]
    clinic: NotRequired[str]
    satisfied: NotRequired[bool | None]
    disliked: NotRequired[bool]
    movement_returned_weeks: NotRequired[float | None]


class BddqAsDocument(TypedDict):
    """The BDDQ-AS answers: q1, q2, q7 yes/no; q3-q6 rated 1 (not at all) to 5 (extremely)."""

    q1: bool
    q2: bool
    q3: int
    q4: int
    q5: int
    q6: int
    q7: bool


class ConcernDocument(TypedDict):
    area: str
    text: NotRequired[str]


class FindingDocument(TypedDict):
    """A finding recorded in the intake (clinician or profile findings, ``profile.recessed_chin``...)."""

    id: str
    zone: NotRequired[str]
    severity: NotRequired[str]
    source: NotRequired[str]
    values: NotRequired[dict[str, float]]
    sentence: NotRequired[str]


class PreferencesDocument(TypedDict, total=False):
    budget_usd: float | None
    budget_basis: str
    max_visits: int
    prefers_gradual: bool
    lip_upper_share: float | None


class OverrideRequestDocument(TypedDict):
    """A clinician's override in the intake: who, why, and for ``non_reversible_product`` which product."""

    clinician: str
    reason: str
    treatment: NotRequired[str]


class IntakeDocument(TypedDict):
    """The ``facebalance.intake`` 1.x document (docs/planning.md); only ``start_date`` is required."""

    start_date: str
    schema: NotRequired[str]
    schema_version: NotRequired[str]
    patient: NotRequired[PatientDocument]
    goals: NotRequired[str]
    concerns: NotRequired[list[ConcernDocument | str]]
    requested_treatments: NotRequired[list[str]]
    grades: NotRequired[dict[str, int]]
    findings: NotRequired[list[FindingDocument]]
    measurements: NotRequired[dict[str, float]]
    history: NotRequired[list[HistoryDocument]]
    medical: NotRequired[MedicalDocument]
    lifestyle: NotRequired[dict[str, bool]]
    bddq_as: NotRequired[BddqAsDocument | None]
    bddq_as_override: NotRequired[OverrideDocument | None]
    expectations: NotRequired[list[str]]
    preferences: NotRequired[PreferencesDocument]
    overrides: NotRequired[dict[str, OverrideRequestDocument]]
    concerns_other: NotRequired[list[str]]
    findings_other: NotRequired[list[str]]


class DynamicFindingRow(TypedDict, total=False):
    """A dynamic finding as the dynamic assessment document writes it (``dynamic.dao_pull_strong``...), or as a
    review left it: a reviewed row keeps the engine's rule id under ``rule`` and its own id under ``id``."""

    id: str
    rule: str
    kind: str
    expression: str
    side: str
    severity: str
    measurements: list[str]
    value: float | None
    sentence: str
    status: str


# --- editing a plan ---------------------------------------------------------------------------------------


class PlanEditRequest(TypedDict):
    """One edit (:class:`~facebalance.planning.edit.PlanEdit`): ``visit`` is 0-based."""

    kind: str
    key: str
    visit: NotRequired[int]
    dose_low: NotRequired[float]
    dose_high: NotRequired[float]
    treatment: NotRequired[str]


class ViolationDocument(TypedDict):
    gate: str
    level: str
    message: str


class EditResultDocument(TypedDict):
    """What an edit did: ``document`` is the new plan (``None`` when refused; absent when never tried)."""

    applied: bool
    sentence: str
    violations: list[ViolationDocument]
    document: NotRequired[PlanDocument | None]


class ItemChoiceDocument(TypedDict):
    key: str
    label: str
    visit: int
    dose_low: float
    dose_high: float
    dose_min: float
    dose_max: float
    dose_step: float
    unit: str
    products: tuple[tuple[str, str], ...]


class AddChoiceDocument(TypedDict):
    key: str
    label: str
    reason: str


class EditChoicesDocument(TypedDict):
    """What may be edited: per planned item (by key) its choices, the candidates to add, the visits."""

    items: dict[str, ItemChoiceDocument]
    additions: list[AddChoiceDocument]
    visits: int
