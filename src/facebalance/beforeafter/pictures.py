"""The pictures of a comparison: the *after* photo warped into the *before* photo's frame, a labelled
side-by-side, the two aligned images as a blink pair and a 50 % overlay."""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from facebalance.beforeafter.align import Alignment, warp_after
from facebalance.photo import PhotoAnalysis


def overlay(before_rgb: np.ndarray, after_aligned_rgb: np.ndarray, *, after_weight: float = 0.5) -> np.ndarray:
    """Blend of the before image and the aligned after image (``after_weight`` of the after one)."""
    if before_rgb.shape != after_aligned_rgb.shape:
        raise ValueError(f"overlay needs equal shapes, got {before_rgb.shape} and {after_aligned_rgb.shape}")
    return cv2.addWeighted(before_rgb, 1.0 - after_weight, after_aligned_rgb, after_weight, 0.0)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has no sized default font
        return ImageFont.load_default()


def side_by_side(
    before_rgb: np.ndarray, after_aligned_rgb: np.ndarray, labels: tuple[str, str], *, max_width_px: int = 3200
) -> np.ndarray:
    """The two aligned images next to each other under a label band.

    Parameters
    ----------
    before_rgb, after_aligned_rgb : ndarray of shape (H, W, 3), uint8
        The before image and the after image already warped into its frame.
    labels : tuple of str
        Text over the left and the right image.
    max_width_px : int
        The result is reduced to at most this width.

    Returns
    -------
    ndarray of shape (H', W', 3), uint8
    """
    height, width = before_rgb.shape[:2]
    gutter = max(4, width // 150)
    band = max(28, height // 22)
    canvas = Image.new("RGB", (2 * width + gutter, height + band), (255, 255, 255))
    canvas.paste(Image.fromarray(before_rgb), (0, band))
    canvas.paste(Image.fromarray(after_aligned_rgb), (width + gutter, band))
    draw = ImageDraw.Draw(canvas)
    font = _font(int(band * 0.6))
    for x, text in ((0, labels[0]), (width + gutter, labels[1])):
        draw.text((x + band // 3, band // 2), text, fill=(0, 0, 0), font=font, anchor="lm")
    if canvas.width > max_width_px:
        factor = max_width_px / canvas.width
        canvas = canvas.resize((max_width_px, max(1, round(canvas.height * factor))), Image.Resampling.LANCZOS)
    return np.asarray(canvas)


def png_bytes(rgb: np.ndarray) -> bytes:
    """Lossless PNG of an RGB array (no metadata)."""
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class AlignedPictures:
    """The pictures of one comparison, as RGB arrays in the before photo's analysed pixel grid."""

    before: np.ndarray
    after_aligned: np.ndarray
    overlay: np.ndarray
    side_by_side: np.ndarray


def aligned_pictures(before: PhotoAnalysis, after: PhotoAnalysis, alignment: Alignment) -> AlignedPictures:
    """Warp the after photo into the before photo's frame and build the blink pair, overlay and side-by-side."""
    warped = warp_after(after.image.rgb, alignment.similarity, before.image.rgb.shape)
    return AlignedPictures(
        before=before.image.rgb,
        after_aligned=warped,
        overlay=overlay(before.image.rgb, warped),
        side_by_side=side_by_side(
            before.image.rgb, warped, (f"Before: {before.source_name}", f"After (aligned): {after.source_name}")
        ),
    )
