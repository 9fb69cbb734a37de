"""The clinic's adapter to the planning engine (:mod:`facebalance.planning`), the one file that knows its API.

The planning engine is being built alongside the app; everything the plan page needs goes through
:func:`generate_plan`, which speaks the engine's documented JSON forms (the ``facebalance.intake`` 1.0
document and the frontal analysis document in, the ``facebalance.plan`` document out), so a change of
the engine's Python API changes only this file.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from facebalance.clinic.models import Intake, Patient, Pregnancy
from facebalance.errors import FacebalanceError


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


def intake_document(patient: Patient, intake: Intake | None, *, grades: dict[str, int], start: date) -> dict[str, Any]:
    """The ``facebalance.intake`` 1.0 document of a clinic intake (see docs/planning.md)."""
    doc: dict[str, Any] = {
        "schema": "facebalance.intake",
        "start_date": start.isoformat(),
        "patient": {"age_years": age_years(patient.date_of_birth, start), "sex": patient.sex,
                    "new_patient": intake is None or not intake.prior_treatments.exists()},
        "grades": dict(grades),
    }
    if intake is None:
        return doc
    doc["goals"] = intake.goals
    doc["medical"] = {
        "pregnant": intake.pregnancy in (Pregnancy.YES, Pregnancy.POSSIBLE),
        "breastfeeding": intake.breastfeeding,
        "anticoagulants": intake.anticoagulants,
        "keloid_history": intake.keloid_history,
        "herpes_labialis_history": intake.herpes_labialis_history,
        "allergies": _lines(intake.allergies),
        "medications": _lines(intake.medications),
    }
    doc["history"] = [
        {"date": t.date.isoformat(), "modality": t.modality, "area": t.area, "amount": float(t.amount),
         "product": t.product, "clinic": t.clinic_name, "satisfied": t.satisfied}
        for t in intake.prior_treatments.all()
    ]
    if intake.bddq_complete:
        doc["bddq_as"] = {"q1": intake.bddq_q1_concerned, "q2": intake.bddq_q2_preoccupied,
                          "q3": intake.bddq_q3_distress, "q4": intake.bddq_q4_social,
                          "q5": intake.bddq_q5_work_school, "q6": intake.bddq_q6_avoidance,
                          "q7": intake.bddq_q7_impairment}
    return doc


def generate_plan(analysis: dict[str, Any], intake_doc: dict[str, Any]) -> dict[str, Any]:
    """The plan document for reviewed findings (rejected ones marked ``status: rejected``) and an intake.

    Raises
    ------
    PlanUnavailable
        When the engine refuses the input (its message and hint are kept) or is not importable.
    """
    try:
        from facebalance.planning import build_plan, findings_from_frontal, parse_intake, plan_document
    except ImportError as exc:  # the engine is optional until it lands
        raise PlanUnavailable(f"The planning engine is not available: {exc}.",
                              hint="Install facebalance fully.") from None
    try:
        findings, measurements = findings_from_frontal(analysis)
        intake = parse_intake(intake_doc)
        plan = build_plan(findings, intake, measurements=measurements)
        return dict(plan_document(plan))
    except FacebalanceError as exc:
        raise PlanUnavailable(exc.message, hint=exc.hint) from None
