"""A clinic's finding-rule file is layered over the packaged rules like a clinic norm set: a band of the same
name or a relation of the same id replaces the default's, and a malformed file is refused naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from facebalance.errors import NormsError
from facebalance.findings import compare_to_norm, derive_findings, load_finding_rules
from facebalance.norms import Norm, load_norm_set
from facebalance.zones.base import Measurement, Unit, Zone

DEFAULT = load_finding_rules()
NORMS = load_norm_set()
#: A clinic that calls a deviation moderate from 2.5 SD (the default: 3 SD).
CLINIC_Z = """
[meta]
name = "clinic-a-rules"
version = "2027.01"

[severity.z]
mild = 2.0
moderate = 2.5
marked = 4.0
source = "Clinic A medical lead, 2027-01-10"
"""
CLINIC_RELATION = """
[[relation]]
id = "chin_vs_jaw_short_chin"
zones = ["lower_face"]
when = [{ measurement = "chin_height_mm", side = "below" }]
sentence = "Clinic A: the chin is short ({chin_height_mm} mm)."
source = "Clinic A medical lead"

[[relation]]
id = "clinic_a_wide_mouth"
zones = ["lower_face"]
when = [{ measurement = "mouth_width_mm", side = "above" }]
sentence = "Clinic A: the mouth is wide ({mouth_width_mm:.0f} mm)."
source = "Clinic A medical lead"
review = "working"
"""


def clinic_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "clinic_rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def severity_of(z: float, rules_path: Path | None) -> str | None:
    norm = Norm("x_mm", "any", "any", "test population", "test source", "cited", mean=30.0, sd=2.0)
    m = Measurement("x_mm", Zone.LOWER_FACE, 30.0 + 2.0 * z, 0.2, Unit.MM, "x", ("a", "b"))
    found = derive_findings({"x_mm": m}, {"x_mm": compare_to_norm(m, norm)}, NORMS, load_finding_rules(rules_path))
    return found[0].severity if found else None


def test_it_grades_by_the_clinics_band(tmp_path: Path) -> None:
    path = clinic_file(tmp_path, CLINIC_Z)
    assert severity_of(2.7, None) == "mild"
    assert severity_of(2.7, path) == "moderate"
    assert severity_of(1.9, path) is None


def test_it_keeps_every_default_rule_the_clinic_does_not_replace(tmp_path: Path) -> None:
    rules = load_finding_rules(clinic_file(tmp_path, CLINIC_Z))
    assert rules.z.source == "Clinic A medical lead, 2027-01-10" and rules.z.review == "clinic"
    assert (rules.range, rules.asymmetry, rules.relations) == (DEFAULT.range, DEFAULT.asymmetry, DEFAULT.relations)
    assert rules.version == f"2027.01+{DEFAULT.version}" and rules.name.startswith("clinic-a-rules")


def test_it_replaces_a_relation_of_the_same_id_and_adds_a_new_one(tmp_path: Path) -> None:
    rules = load_finding_rules(clinic_file(tmp_path, CLINIC_RELATION))
    ids = [r.id for r in rules.relations]
    assert ids == [r.id for r in DEFAULT.relations] + ["clinic_a_wide_mouth"]
    chin = next(r for r in rules.relations if r.id == "chin_vs_jaw_short_chin")
    assert chin.sentence.startswith("Clinic A") and chin.provenance.review == "clinic"
    assert rules.relations[-1].provenance.review == "working"

    norm = NORMS.select("chin_height_mm", sex="female")
    assert norm is not None and norm.mean is not None and norm.sd is not None
    short = Measurement("chin_height_mm", Zone.LOWER_FACE, norm.mean - 5 * norm.sd, 0.3, Unit.MM, "chin", ("a",))
    comparisons = {short.id: compare_to_norm(short, norm)}
    fired = [f for f in derive_findings({short.id: short}, comparisons, NORMS, rules) if f.kind == "relationship"]
    assert [f.sentence for f in fired] == [f"Clinic A: the chin is short ({short.value:.1f} mm)."]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[severity.z\nmild = 1", "not valid TOML"),
        ("[severity.z]\nmild = 2.0\nmoderate = 2.5\nmarked = 4.0\n", "has no source"),
        ('[severity.z]\nmild = 3.0\nmoderate = 2.5\nmarked = 4.0\nsource = "s"\n', "mild <= moderate <= marked"),
        ('[severity.zscore]\nmild = 2.0\nmoderate = 2.5\nmarked = 4.0\nsource = "s"\n', "may hold only"),
        (
            '[[relation]]\nid = "r"\nzones = ["lower_face"]\nwhen = [{ measurement = "m", side = "over" }]\n'
            'sentence = "s"\nsource = "s"\n',
            "side must be above, below or within",
        ),
        (
            '[[relation]]\nid = "r"\nzones = ["chin"]\nwhen = [{ measurement = "m", side = "above" }]\n'
            'sentence = "s"\nsource = "s"\n',
            "unknown zone",
        ),
        ('[severity.z]\nmild = 2.0\nmoderate = 2.5\nmarked = 4.0\nsource = "s"\nreview = "guess"\n', "review"),
    ],
)
def test_it_refuses_a_malformed_clinic_file_naming_it(tmp_path: Path, text: str, complaint: str) -> None:
    path = clinic_file(tmp_path, text)
    with pytest.raises(NormsError) as err:
        load_finding_rules(path)
    assert complaint in err.value.message and str(path) in err.value.message
    assert err.value.hint


def test_it_says_when_the_clinic_file_is_missing(tmp_path: Path) -> None:
    with pytest.raises(NormsError, match="does not exist"):
        load_finding_rules(tmp_path / "nope.toml")
