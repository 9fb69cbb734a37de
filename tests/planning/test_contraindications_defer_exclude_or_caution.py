"""The contraindication table, row by row: each defers, excludes or cautions its modalities, with its reason."""

from __future__ import annotations

from typing import Any

import pytest

from facebalance.planning.intake import MedicalHistory
from facebalance.planning.safety import Contraindication, load_safety_rules
from tests.planning.planning_personas import intake, plan_for

SAFETY = load_safety_rules()
#: A patient with a candidate of every modality: toxin, HA (lips, chin), PLLA, CaHA (chosen by the clinician),
#: hyaluronidase, and the clinic's skin, light, radiofrequency and PRF treatments.
EVERYTHING: dict[str, Any] = {
    "grades": {
        "glabellar_lines": 2,
        "lip_fullness": 1,
        "chin_retrusion": 2,
        "jawline": 2,
        "temple_hollowing": 2,
        "midface_volume_deficit": 2,
        "skin_laxity": 2,
    },
    "concerns": [{"area": a} for a in ("dull_skin", "redness", "dark_circles", "acne_scars", "skin_tightening")],
    "history": [{"date": "2026-05-01", "modality": "ha", "area": "chin", "amount": 1.0, "disliked": True}],
    "preferences": {"prefers_gradual": True, "max_visits": 6},
    "overrides": {
        "non_reversible_product": {
            "clinician": "Dr C. Ferreira",
            "reason": "Calcium hydroxylapatite chosen along the jaw after discussing that it cannot be dissolved.",
            "treatment": "caha_jawline",
        }
    },
}


def trigger(row: Contraindication) -> dict[str, Any]:
    default = MedicalHistory.__dataclass_fields__[row.field].default
    if isinstance(default, bool):
        return {row.field: True}
    if row.at_least is not None:
        return {row.field: row.at_least}
    return {row.field: [sorted(row.any_of)[0] if row.any_of else "lips"]}


def affected(row: Contraindication, modality: str, area: str) -> bool:
    if modality not in row.modalities or (row.areas and area not in row.areas):
        return False
    return not row.per_area or area in ("lips", "face")


@pytest.mark.parametrize("row", SAFETY.contraindications, ids=lambda r: r.id)
def test_each_contraindication_acts_on_its_modalities_only(row: Contraindication) -> None:
    plan = plan_for(intake(**EVERYTHING, medical=trigger(row)), explain=False)
    hit = [i for i in plan.items if affected(row, i.modality, i.area)]
    if row.action == "caution":
        assert hit and all(row.sentence in i.flags for i in hit)
        assert any(f.id == row.id for f in plan.flags)
        return
    assert hit == []
    reason = "deferred" if row.action == "defer" else "excluded"
    assert any(o.reason == reason and row.sentence in o.sentence for o in plan.omissions)
    untouched = [i for i in plan.items if i.modality not in row.modalities]
    assert untouched or row.modalities >= {"toxin", "ha"}


def test_no_hyaluronidase_means_no_ha_without_a_clinicians_written_decision() -> None:
    plan = plan_for(intake(grades={"lip_fullness": 1}, medical={"allergies": ["bee_venom"]}))
    assert plan.status == "nothing_to_treat" and plan.treatments == ()
    lips = plan.omission("ha_lips")
    assert lips.reason == "needs_override" and "could not be dissolved" in lips.sentence
    assert "overrides.ha_without_hyaluronidase" in lips.sentence


def test_with_the_clinicians_decision_ha_is_planned_and_flagged_as_irreversible_for_this_patient() -> None:
    decision = {
        "clinician": "Dr B. Lund",
        "reason": "Discussed: small lower-lip volume, accepts it cannot be dissolved.",
    }
    plan = plan_for(
        intake(
            grades={"lip_fullness": 1},
            medical={"allergies": ["bee_venom"]},
            overrides={"ha_without_hyaluronidase": decision},
        )
    )
    assert plan.treatments == ("ha_lips",)
    (flag,) = [f for f in plan.flags if f.level == "high"]
    assert flag.id == "ha_without_reversal" and decision["reason"] in flag.sentence
    assert [o.gate for o in plan.overrides] == ["ha_without_hyaluronidase"]


def test_an_unknown_medical_field_is_refused_with_the_known_ones() -> None:
    from facebalance.planning import IntakeError

    with pytest.raises(IntakeError, match="Unknown medical field"):
        intake(medical={"pregnancy": True})
