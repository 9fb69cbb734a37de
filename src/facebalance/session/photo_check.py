"""Checking photos at capture: identify the view, run every quality check, compare across the session.

This is the I/O edge of the session package (it decodes files and runs the landmarker); the checks
themselves are the pure functions of :mod:`facebalance.session.quality`. A bad file never stops a
session check: it gets a failed ``file`` check with the reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from facebalance.anatomy.frame import head_frame
from facebalance.assessment import iris_reference, visible_iris_diameter_px
from facebalance.errors import FacebalanceError
from facebalance.geometry.pose import HeadPose
from facebalance.norms import load_norm_set
from facebalance.session.far_side import far_side_check
from facebalance.session.protocol import Protocol, ViewSpec
from facebalance.session.quality import (
    Check,
    backdrop_check,
    consistency_checks,
    exposure_check,
    expression_check,
    expression_scores,
    eyes_open_check,
    face_size_check,
    focus_check,
    framing_check,
    identify_view,
    pose_check,
    pose_warn_band,
    worst,
)
from facebalance.vision import FaceLandmarker, load_image
from facebalance.vision.pose import rotation_in_image_axes


@dataclass
class PhotoCheck:
    """The outcome for one photo (mutable only while the session adds its consistency check)."""

    file: str
    view_target: str | None
    view_identified: str
    view_reason: str
    pose: HeadPose | None
    checks: list[Check] = field(default_factory=list)
    iris_px: float | None = None
    centre: tuple[float, float] | None = None

    @property
    def status(self) -> str:
        return worst(self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "status": self.status,
            "view": self.view_identified,
            "view_reason": self.view_reason,
            "view_target": self.view_target,
            "pose": None if self.pose is None else self.pose.as_dict(),
            "checks": [c.as_dict() for c in self.checks],
        }


def _target_from_name(name: str, protocol: Protocol) -> str | None:
    stem = name.lower()
    matches = [v.id for v in protocol.views if v.id in stem]
    return max(matches, key=len) if matches else None


def check_photo(
    source: str | os.PathLike[str] | bytes,
    *,
    protocol: Protocol,
    landmarker: FaceLandmarker,
    view_id: str | None = None,
    name: str | None = None,
) -> PhotoCheck:
    """Identify the view of one photo and run its quality checks.

    Parameters
    ----------
    source : path or bytes
    protocol : Protocol
    landmarker : FaceLandmarker
        An open landmarker (reused across a session).
    view_id : str, optional
        The view the photo was taken for. When absent, a view id in the file name is used
        (``..._frontal_rest.jpg``), else the identified view.
    """
    label = name or (Path(source).name if isinstance(source, str | os.PathLike) else "<upload>")
    target = view_id or _target_from_name(label, protocol)
    try:
        image = load_image(source)
    except FacebalanceError as exc:
        return PhotoCheck(
            label,
            target,
            "unknown",
            "the file could not be read",
            None,
            [Check("file", "fail", None, None, f"{exc.message} {exc.hint}".strip())],
        )
    rgb = image.rgb
    faces = landmarker.detect(rgb)
    if len(faces) > 1:
        return PhotoCheck(
            label,
            target,
            "unknown",
            f"{len(faces)} faces",
            None,
            [
                Check(
                    "face",
                    "fail",
                    float(len(faces)),
                    1.0,
                    f"{len(faces)} faces are in the photo; photograph the patient alone",
                )
            ],
        )
    if not faces:
        # A true profile has no face mesh: read the view from the person's silhouette instead.
        from facebalance.profile.analysis import ViewLimits, detect_view

        silhouette = detect_view(rgb, landmarker=landmarker, limits=ViewLimits.of(protocol))
        identified, reason = identify_view(
            None, None, protocol, silhouette_view=silhouette if silhouette.startswith("profile") else None
        )
        known = {v.id for v in protocol.views}
        chosen = target or (identified if identified in known else None)
        meshless = protocol.view(chosen) if chosen else None
        checks = [
            Check(
                "face",
                "fail" if meshless is None or meshless.mesh else "skip",
                None,
                None,
                "no face was found; face the patient to the camera, well lit"
                if meshless is None or meshless.mesh
                else "profile view: no face mesh expected",
            )
        ]
        if meshless is not None and not meshless.mesh:
            checks.append(backdrop_check(rgb, meshless, protocol))
        return PhotoCheck(label, target, identified, reason, None, checks)

    face = faces[0]
    pts = face.landmarks_px
    frame = head_frame(pts, rotation_in_image_axes(face.transformation), face.pose)
    scores = expression_scores(face.blendshapes, frame, protocol)
    identified, reason = identify_view(face.pose, scores, protocol)
    view: ViewSpec = protocol.view(target or (identified if identified != "unknown" else protocol.views[0].id))
    reference = iris_reference(load_norm_set())
    iris_full = visible_iris_diameter_px(pts, reference) * image.scale_to_full
    checks = [
        pose_check(face.pose, view, warn_band=pose_warn_band(protocol)),
        face_size_check(iris_full, protocol, iris_diameter_mm=reference.diameter_mm),
        framing_check(pts, image.size_px, protocol),
        focus_check(rgb, pts, protocol),
        exposure_check(rgb, pts, protocol),
        expression_check(face.blendshapes, frame, view, protocol),
        eyes_open_check(face.blendshapes, view, protocol),
        backdrop_check(rgb, view, protocol),
    ]
    if view.id.startswith("oblique"):
        checks.append(far_side_check(source, landmarker=landmarker))
    if target is not None and identified not in (target, "unknown"):
        checks.insert(
            0,
            Check(
                "view",
                "fail",
                None,
                target,
                f"this photo looks like {identified} ({reason}), but it was taken for {target}",
            ),
        )
    h, w = rgb.shape[:2]
    centre = (float(pts[:, 0].mean() / w), float(pts[:, 1].mean() / h))
    return PhotoCheck(label, target, identified, reason, face.pose, checks, iris_full, centre)


def check_session(
    sources: list[Path], *, protocol: Protocol, landmarker: FaceLandmarker, view_id: str | None = None
) -> list[PhotoCheck]:
    """Check every photo of a session, then their consistency with each other."""
    results = [check_photo(s, protocol=protocol, landmarker=landmarker, view_id=view_id) for s in sources]
    for result, check in zip(
        results, consistency_checks([r.iris_px for r in results], [r.centre for r in results], protocol), strict=True
    ):
        result.checks.append(check)
    return results


def missing_required_views(results: list[PhotoCheck], protocol: Protocol) -> list[str]:
    """Required views without a photo that passed (or only warned)."""
    done = {r.view_target or r.view_identified for r in results if r.status in ("pass", "warn")}
    return [v.id for v in protocol.views if v.required and v.id not in done]
