"""Building small test videos with PyAV from real photos (kept apart from conftest so tests can import it).

Videos are written losslessly (FFV1 in Matroska, RGB) unless a test needs a phone codec, so that a
mirrored copy decodes to exactly the mirrored pixels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import av
import numpy as np
from av.video.stream import VideoStream
from PIL import Image

from facebalance.anatomy.landmarks import Landmark

FPS = 15


def face_crop(photo: Path, side_px: int = 480) -> np.ndarray:
    """The London photo cropped to a square around the face and scaled to ``side_px`` (RGB uint8)."""
    image = Image.open(photo).convert("RGB")
    # London photos are 1350 px studio frontals with the face in the middle: keep the central 900 px.
    box = (225, 300, 1125, 1200)
    return np.asarray(image.crop(box).resize((side_px, side_px), Image.Resampling.LANCZOS))


def write_video(path: Path, frames: Iterable[np.ndarray], *, fps: int = FPS, codec: str = "ffv1") -> Path:
    """Write RGB frames; ``ffv1`` (lossless, ``.mkv``) or ``libx264`` (``.mp4``)."""
    with av.open(str(path), "w") as container:
        stream: VideoStream | None = None
        for rgb in frames:
            if stream is None:
                added = container.add_stream(codec, rate=fps)
                assert isinstance(added, VideoStream)
                stream = added
                stream.width, stream.height = rgb.shape[1], rgb.shape[0]
                stream.pix_fmt = "bgr0" if codec == "ffv1" else "yuv420p"
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")):
                container.mux(packet)
        if stream is not None:
            for packet in stream.encode():
                container.mux(packet)
    return path


def read_frames(path: Path, limit: int | None = None) -> list[np.ndarray]:
    frames = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            frames.append(frame.to_ndarray(format="rgb24"))
            if limit is not None and len(frames) >= limit:
                break
    return frames


def warp_region(
    rgb: np.ndarray,
    centre_xy: Sequence[float] | np.ndarray,
    shift_xy: Sequence[float],
    inner_px: float,
    outer_px: float,
    *,
    aspect: float = 1.0,
) -> np.ndarray:
    """Move the image content within ``inner_px`` of ``centre_xy`` rigidly by ``shift_xy`` pixels.

    Between ``inner_px`` and ``outer_px`` the shift fades out smoothly (smoothstep); beyond it nothing moves.
    ``aspect`` < 1 makes the region an ellipse, its vertical radii ``aspect`` times the horizontal ones.
    Coordinates follow MediaPipe's convention (pixel centres at i + 0.5). Backward mapping with bilinear
    sampling; ``shift`` must be well under ``outer_px - inner_px`` so that the map stays one-to-one.
    """
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    cx, cy = centre_xy
    dx, dy = shift_xy
    # Where the output pixel's content comes from: iterate p = q + s * g(|q - c|) for the source q.
    qx, qy = xx - dx, yy - dy
    for _ in range(20):
        r = np.hypot(qx - cx, (qy - cy) / aspect)
        t = np.clip((outer_px - r) / (outer_px - inner_px), 0.0, 1.0)
        g = t * t * (3 - 2 * t)
        qx, qy = xx - dx * g, yy - dy * g
    sx, sy = qx - 0.5, qy - 0.5
    x0 = np.clip(np.floor(sx).astype(int), 0, w - 2)
    y0 = np.clip(np.floor(sy).astype(int), 0, h - 2)
    fx = np.clip(sx - x0, 0, 1)[..., None]
    fy = np.clip(sy - y0, 0, 1)[..., None]
    img = rgb.astype(np.float64)
    out = (
        img[y0, x0] * (1 - fx) * (1 - fy)
        + img[y0, x0 + 1] * fx * (1 - fy)
        + img[y0 + 1, x0] * (1 - fx) * fy
        + img[y0 + 1, x0 + 1] * fx * fy
    )
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def one_sided_frames(
    rgb: np.ndarray,
    landmarks_px: np.ndarray,
    shift_xy: Sequence[float],
    *,
    rest_frames: int,
    ramp_frames: int,
    hold_frames: int,
    vertex: int = Landmark.CHEILION_LEFT,
) -> list[np.ndarray]:
    """Rest, then one region (default: the patient's left mouth corner) moved smoothly to ``shift_xy``, then held."""
    centre = landmarks_px[vertex, :2]
    mouth = float(np.linalg.norm(landmarks_px[Landmark.CHEILION_LEFT, :2] - landmarks_px[Landmark.CHEILION_RIGHT, :2]))
    frames = [rgb] * rest_frames
    for i in range(1, ramp_frames + 1):
        f = i / ramp_frames
        frames.append(warp_region(rgb, centre, (shift_xy[0] * f, shift_xy[1] * f), 0.25 * mouth, 0.6 * mouth))
    frames += [frames[-1]] * hold_frames
    return frames
