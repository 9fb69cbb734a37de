"""Degraded copies of a real photo each fail the right check with the right message."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from facebalance.session.photo_check import PhotoCheck, check_photo
from facebalance.session.protocol import load_protocol
from facebalance.vision import FaceLandmarker

PROTOCOL = load_protocol()


def png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def checked(image: Image.Image, landmarker: FaceLandmarker, view: str = "frontal_rest") -> PhotoCheck:
    return check_photo(png(image), protocol=PROTOCOL, landmarker=landmarker, view_id=view, name="copy.png")


def status_of(result: PhotoCheck, name: str) -> tuple[str, str]:
    check = next(c for c in result.checks if c.name == name)
    return check.status, check.message


def brighter(factor: float) -> Callable[[Image.Image], Image.Image]:
    def apply(image: Image.Image) -> Image.Image:
        return Image.fromarray(np.clip(np.asarray(image, dtype=np.float64) * factor, 0, 255).astype(np.uint8))

    return apply


DEGRADATIONS: list[tuple[str, Callable[[Image.Image], Image.Image], str, str]] = [
    ("blurred", lambda im: im.filter(ImageFilter.GaussianBlur(3)), "focus", "out of focus"),
    ("over-exposed", brighter(2.2), "exposure", "blown out"),
    ("under-exposed", brighter(0.06), "exposure", "shadow"),
    (
        "rotated",
        lambda im: im.rotate(12, resample=Image.Resampling.BICUBIC, fillcolor=(200, 200, 200)),
        "pose",
        "toward the patient's left shoulder",
    ),
    ("cropped", lambda im: im.crop((0, 0, im.width, 900)), "framing", "cut off at the bottom"),
    ("down-scaled", lambda im: im.resize((300, 300), Image.Resampling.LANCZOS), "face_size", "too small"),
]


@pytest.mark.parametrize(("what", "degrade", "check", "words"), DEGRADATIONS, ids=[d[0] for d in DEGRADATIONS])
def test_it_fails_the_degraded_copy_on_the_right_check(
    what: str,
    degrade: Callable[[Image.Image], Image.Image],
    check: str,
    words: str,
    patient_ada_photo: Path,
    landmarker: FaceLandmarker,
) -> None:
    original = Image.open(patient_ada_photo).convert("RGB")
    assert status_of(checked(original, landmarker), check)[0] == "pass"
    status, message = status_of(checked(degrade(original), landmarker), check)
    assert status == "fail", (what, message)
    assert words in message


def test_it_passes_the_original_on_every_check(patient_ada_photo: Path, landmarker: FaceLandmarker) -> None:
    result = check_photo(patient_ada_photo, protocol=PROTOCOL, landmarker=landmarker, view_id="frontal_rest")
    assert result.view_identified == "frontal_rest"
    assert {c.name for c in result.checks} >= {"pose", "face_size", "focus", "exposure", "expression", "eyes_open"}
    assert all(c.status in ("pass", "skip") for c in result.checks), [c.as_dict() for c in result.checks]


def test_it_tells_a_smile_taken_for_the_rest_view(landmarker: FaceLandmarker) -> None:
    smiling = Path(__file__).parents[1] / "data" / "london" / "001_08.jpg"
    result = check_photo(smiling, protocol=PROTOCOL, landmarker=landmarker, view_id="frontal_rest")
    assert status_of(result, "expression")[0] == "fail"
    assert "smiling" in status_of(result, "expression")[1]
    assert result.view_identified == "frontal_smile"
    assert status_of(result, "view")[0] == "fail"


def test_it_refuses_a_bad_file_without_stopping(tmp_path: Path, landmarker: FaceLandmarker) -> None:
    bad = tmp_path / "frontal_rest.jpg"
    bad.write_bytes(b"not a photo")
    result = check_photo(bad, protocol=PROTOCOL, landmarker=landmarker)
    assert result.status == "fail"
    assert result.view_target == "frontal_rest"  # taken from the file name
    assert "not an image" in result.checks[0].message
