"""A left profile is read exactly as the mirror image of a right one."""

from __future__ import annotations

import numpy as np
import pytest

from facebalance.profile.analysis import ProfileAnalysis
from facebalance.report.document import profile_document

#: The mirrored photo is sampled at mirrored coordinates (float32 maps): differences are rounding only.
MIRROR_TOLERANCE = 1e-3


def test_it_names_the_side(dana_right: ProfileAnalysis, dana_left: ProfileAnalysis) -> None:
    assert (dana_right.view, dana_left.view) == ("profile_right", "profile_left")


def test_it_gives_identical_measurements(dana_right: ProfileAnalysis, dana_left: ProfileAnalysis) -> None:
    right, left = dana_right.assessment.measurements, dana_left.assessment.measurements
    assert right.keys() == left.keys()
    for mid in right:
        if right[mid].value is None:
            assert left[mid].value is None
            continue
        assert left[mid].value == pytest.approx(right[mid].value, abs=MIRROR_TOLERANCE), mid
        assert left[mid].uncertainty == pytest.approx(right[mid].uncertainty, abs=MIRROR_TOLERANCE), mid


def test_it_gives_the_same_findings(dana_right: ProfileAnalysis, dana_left: ProfileAnalysis) -> None:
    right = [f.finding.id for f in dana_right.assessment.findings]
    assert right == [f.finding.id for f in dana_left.assessment.findings]


def test_it_reports_points_on_the_photo_as_taken(dana_right: ProfileAnalysis, dana_left: ProfileAnalysis) -> None:
    width = dana_right.image.full_size_px[0]
    right = profile_document(dana_right)["landmarks"]["pronasale"]
    left = profile_document(dana_left)["landmarks"]["pronasale"]
    assert left["x"] == pytest.approx(width - 1 - right["x"], abs=0.2)
    assert left["y"] == pytest.approx(right["y"], abs=0.2)
    assert np.sign(right["x"] - width / 2) == 1 and np.sign(left["x"] - width / 2) == -1
