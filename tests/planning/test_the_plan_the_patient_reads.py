"""The plan the patient reads: every item says in plain words what it is, why (which finding), when, its risks,
aftercare, downtime and alternatives (with surgery where a finding calls for it, and no treatment); what was
deliberately left untreated and why; the consent points; a clinician sign-off; a date to come back after any
deferral. No internal id and no price band reaches the patient's words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from facebalance.planning import FindingInput, plan_document
from facebalance.planning.catalog import load_catalog
from facebalance.planning.patient import check_wording, load_wording
from facebalance.planning.rules import load_planning_rules
from facebalance.planning.safety import load_safety_rules
from facebalance.planning.vocabulary import load_vocabulary
from tests.planning.planning_personas import LENA, MAYA, NORA, POSITIVE_BDDQ_AS, START, intake, plan_for

NOSE = FindingInput("goode_ratio_above", "profile", "mild", "profile")
SCENARIOS: dict[str, dict[str, Any]] = {
    "lips_and_chin": LENA,
    "corrective": MAYA,
    "five_zones": NORA,
    "phases": {**NORA, "preferences": {"budget_usd": 3000}},
    "deferred": {**NORA, "medical": {"pregnant": True}},
    "refer": {**LENA, "bddq_as": POSITIVE_BDDQ_AS},
    "hold": {**LENA, "expectations": ["look_like_someone_else"]},
    "laxity": {
        "grades": {"skin_laxity": 3, "midface_volume_deficit": 3, "jawline": 3},
        "concerns": [{"area": "jowls"}],
    },
    "services": {"concerns": [{"area": "redness"}, {"area": "dark_circles"}], "grades": {"skin_laxity": 2}},
    "male": {"patient": {"sex": "male"}, "grades": {"glabellar_lines": 3, "forehead_lines": 3, "lip_fullness": 1}},
}


def doc_for(name: str) -> dict[str, Any]:
    return dict(plan_document(plan_for(intake(**SCENARIOS[name]), [NOSE])))


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)


def patient_words(doc: dict[str, Any]) -> list[str]:
    return [*strings(doc["patient"]), *(s for i in doc["items"] for s in strings(i["patient"]))]


#: Every id of the data files that could only be an internal name (snake_case or dotted).
INTERNAL = {
    i
    for i in set(load_catalog().treatments)
    | {t.product_class for t in load_catalog().treatments.values()}
    | {r.id for r in load_planning_rules().relations}
    | {s.id for s in load_planning_rules().sequences}
    | {r.id for r in load_planning_rules().indications}
    | {c.id for c in load_safety_rules().contraindications}
    | set(load_vocabulary().findings)
    if "_" in i or "." in i
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_no_internal_id_or_price_band_reaches_the_patients_words(name: str) -> None:
    for text in patient_words(doc_for(name)):
        assert not re.search(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b", text), text
        assert not {w for w in re.findall(r"[\w.]+", text) if w in INTERNAL}, text
        for word in ("typical", "$4,000", "15,000", "points", "rule "):
            assert word not in text, text


@pytest.mark.parametrize("name", ["lips_and_chin", "corrective", "five_zones", "phases", "services", "male"])
def test_every_item_says_what_why_when_risks_aftercare_downtime_and_alternatives(name: str) -> None:
    for item in doc_for(name)["items"]:
        p = item["patient"]
        assert p["title"] and p["what"] and p["product"] and p["why"] and p["when"], item["key"]
        assert p["risks"] and p["aftercare"] and p["downtime"] and p["reversibility"], item["key"]


def test_the_chin_says_which_finding_in_plain_words_and_offers_surgery_the_finding_calls_for() -> None:
    chin = next(i for i in doc_for("lips_and_chin")["items"] if i["treatment"] == "ha_chin")["patient"]
    assert "Your chin sits back (graded moderate)." in chin["why"]
    assert "Seen from the side, your chin sits back." in chin["why"]
    assert any("genioplasty (surgery)" in a for a in chin["alternatives"])
    assert any("a blood vessel" in r for r in chin["risks"])


def test_the_lips_say_why_they_wait_for_the_chin() -> None:
    lips = next(i for i in doc_for("lips_and_chin")["items"] if i["treatment"] == "ha_lips")["patient"]
    assert lips["when"][0].startswith("Your chin is treated first; your lips are judged once it has settled")
    assert any("which shows from 15 December 2026" in w for w in lips["when"])


def test_no_treatment_is_always_an_alternative_and_what_is_left_out_is_said_with_why() -> None:
    doc = doc_for("laxity")
    assert doc["patient"]["alternatives"][0].startswith("No treatment: none of these treatments is medically necessary")
    untreated = " ".join(doc["patient"]["untreated"])
    assert (
        "Jawline: Jawline filler is not suggested: your jawline has softened because the skin has loosened" in untreated
    )
    assert "Your concern about jowls" in untreated
    assert "We do not inject the nose" in " ".join(doc["patient"]["findings_untreated"])  # no injectable answer
    assert doc["patient"]["referrals"][0].startswith("Your skin has loosened more than injections can correct")


def test_the_consent_points_name_what_cannot_be_undone_and_the_adjunct_role() -> None:
    consent = doc_for("laxity")["patient"]["consent"]
    assert "That you may change your mind or stop at any time." in consent
    assert "That the treatments marked as supporting a surgical opinion do not lift loose skin." in consent
    phased = doc_for("phases")["patient"]
    assert "That later phases are reassessed and confirmed with you before they start." in phased["consent"]
    assert phased["phases"][0].startswith("Your plan comes in phases to fit your budget")


def test_a_deferral_gives_a_date_to_come_back_and_says_why() -> None:
    doc = doc_for("deferred")
    assert doc["status"] == "deferred" and doc["reconsult"]["date"] > START.isoformat()
    assert doc["patient"]["reconsult"].startswith("We would like to see you again on or after 30 May 2027.")
    assert "pregnancy" in doc["patient"]["reconsult"]


def test_a_hold_tells_the_patient_why_in_kind_words_and_when_to_come_back() -> None:
    doc = doc_for("hold")
    assert doc["patient"]["notices"] == [
        "Treatment works with the proportions of your own face; it cannot make you look like someone else. We "
        "would like to talk this through with you before planning any treatment."
    ]
    assert doc["patient"]["reconsult"].startswith("We would like to see you again on or after 29 December 2026.")


def test_the_plan_has_a_clinician_sign_off_block_to_fill_with_the_overrides_it_covers() -> None:
    override = {
        "clinician": "Dr A. Okafor",
        "reason": "Discussed at length; modest lower-lip change agreed in writing.",
    }
    history = [
        {"date": d, "modality": "ha", "area": "lips", "amount": 0.5, "satisfied": False}
        for d in ("2026-01-15", "2026-05-02", "2026-09-20")
    ]
    doc = plan_document(plan_for(intake(**LENA, history=history, overrides={"patient_selection": override})))
    sign = doc["sign_off"]
    assert sign["clinician"] is None and sign["signed_on"] is None
    assert sign["clinician_statement"].startswith("I have examined the patient")
    assert sign["patient_statement"].startswith("I have read this plan")
    assert any(override["reason"] in o for o in sign["overrides"])


def test_an_optional_service_and_a_low_dose_say_so_to_the_patient() -> None:
    services = doc_for("services")
    assert all(
        "An optional addition to your plan" in " ".join(i["patient"]["notes"])
        for i in services["items"]
        if i["role"] == "optional"
    )
    assert all(
        "Priced on consultation" in " ".join(i["patient"]["notes"]) for i in services["items"] if i["price"] is None
    )
    phased = doc_for("phases")
    low = [i for i in phased["items"] if i["key"].endswith("@low_dose")]
    assert low and all(
        "kept at the low end of the usual range to fit your budget" in " ".join(i["patient"]["notes"]) for i in low
    )


def test_the_wording_covers_every_treatment_modality_and_product_of_the_catalogue() -> None:
    check_wording(load_wording(), load_catalog())
