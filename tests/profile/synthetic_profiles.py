"""Synthetic lateral photos with a known profile: a head silhouette drawn from an analytic polyline.

The profile is a polyline through designed landmark vertices (millimetres, canonical orientation: the face
looks to +x, y down, origin at soft-tissue nasion). Each landmark definition lands on its vertex: the
extrema (Prn, Ls, Li, Pog', G) are convex vertices that are the local maxima of x, the nasion is the
deepest point of the nasofrontal pocket, subnasale and the cervical point are the only concave corners
in their windows, the columella is a straight segment (so its tangent from Sn is exact). Expected values
are computed here from the vertices with plain geometry, independently of the package.

The head is filled with a skin tone over a plain backdrop, blurred and given sensor noise, so that the
edge-refinement step has a realistic, sub-pixel edge to find.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from facebalance.profile.segmentation import PersonMask

# Designed profile, mm (x anterior, y down), from the crown to the bottom of the neck.
PROFILE_MM: dict[str, tuple[float, float]] = {
    "crown": (-60.0, -110.0),
    "crown_front": (-25.0, -100.0),
    "forehead": (-5.0, -75.0),
    "glabella": (3.0, -20.0),
    "soft_tissue_nasion": (0.0, 0.0),
    "dorsum": (14.0, 30.0),
    "pronasale": (22.0, 40.0),
    "columella_front": (18.0, 46.0),
    "subnasale": (4.0, 52.0),
    "labrale_superius": (8.0, 67.0),
    "stomion": (3.0, 73.0),
    "labrale_inferius": (6.0, 80.0),
    "labiomental_fold": (-1.0, 92.0),
    "soft_tissue_pogonion": (2.0, 104.0),
    "menton": (-6.0, 115.0),
    "cervical_point": (-40.0, 120.0),
    "neck": (-45.0, 160.0),
    "neck_low": (-48.0, 215.0),
}
#: Back of the head and shoulders, closing the silhouette (mm), from the bottom of the neck round to the crown.
BACK_MM: tuple[tuple[float, float], ...] = (
    (-48.0, 240.0),
    (-230.0, 240.0),
    (-215.0, 120.0),
    (-190.0, 10.0),
    (-170.0, -70.0),
    (-120.0, -112.0),
)


def signed_distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance of p in front of the line a->b (outward normal (dy, -dx)), mm."""
    d = np.subtract(b, a)
    n = np.array([d[1], -d[0]]) / np.hypot(*d)
    return float(np.dot(np.subtract(p, a), n))


def angle_deg(a: tuple[float, float], v: tuple[float, float], b: tuple[float, float]) -> float:
    u, w = np.subtract(a, v), np.subtract(b, v)
    return math.degrees(math.acos(float(np.dot(u, w) / (np.hypot(*u) * np.hypot(*w)))))


def expected_values(profile: dict[str, tuple[float, float]] = PROFILE_MM) -> dict[str, float]:
    """The measurements the designed profile should give, from its vertices (mm and degrees)."""
    p = profile
    sn, pog = p["subnasale"], p["soft_tissue_pogonion"]
    convex = 180.0 - angle_deg(p["glabella"], sn, pog)
    return {
        "e_line_upper_lip_mm": signed_distance(p["labrale_superius"], p["pronasale"], pog),
        "e_line_lower_lip_mm": signed_distance(p["labrale_inferius"], p["pronasale"], pog),
        "burstone_upper_lip_mm": signed_distance(p["labrale_superius"], sn, pog),
        "burstone_lower_lip_mm": signed_distance(p["labrale_inferius"], sn, pog),
        "riedel_deviation_mm": signed_distance(p["labrale_inferius"], p["labrale_superius"], pog),
        "mentolabial_sulcus_depth_mm": -signed_distance(p["labiomental_fold"], p["labrale_inferius"], pog),
        "chin_projection_nasion_perpendicular_mm": pog[0] - p["soft_tissue_nasion"][0],
        "nasolabial_angle_deg": angle_deg(p["columella_front"], sn, p["labrale_superius"]),
        "nasofrontal_angle_deg": angle_deg(p["glabella"], p["soft_tissue_nasion"], p["pronasale"]),
        "facial_convexity_deg": math.copysign(convex, signed_distance(sn, p["glabella"], pog)),
        "lower_lip_chin_angle_deg": angle_deg(p["labrale_inferius"], p["labiomental_fold"], pog),
        "mentocervical_angle_deg": angle_deg(
            tuple(np.add(p["menton"], np.subtract(p["glabella"], pog))), p["menton"], p["cervical_point"]
        ),
    }


