"""A 24 MP JPEG is reduced inside the JPEG decoder: the full 6000x4000 frame is never decoded.

The photo is Ada's face on a 6000x4000 canvas with a red marker at a known full-resolution position.
The proof is what the decoder is asked for: ``Image.draft`` configures libjpeg's DCT scaling before
``load``, so the buffer filled at load time is the reduced one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile, JpegImagePlugin

from facebalance.vision import LoadedImage, load_image
from facebalance.vision.image_io import ANALYSIS_LONG_SIDE_PX

FULL_SIZE_PX = (6000, 4000)
#: Red marker, (left, top, right, bottom) in full-resolution pixels; its centre is (5500, 400).
MARKER_BOX_PX = (5400, 300, 5600, 500)
MARKER_CENTRE_PX = (5500.0, 400.0)
#: How far the marker's centre found in the reduced image may land from the truth, in full-res pixels.
MARKER_TOLERANCE_PX = 3.0


@dataclass(frozen=True)
class DecoderCall:
    size_px: tuple[int, int]
    dct_scale: int


@pytest.fixture(scope="module")
def photo_24mp(tmp_path_factory: pytest.TempPathFactory, patient_ada_photo: Path) -> Path:
    canvas = Image.new("RGB", FULL_SIZE_PX, (128, 128, 128))
    with Image.open(patient_ada_photo) as face:
        canvas.paste(face.convert("RGB").resize((3000, 3000)), (1500, 500))
    canvas.paste((255, 0, 0), MARKER_BOX_PX)
    path = tmp_path_factory.mktemp("large") / "ada_24mp.jpg"
    canvas.save(path, format="JPEG", quality=90)
    return path


@pytest.fixture
def decoder_calls(monkeypatch: pytest.MonkeyPatch) -> list[DecoderCall]:
    """Record the size and DCT scale of every JPEG as its pixels are decoded."""
    calls: list[DecoderCall] = []

    def spying_load(self: JpegImagePlugin.JpegImageFile) -> object:
        if self.tile:  # pixels still to decode; later calls to load() are no-ops
            scale = self.decoderconfig[0] if self.decoderconfig else 1
            calls.append(DecoderCall(size_px=self.size, dct_scale=int(scale)))
        return ImageFile.ImageFile.load(self)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", spying_load)
    return calls


@pytest.fixture
def loaded(photo_24mp: Path, decoder_calls: list[DecoderCall]) -> LoadedImage:
    return load_image(photo_24mp)


def test_it_asks_the_decoder_for_a_reduced_frame(loaded: LoadedImage, decoder_calls: list[DecoderCall]) -> None:
    assert decoder_calls == [DecoderCall(size_px=(1500, 1000), dct_scale=4)]
    assert decoder_calls[0].size_px[0] * decoder_calls[0].size_px[1] == FULL_SIZE_PX[0] * FULL_SIZE_PX[1] // 16


def test_it_returns_a_long_side_between_the_asked_and_twice_it(loaded: LoadedImage) -> None:
    assert ANALYSIS_LONG_SIDE_PX <= max(loaded.size_px) < 2 * ANALYSIS_LONG_SIDE_PX
    assert loaded.size_px == (1500, 1000)


def test_it_reports_the_full_size_and_the_scale_back_to_it(loaded: LoadedImage) -> None:
    assert loaded.full_size_px == FULL_SIZE_PX
    assert loaded.scale_to_full == 4.0


def test_it_maps_a_point_back_to_where_it_is_at_full_resolution(loaded: LoadedImage) -> None:
    red = loaded.rgb.astype(np.int16)
    marker = (red[..., 0] > 200) & (red[..., 1] < 60) & (red[..., 2] < 60)
    rows, columns = np.nonzero(marker)
    # Pixel centres: pixel i of the reduced image covers full-resolution [i * s, (i + 1) * s).
    centre = ((columns.mean() + 0.5) * loaded.scale_to_full, (rows.mean() + 0.5) * loaded.scale_to_full)

    assert centre == pytest.approx(MARKER_CENTRE_PX, abs=MARKER_TOLERANCE_PX)


def test_it_decodes_the_full_frame_only_when_asked(photo_24mp: Path, decoder_calls: list[DecoderCall]) -> None:
    """The spy itself sees a full decode when there is one."""
    with Image.open(photo_24mp) as image:
        image.load()

    assert decoder_calls == [DecoderCall(size_px=FULL_SIZE_PX, dct_scale=1)]
