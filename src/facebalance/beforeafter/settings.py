"""The numbers of the before/after comparison, read from ``data/before_after_default.toml``.

Every limit (when a change counts, when two photos are too different, the alignment's and the tracking's
gates) is a row of that file with its ``source`` and ``review`` status (:mod:`facebalance.provenance`);
nothing here is a clinical literal.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from typing import Any

from facebalance.provenance import Provenance, number_rows, packaged_table


@dataclass(frozen=True)
class BeforeAfterSettings:
    """The limits of one comparison (each documented with its source in the data file).

    Attributes
    ----------
    change_sigmas : float
        A measurement changed when ``|delta| > change_sigmas * sigma_delta``.
    pose_warn_deg : float
        Pose difference between the photos beyond which a warning is given.
    residual_warn_iris_diameters : float
        Alignment residual RMS beyond which a warning is given.
    landmark_scale_floor : float
        Floor of the relative scale uncertainty of a landmark-only similarity.
    min_feature_inliers : int
        Least RANSAC inliers for the feature refinement.
    feature_ratio : float
        Ratio test for SIFT matches.
    feature_gate_iris_diameters, feature_ransac_iris_diameters : float
        Agreement gate with the landmark fit, and RANSAC inlier threshold.
    brow_band_iris_diameters, iris_disc_iris_diameters : float
        Cut-outs of the feature region over the brows and the irises.
    track_sigma_floor_iris_diameters : float
        Floor of the tracking noise per coordinate.
    track_forward_backward_gate_iris_diameters, track_mesh_gate_iris_diameters : float
        When the tracking is reliable enough to use.
    track_crop_margin : float
        Margin of the optical-flow crop around the face, fraction of its size.
    version : str
        The data file's version.
    provenance : dict of str to Provenance
        Source and review status of every limit, by id.
    """

    change_sigmas: float
    pose_warn_deg: float
    residual_warn_iris_diameters: float
    landmark_scale_floor: float
    min_feature_inliers: int
    feature_ratio: float
    feature_gate_iris_diameters: float
    feature_ransac_iris_diameters: float
    brow_band_iris_diameters: float
    iris_disc_iris_diameters: float
    track_sigma_floor_iris_diameters: float
    track_forward_backward_gate_iris_diameters: float
    track_mesh_gate_iris_diameters: float
    track_crop_margin: float
    version: str
    provenance: dict[str, Provenance]


#: The ids a settings file must give, each once.
LIMIT_IDS: tuple[str, ...] = tuple(
    f.name for f in fields(BeforeAfterSettings) if f.name not in ("version", "provenance")
)


def parse_settings(doc: dict[str, Any], *, origin: str) -> BeforeAfterSettings:
    """Check a parsed settings document (every limit once, a positive number, with a source) and build it."""
    rows = number_rows(doc, "limit", LIMIT_IDS, origin=origin, positive=True, counts=("min_feature_inliers",))
    v = {k: value for k, (value, _) in rows.items()}
    return BeforeAfterSettings(
        change_sigmas=v["change_sigmas"],
        pose_warn_deg=v["pose_warn_deg"],
        residual_warn_iris_diameters=v["residual_warn_iris_diameters"],
        landmark_scale_floor=v["landmark_scale_floor"],
        min_feature_inliers=int(v["min_feature_inliers"]),
        feature_ratio=v["feature_ratio"],
        feature_gate_iris_diameters=v["feature_gate_iris_diameters"],
        feature_ransac_iris_diameters=v["feature_ransac_iris_diameters"],
        brow_band_iris_diameters=v["brow_band_iris_diameters"],
        iris_disc_iris_diameters=v["iris_disc_iris_diameters"],
        track_sigma_floor_iris_diameters=v["track_sigma_floor_iris_diameters"],
        track_forward_backward_gate_iris_diameters=v["track_forward_backward_gate_iris_diameters"],
        track_mesh_gate_iris_diameters=v["track_mesh_gate_iris_diameters"],
        track_crop_margin=v["track_crop_margin"],
        version=str(doc.get("meta", {}).get("version", "unversioned")),
        provenance={k: provenance for k, (_, provenance) in rows.items()},
    )


@functools.lru_cache(maxsize=1)
def default_settings() -> BeforeAfterSettings:
    """The packaged limits (``data/before_after_default.toml``), read once."""
    name = "before_after_default.toml"
    return parse_settings(packaged_table("facebalance.beforeafter", name), origin=name)
