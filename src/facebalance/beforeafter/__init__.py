"""Before/after: align two photos of the same view on stable anatomy and say what changed.

Two analysed frontal photos of one patient (different visits) are compared in steps, each in its own
module and all pure (no file is read or written here; :mod:`facebalance.commands.compare` and the clinic's
before/after view are the I/O edges):

1. **Alignment** (:mod:`~facebalance.beforeafter.align`) on anatomy the treatments discussed here do not
   move: a similarity fitted to stable mesh points, refined on image features of the same region.
2. **Tracking** (:mod:`~facebalance.beforeafter.track`): the *before* photo's points carried into the
   *after* photo by dense optical flow, for the default ``tracked`` mode.
3. **Measurement changes** (:mod:`~facebalance.beforeafter.changes`): every measurement present in both
   analyses with its change, the change's uncertainty and whether it exceeds the noise.
4. **Pictures** (:mod:`~facebalance.beforeafter.pictures`): the aligned blink pair, overlay and
   side-by-side; and the JSON **document** (:mod:`~facebalance.beforeafter.document`).

:func:`compare_analyses` (:mod:`~facebalance.beforeafter.comparison`) runs steps 1-3. Its limits (when a
change counts, when the photos are too different, the gates of the alignment and tracking) are rows of
``data/before_after_default.toml`` with their sources (:mod:`~facebalance.beforeafter.settings`).

Pixels: every similarity maps points of the *after* photo's analysed image to the *before* photo's analysed
image (``x_before = s R x_after + t``); both images are upright (EXIF applied). ``left``/``right`` in
measurement ids are the patient's sides.
"""

from facebalance.beforeafter.align import (
    ALIGNMENT_POINTS,
    Alignment,
    AlignmentMethod,
    align_photos,
    stable_region_mask,
    warp_after,
)
from facebalance.beforeafter.changes import ComparisonMode, MeasurementChange, measurement_changes
from facebalance.beforeafter.comparison import BeforeAfter, compare_analyses
from facebalance.beforeafter.document import SCHEMA, SCHEMA_VERSION, comparison_document
from facebalance.beforeafter.pictures import AlignedPictures, aligned_pictures, overlay, png_bytes, side_by_side
from facebalance.beforeafter.settings import BeforeAfterSettings, default_settings
from facebalance.beforeafter.track import Tracking, reassess_with_points, track_points
from facebalance.geometry.similarity import Similarity

__all__ = [
    "ALIGNMENT_POINTS",
    "SCHEMA",
    "SCHEMA_VERSION",
    "AlignedPictures",
    "Alignment",
    "AlignmentMethod",
    "BeforeAfter",
    "BeforeAfterSettings",
    "ComparisonMode",
    "MeasurementChange",
    "Similarity",
    "Tracking",
    "align_photos",
    "aligned_pictures",
    "compare_analyses",
    "comparison_document",
    "default_settings",
    "measurement_changes",
    "overlay",
    "png_bytes",
    "reassess_with_points",
    "side_by_side",
    "stable_region_mask",
    "track_points",
    "warp_after",
]
