"""Per-photo quality checks, each returning pass / warn / fail with the measured value, the threshold and a
message that says what to do. Pure functions of arrays; thresholds come from the protocol data.

Messages address the photographer: "turn the head 8 degrees to the patient's left" (patient's sides).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np

from facebalance.anatomy.frame import HeadFrame
from facebalance.anatomy.landmarks import FACE_OVAL, Landmark
from facebalance.geometry.pose import HeadPose
from facebalance.session.protocol import Protocol, ViewSpec, load_protocol

Status = Literal["pass", "warn", "fail", "skip"]
_RANK = {"pass": 0, "skip": 0, "warn": 1, "fail": 2}


@dataclass(frozen=True)
class Check:
    """The result of one check. ``value`` and ``threshold`` are in the unit the message names."""

    name: str
    status: Status
    value: float | None
    threshold: float | str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        value = None if self.value is None else round(float(self.value), 4)
        return {
            "name": self.name,
            "status": self.status,
            "value": value,
            "threshold": self.threshold,
            "message": self.message,
        }


def worst(checks: list[Check]) -> Status:
    """The overall status of a photo: its worst check."""
    if not checks:
        return "pass"
    return max((c.status for c in checks), key=lambda s: _RANK[s])


def _grade(excess: float, warn_band: float) -> Status:
    if excess <= 0:
        return "pass"
    return "warn" if excess <= warn_band else "fail"


@functools.lru_cache(maxsize=1)
def _packaged_pose_warn_band() -> float:
    return float(load_protocol().limit("pose", "warn_band"))


def pose_warn_band(protocol: Protocol | None = None) -> float:
    """How far beyond its tolerance a pose is a warning rather than a failure (a multiple of the tolerance).

    The protocol's ``[checks.pose] warn_band``; the packaged protocol's when ``protocol`` is ``None`` or is a
    clinic file written without one.
    """
    if protocol is not None and "warn_band" in protocol.checks.get("pose", {}):
        return float(protocol.limit("pose", "warn_band"))
    return _packaged_pose_warn_band()


def pose_check(pose: HeadPose, view: ViewSpec, *, warn_band: float | None = None) -> Check:
    """Head pose against the view's target and tolerances.

    ``warn_band`` is :func:`pose_warn_band` (default: the packaged protocol's).

    Examples
    --------
    >>> v = ViewSpec("frontal_rest", "Frontal", True, True, 0.0, 5.0, 0.0, 8.0, 0.0, 3.0)
    >>> pose_check(HeadPose(yaw_deg=-8.0, pitch_deg=0.0, roll_deg=0.0), v).message
    "turn the head 8 degrees to the patient's left"
    """
    band = (warn_band if warn_band is not None else pose_warn_band()) - 1
    problems: list[tuple[Status, str]] = []
    yaw_delta = pose.yaw_deg - view.yaw_deg
    status = _grade(abs(yaw_delta) - view.yaw_tolerance_deg, band * view.yaw_tolerance_deg)
    if status != "pass":
        side = "right" if yaw_delta > 0 else "left"
        problems.append((status, f"turn the head {abs(yaw_delta):.0f} degrees to the patient's {side}"))
    if view.pitch_deg is not None and view.pitch_tolerance_deg is not None:
        delta = pose.pitch_deg - view.pitch_deg
        status = _grade(abs(delta) - view.pitch_tolerance_deg, band * view.pitch_tolerance_deg)
        if status != "pass":
            how = "lower the chin" if delta > 0 else "raise the chin"
            problems.append((status, f"{how} {abs(delta):.0f} degrees (Frankfort plane horizontal)"))
    if view.roll_deg is not None and view.roll_tolerance_deg is not None:
        delta = pose.roll_deg - view.roll_deg
        status = _grade(abs(delta) - view.roll_tolerance_deg, band * view.roll_tolerance_deg)
        if status != "pass":
            side = "right" if delta > 0 else "left"
            problems.append(
                (status, f"level the head: tilt it {abs(delta):.0f} degrees toward the patient's {side} shoulder")
            )
    threshold = f"yaw {view.yaw_deg:+g} ± {view.yaw_tolerance_deg:g} deg"
    if view.pitch_deg is not None:
        threshold += f", pitch {view.pitch_deg:+g} ± {view.pitch_tolerance_deg:g}"
    if view.roll_deg is not None:
        threshold += f", roll {view.roll_deg:+g} ± {view.roll_tolerance_deg:g}"
    if not problems:
        return Check("pose", "pass", pose.yaw_deg, threshold, f"pose matches {view.id}")
    status_all: Status = "fail" if any(s == "fail" for s, _ in problems) else "warn"
    return Check("pose", status_all, pose.yaw_deg, threshold, "; ".join(m for _, m in problems))


def face_size_check(iris_diameter_px: float, protocol: Protocol, *, iris_diameter_mm: float) -> Check:
    """Visible iris diameter in pixels of the original photo against the mm-resolution limits.

    ``iris_diameter_mm`` is the population iris diameter of the norm set, used only to say in the message
    how many millimetres one pixel is.
    """
    fail, warn = protocol.limit("face_size", "fail_below_px"), protocol.limit("face_size", "warn_below_px")
    mm_per_px = iris_diameter_mm / iris_diameter_px if iris_diameter_px > 0 else float("inf")
    if iris_diameter_px < fail:
        return Check(
            "face_size",
            "fail",
            iris_diameter_px,
            fail,
            f"the face is too small: the iris is {iris_diameter_px:.0f} px (about {mm_per_px:.1f} mm per "
            "pixel); move closer or zoom in so the face fills the frame",
        )
    if iris_diameter_px < warn:
        return Check(
            "face_size",
            "warn",
            iris_diameter_px,
            warn,
            f"the face is small: the iris is {iris_diameter_px:.0f} px (about {mm_per_px:.2f} mm per "
            "pixel); move closer for millimetre-level measurements",
        )
    return Check("face_size", "pass", iris_diameter_px, warn, f"iris {iris_diameter_px:.0f} px across")


def framing_check(landmarks_px: np.ndarray, image_size_px: tuple[int, int], protocol: Protocol) -> Check:
    """The whole face inside the frame, with a margin (fraction of the face size) on every side."""
    w, h = image_size_px
    x0, y0 = landmarks_px[:, :2].min(axis=0)
    x1, y1 = landmarks_px[:, :2].max(axis=0)
    size = max(x1 - x0, y1 - y0)
    margin = protocol.limit("framing", "margin_fraction") * size
    gaps = {"left": x0, "right": w - x1, "top": y0, "bottom": h - y1}
    cut = [side for side, gap in gaps.items() if gap < 0]
    tight = [side for side, gap in gaps.items() if 0 <= gap < margin]
    smallest = float(min(gaps.values()) / size)
    if cut:
        return Check(
            "framing",
            "fail",
            smallest,
            0.0,
            f"the face is cut off at the {' and '.join(cut)} edge; "
            "step back or re-aim so the whole head is in the frame",
        )
    if tight:
        return Check(
            "framing",
            "warn",
            smallest,
            protocol.limit("framing", "margin_fraction"),
            f"the face is close to the {' and '.join(tight)} edge; leave some space around the head",
        )
    return Check("framing", "pass", smallest, protocol.limit("framing", "margin_fraction"), "whole face in frame")


def face_mask(shape: tuple[int, int], landmarks_px: np.ndarray) -> np.ndarray:
    """Boolean mask (H, W) of the face inside the mesh's outline."""
    mask = np.zeros(shape, dtype=np.uint8)
    polygon = np.round(landmarks_px[list(FACE_OVAL), :2]).astype(np.int32)
    cv2.fillPoly(mask, [polygon], 1)
    return mask.astype(bool)


def focus_value(rgb: np.ndarray, landmarks_px: np.ndarray) -> float:
    """Variance of the Laplacian over the face, the face crop resized to 400 px wide (scale-free)."""
    x0, y0 = np.floor(landmarks_px[:, :2].min(axis=0)).astype(int)
    x1, y1 = np.ceil(landmarks_px[:, :2].max(axis=0)).astype(int)
    h, w = rgb.shape[:2]
    crop = rgb[max(0, y0) : min(h, y1), max(0, x0) : min(w, x1)]
    if crop.size == 0:
        return 0.0
    gray = cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2GRAY)
    scale = 400.0 / gray.shape[1]
    gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


