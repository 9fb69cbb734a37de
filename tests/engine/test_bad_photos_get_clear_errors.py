"""Every bad photo ends in a typed error whose message says what is wrong and how to fix it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from facebalance.analysis import analyze_photo
from facebalance.cli import app
from facebalance.errors import (
    FacebalanceError,
    FaceCutOff,
    FaceTooSmall,
    MultipleFaces,
    NoFaceFound,
    NotAnImage,
    PoseOutOfRange,
)
from facebalance.vision import FaceLandmarker
from tests.engine.photo_variants import png_bytes
from tests.shared_data import shared_path


def assert_clear(exc: FacebalanceError) -> None:
    assert exc.message.endswith(".") and len(exc.message) > 20
    assert exc.hint and exc.hint.endswith(".")


def test_it_says_there_is_no_face_in_an_empty_backdrop(landmarker: FaceLandmarker) -> None:
    blank = Image.new("RGB", (900, 900), (190, 190, 195))
    with pytest.raises(NoFaceFound) as err:
        analyze_photo(png_bytes(blank), landmarker=landmarker)
    assert_clear(err.value)


def test_it_counts_two_faces(landmarker: FaceLandmarker, ada_image: Image.Image, patient_ben_photo: Path) -> None:
    ben = Image.open(patient_ben_photo).convert("RGB")
    pair = Image.new("RGB", (ada_image.width + ben.width, max(ada_image.height, ben.height)), (200, 200, 200))
    pair.paste(ada_image, (0, 0))
    pair.paste(ben, (ada_image.width, 0))
    with pytest.raises(MultipleFaces) as err:
        analyze_photo(png_bytes(pair), landmarker=landmarker)
    assert err.value.count == 2
    assert "2 faces" in err.value.message
    assert_clear(err.value)


def test_it_says_which_edge_cuts_the_face_off(landmarker: FaceLandmarker, ada_image: Image.Image) -> None:
    # Crop through the mouth: the chin is outside the photo.
    cropped = ada_image.crop((0, 0, ada_image.width, 860))
    with pytest.raises(FaceCutOff) as err:
        analyze_photo(png_bytes(cropped), landmarker=landmarker)
    assert "bottom" in err.value.message
    assert_clear(err.value)


def test_it_refuses_a_face_too_small_to_measure(landmarker: FaceLandmarker, ada_image: Image.Image) -> None:
    small = ada_image.resize((300, 300), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (600, 600), (200, 200, 200))
    canvas.paste(small, (150, 150))
    with pytest.raises(FaceTooSmall) as err:
        analyze_photo(png_bytes(canvas), landmarker=landmarker)
    assert "px" in err.value.message
    assert_clear(err.value)


def test_it_says_which_way_a_turned_head_faces(landmarker: FaceLandmarker) -> None:
    # AFLW2000-3D image00251: yaw about 55 deg (ground truth in pose_degrees.csv).
    # The photo is 450 px; enlarged 3x so that the face is big enough and only the pose is wrong.
    turned = Image.open(shared_path("aflw2000_pose", "image00251.jpg")).convert("RGB")
    turned = turned.resize((1350, 1350), Image.Resampling.LANCZOS)
    with pytest.raises(PoseOutOfRange) as err:
        analyze_photo(png_bytes(turned), landmarker=landmarker)
    assert "turned" in err.value.message and "patient's" in err.value.message
    assert_clear(err.value)


def test_it_refuses_a_text_file(tmp_path: Path, landmarker: FaceLandmarker) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("not a photo")
    with pytest.raises(NotAnImage):
        analyze_photo(path, landmarker=landmarker)


@pytest.mark.parametrize(
    "name",
    [
        "fuzzdb_lottapixel.jpg",
        "truncated_half_001_03.jpg",
        "fuzzdb_eicar.com.txt",
        "pillow_decompression_bomb.gif",
        "pillow_broken.png",
    ],
)
def test_it_refuses_hostile_files_through_the_whole_pipeline(name: str, landmarker: FaceLandmarker) -> None:
    with pytest.raises(FacebalanceError) as err:
        analyze_photo(shared_path("bad_images", name), landmarker=landmarker)
    assert_clear(err.value)


def test_the_cli_prints_the_problem_and_the_fix_and_exits_2(tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((700, 700, 3), 180, np.uint8)).save(blank)
    result = CliRunner().invoke(app, ["analyze", str(blank), "--json", str(tmp_path / "out.json")])
    assert result.exit_code == 2
    assert "No face was found" in result.output
    assert "fix:" in result.output
    assert not (tmp_path / "out.json").exists()


def test_the_cli_writes_json_and_annotated_png(tmp_path: Path, patient_ada_photo: Path) -> None:
    out_json, out_png = tmp_path / "a.json", tmp_path / "a.png"
    result = CliRunner().invoke(
        app, ["analyze", str(patient_ada_photo), "--sex", "female", "--json", str(out_json), "--annotate", str(out_png)]
    )
    assert result.exit_code == 0, result.output
    import json

    doc = json.loads(out_json.read_text())
    assert doc["measurements"]["intercanthal_width_mm"]["unit"] == "mm"
    with Image.open(out_png) as png:
        assert png.format == "PNG" and min(png.size) > 500
    assert "intercanthal_width_mm" in result.output
