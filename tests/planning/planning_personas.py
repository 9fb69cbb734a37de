"""Named patients for the planning tests, built from the intake's own JSON form.

Every persona starts on the same frozen date (``START``) with a negative BDDQ-AS and no medical issues,
so a test changes only what its scenario is about.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from facebalance.planning import FindingInput, Intake, Plan, build_plan, parse_intake
from facebalance.planning.engine import PlanningData

START = date(2026, 12, 1)
NEGATIVE_BDDQ_AS: dict[str, Any] = {"q1": True, "q2": False, "q3": 2, "q4": 1, "q5": 1, "q6": 1, "q7": False}
POSITIVE_BDDQ_AS: dict[str, Any] = {"q1": True, "q2": True, "q3": 4, "q4": 2, "q5": 1, "q6": 3, "q7": False}


def intake(**fields: Any) -> Intake:
    """An intake on ``START`` with a negative BDDQ-AS; keyword fields replace or add top-level entries."""
    doc: dict[str, Any] = {"start_date": START.isoformat(), "bddq_as": NEGATIVE_BDDQ_AS, **fields}
    return parse_intake(doc)


def plan_for(patient: Intake, findings: Iterable[FindingInput] = (), *, explain: bool = True) -> Plan:
    return build_plan(list(findings), patient, data=PlanningData.default(), explain=explain)


def weeks_before_start(weeks: float) -> str:
    return (START - timedelta(weeks=weeks)).isoformat()


# --- personas ------------------------------------------------------------------------------------

#: Lena, 29: wants fuller lips; her chin is recessed (ACRS 2, profile finding) and her lips are thin.
LENA: dict[str, Any] = {
    "patient": {"age_years": 29, "sex": "female"},
    "concerns": [{"area": "lips", "text": "I want fuller lips"}],
    "requested_treatments": ["ha_lips"],
    "grades": {"chin_retrusion": 2, "lip_fullness": 1},
    "findings": [{"id": "profile.recessed_chin", "zone": "lower_face", "severity": "moderate", "source": "profile"}],
    "measurements": {"profile.upper_lip_to_e_line_mm": -6.0, "profile.lower_lip_to_e_line_mm": -4.0},
}

#: Maya, 33: 1 mL of lip filler placed elsewhere in June 2026 that she dislikes; her lips are still thin.
MAYA: dict[str, Any] = {
    "patient": {"age_years": 33, "sex": "female"},
    "concerns": [{"area": "lips", "text": "The filler from the other clinic looks lumpy and duck-like"}],
    "grades": {"lip_fullness": 1},
    "history": [
        {
            "date": "2026-06-01",
            "modality": "ha",
            "area": "lips",
            "amount": 1.0,
            "product": "HA lip filler",
            "clinic": "elsewhere",
            "satisfied": False,
            "disliked": True,
        },
    ],
}

#: Nora, 41: the five zones - temples, midface, tear troughs, chin, lips - plus frown lines and crow's feet.
NORA: dict[str, Any] = {
    "patient": {"age_years": 41, "sex": "female"},
    "concerns": [{"area": "tired"}, {"area": "cheeks"}, {"area": "lips"}],
    "grades": {
        "temple_hollowing": 2,
        "midface_volume_deficit": 3,
        "tear_trough_barton": 1,
        "chin_retrusion": 2,
        "lip_fullness": 1,
        "glabellar_lines": 2,
        "crows_feet": 2,
    },
}
