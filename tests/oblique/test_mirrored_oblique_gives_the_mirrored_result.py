"""A mirrored three-quarter photo gives the mirrored result exactly: the other side's view, the same numbers,
and every point at the mirrored place on the photo as taken."""

from __future__ import annotations

import numpy as np

from facebalance.oblique.analysis import ObliqueAnalysis
from facebalance.report.oblique import oblique_document


def test_it_names_the_other_side(maria_read: ObliqueAnalysis, maria_mirrored_read: ObliqueAnalysis) -> None:
    assert (maria_read.view, maria_mirrored_read.view) == ("oblique_left", "oblique_right")
    assert (maria_read.assessment.side, maria_mirrored_read.assessment.side) == ("right", "left")
    assert maria_read.pose.yaw_deg == -maria_mirrored_read.pose.yaw_deg < 0


def test_it_gives_identical_measurements(maria_read: ObliqueAnalysis, maria_mirrored_read: ObliqueAnalysis) -> None:
    read, mirrored = maria_read.assessment.measurements, maria_mirrored_read.assessment.measurements
    assert read.keys() == mirrored.keys()
    for mid, m in read.items():
        assert (m.value, m.uncertainty, m.reason) == (
            mirrored[mid].value,
            mirrored[mid].uncertainty,
            mirrored[mid].reason,
        )
    assert maria_read.assessment.warnings == maria_mirrored_read.assessment.warnings


def test_it_puts_every_point_at_the_mirrored_place(
    maria_read: ObliqueAnalysis, maria_mirrored_read: ObliqueAnalysis
) -> None:
    width = maria_read.image.full_size_px[0]
    read = maria_read.to_original_px(maria_read.assessment.outline.points_px)
    mirrored = maria_mirrored_read.to_original_px(maria_mirrored_read.assessment.outline.points_px)
    np.testing.assert_array_equal(read[:, 1], mirrored[:, 1])
    np.testing.assert_allclose(read[:, 0], (width - 1) - mirrored[:, 0], rtol=0, atol=1e-9)
    doc, doc_mirrored = oblique_document(maria_read), oblique_document(maria_mirrored_read)
    for name, point in doc["points"].items():
        other = doc_mirrored["points"][name]
        assert point["y"] == other["y"] and abs(point["x"] - (width - 1 - other["x"])) < 0.11, name
        assert (point["confidence"], point["sigma_px"]) == (other["confidence"], other["sigma_px"]), name


def test_the_silhouette_is_on_the_side_the_nose_points_to(maria_read: ObliqueAnalysis) -> None:
    # A left oblique: the nose points to the image left, so the far cheek's silhouette is left of the face.
    outline = maria_read.to_original_px(maria_read.assessment.outline.points_px)
    canthus_near = maria_read.to_original_px(maria_read.assessment.references.lateral_canthus_near)[0]
    assert np.median(outline[:, 0]) < canthus_near[0]