def focus_check(rgb: np.ndarray, landmarks_px: np.ndarray, protocol: Protocol) -> Check:
    value = focus_value(rgb, landmarks_px)
    fail, warn = protocol.limit("focus", "fail_below"), protocol.limit("focus", "warn_below")
    if value < fail:
        return Check(
            "focus",
            "fail",
            value,
            fail,
            "the face is out of focus or blurred by movement; focus on the eyes, steady the camera and retake",
        )
    if value < warn:
        return Check("focus", "warn", value, warn, "the face is slightly soft; check focus on the eyes")
    return Check("focus", "pass", value, warn, "sharp")


def exposure_fractions(rgb: np.ndarray, landmarks_px: np.ndarray, protocol: Protocol) -> tuple[float, float]:
    """Fractions of face pixels with clipped highlights and crushed shadows."""
    mask = face_mask(rgb.shape[:2], landmarks_px)
    face = rgb[mask]
    if len(face) == 0:
        return 0.0, 0.0
    luminance = face @ np.array([0.299, 0.587, 0.114])
    highlights = float((face.max(axis=1) >= protocol.limit("exposure", "highlight_level")).mean())
    shadows = float((luminance <= protocol.limit("exposure", "shadow_level")).mean())
    return highlights, shadows


def exposure_check(rgb: np.ndarray, landmarks_px: np.ndarray, protocol: Protocol) -> Check:
    highlights, shadows = exposure_fractions(rgb, landmarks_px, protocol)
    warn, fail = protocol.limit("exposure", "warn_above_fraction"), protocol.limit("exposure", "fail_above_fraction")
    value = max(highlights, shadows)
    if highlights >= shadows:
        what = (
            f"{highlights:.0%} of the face is blown out (clipped highlights); reduce the flash or exposure, "
            "or move the light back"
        )
    else:
        what = f"{shadows:.0%} of the face is in crushed shadow; add fill light or increase exposure"
    status = _grade(value - warn, fail - warn) if value > warn else "pass"
    if status == "pass":
        return Check("exposure", "pass", value, warn, "exposure is even")
    return Check("exposure", status, value, fail if status == "fail" else warn, what)


