"""Named patients for the plan-edit tests, and helpers that plan them and apply one edit to the document.

Each persona is an intake in its JSON form (see ``planning_personas``); the plan is the engine's own, so an
edit always starts from a plan that keeps every rule.
"""

from __future__ import annotations

from typing import Any

from facebalance.planning import Intake, plan_document
from facebalance.planning.edit import EditResult, PlanEdit, edit_plan
from tests.planning.planning_personas import intake, plan_for, weeks_before_start

#: Iris, 30: thin lips whose lower lip sits 0.6 mm behind the E-line: the guard trims lip filler to 0.6 mL.
IRIS: dict[str, Any] = {
    "patient": {"age_years": 30, "sex": "female"},
    "grades": {"lip_fullness": 1},
    "measurements": {"profile.lower_lip_to_e_line_mm": -0.6, "profile.upper_lip_to_e_line_mm": -5.0},
}

#: Pia, 35: thin lips, and 2.5 mL of lip filler placed in January 2025 that may still be there (cap 3 mL).
PIA: dict[str, Any] = {
    "patient": {"age_years": 35, "sex": "female"},
    "grades": {"lip_fullness": 1},
    "history": [{"date": "2025-01-01", "modality": "ha", "area": "lips", "amount": 2.5}],
}

#: Tess, 38: frown lines and a short chin; her last toxin was 6 weeks ago, so toxin waits until week 12.
TESS: dict[str, Any] = {
    "patient": {"age_years": 38, "sex": "female"},
    "grades": {"glabellar_lines": 2, "chin_retrusion": 2},
    "history": [{"date": weeks_before_start(6), "modality": "toxin", "area": "glabella", "amount": 20}],
}

#: Olga, 44: frown, forehead and crow's feet lines, and strong masseters: more toxin than one visit allows.
OLGA: dict[str, Any] = {
    "patient": {"age_years": 44, "sex": "female"},
    "grades": {"masseter_prominence": 3, "glabellar_lines": 3, "crows_feet": 3, "forehead_lines": 3},
}

#: Kira, 52: hollow temples and cheeks, prefers gradual change, but forms keloids (no biostimulators).
KIRA: dict[str, Any] = {
    "patient": {"age_years": 52, "sex": "female"},
    "grades": {"midface_volume_deficit": 4, "temple_hollowing": 3},
    "concerns": [{"area": "gaunt"}],
    "preferences": {"prefers_gradual": True},
    "medical": {"keloid_history": True},
}

#: Jade, 31: a narrow jaw; her clinician chose calcium hydroxylapatite (it cannot be dissolved) over the HA the
#: rules prefer, with the reason written: both are proposed, the clinician's choice is planned.
JADE: dict[str, Any] = {
    "patient": {"age_years": 31, "sex": "female"},
    "grades": {"jawline": 3},
    "findings": [{"id": "jaw_vs_cheekbones_narrow_jaw", "zone": "lower_face", "severity": "moderate"}],
    "overrides": {
        "non_reversible_product": {
            "clinician": "Dr C. Ferreira",
            "reason": "Had HA along the jaw twice, migrated both times; informed consent for CaHA given.",
            "treatment": "caha_jawline",
        }
    },
}

#: Bea, 40: frown lines, short chin, hollow temples, and $1,000 to spend: only the toxin fits, even in phases
#: (one syringe of filler costs up to $1,200).
BEA: dict[str, Any] = {
    "patient": {"age_years": 40, "sex": "female"},
    "grades": {"chin_retrusion": 2, "glabellar_lines": 2, "temple_hollowing": 3},
    "preferences": {"budget_usd": 1000},
}


def planned(fields: dict[str, Any]) -> tuple[Intake, dict[str, Any]]:
    """The persona's intake and the engine's plan document for it."""
    patient = intake(**fields)
    return patient, plan_document(plan_for(patient, explain=False))


def edit(patient: Intake, document: dict[str, Any], **op: Any) -> EditResult:
    """One edit in its JSON form (``kind=``, ``key=``, ...) applied to the document."""
    return edit_plan(document, PlanEdit.parse(op), findings=[], intake=patient)


def item_keys(document: dict[str, Any]) -> dict[str, int]:
    """Each planned item's key with its visit (1-based, as the page shows it)."""
    return {i["key"]: i["visit"] + 1 for i in document["items"]}
