"""Treatment planning: from findings to a safe, sequenced, priced, multi-visit plan.

A pure library: its only I/O is reading its own packaged data files (catalogue, prices, rules, scales,
safety; every number with its source). :func:`build_plan` is the entry point; the CLI is
``facebalance plan ASSESSMENT.json --intake FILE``. Its JSON documents (plan, intake, dynamic findings, plan
edits) are typed in :mod:`facebalance.planning.documents`. See docs/planning.md.

Examples
--------
>>> from datetime import date
>>> from facebalance.planning import BddqAs, Intake, build_plan
>>> intake = Intake(start_date=date(2026, 12, 1), grades={"chin_retrusion": 2},
...                 bddq_as=BddqAs(False, False, 1, 1, 1, 1, False))
>>> plan = build_plan([], intake)
>>> plan.status, plan.treatments, plan.visits[0].date.isoformat()
('proposed', ('ha_chin',), '2026-12-01')
"""

from facebalance.planning.documents import DynamicFindingRow, IntakeDocument, PlanDocument
from facebalance.planning.engine import PlanningData, build_plan
from facebalance.planning.errors import ClinicalDataError, IntakeError, PlanningError
from facebalance.planning.intake import (
    BddqAs,
    ClinicianOverride,
    Concern,
    FindingInput,
    Intake,
    MedicalHistory,
    Preferences,
    PriorTreatment,
    findings_from_dynamics,
    findings_from_frontal,
    findings_from_session,
    parse_intake,
)
from facebalance.planning.plan import PLAN_SCHEMA, PLAN_SCHEMA_VERSION, Plan, plan_document, plan_schema

__all__ = [
    "PLAN_SCHEMA",
    "PLAN_SCHEMA_VERSION",
    "BddqAs",
    "ClinicalDataError",
    "ClinicianOverride",
    "Concern",
    "DynamicFindingRow",
    "FindingInput",
    "Intake",
    "IntakeDocument",
    "IntakeError",
    "MedicalHistory",
    "Plan",
    "PlanDocument",
    "PlanningData",
    "PlanningError",
    "Preferences",
    "PriorTreatment",
    "build_plan",
    "findings_from_dynamics",
    "findings_from_frontal",
    "findings_from_session",
    "parse_intake",
    "plan_document",
    "plan_schema",
]
