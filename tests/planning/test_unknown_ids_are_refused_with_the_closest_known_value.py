"""A typo in a safety field is never silently ignored: an unknown id is refused naming the field and the closest
known value; what fits no id goes in the explicit free-text fields, kept apart and shown to the clinician."""

from __future__ import annotations

from typing import Any

import pytest

from facebalance.planning import IntakeError, plan_document
from tests.planning.planning_personas import LENA, intake, plan_for

FINDING = {"zone": "lower_face", "severity": "moderate", "source": "profile"}


@pytest.mark.parametrize(
    ("fields", "field", "meant"),
    [
        ({"medical": {"allergies": ["hyaluronidaze"]}}, "medical.allergies[0]", "hyaluronidase"),
        ({"medical": {"medications": ["gentamycin"]}}, "medical.medications[0]", "gentamicin"),
        ({"findings": [{"id": "recesed_chin", **FINDING}]}, "findings[0].id", "profile.recessed_chin"),
        ({"concerns": [{"area": "lipps", "text": "thin"}]}, "concerns[0].area", "lips"),
        ({"requested_treatments": ["ha_lip"]}, "requested_treatments[0]", "ha_lips"),
        ({"grades": {"chin_retrussion": 2}}, "grades.chin_retrussion", "chin_retrusion"),
        ({"measurements": {"profile.lower_lip_e_line_mm": -3.0}}, "measurements.profile.lower_lip_e_line_mm", None),
        (
            {"history": [{"date": "2026-01-01", "modality": "ha", "area": "lip", "amount": 1}]},
            "history[0].area",
            "lips",
        ),
        ({"medical": {"active_infection_areas": ["lipz"]}}, "medical.active_infection_areas[0]", "lips"),
        ({"expectations": ["look_like_some_one_else"]}, "expectations[0]", "look_like_someone_else"),
        ({"patient": {"sex": "M"}}, "patient.sex", "male"),
        ({"patient": {"sex": "Female"}}, "patient.sex", "female"),
        ({"alergies": ["latex"]}, "alergies", None),
    ],
)
def test_an_unknown_id_names_the_field_and_the_closest_known_value(
    fields: dict[str, Any], field: str, meant: str | None
) -> None:
    with pytest.raises(IntakeError) as refused:
        plan_for(intake(**{**LENA, **fields}))
    assert field in refused.value.message
    if meant is not None:
        assert f"Did you mean {meant!r}?" in refused.value.message
    assert refused.value.hint


def test_the_measurement_typo_is_refused_with_the_measurement_the_lip_guard_reads() -> None:
    with pytest.raises(IntakeError, match=r"Did you mean 'profile\.lower_lip_to_e_line_mm'"):
        plan_for(intake(**{**LENA, "measurements": {"profile.lower_lip_e_line_mm": -3.0}}))


def test_the_unknown_allergy_says_where_free_text_goes_instead() -> None:
    with pytest.raises(IntakeError) as refused:
        plan_for(intake(**{**LENA, "medical": {"allergies": ["hay fever"]}}))
    assert "medical.allergies_other" in refused.value.hint


def test_free_text_is_kept_apart_shown_to_the_clinician_and_read_by_no_rule() -> None:
    free = {
        "medical": {"allergies_other": ["reacted to a numbing cream once"], "medications_other": ["a herbal tea"]},
        "concerns_other": ["I feel my smile is lopsided"],
        "findings_other": ["small scar on the left cheek"],
    }
    plan = plan_for(intake(**{**LENA, **free}))
    assert plan.status == "proposed"
    (flag,) = [f for f in plan.flags if f.id == "free_text"]
    assert flag.level == "caution" and "reacted to a numbing cream once" in flag.sentence
    assert plan_document(plan)["free_text"] == {
        "medical.allergies_other": ["reacted to a numbing cream once"],
        "medical.medications_other": ["a herbal tea"],
        "concerns_other": ["I feel my smile is lopsided"],
        "findings_other": ["small scar on the left cheek"],
    }
    assert plan.treatments == plan_for(intake(**LENA)).treatments


def test_a_known_brand_of_a_class_triggers_the_class_row_gentamicin_defers_toxin() -> None:
    plan = plan_for(intake(**{**LENA, "grades": {"glabellar_lines": 2}, "medical": {"medications": ["Gentamicin"]}}))
    assert plan.omission("toxin_glabella").reason == "deferred"


def test_none_recorded_as_an_allergy_means_nothing_and_excludes_nothing() -> None:
    plan = plan_for(intake(**{**LENA, "medical": {"allergies": ["None"], "medications": ["NKDA"]}}))
    assert plan.status == "proposed" and not [f for f in plan.flags if f.id == "free_text"]
