"""The mesh points whose movement the dynamic assessment follows, by name.

Most come from :mod:`facebalance.anatomy.landmarks` (the one table of anatomical points). The few that
only movement needs (points on the lips between the midline and the corner, the middle of the brow, the
lower nasal dorsum) are named here, with why that vertex, in the same style; ``left``/``right`` are the
patient's sides. Canonical-model positions quoted below are MediaPipe's canonical face model (cm, x toward
the patient's left).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from facebalance.anatomy.landmarks import Landmark


class MotionPoint(IntEnum):
    """Vertices used for movement only, patient's right/left."""

    #: Middle of the brow's upper margin (third of five brow-top vertices), canonical x = -/+3.99, above the
    #: lateral iris: where frontalis lifts the brow most.
    BROW_MIDDLE_RIGHT = 105
    BROW_MIDDLE_LEFT = 334
    #: Peak of Cupid's bow on the upper vermilion border (philtral column), canonical x = -/+0.71.
    #: Upper-lip elevation on smiling is read here: it is where levator labii superioris lifts the lip.
    CUPIDS_BOW_PEAK_RIGHT = 37
    CUPIDS_BOW_PEAK_LEFT = 267
    #: Inner (free) edge of the upper lip over the lateral incisor / canine, canonical x = -/+1.47: the
    #: column where tooth and gum show are read.
    UPPER_LIP_INNER_CANINE_RIGHT = 80
    UPPER_LIP_INNER_CANINE_LEFT = 310
    #: Outer border of the lower lip beside the midline, canonical x = -/+0.70: where depressor labii
    #: inferioris pulls the lip down.
    LOWER_LIP_PARAMEDIAN_RIGHT = 84
    LOWER_LIP_PARAMEDIAN_LEFT = 314
    #: Inner (free) edge of the lower lip over the canine, canonical x = -/+1.54.
    LOWER_LIP_INNER_CANINE_RIGHT = 88
    LOWER_LIP_INNER_CANINE_LEFT = 318
    #: Nasal dorsum below the bridge (midline), rigid with the skull for every expression assessed here.
    DORSUM_MIDDLE = 197
    DORSUM_LOWER = 195


@dataclass(frozen=True)
class SidePoints:
    """The points of one side of the face used by the movement measurements (mesh indices)."""

    cheilion: int
    brow_medial: int
    brow_middle: int
    brow_tail: int
    upper_lid: int
    lower_lid: int
    pupil: int
    cupids_bow_peak: int
    upper_lip_inner_canine: int
    lower_lip_paramedian: int
    lower_lip_inner_canine: int


RIGHT = SidePoints(
    cheilion=Landmark.CHEILION_RIGHT,
    brow_medial=Landmark.BROW_MEDIAL_RIGHT,
    brow_middle=MotionPoint.BROW_MIDDLE_RIGHT,
    brow_tail=Landmark.BROW_TAIL_RIGHT,
    upper_lid=Landmark.UPPER_LID_RIGHT,
    lower_lid=Landmark.LOWER_LID_RIGHT,
    pupil=Landmark.PUPIL_RIGHT,
    cupids_bow_peak=MotionPoint.CUPIDS_BOW_PEAK_RIGHT,
    upper_lip_inner_canine=MotionPoint.UPPER_LIP_INNER_CANINE_RIGHT,
    lower_lip_paramedian=MotionPoint.LOWER_LIP_PARAMEDIAN_RIGHT,
    lower_lip_inner_canine=MotionPoint.LOWER_LIP_INNER_CANINE_RIGHT,
)
LEFT = SidePoints(
    cheilion=Landmark.CHEILION_LEFT,
    brow_medial=Landmark.BROW_MEDIAL_LEFT,
    brow_middle=MotionPoint.BROW_MIDDLE_LEFT,
    brow_tail=Landmark.BROW_TAIL_LEFT,
    upper_lid=Landmark.UPPER_LID_LEFT,
    lower_lid=Landmark.LOWER_LID_LEFT,
    pupil=Landmark.PUPIL_LEFT,
    cupids_bow_peak=MotionPoint.CUPIDS_BOW_PEAK_LEFT,
    upper_lip_inner_canine=MotionPoint.UPPER_LIP_INNER_CANINE_LEFT,
    lower_lip_paramedian=MotionPoint.LOWER_LIP_PARAMEDIAN_LEFT,
    lower_lip_inner_canine=MotionPoint.LOWER_LIP_INNER_CANINE_LEFT,
)
#: Both sides, patient's right first.
SIDES: dict[str, SidePoints] = {"right": RIGHT, "left": LEFT}

#: Points whose movement is read from the image where the tissue keeps its look (see
#: :mod:`facebalance.dynamics.refine`): textured skin or hair whose displacement the face mesh, a global
#: shape model, under-reads when one side moves alone. The lids are not here: a closing lid changes its
#: look entirely, and the mesh follows lids well.
REGISTERED_POINTS: tuple[int, ...] = tuple(
    int(p)
    for s in (RIGHT, LEFT)
    for p in (s.cheilion, s.brow_medial, s.brow_middle, s.brow_tail, s.cupids_bow_peak, s.lower_lip_paramedian)
)
#: Points registered in the image to correct the head-motion fit: the nasal bridge and dorsum and the
#: medial canthi, rigid with the skull for every expression assessed here and textured enough to register
#: (the forehead, also "stable", is too smooth and moves with frontalis).
ANCHOR_POINTS: tuple[int, ...] = (
    int(Landmark.SOFT_TISSUE_NASION),
    int(Landmark.NASAL_DORSUM),
    int(MotionPoint.DORSUM_MIDDLE),
    int(MotionPoint.DORSUM_LOWER),
    int(Landmark.MEDIAL_CANTHUS_RIGHT),
    int(Landmark.MEDIAL_CANTHUS_LEFT),
)
