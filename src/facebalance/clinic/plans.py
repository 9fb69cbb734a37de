"""The clinic's adapter to the planning engine (:mod:`facebalance.planning`), the one file that knows its API.

Everything the plan page needs goes through this module, which speaks the engine's documented JSON forms:
the ``facebalance.intake`` 1.0 document and the frontal analysis document in, the ``facebalance.treatment_plan``
1.0 document out; a plan edit is ``{"kind", "key", "visit", "dose_low", "dose_high", "treatment"}``
(:class:`facebalance.planning.edit.PlanEdit`). The documents are typed by the engine
(:mod:`facebalance.planning.documents`). A change of the engine's Python API changes only this file.

Plans are priced with the clinic's own price list (``Clinic.prices_toml``) layered over the default.
"""

from __future__ import annotations

import copy
import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from facebalance.clinic.models import Intake, Patient, Pregnancy, PriorTreatment
from facebalance.errors import FacebalanceError
from facebalance.planning import (
    FindingInput,
    PlanningData,
    build_plan,
    findings_from_dynamics,
    findings_from_frontal,
    findings_from_session,
    parse_intake,
    plan_document,
)
from facebalance.planning import Intake as PlannerIntake
from facebalance.planning.charting import ChartedTreatment, check_charted_treatment
from facebalance.planning.checks import known_allergies, known_medications
from facebalance.planning.documents import (
    DynamicFindingRow,
    EditChoicesDocument,
    EditResultDocument,
    IntakeDocument,
    PlanDocument,
    ViolationDocument,
)
from facebalance.planning.edit import EDIT_FLAG, PlanEdit
from facebalance.planning.edit import edit_choices as engine_choices
from facebalance.planning.edit import edit_plan as engine_edit
from facebalance.planning.edit import plan_start as engine_plan_start
from facebalance.planning.pricing import layer_price_lists, load_price_list, parse_price_list
from facebalance.planning.vocabulary import as_id, ids_or_free_text

__all__ = [
    "EDIT_FLAG",
    "IntakeChoices",
    "PlanUnavailable",
    "check_charting",
    "check_price_list",
    "edit_choices",
    "edit_plan",
    "generate_plan",
    "intake_choices",
    "intake_document",
    "plan_start",
    "without_assessment",
]


class PlanUnavailable(FacebalanceError):
    code = "plan_unavailable"


def _lines(text: str) -> list[str]:
    return [line.strip().lower() for line in text.splitlines() if line.strip()]


def age_years(born: date, on: date) -> int:
    """Whole years between two dates.

    >>> age_years(date(1990, 6, 15), date(2026, 6, 14)), age_years(date(1990, 6, 15), date(2026, 6, 15))
    (35, 36)
    """
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass(frozen=True)
class IntakeChoices:
    """What the intake form offers, from the planner's data: ``(id, label)`` pairs."""

    areas: tuple[tuple[str, str], ...]
    concern_areas: tuple[tuple[str, str], ...]
    treatments: tuple[tuple[str, str], ...]
    expectations: tuple[tuple[str, str], ...]
    findings: tuple[tuple[str, str], ...]
    max_visits: int


def _words(identifier: str) -> str:
    """``'dynamic.crows_feet_strong'`` -> ``'crows feet strong (dynamic)'``: an id read aloud."""
    source, _, name = identifier.rpartition(".")
    words = name.replace("_", " ")
    return f"{words} ({source})" if source else words


@functools.cache
def intake_choices() -> IntakeChoices:
    """The catalogue areas, the concern areas the rules read, the treatments that can be asked for, the
    expectation ids of the safety rules and the finding ids the rules read (for a clinician's own finding)."""
    data = PlanningData.default()
    areas = tuple((a.id, a.label) for a in data.catalog.areas.values())
    labels = dict(areas)
    concern_ids = sorted({c for ind in data.rules.indications for c in ind.concerns} - {"gradual"})
    conditions = [c for ind in data.rules.indications for c in (*ind.when_all, *ind.when_any)]
    conditions += [c for rel in data.rules.relations for c in rel.when_any]
    return IntakeChoices(
        areas=areas,
        concern_areas=tuple((c, labels.get(c, c.replace("_", " "))) for c in concern_ids),
        treatments=tuple((t.id, t.label) for t in data.catalog.treatments.values() if t.modality != "hyaluronidase"),
        expectations=tuple((e.id, e.sentence.split(":")[0]) for e in data.safety.expectations.values()),
        findings=tuple((f, _words(f)) for f in sorted({c.finding for c in conditions if c.finding})),
        max_visits=data.rules.limits.max_visits,
    )


