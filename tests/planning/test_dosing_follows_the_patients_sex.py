"""Sex-aware dosing: the intake's sex doses toxin (men take more: Carruthers 2005), a man's lip filler comes
with a warning that volume feminises, and an assessment measured against the other sex's norms is flagged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from facebalance.cli import app
from facebalance.planning import FindingInput, build_plan
from tests.planning.planning_personas import intake, plan_for
from tests.planning.test_plan_command_writes_the_plan import frontal_analysis

LINES: dict[str, Any] = {"grades": {"glabellar_lines": 2}}


def test_a_man_gets_more_glabellar_toxin_than_a_woman_with_the_source_that_says_why() -> None:
    woman = plan_for(intake(**LINES, patient={"sex": "female"})).item("toxin_glabella")
    man = plan_for(intake(**LINES, patient={"sex": "male"})).item("toxin_glabella")
    assert (woman.dose_low, woman.dose_high) == (20, 20)
    assert (man.dose_low, man.dose_high, man.dose_text) == (30, 40, "30-40 U")
    assert any(s.startswith("Carruthers A, Carruthers J.") for s in man.sources)
    assert man.price is not None and woman.price is not None and man.price.high > woman.price.high


def test_male_and_female_inputs_no_longer_give_identical_plans() -> None:
    grades = {"glabellar_lines": 2, "forehead_lines": 2, "crows_feet": 2, "masseter_prominence": 2}
    woman = plan_for(intake(grades=grades, patient={"sex": "female"}))
    man = plan_for(intake(grades=grades, patient={"sex": "male"}))
    assert [(i.treatment, i.dose_high) for i in woman.items] != [(i.treatment, i.dose_high) for i in man.items]


def test_lip_volume_for_a_man_comes_with_the_warning_that_it_feminises() -> None:
    lips = {"grades": {"lip_fullness": 1}}
    man = plan_for(intake(**lips, patient={"sex": "male"})).item("ha_lips")
    woman = plan_for(intake(**lips, patient={"sex": "female"})).item("ha_lips")
    (warning,) = [f for f in man.flags if f.startswith("Male patient")]
    assert "feminises the face" in warning and "low dose" in warning
    assert not [f for f in woman.flags if f.startswith("Male patient")]


def test_without_a_recorded_sex_toxin_is_dosed_at_the_label_and_the_plan_says_so() -> None:
    plan = plan_for(intake(**LINES))
    assert (plan.item("toxin_glabella").dose_low, plan.item("toxin_glabella").dose_high) == (20, 20)
    (flag,) = [f for f in plan.flags if f.id == "sex_not_recorded"]
    assert "men usually need more" in flag.sentence


def test_an_assessment_measured_against_female_norms_for_a_male_intake_is_flagged() -> None:
    chin = FindingInput("chin_height_mm_below", "lower_face", "moderate", "frontal")
    patient = intake(grades={"chin_retrusion": 2}, patient={"sex": "male"})
    plan = build_plan([chin], patient, assessment_sex="female")
    (flag,) = [f for f in plan.flags if f.id == "sex_mismatch"]
    assert flag.level == "high" and "female norms" in flag.sentence and "as male" in flag.sentence
    assert not [f for f in build_plan([chin], patient, assessment_sex="male").flags if f.id == "sex_mismatch"]


def test_the_plan_command_reads_the_assessments_sex_and_flags_the_mismatch(tmp_path: Path) -> None:
    assessment = tmp_path / "a.json"
    assessment.write_text(json.dumps({**frontal_analysis("chin_height_mm_below"), "patient": {"sex": "female"}}))
    patient = tmp_path / "intake.json"
    patient.write_text(
        json.dumps({"start_date": "2026-12-01", "patient": {"sex": "male"}, "grades": {"glabellar_lines": 2}})
    )
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(app, ["plan", str(assessment), "--intake", str(patient), "--json", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "sex_mismatch" in [f["id"] for f in json.loads(out.read_text())["flags"]]
