"""Adapter around MediaPipe's selfie (person / background) segmentation, for lateral photos.

The model (vendored, sha256-checked; see ``facebalance/vision/models/NOTICE``) sees the photo at 256 x 256
and returns a per-pixel person confidence. Its edge is therefore only as good as its input grid (about
1/256 of the frame); :mod:`facebalance.profile.contour` refines it on the full-resolution photo. The model
is loaded when the adapter is entered, never at import, and MediaPipe objects become numpy arrays here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from facebalance.vision.landmarker import MediaPipeTask
from facebalance.vision.models import VendoredModel

SELFIE_SEGMENTATION = VendoredModel(
    filename="selfie_segmentation.tflite",
    sha256="9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c",
    licence="Apache-2.0",
    provenance="mediapipe 0.10.21 wheel, mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite",
)


@dataclass(frozen=True)
class SegmenterOptions:
    """How the segmentation runs.

    Attributes
    ----------
    input_long_side_px : int
        The photo is reduced to this longer side before segmentation (the model works at 256 px; a
        larger input only costs time). The confidence comes back at this reduced size.
    """

    input_long_side_px: int = 768


@dataclass(frozen=True)
class PersonMask:
    """Person confidence of one photo.

    Attributes
    ----------
    confidence : ndarray of shape (h, w), float32
        Person confidence in [0, 1] on the reduced grid.
    scale : float
        Pixels of the given image per pixel of ``confidence`` (>= 1).
    """

    confidence: np.ndarray
    scale: float

    def to_image_px(self, xy: np.ndarray) -> np.ndarray:
        """Points (N, 2) on the confidence grid to pixel coordinates of the given image (pixel centres)."""
        return (np.asarray(xy, dtype=np.float64) + 0.5) * self.scale - 0.5


class PersonSegmenter(MediaPipeTask):
    """Person / backdrop segmentation. Use as a context manager::

    with PersonSegmenter() as segmenter:
        mask = segmenter.segment(rgb)
    """

    model = SELFIE_SEGMENTATION

    def __init__(self, options: SegmenterOptions | None = None) -> None:
        super().__init__()
        self.options = options or SegmenterOptions()

    def _create(self, model: bytes) -> Any:
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.ImageSegmenterOptions(
            base_options=BaseOptions(model_asset_buffer=model),
            running_mode=vision.RunningMode.IMAGE,
            output_confidence_masks=True,
            output_category_mask=False,
        )
        return vision.ImageSegmenter.create_from_options(options)

    def _warm_up(self) -> None:
        self._segment_raw(np.zeros((64, 64, 3), dtype=np.uint8))

    def _segment_raw(self, rgb: np.ndarray) -> np.ndarray:
        import mediapipe as mp

        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        result = self._task.segment(image)
        return np.array(result.confidence_masks[0].numpy_view(), dtype=np.float32).reshape(rgb.shape[:2])

    def segment(self, rgb: np.ndarray) -> PersonMask:
        """Person confidence of an RGB photo.

        Parameters
        ----------
        rgb : ndarray of shape (H, W, 3), uint8

        Returns
        -------
        PersonMask
            On a grid reduced to :attr:`SegmenterOptions.input_long_side_px`.
        """
        self._require_open()
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB array, got {rgb.shape} {rgb.dtype}")
        h, w = rgb.shape[:2]
        scale = max(1.0, max(h, w) / self.options.input_long_side_px)
        small = rgb
        if scale > 1.0:
            small = cv2.resize(rgb, (max(1, round(w / scale)), max(1, round(h / scale))), interpolation=cv2.INTER_AREA)
        confidence = self._segment_raw(small)
        return PersonMask(confidence=confidence, scale=w / small.shape[1])
