"""The hairline is found where the image shows it, and refused (never guessed) where it does not."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facebalance.analysis import analyze_photo
from facebalance.anatomy.landmarks import Landmark
from facebalance.vision import FaceLandmarker

#: Agreement with the hand-placed hairline on the bundled photo, mm (the set's SD is ~5 mm).
HAIRLINE_TOLERANCE_MM = 6.0


def template_point(tem: Path, index: int) -> np.ndarray:
    rows = tem.read_text().split("\n")[1:190]
    return np.array([float(v) for v in rows[index].split()])


def test_it_finds_the_hairline_near_the_hand_placed_one(patient_ada_photo: Path, landmarker: FaceLandmarker) -> None:
    result = analyze_photo(patient_ada_photo, landmarker=landmarker)
    hair = result.assessment.hairline.point_px
    assert hair is not None
    truth = template_point(patient_ada_photo.with_suffix(".tem"), 139)
    error_mm = abs(hair[1] - truth[1]) * result.assessment.calibration.mm_per_px
    assert error_mm < HAIRLINE_TOLERANCE_MM
    upper = result.assessment.measurements["upper_third_mm"]
    assert upper.value is not None and upper.uncertainty is not None and upper.uncertainty > 3.0


def test_it_refuses_when_the_scalp_is_painted_over(patient_ada_photo: Path, landmarker: FaceLandmarker) -> None:
    """Paint everything above the mesh's forehead in the forehead's own colour: a bald, smooth scalp."""
    first = analyze_photo(patient_ada_photo, landmarker=landmarker)
    pts = first.mesh.landmarks_px
    arr = np.asarray(Image.open(patient_ada_photo).convert("RGB")).copy()
    top = int(pts[Landmark.FOREHEAD_MESH_TOP, 1])
    forehead = arr[top + 5 : top + 25, int(pts[Landmark.GLABELLA, 0]) - 20 : int(pts[Landmark.GLABELLA, 0]) + 20]
    arr[:top, :] = np.median(forehead.reshape(-1, 3), axis=0).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    result = analyze_photo(buf.getvalue(), landmarker=landmarker)
    assert result.assessment.hairline.point_px is None
    upper = result.assessment.measurements["upper_third_mm"]
    assert upper.value is None and upper.reason
    assert any("Upper third not measured" in w for w in result.assessment.warnings)


@pytest.mark.parametrize("name", ["001_03.jpg"])
def test_it_draws_the_trichion_in_the_json_points(name: str, landmarker: FaceLandmarker) -> None:
    from facebalance.report.document import analysis_document

    doc = analysis_document(analyze_photo(Path(__file__).parents[1] / "data" / "london" / name, landmarker=landmarker))
    assert doc["hairline"]["found"] is True
    assert "trichion" in doc["points_px"]