def _history_row(t: PriorTreatment) -> dict[str, Any]:
    row: dict[str, Any] = {
        "date": t.date.isoformat(),
        "modality": t.modality,
        "area": t.area,
        "amount": float(t.amount),
        "product": t.product,
        "clinic": t.clinic_name,
        "satisfied": t.satisfied,
        "disliked": t.disliked,
    }
    if t.movement_returned_weeks is not None and t.modality == "toxin":
        row["movement_returned_weeks"] = float(t.movement_returned_weeks)
    return row


def reported_history(patient: Patient) -> list[dict[str, Any]]:
    """The prior treatments the patient reported at every intake, each once (a later intake repeating an
    earlier one's entry does not double it), oldest first, as the intake document's ``history``."""
    seen: dict[tuple[str, str, str, float], dict[str, Any]] = {}
    for t in PriorTreatment.objects.filter(intake__patient=patient).order_by("date", "id"):
        row = _history_row(t)
        seen.setdefault((row["date"], row["modality"], row["area"], row["amount"]), row)
    return list(seen.values())


def merged_history(reported: list[dict[str, Any]], charted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reported and charted history, a treatment on both counted once (the charted row wins: it has more)."""
    out = {(r["date"], r["modality"], r["area"], float(r["amount"])): r for r in reported}
    out.update({(r["date"], r["modality"], r["area"], float(r["amount"])): r for r in charted})
    return sorted(out.values(), key=lambda r: str(r["date"]))


def intake_document(
    patient: Patient,
    intake: Intake | None,
    *,
    grades: dict[str, int],
    start: date,
    charted: list[dict[str, Any]] | None = None,
    findings: list[dict[str, Any]] | None = None,
) -> IntakeDocument:
    """The ``facebalance.intake`` 1.0 document of a clinic intake (see docs/planning.md).

    ``history`` is every prior treatment the patient reported (at any intake) merged with ``charted`` (the
    clinic's own charted treatments as :func:`facebalance.records.ledger.history_documents` writes them);
    ``findings`` are the clinician's own findings (``{"id", "zone", "severity", "sentence"}``)."""
    history = merged_history(reported_history(patient), list(charted or []))
    doc: IntakeDocument = {
        "schema": "facebalance.intake",
        "start_date": start.isoformat(),
        "patient": {
            "age_years": age_years(patient.date_of_birth, start),
            "sex": patient.sex,
            "new_patient": not history,
        },
        "grades": dict(grades),
        "history": history,  # type: ignore[typeddict-item]
    }
    if findings:
        doc["findings"] = [dict(f, source="clinician") for f in findings]  # type: ignore[typeddict-item]
    if intake is None:
        return doc
    doc["goals"] = intake.goals
    data = _data("")
    allergies, allergies_other = ids_or_free_text(_lines(intake.allergies), known_allergies(data))
    medications, medications_other = ids_or_free_text(_lines(intake.medications), known_medications(data))
    doc["medical"] = {
        "pregnant": intake.pregnancy in (Pregnancy.YES, Pregnancy.POSSIBLE),
        "breastfeeding": intake.breastfeeding,
        "anticoagulants": intake.anticoagulants,
        "keloid_history": intake.keloid_history,
        "herpes_labialis_history": intake.herpes_labialis_history,
        "autoimmune_active": intake.autoimmune_active,
        "allergies": allergies,
        "medications": medications,
        "allergies_other": allergies_other,
        "medications_other": medications_other,
        "neuromuscular_conditions": [as_id(c) for c in _lines(intake.neuromuscular_conditions)],
        "autoimmune_conditions": [as_id(c) for c in _lines(intake.autoimmune_conditions)],
        "active_infection_areas": list(intake.active_infection_areas or []),
    }
    doc["concerns"] = [{"area": c.area, "text": c.text} for c in intake.concerns.all()]
    doc["requested_treatments"] = list(intake.requested_treatments or [])
    doc["expectations"] = list(intake.expectations or [])
    doc["lifestyle"] = {"high_exercise": intake.high_exercise}
    preferences: dict[str, Any] = {"budget_basis": intake.budget_basis, "prefers_gradual": intake.prefers_gradual}
    if intake.budget_usd is not None:
        preferences["budget_usd"] = intake.budget_usd
    if intake.max_visits is not None:
        preferences["max_visits"] = intake.max_visits
    doc["preferences"] = preferences  # type: ignore[typeddict-item]
    measurements = {
        f"profile.{name}": value
        for name, value in (
            ("upper_lip_to_e_line_mm", intake.upper_lip_to_e_line_mm),
            ("lower_lip_to_e_line_mm", intake.lower_lip_to_e_line_mm),
        )
        if value is not None
    }
    if measurements:
        doc["measurements"] = measurements
    if intake.bddq_override_reason.strip() and intake.bddq_override_by is not None:
        doc["bddq_as_override"] = {
            "clinician": intake.bddq_override_by.get_username(),
            "reason": intake.bddq_override_reason,
        }
    if intake.bddq_complete:
        doc["bddq_as"] = {
            "q1": intake.bddq_q1_concerned,
            "q2": intake.bddq_q2_preoccupied,
            "q3": intake.bddq_q3_distress,
            "q4": intake.bddq_q4_social,
            "q5": intake.bddq_q5_work_school,
            "q6": intake.bddq_q6_avoidance,
            "q7": intake.bddq_q7_impairment,
        }
    return doc


def check_charting(
    intake_doc: IntakeDocument, *, performed_on: date, modality: str, area: str, amount: float
) -> list[ViolationDocument]:
    """The planner's gates a treatment about to be charted breaks (:mod:`facebalance.planning.charting`):
    ``[{"gate", "level", "message"}]``, hard ones refusing it unless a clinician overrides with a reason.

    ``intake_doc`` is the patient's intake document as of ``performed_on`` with the whole history (reported and
    charted, :func:`intake_document`).

    Raises
    ------
    PlanUnavailable
        When the intake cannot be read by the planner (its message and hint are kept).
    """
    try:
        check = check_charted_treatment(
            ChartedTreatment(performed_on, modality, area, amount),  # type: ignore[arg-type]
            intake=parse_intake(intake_doc),
        )
    except FacebalanceError as exc:
        raise PlanUnavailable(exc.message, hint=exc.hint) from None
    return check.as_document()


def check_price_list(text: str) -> None:
    """Refuse a clinic price list (TOML) the engine could not read; raises :class:`PlanUnavailable`."""
    _data(text)


@functools.lru_cache(maxsize=16)
def _data(prices_toml: str) -> PlanningData:
    """The engine's planning data with the clinic's price list layered over the default (built once per
    process and price list text: the planning data is immutable)."""
    if not prices_toml.strip():
        return PlanningData.default()
    try:
        clinic = parse_price_list(tomllib.loads(prices_toml))
    except tomllib.TOMLDecodeError as exc:
        raise PlanUnavailable(
            f"The clinic price list is not valid TOML: {exc}.", hint="Fix the price list in Settings."
        ) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanUnavailable(
            f"The clinic price list has a row without {exc}.",
            hint="Each [[price]] row needs key, label, per, low, high, source and review.",
        ) from None
    except FacebalanceError as exc:
        raise PlanUnavailable(f"The clinic price list: {exc.message}", hint=exc.hint) from None
    return PlanningData.default(prices=layer_price_lists(load_price_list(), clinic))


def dynamic_finding_inputs(rows: list[DynamicFindingRow]) -> tuple[FindingInput, ...]:
    """The reviewed dynamic findings (``Assessment.dynamic_findings`` rows) as the planner's findings
    (:func:`facebalance.planning.findings_from_dynamics`: the engine's rule id, severity, value, sentence)."""
    return findings_from_dynamics(rows)


def session_finding_inputs(
    document: Mapping[str, Any], rows: list[Mapping[str, Any]]
) -> tuple[tuple[FindingInput, ...], dict[str, float]]:
    """The reviewed findings of a session's other views and cross-view relations (``Assessment.session_findings``
    rows as the clinician left them: the engine's id under ``rule``) read by the planner exactly as it reads a
    session assessment (:func:`facebalance.planning.findings_from_session`: ``session.*`` ones with source
    ``session``, a profile's ``profile``, the others ``frontal``; rejected ones left out), with the measurement
    values of every analysed view of the session ``document`` (the planner's gates read them whatever the
    findings). Nothing without a session document."""
    if not document:
        return (), {}
    reviewed = [dict(r, id=r.get("rule") or r.get("id")) for r in rows]
    return findings_from_session(dict(document, findings=reviewed))


#: The keys of the planner's ``analysis`` mapping beside the frontal document's own.
_EXTRA_KEYS = ("dynamic_findings", "session_findings", "session_document")


def _inputs(
    analysis: Mapping[str, Any], intake_doc: IntakeDocument
) -> tuple[tuple[FindingInput, ...], dict[str, float], PlannerIntake]:
    """Frontal findings and measurements, plus, under ``session_findings`` (with ``session_document``) and
    ``dynamic_findings``, the reviewed findings of the session's other views and cross-view ones and the dynamic
    ones; and the intake. A measurement of the frontal photo wins over another view's of the same id."""
    frontal = {k: v for k, v in analysis.items() if k not in _EXTRA_KEYS}
    findings, measurements = findings_from_frontal(frontal)
    session, session_measured = session_finding_inputs(
        analysis.get("session_document") or {}, list(analysis.get("session_findings", []))
    )
    findings = (*findings, *session, *findings_from_dynamics(list(analysis.get("dynamic_findings", []))))
    return findings, {**session_measured, **measurements}, parse_intake(intake_doc)


def generate_plan(analysis: Mapping[str, Any], intake_doc: IntakeDocument, *, prices_toml: str = "") -> PlanDocument:
    """The plan document for reviewed findings (rejected ones marked ``status: rejected``) and an intake.

    Raises
    ------
    PlanUnavailable
        When the engine refuses the input (its message and hint are kept).
    """
    try:
        findings, measurements, intake = _inputs(analysis, intake_doc)
        plan = build_plan(findings, intake, measurements=measurements, data=_data(prices_toml))
        return plan_document(plan)
    except FacebalanceError as exc:
        raise PlanUnavailable(exc.message, hint=exc.hint) from None


#: The item fields that carry the assessment: the findings (ids, severities) and grades the item answers.
ASSESSMENT_ITEM_FIELDS = {"why": "", "evidence": []}


def without_assessment(document: PlanDocument) -> PlanDocument:
    """The plan document for a member who may not see the assessment (front desk): each item's ``why`` and
    ``evidence`` (and the patient's-words ``why``) emptied, since they name the findings and grades, and the
    findings left untreated on purpose removed; visits, items, doses, dates, prices, omissions and referrals
    stay. Marked ``assessment_withheld: true``."""
    doc = copy.deepcopy(document)
    for item in doc.get("items", []):
        item.update(copy.deepcopy(ASSESSMENT_ITEM_FIELDS))
        if "patient" in item:
            item["patient"]["why"] = []
    if "untreated" in doc:
        doc["untreated"] = []
    if "patient" in doc:
        doc["patient"]["findings_untreated"] = []
    doc["assessment_withheld"] = True
    return doc


def plan_start(document: PlanDocument) -> date:
    """The plan's start date: an edit is checked against the intake as of that date."""
    try:
        return engine_plan_start(document)
    except FacebalanceError as exc:
        raise PlanUnavailable(exc.message, hint=exc.hint) from None


def edit_plan(
    document: PlanDocument,
    edit: Mapping[str, Any],
    analysis: Mapping[str, Any],
    intake_doc: IntakeDocument,
    *,
    prices_toml: str = "",
) -> EditResultDocument:
    """Apply one edit (its JSON form, :class:`~facebalance.planning.documents.PlanEditRequest`, as received: the
    engine checks it), re-checked by the engine's gates and re-priced.

    Returns ``{"applied", "sentence", "violations": [{"gate", "level", "message"}], "document"}`` where
    ``document`` is the new plan document (``None`` when the edit is refused by a hard gate).

    Raises
    ------
    PlanUnavailable
        When the request is not an edit of this plan (unknown item, no such visit...) or the inputs fail.
    """
    try:
        findings, measurements, intake = _inputs(analysis, intake_doc)
        result = engine_edit(
            document,
            PlanEdit.parse(edit),
            findings=findings,
            intake=intake,
            measurements=measurements,
            data=_data(prices_toml),
        )
    except FacebalanceError as exc:
        raise PlanUnavailable(exc.message, hint=exc.hint) from None
    return result.as_document()


def edit_choices(
    document: PlanDocument, analysis: Mapping[str, Any], intake_doc: IntakeDocument, *, prices_toml: str = ""
) -> EditChoicesDocument:
    """What may be changed: ``{"items": {key: {dose_min, dose_max, dose_step, unit, products}},
    "additions": [{key, label, reason}], "visits": n}``.

    Raises
    ------
    PlanUnavailable
        When the plan cannot be edited (not proposed, or its inputs no longer give it).
    """
    try:
        findings, measurements, intake = _inputs(analysis, intake_doc)
        choices = engine_choices(
            document, findings=findings, intake=intake, measurements=measurements, data=_data(prices_toml)
        )
    except FacebalanceError as exc:
        raise PlanUnavailable(exc.message, hint=exc.hint) from None
    return choices.as_document()
