"""Every number in the norm set has a source, a review status and a population; selection is by sex."""

from __future__ import annotations

from pathlib import Path

import pytest

from facebalance.errors import NormsError
from facebalance.norms import load_norm_set, parse_norm_set


def test_it_gives_every_norm_a_source_population_and_review_state() -> None:
    norms = load_norm_set()
    assert norms.norms
    for n in norms.norms:
        assert n.source.strip() and n.population.strip(), n.measurement
        assert n.review in {"cited", "derived", "working", "measured"}
        assert (n.mean is not None and n.sd is not None) or n.low is not None or n.high is not None
    for ref in norms.references.values():
        assert ref.source.strip()
    for t in norms.thresholds.values():
        assert t.source.strip() and t.noticed_at > 0


def test_it_selects_the_norm_of_the_patients_sex() -> None:
    norms = load_norm_set()
    female = norms.select("intercanthal_width_mm", sex="female")
    male = norms.select("intercanthal_width_mm", sex="male")
    assert female is not None and male is not None
    assert (female.sex, male.sex) == ("female", "male")
    assert female.mean != male.mean


def test_it_has_no_sex_specific_norm_when_sex_is_not_given() -> None:
    norms = load_norm_set()
    assert norms.select("alar_width_mm", sex=None) is None
    # The intercanthal width has a population norm pooled over both sexes: that one is used.
    pooled = norms.select("intercanthal_width_mm", sex=None)
    assert pooled is not None and pooled.sex == "any"
    sex_neutral = norms.select("lower_face_ratio", sex=None)
    assert sex_neutral is not None and sex_neutral.sex == "any"


def test_it_prefers_a_population_specific_norm_when_one_exists() -> None:
    text = """
[meta]
name = "test"
[[norm]]
measurement = "x_mm"
sex = "female"
population = "general"
mean = 10.0
sd = 1.0
source = "general source"
[[norm]]
measurement = "x_mm"
sex = "female"
ethnicity = "east_asian"
population = "East Asian women"
mean = 12.0
sd = 1.0
source = "specific source"
"""
    norms = parse_norm_set(text)
    specific = norms.select("x_mm", sex="female", ethnicity="east_asian")
    general = norms.select("x_mm", sex="female", ethnicity="white")
    assert specific is not None and specific.mean == 12.0
    assert general is not None and general.mean == 10.0


def test_it_layers_a_clinic_file_over_the_default(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.toml"
    clinic.write_text("""
[meta]
name = "clinic-a"
version = "1"
[[norm]]
measurement = "intercanthal_width_mm"
sex = "female"
population = "Clinic A patients"
mean = 30.0
sd = 2.0
source = "Clinic A audit 2026"
review = "measured"
""")
    norms = load_norm_set(clinic)
    chosen = norms.select("intercanthal_width_mm", sex="female")
    assert chosen is not None and chosen.mean == 30.0 and chosen.source == "Clinic A audit 2026"
    assert norms.select("intercanthal_width_mm", sex="male") is not None  # the rest of the default remains
    assert "clinic-a" in norms.name


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ('measurement = "x"\npopulation = "p"\nmean = 1.0\nsd = 1.0', "source"),
        ('measurement = "x"\npopulation = "p"\nsource = "s"', "mean and sd"),
        ('measurement = "x"\npopulation = "p"\nsource = "s"\nmean = 1.0\nsd = 0.0', "sd must be positive"),
        ('measurement = "x"\npopulation = "p"\nsource = "s"\nmean = 1.0\nsd = 1.0\nreview = "guess"', "review"),
    ],
)
def test_it_refuses_a_norm_without_a_source_or_value(entry: str, complaint: str) -> None:
    with pytest.raises(NormsError) as err:
        parse_norm_set(f"[[norm]]\n{entry}\n", origin="clinic.toml")
    assert complaint in str(err.value)
    assert "clinic.toml" in str(err.value)


def test_it_says_when_the_clinic_file_is_missing(tmp_path: Path) -> None:
    with pytest.raises(NormsError, match="does not exist"):
        load_norm_set(tmp_path / "nope.toml")
