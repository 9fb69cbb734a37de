"""Every finding id the assessment engines can emit (frontal norm deviations, asymmetries and relationship rules;
profile norm deviations and relationship rules; dynamic movement rules and compensation signs; the session
assessment's cross-view rules, enumerated from their data files) is known to the planner and either read by a
planning rule or deliberately listed as having no injectable answer, with the reason in clinician's and patient's
words."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

import pytest

from facebalance.planning.rules import load_planning_rules
from facebalance.planning.vocabulary import load_vocabulary

VOCABULARY = load_vocabulary()
RULES = load_planning_rules()


def data_file(package: str, name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files(package).joinpath(f"data/{name}").read_text("utf-8"))


def norm_findings(package: str, name: str) -> set[str]:
    """``{measurement}_above`` / ``_below`` for each side a norm can be left on, ``_noticeable`` per threshold."""
    doc = data_file(package, name)
    ids = set()
    for norm in doc.get("norm", []):
        m = norm["measurement"]
        if "mean" in norm or "low" in norm:
            ids.add(f"{m}_below")
        if "mean" in norm or "high" in norm:
            ids.add(f"{m}_above")
    ids |= {f"{t['measurement']}_noticeable" for t in doc.get("threshold", [])}
    return ids


def emitted() -> dict[str, str]:
    """Every id an engine can emit, with the engine that emits it."""
    out = {}
    for fid in norm_findings("facebalance.norms", "frontal_default.toml"):
        out[fid] = "frontal norms"
    for row in data_file("facebalance.findings", "rules.toml")["relation"]:
        out[row["id"]] = "frontal relations"
    for fid in norm_findings("facebalance.norms", "profile_default.toml"):
        out[fid] = "profile norms"
    for row in data_file("facebalance.profile", "profile_relations.toml")["relation"]:
        out[row["id"]] = "profile relations"
    dynamics = data_file("facebalance.dynamics", "rules_default.toml")
    for row in (*dynamics["rule"], *dynamics.get("compensation", [])):
        out[row["id"]] = "dynamics rules"
    for row in data_file("facebalance.assess", "session_relations.toml")["relation"]:
        out[row["id"]] = "session relations"
    return out


def read_by_rules() -> set[str]:
    conditions = [
        c
        for row in (*RULES.indications, *RULES.relations, *RULES.referrals, *RULES.flags)
        for c in (*getattr(row, "when_any", ()), *getattr(row, "when_all", ()), *getattr(row, "unless_any", ()))
    ]
    return {c.finding for c in conditions if c.finding}


EMITTED = emitted()
READ = read_by_rules()


def test_the_enumeration_finds_every_engine() -> None:
    engines = set(EMITTED.values())
    assert engines == {
        "frontal norms",
        "frontal relations",
        "profile norms",
        "profile relations",
        "dynamics rules",
        "session relations",
    }
    assert {"dynamic.gummy_smile", "profile_recessed_chin", "chin_height_mm_below", "session.chin_before_lips"} <= set(
        EMITTED
    )
    assert len(EMITTED) > 100


@pytest.mark.parametrize("fid", sorted(EMITTED))
def test_each_emitted_finding_is_read_by_a_rule_or_deliberately_left_untreated(fid: str) -> None:
    entry = VOCABULARY.finding(fid)
    assert entry is not None, f"{fid} ({EMITTED[fid]}) is not in planning/data/findings.toml"
    if entry.untreated:
        assert entry.untreated_plain, fid
    else:
        assert entry.reads_as in READ, f"{fid} reads as {entry.reads_as}, which no rule of rules.toml reads"


@pytest.mark.parametrize("fid", sorted(READ))
def test_each_finding_a_rule_reads_has_words_for_the_patient(fid: str) -> None:
    entry = VOCABULARY.finding(fid)
    assert entry is not None and entry.plain and not entry.untreated, fid


def test_a_gummy_smile_is_not_dropped_it_proposes_lip_elevator_toxin_at_the_cited_dose() -> None:
    from facebalance.planning import FindingInput
    from tests.planning.planning_personas import intake, plan_for

    gummy = FindingInput("dynamic.gummy_smile", "symmetry", "moderate", "dynamic", {"smile.gum_show_mm": 3.1})
    plan = plan_for(intake(), [gummy])
    item = plan.item("toxin_lip_elevators")
    assert (item.dose_low, item.dose_high, item.unit) == (2, 5, "U")
    assert "dynamic finding dynamic.gummy_smile (moderate)" in item.evidence
    assert "Polo M." in " ".join(item.sources)


def test_with_a_gummy_smile_lip_filler_goes_to_the_lower_lip_only() -> None:
    from facebalance.planning import FindingInput
    from tests.planning.planning_personas import intake, plan_for

    gummy = FindingInput("dynamic.gummy_smile", "symmetry", "moderate", "dynamic")
    lips = plan_for(intake(grades={"lip_fullness": 1}), [gummy]).item("ha_lips")
    assert "0% upper lip, 100% lower" in lips.dose_text
    assert any(f.startswith("Lip filler goes to the lower lip only") for f in lips.flags)


def test_an_engine_id_is_read_as_the_planner_id_for_the_same_fact() -> None:
    from facebalance.planning import FindingInput
    from tests.planning.planning_personas import intake, plan_for

    recessed = FindingInput("profile_recessed_chin", "profile", "moderate", "profile")
    plan = plan_for(intake(), [recessed])
    assert plan.treatments == ("ha_chin",)
    assert plan.item("ha_chin").evidence == ("profile finding profile_recessed_chin (moderate)",)


def test_a_finding_without_an_injectable_answer_is_listed_as_left_untreated_and_why() -> None:
    from facebalance.planning import FindingInput
    from tests.planning.planning_personas import intake, plan_for

    nose = FindingInput("goode_ratio_above", "profile", "mild", "profile")
    plan = plan_for(intake(grades={"chin_retrusion": 2}), [nose])
    (untreated,) = plan.untreated
    assert untreated.finding == "goode_ratio_above" and "rhinoplasty" in untreated.sentence
    assert "changed by surgery" in untreated.patient