def corner_raise(frame: HeadFrame) -> float:
    """How far the mouth corners sit above stomion, in interpupillary distances (positive = raised)."""
    stomion_y = (frame.point(Landmark.STOMION_UPPER)[1] + frame.point(Landmark.STOMION_LOWER)[1]) / 2
    corners_y = (frame.point(Landmark.CHEILION_RIGHT)[1] + frame.point(Landmark.CHEILION_LEFT)[1]) / 2
    ipd = float(np.linalg.norm(frame.point(Landmark.PUPIL_LEFT) - frame.point(Landmark.PUPIL_RIGHT)))
    return float((stomion_y - corners_y) / ipd)


def expression_scores(blendshapes: dict[str, float], frame: HeadFrame, protocol: Protocol) -> dict[str, float]:
    """Score of each protocol expression (mean of its blendshapes), plus the smile's corner raise."""
    scores = {
        name: float(np.mean([blendshapes.get(b, 0.0) for b in spec.blendshapes]))
        for name, spec in protocol.expressions.items()
    }
    scores["corner_raise"] = corner_raise(frame)
    return scores


def expression_check(blendshapes: dict[str, float], frame: HeadFrame, view: ViewSpec, protocol: Protocol) -> Check:
    scores = expression_scores(blendshapes, frame, protocol)
    if view.expression == "any":
        return Check("expression", "skip", None, None, "no expression required")
    if view.expression != "neutral":
        spec = protocol.expressions[view.expression]
        value = scores[view.expression]
        if value >= spec.shown_at:
            return Check("expression", "pass", value, spec.shown_at, f"{view.expression.replace('_', ' ')} shown")
        return Check(
            "expression",
            "fail",
            value,
            spec.shown_at,
            f"the {view.expression.replace('_', ' ')} is not shown clearly; ask for a fuller "
            f"{view.expression.replace('_', ' ')} and retake",
        )
    smile, raise_ = scores.get("smile", 0.0), scores["corner_raise"]
    lim = protocol.checks["expression"]
    others = {b: blendshapes.get(b, 0.0) for b in lim["other_blendshapes"]}
    other_name, other_value = max(others.items(), key=lambda kv: kv[1]) if others else ("", 0.0)
    if smile > lim["smile_blendshape_fail"] or raise_ > lim["corner_raise_fail"]:
        return Check(
            "expression",
            "fail",
            smile,
            lim["smile_blendshape_fail"],
            "the patient is smiling; ask for a relaxed, neutral face with the lips lightly closed",
        )
    if other_value > lim["other_blendshape_fail"]:
        return Check(
            "expression",
            "fail",
            other_value,
            lim["other_blendshape_fail"],
            f"the face is not at rest ({other_name}); ask the patient to relax the face and retake",
        )
    if smile > lim["smile_blendshape_warn"] or raise_ > lim["corner_raise_warn"]:
        return Check(
            "expression",
            "warn",
            smile,
            lim["smile_blendshape_warn"],
            "a slight smile may be present; check the face is at rest",
        )
    return Check("expression", "pass", smile, lim["smile_blendshape_warn"], "neutral expression")


def eyes_open_check(blendshapes: dict[str, float], view: ViewSpec, protocol: Protocol) -> Check:
    blink = max(blendshapes.get("eyeBlinkLeft", 0.0), blendshapes.get("eyeBlinkRight", 0.0))
    if view.eyes != "open":
        return Check("eyes_open", "skip", blink, None, f"eyes {view.eyes} for this view")
    warn, fail = protocol.limit("eyes_open", "warn_above"), protocol.limit("eyes_open", "fail_above")
    if blink > fail:
        return Check(
            "eyes_open",
            "fail",
            blink,
            fail,
            "the eyes are closed or half closed; retake with the eyes open, looking at the lens",
        )
    if blink > warn:
        return Check(
            "eyes_open", "warn", blink, warn, "the eyes are narrowed; ask the patient to open the eyes naturally"
        )
    return Check("eyes_open", "pass", blink, warn, "eyes open")