@dataclass(frozen=True)
class SyntheticProfile:
    """A rendered lateral photo and what it was drawn from.

    Attributes
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
        The photo (face looking to the image right unless mirrored).
    mask : ndarray of shape (H, W), bool
        The drawn silhouette.
    px_per_mm : float
    origin_px : tuple of float
        Where the soft-tissue nasion (0, 0 mm) is, in canonical pixels.
    landmarks_px : dict
        Designed landmark positions, canonical pixels.
    """

    rgb: np.ndarray
    mask: np.ndarray
    px_per_mm: float
    origin_px: tuple[float, float]
    landmarks_px: dict[str, np.ndarray] = field(repr=False)


def render_profile(
    *,
    px_per_mm: float = 6.0,
    size_px: tuple[int, int] = (1500, 2100),
    origin_px: tuple[float, float] = (1100.0, 820.0),
    skin: tuple[int, int, int] = (214, 168, 146),
    backdrop: tuple[int, int, int] = (92, 110, 128),
    noise: float = 2.5,
    blur_px: float = 1.0,
    profile: dict[str, tuple[float, float]] = PROFILE_MM,
    seed: int = 7,
) -> SyntheticProfile:
    """Draw the designed head on a plain backdrop (face to the image right)."""
    w, h = size_px
    ox, oy = origin_px
    front = [profile[k] for k in profile]
    polygon_mm = [*front, *BACK_MM]
    polygon_px = [(ox + x * px_per_mm, oy + y * px_per_mm) for x, y in polygon_mm]
    # Draw at 4x and reduce: an anti-aliased, sub-pixel edge like a camera's.
    k = 4
    big = Image.new("L", (w * k, h * k), 0)
    ImageDraw.Draw(big).polygon([((x + 0.5) * k - 0.5, (y + 0.5) * k - 0.5) for x, y in polygon_px], fill=255)
    alpha = np.asarray(big.resize((w, h), Image.Resampling.BOX), dtype=np.float64) / 255.0
    a = alpha[..., None]
    rgb = a * np.array(skin, dtype=np.float64) + (1 - a) * np.array(backdrop, dtype=np.float64)
    img = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))
    if blur_px > 0:
        img = img.filter(ImageFilter.GaussianBlur(blur_px))
    arr = np.asarray(img, dtype=np.float64)
    arr = arr + np.random.default_rng(seed).normal(0.0, noise, arr.shape)
    landmarks = {name: np.array([ox + x * px_per_mm, oy + y * px_per_mm]) for name, (x, y) in profile.items()}
    return SyntheticProfile(
        rgb=np.clip(arr, 0, 255).astype(np.uint8),
        mask=alpha >= 0.5,
        px_per_mm=px_per_mm,
        origin_px=origin_px,
        landmarks_px=landmarks,
    )


def coarse_mask(mask: np.ndarray, factor: int = 8) -> np.ndarray:
    """A blocky, low-resolution version of a mask as a segmentation model would give (float confidence)."""
    h, w = mask.shape
    small = np.asarray(
        Image.fromarray(mask.astype(np.uint8) * 255).resize((w // factor, h // factor), Image.Resampling.BILINEAR)
    )
    return small.astype(np.float32) / 255.0


def mirrored(profile: SyntheticProfile) -> SyntheticProfile:
    """The same photo taken of the other side (face to the image left)."""
    w = profile.rgb.shape[1]
    return SyntheticProfile(
        rgb=np.ascontiguousarray(profile.rgb[:, ::-1]),
        mask=np.ascontiguousarray(profile.mask[:, ::-1]),
        px_per_mm=profile.px_per_mm,
        origin_px=(w - 1 - profile.origin_px[0], profile.origin_px[1]),
        landmarks_px={k: np.array([w - 1 - v[0], v[1]]) for k, v in profile.landmarks_px.items()},
    )


class ColourKeySegmenter:
    """A stand-in for the selfie model on synthetic photos (which it does not take for a person).

    Person = pixels far in colour from the backdrop, returned as a blocky confidence on a grid ``factor``
    times coarser, as the model's 256-pixel input would give.
    """

    def __init__(self, backdrop: tuple[int, int, int] = (92, 110, 128), factor: int = 8) -> None:
        self.backdrop = np.array(backdrop, dtype=np.float64)
        self.factor = factor
        self.calls = 0

    def segment(self, rgb: np.ndarray) -> PersonMask:
        self.calls += 1
        person = np.linalg.norm(rgb.astype(np.float64) - self.backdrop, axis=2) > 40.0
        confidence = coarse_mask(person, self.factor)
        return PersonMask(confidence=confidence, scale=rgb.shape[1] / confidence.shape[1])


def png_bytes(rgb: np.ndarray) -> bytes:
    """Losslessly encoded photo bytes, for the file-level entry points."""
    import io

    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


class FixedMaskSegmenter:
    """A stand-in model that always sees the given person mask (for photos whose backdrop is the test)."""

    def __init__(self, mask: np.ndarray, factor: int = 8) -> None:
        self.confidence = coarse_mask(mask, factor)

    def segment(self, rgb: np.ndarray) -> PersonMask:
        return PersonMask(confidence=self.confidence, scale=rgb.shape[1] / self.confidence.shape[1])
