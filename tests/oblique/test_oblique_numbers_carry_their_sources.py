"""Every number of the oblique path is data with a source and a review status: the cited norm, the working
side-to-side thresholds (no published one exists), and the path's own constants; and a measured constant is
what its command measures."""

from __future__ import annotations

import pytest

from facebalance.norms import load_norm_set
from facebalance.oblique.compare import ASYMMETRY_IDS
from facebalance.oblique.constants import load_oblique_constants, parse_constants
from facebalance.oblique.measurements import MEASUREMENT_IDS
from facebalance.provenance import DataFileError


def test_only_the_cheek_apex_height_has_a_population_norm_and_it_is_cited() -> None:
    norms = load_norm_set()
    with_norm = [mid for mid in MEASUREMENT_IDS if norms.select(mid, sex=None) is not None]
    assert with_norm == ["cheek_apex_height_ratio"]
    norm = norms.select("cheek_apex_height_ratio", sex="female")
    assert norm is not None and norm.review == "cited" and "Kaptein" in norm.source
    assert (norm.mean, norm.sd) == (0.793, 0.023)


def test_every_side_to_side_difference_has_a_working_threshold_saying_so() -> None:
    norms = load_norm_set()
    for aid in ASYMMETRY_IDS.values():
        threshold = norms.thresholds[aid]
        assert threshold.review == "working" and "no published threshold" in threshold.source, aid
        assert threshold.noticed_at > 0


def test_every_constant_has_a_source_and_a_review_status() -> None:
    constants = load_oblique_constants()
    assert set(constants.constants) >= {
        "iris_horizontal_to_vertical_ratio",
        "far_side_depth_relative_sigma",
        "max_turn_difference_deg",
        "outline_sigma_face_fraction",
        "cheek_apex_height_sigma_face_fraction",
    }
    for c in constants.constants.values():
        assert c.provenance.source and c.provenance.review in ("measured", "working", "cited"), c.id
        if c.provenance.review == "measured":
            assert "facebalance eval" in c.provenance.source, c.id


def test_a_constant_without_a_source_is_refused() -> None:
    with pytest.raises(DataFileError, match="no source"):
        parse_constants({"constant": [{"id": "x", "value": 1.0, "review": "working"}]}, origin="clinic.toml")
