"""Photos the oblique path cannot read are refused with a message saying what is wrong and how to fix it."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from facebalance.errors import FacebalanceError, FaceCutOff, FaceTooSmall, MultipleFaces, NoFaceFound, PoseOutOfRange
from facebalance.oblique.analysis import ObliqueAnalysis, analyze_oblique
from facebalance.oblique.errors import FarSideCutOff, NotAnObliqueView
from facebalance.vision import FaceLandmarker
from tests.oblique.oblique_photos import png_bytes
from tests.shared_data import shared_path


def test_it_refuses_a_frontal_photo(patient_ada_photo: Path, landmarker: FaceLandmarker) -> None:
    with pytest.raises(NotAnObliqueView) as err:
        analyze_oblique(patient_ada_photo, landmarker=landmarker)
    assert isinstance(err.value, PoseOutOfRange)  # boundaries that know the frontal errors handle it too
    assert "frontal view" in err.value.message and "facebalance analyze" in err.value.hint


def test_it_refuses_a_profile_without_a_face_mesh(landmarker: FaceLandmarker) -> None:
    # A true 90-degree profile of the CFP set: the face mesh does not hold.
    with pytest.raises(NoFaceFound) as err:
        analyze_oblique(shared_path("cfp_profile_dev", "001_profile_02.jpg"), landmarker=landmarker)
    assert "facebalance profile" in err.value.message


def test_it_refuses_a_profile_whose_nose_hides_the_far_cheek(landmarker: FaceLandmarker) -> None:
    # A CFP profile whose face mesh still holds: the far side's silhouette is the nose and the lips.
    with pytest.raises(NotAnObliqueView) as err:
        analyze_oblique(shared_path("cfp_profile_dev", "002_profile_01.jpg"), landmarker=landmarker)
    assert "hidden behind the nose" in err.value.message and "facebalance profile" in err.value.hint


def test_it_refuses_a_photo_without_a_face(landmarker: FaceLandmarker) -> None:
    blank = np.full((900, 700, 3), (150, 160, 170), dtype=np.uint8)
    with pytest.raises(NoFaceFound) as err:
        analyze_oblique(png_bytes(blank), landmarker=landmarker)
    assert err.value.hint


def test_it_refuses_two_people_of_the_same_size(maria: np.ndarray, landmarker: FaceLandmarker) -> None:
    with pytest.raises(MultipleFaces) as err:
        analyze_oblique(png_bytes(np.concatenate([maria, maria], axis=1)), landmarker=landmarker)
    assert "2 faces" in err.value.message


def test_it_reads_the_patient_in_front_of_a_small_bystander(
    maria: np.ndarray, tomas: np.ndarray, maria_read: ObliqueAnalysis, landmarker: FaceLandmarker
) -> None:
    # Tomas, small, beside Maria: his face is a sixth of hers in area (a bystander further back).
    factor = 0.36 * maria.shape[0] / tomas.shape[0]
    small = cv2.resize(tomas, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    canvas = np.full((maria.shape[0], maria.shape[1] + small.shape[1], 3), 30, np.uint8)
    canvas[:, : maria.shape[1]] = maria
    canvas[: small.shape[0], maria.shape[1] :] = small
    read = analyze_oblique(png_bytes(canvas), landmarker=landmarker)
    assert read.view == maria_read.view
    assert any("smaller face" in w for w in read.assessment.warnings)


def test_it_refuses_a_far_cheek_cut_off_by_the_frame(
    maria: np.ndarray, maria_read: ObliqueAnalysis, landmarker: FaceLandmarker
) -> None:
    # A left oblique: the far cheek is at the image left. Cut the frame through it, beside the eye.
    canthus_x = int(maria_read.to_original_px(maria_read.assessment.references.lateral_canthus)[0, 0])
    outline_x = maria_read.to_original_px(maria_read.assessment.outline.points_px)[:, 0]
    cut = (canthus_x + int(np.median(outline_x))) // 2
    with pytest.raises((FarSideCutOff, FaceCutOff)) as err:
        analyze_oblique(png_bytes(np.ascontiguousarray(maria[:, cut:])), landmarker=landmarker)
    assert "cut off" in err.value.message and "in the frame" in err.value.hint


def test_it_refuses_a_face_too_small_to_measure(maria: np.ndarray, landmarker: FaceLandmarker) -> None:
    tiny = cv2.resize(maria, None, fx=0.15, fy=0.15, interpolation=cv2.INTER_AREA)
    with pytest.raises((FaceTooSmall, NoFaceFound)) as err:
        analyze_oblique(png_bytes(tiny), landmarker=landmarker)
    assert isinstance(err.value, FacebalanceError) and err.value.hint