def backdrop_check(rgb: np.ndarray, view: ViewSpec, protocol: Protocol) -> Check:
    """Uniformity of the photo's border strip, which a profile silhouette is cut out against."""
    if not view.backdrop:
        return Check("backdrop", "skip", None, None, "not needed for this view")
    h, w = rgb.shape[:2]
    k = max(2, int(protocol.limit("backdrop", "border_fraction") * min(h, w)))
    gray = rgb.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    border = np.concatenate([gray[:k].ravel(), gray[:, :k].ravel(), gray[:, -k:].ravel()])
    sd = float(border.std())
    warn, fail = protocol.limit("backdrop", "warn_above_sd"), protocol.limit("backdrop", "fail_above_sd")
    if sd > fail:
        return Check(
            "backdrop",
            "fail",
            sd,
            fail,
            "the backdrop is busy or unevenly lit; use a plain, evenly lit backdrop behind the head",
        )
    if sd > warn:
        return Check("backdrop", "warn", sd, warn, "the backdrop is not uniform; even out the background light")
    return Check("backdrop", "pass", sd, warn, "plain backdrop")


def identify_view(
    pose: HeadPose | None, scores: dict[str, float] | None, protocol: Protocol, *, silhouette_view: str | None = None
) -> tuple[str, str]:
    """Which protocol view a photo shows, from the head pose and expression (or the silhouette).

    Returns ``(view_id, reason)``; ``view_id`` is ``"unknown"`` when nothing fits.
    """
    if pose is None:
        if silhouette_view is not None:
            return silhouette_view, "from the face silhouette (no face mesh on a profile)"
        return "unknown", "no face mesh was found (a profile view, or no face)"
    candidates = [v for v in protocol.views if v.mesh]
    best = min(candidates, key=lambda v: abs(pose.yaw_deg - v.yaw_deg))
    if abs(pose.yaw_deg - best.yaw_deg) > 2 * best.yaw_tolerance_deg:
        return "unknown", f"yaw {pose.yaw_deg:+.0f} deg matches no view of the protocol"
    same_pose = [v for v in candidates if v.yaw_deg == best.yaw_deg]
    if scores is not None:
        shown = [
            v
            for v in same_pose
            if v.expression in protocol.expressions
            and scores.get(v.expression, 0.0) >= protocol.expressions[v.expression].shown_at
        ]
        if shown:
            chosen = max(shown, key=lambda v: scores.get(v.expression, 0.0))
            return chosen.id, f"yaw {pose.yaw_deg:+.0f} deg, {chosen.expression.replace('_', ' ')} shown"
    neutral = [v for v in same_pose if v.expression == "neutral"]
    chosen = neutral[0] if neutral else best
    return chosen.id, f"yaw {pose.yaw_deg:+.0f} deg, no expression shown"


def consistency_checks(
    iris_px: list[float | None], centres: list[tuple[float, float] | None], protocol: Protocol
) -> list[Check]:
    """Same distance and framing across one session: each photo against the session's median."""
    sizes = [s for s in iris_px if s]
    median_size = float(np.median(sizes)) if sizes else None
    out: list[Check] = []
    warn = protocol.limit("consistency", "iris_warn_relative")
    fail = protocol.limit("consistency", "iris_fail_relative")
    centre_warn = protocol.limit("consistency", "centre_warn_fraction")
    valid_centres = [c for c in centres if c is not None]
    median_centre = np.median(np.array(valid_centres), axis=0) if valid_centres else None
    for size, centre in zip(iris_px, centres, strict=True):
        if size is None or median_size is None or len(sizes) < 2:
            out.append(Check("consistency", "skip", None, None, "needs two or more photos with a face"))
            continue
        rel = size / median_size - 1.0
        status = _grade(abs(rel) - warn, fail - warn)
        closer = "farther from" if rel > 0 else "closer to"
        if status != "pass":
            out.append(
                Check(
                    "consistency",
                    status,
                    rel,
                    fail if status == "fail" else warn,
                    f"the face is {abs(rel):.0%} {'larger' if rel > 0 else 'smaller'} than in the session's "
                    f"other photos; keep the same camera distance and zoom (stand {closer} the patient)",
                )
            )
            continue
        offset = None
        if centre is not None and median_centre is not None:
            offset = float(np.hypot(*(np.array(centre) - median_centre)))
        if offset is not None and offset > centre_warn:
            out.append(
                Check(
                    "consistency",
                    "warn",
                    offset,
                    centre_warn,
                    "the face sits elsewhere in the frame than in the session's other photos; centre it",
                )
            )
            continue
        out.append(Check("consistency", "pass", rel, warn, "same distance and framing as the session"))
    return out
