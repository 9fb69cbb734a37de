"""Named anatomical points on MediaPipe's 478-point face mesh.

The mesh is a surface topology, not an anthropometric landmark set: some clinical points coincide with a
mesh vertex (pronasale, cheilion), others only have a proxy (gonion, zygion), and some have none at all
(trichion, the hairline, lies above the mesh and is found from the image; see
:mod:`facebalance.anatomy.hairline`). This table is the one place where mesh indices appear. ``left`` and
``right`` are always the **patient's** sides: the patient's right is on the image's left in a
non-mirrored photo.

Each entry gives the clinical definition and why that vertex (or group) is used. Groups (brow margins,
alar rims) are resolved to a point by the measurement that needs them, e.g. "the most lateral alar point".
:class:`Landmark` holds the anatomical points every frontal analysis reports. Points that only the movement
assessment follows (the middle of the brow, points on the lips between the midline and the corner, the
lower nasal dorsum) are :class:`MotionPoint`, with :class:`SidePoints` naming each side's set
(:data:`SIDES`). Canonical-model positions quoted below are MediaPipe's canonical face model (cm, x toward
the patient's left).

References
----------
.. [1] Kartynnik Y, et al. Real-time facial surface geometry from monocular video on mobile GPUs.
       CVPR Workshops 2019 (the mesh topology).
.. [2] Farkas LG. Anthropometry of the Head and Face. 2nd ed. Raven Press; 1994 (landmark definitions).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Landmark(IntEnum):
    """Single mesh vertices used as anatomical points (patient's left/right)."""

    # Eyes. Indices 468-477 come from the iris refinement model.
    PUPIL_RIGHT = 468
    PUPIL_LEFT = 473
    IRIS_RIGHT_LATERAL = 469
    IRIS_RIGHT_TOP = 470
    IRIS_RIGHT_MEDIAL = 471
    IRIS_RIGHT_BOTTOM = 472
    IRIS_LEFT_MEDIAL = 474
    IRIS_LEFT_TOP = 475
    IRIS_LEFT_LATERAL = 476
    IRIS_LEFT_BOTTOM = 477
    MEDIAL_CANTHUS_RIGHT = 133
    LATERAL_CANTHUS_RIGHT = 33
    MEDIAL_CANTHUS_LEFT = 362
    LATERAL_CANTHUS_LEFT = 263
    UPPER_LID_RIGHT = 159
    LOWER_LID_RIGHT = 145
    UPPER_LID_LEFT = 386
    LOWER_LID_LEFT = 374

    # Brows (upper margin): medial head, apex region, tail.
    BROW_MEDIAL_RIGHT = 107
    BROW_TAIL_RIGHT = 70
    BROW_MEDIAL_LEFT = 336
    BROW_TAIL_LEFT = 300

    # Midline.
    FOREHEAD_MESH_TOP = 10
    GLABELLA = 9
    SOFT_TISSUE_NASION = 168
    NASAL_DORSUM = 6
    PRONASALE = 1
    SUBNASALE = 94
    LABRALE_SUPERIUS = 0
    STOMION_UPPER = 13
    STOMION_LOWER = 14
    LABRALE_INFERIUS = 17
    LABIOMENTAL_FOLD = 18
    SOFT_TISSUE_POGONION = 175
    MENTON = 152

    # Mouth.
    CHEILION_RIGHT = 61
    CHEILION_LEFT = 291

    # Lateral face outline proxies.
    ZYGION_RIGHT = 234
    ZYGION_LEFT = 454
    GONION_RIGHT = 172
    GONION_LEFT = 397


class MotionPoint(IntEnum):
    """Vertices only the movement assessment follows, patient's right/left."""

    #: Middle of the brow's upper margin (third of five brow-top vertices), canonical x = -/+3.99, above the
    #: lateral iris: where frontalis lifts the brow most.
    BROW_MIDDLE_RIGHT = 105
    BROW_MIDDLE_LEFT = 334
    #: Peak of Cupid's bow on the upper vermilion border (philtral column), canonical x = -/+0.71. Upper-lip
    #: elevation on smiling is read here: it is where levator labii superioris lifts the lip.
    CUPIDS_BOW_PEAK_RIGHT = 37
    CUPIDS_BOW_PEAK_LEFT = 267
    #: Inner (free) edge of the upper lip over the lateral incisor / canine, canonical x = -/+1.47: the column
    #: where tooth and gum show are read.
    UPPER_LIP_INNER_CANINE_RIGHT = 80
    UPPER_LIP_INNER_CANINE_LEFT = 310
    #: Outer border of the lower lip beside the midline, canonical x = -/+0.70: where depressor labii
    #: inferioris pulls the lip down.
    LOWER_LIP_PARAMEDIAN_RIGHT = 84
    LOWER_LIP_PARAMEDIAN_LEFT = 314
    #: Inner (free) edge of the lower lip over the canine, canonical x = -/+1.54.
    LOWER_LIP_INNER_CANINE_RIGHT = 88
    LOWER_LIP_INNER_CANINE_LEFT = 318
    #: Face outline over the masseter, above the gonion proxy (:attr:`Landmark.GONION_RIGHT`): the lower
    #: posterior cheek at the level of the ear lobe (upper) and of the mouth (middle). A masseter that bulges
    #: on clenching pushes this outline outward.
    MASSETER_UPPER_RIGHT = 132
    MASSETER_UPPER_LEFT = 361
    MASSETER_MIDDLE_RIGHT = 58
    MASSETER_MIDDLE_LEFT = 288
    #: Nasal dorsum below the bridge (midline), rigid with the skull for every expression assessed here.
    DORSUM_MIDDLE = 197
    DORSUM_LOWER = 195


#: Midline forehead vertex between the mesh top (:attr:`Landmark.FOREHEAD_MESH_TOP`) and glabella: forehead
#: skin in every photo, the lower end of the hairline search's skin sample.
FOREHEAD_MIDDLE = 151

#: Ends of each iris contour's horizontal diameter, (lateral, medial), patient's right then left: the image
#: scale every view calibrates on (:func:`facebalance.geometry.iris.iris_diameters_px`).
IRIS_DIAMETER_ENDS: tuple[tuple[int, int], tuple[int, int]] = (
    (Landmark.IRIS_RIGHT_LATERAL, Landmark.IRIS_RIGHT_MEDIAL),
    (Landmark.IRIS_LEFT_LATERAL, Landmark.IRIS_LEFT_MEDIAL),
)
#: Ends of each iris contour's vertical diameter, (top, bottom), patient's right then left: the ruler of a
#: turned head, whose horizontal diameter the turn foreshortens (:mod:`facebalance.oblique.calibration`).
IRIS_VERTICAL_DIAMETER_ENDS: tuple[tuple[int, int], tuple[int, int]] = (
    (Landmark.IRIS_RIGHT_TOP, Landmark.IRIS_RIGHT_BOTTOM),
    (Landmark.IRIS_LEFT_TOP, Landmark.IRIS_LEFT_BOTTOM),
)
#: Upper margin of each brow, ordered lateral -> medial.
BROW_UPPER_RIGHT: tuple[int, ...] = (70, 63, 105, 66, 107)
BROW_UPPER_LEFT: tuple[int, ...] = (300, 293, 334, 296, 336)
#: Lid margins of each eye, lateral canthus -> medial canthus (MediaPipe FACEMESH_RIGHT_EYE / LEFT_EYE).
#: They bound the visible part of the iris for the limbus fit (:mod:`facebalance.anatomy.limbus`).
UPPER_LID_MARGIN_RIGHT: tuple[int, ...] = (33, 246, 161, 160, 159, 158, 157, 173, 133)
LOWER_LID_MARGIN_RIGHT: tuple[int, ...] = (33, 7, 163, 144, 145, 153, 154, 155, 133)
UPPER_LID_MARGIN_LEFT: tuple[int, ...] = (263, 466, 388, 387, 386, 385, 384, 398, 362)
LOWER_LID_MARGIN_LEFT: tuple[int, ...] = (263, 249, 390, 373, 374, 380, 381, 382, 362)
#: Candidate vertices on each alar rim; the most lateral one in the head frame is the alare.
ALAR_RIM_RIGHT: tuple[int, ...] = (48, 49, 64, 98, 115, 219, 240)
ALAR_RIM_LEFT: tuple[int, ...] = (278, 279, 294, 327, 344, 439, 460)
#: Vertices on the facial midline, top to bottom, used to fit the midline and measure deviation.
MIDLINE: tuple[int, ...] = (10, 151, 9, 168, 6, 197, 195, 5, 4, 1, 94, 2, 0, 13, 14, 17, 18, 200, 199, 175, 152)
#: The face outline (MediaPipe FACEMESH_FACE_OVAL), clockwise from the forehead top.
FACE_OVAL: tuple[int, ...] = (
    10,
    338,
    297,
    332,
    284,
    251,
    389,
    356,
    454,
    323,
    361,
    288,
    397,
    365,
    379,
    378,
    400,
    377,
    152,
    148,
    176,
    149,
    150,
    136,
    172,
    58,
    132,
    93,
    234,
    127,
    162,
    21,
    54,
    103,
    67,
    109,
)
#: Points the treatments discussed here do not move, used for alignment and the head frame.
STABLE_POINTS: tuple[int, ...] = (33, 133, 362, 263, 168, 6, 10, 151, 9, 234, 454)


@dataclass(frozen=True)
class SidePoints:
    """The points of one side of the face that the movement measurements follow (mesh indices)."""

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
    masseter_upper: int
    masseter_middle: int
    gonion: int


#: Each side's followed points, patient's right first.
SIDES: dict[str, SidePoints] = {
    "right": SidePoints(
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
        masseter_upper=MotionPoint.MASSETER_UPPER_RIGHT,
        masseter_middle=MotionPoint.MASSETER_MIDDLE_RIGHT,
        gonion=Landmark.GONION_RIGHT,
    ),
    "left": SidePoints(
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
        masseter_upper=MotionPoint.MASSETER_UPPER_LEFT,
        masseter_middle=MotionPoint.MASSETER_MIDDLE_LEFT,
        gonion=Landmark.GONION_LEFT,
    ),
}
#: Points whose movement is read from the image where the tissue keeps its look
#: (:mod:`facebalance.dynamics.refine`): textured skin or hair whose displacement the face mesh, a global
#: shape model, under-reads when one side moves alone. The lids are not here: a closing lid changes its
#: look entirely, and the mesh follows lids well.
REGISTERED_POINTS: tuple[int, ...] = tuple(
    int(p)
    for s in SIDES.values()
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


@dataclass(frozen=True)
class LandmarkDefinition:
    """One row of the documented landmark table."""

    name: str
    mesh: str
    clinical_definition: str
    why: str


#: The documented table (rendered in docs/anatomy.md and shown by ``facebalance landmarks``).
LANDMARK_TABLE: tuple[LandmarkDefinition, ...] = (
    LandmarkDefinition(
        "pupil / iris centre (right, left)",
        "468, 473",
        "Centre of the iris, taken as the pupil centre.",
        "Output of MediaPipe's iris refinement; the iris contour 469-472 / 474-477 gives the diameter. On the "
        "London set the centres sit about 1.3 mm below the hand-placed pupils (docs/validation.md). Recorded "
        "as a mesh point (anatomy/refine): the one place a fitted limbus centre replaces.",
    ),
    LandmarkDefinition(
        "medial canthus, en (right, left)",
        "133, 362",
        "Inner corner of the palpebral fissure.",
        "The vertex is the prior; the corner is read from the photo as the medial end of the dark meeting lid "
        "margins (horizontal position; the height stays the vertex's), anatomy/refine/canthi.py.",
    ),
    LandmarkDefinition(
        "lateral canthus, ex (right, left)",
        "33, 263",
        "Outer corner of the palpebral fissure.",
        "Vertex at the outer commissure of the eyelid contour. Not refined: the image search follows the "
        "lashes and crow's feet beyond the corner (anatomy/refine/canthi.py).",
    ),
    LandmarkDefinition(
        "upper / lower lid margin (right, left)",
        "159/145, 386/374",
        "Highest point of the upper lid and lowest of the lower lid above/below the pupil.",
        "Mid vertices of the lid contours; their distance is the palpebral fissure height.",
    ),
    LandmarkDefinition(
        "brow upper margin (right, left)",
        "70,63,105,66,107 / 300,293,334,296,336",
        "Upper border of the eyebrow hair from tail to head.",
        "The mesh's brow-top row is only the prior: the margin is found in the image (dark brow hair to light "
        "skin, 15 profiles per brow; anatomy/brow.py), because the mesh follows a moved brow only about 60% "
        "of the way and drags the other brow along. Heights are read where a vertical through the pupil (or "
        "canthus) crosses the refined margin.",
    ),
    LandmarkDefinition(
        "brow medial head / tail (right, left)",
        "107, 70 / 336, 300",
        "Medial end and lateral end of the brow's upper margin.",
        "End vertices of the brow-top row. The mesh's tail stops short of the true brow tail on "
        "some faces, so lateral-brow measurements are read at the lateral canthus, not at the tail.",
    ),
    LandmarkDefinition(
        "brow middle (right, left; movement)",
        "105, 334",
        "Middle of the brow's upper margin, above the lateral iris.",
        "Third of the five brow-top vertices: where frontalis lifts the brow most; its rise is read from the "
        "image where the tissue keeps its look (dynamics/refine.py).",
    ),
    LandmarkDefinition(
        "glabella", "9", "Most prominent midline point between the brows.", "Midline vertex between the brow heads."
    ),
    LandmarkDefinition(
        "mid-forehead",
        "151",
        "Midline of the forehead between glabella and the top of the mesh.",
        "Midline vertex always on forehead skin: with vertex 10 it gives the hairline search its skin sample "
        "(anatomy/hairline.py).",
    ),
    LandmarkDefinition(
        "soft-tissue nasion",
        "168",
        "Deepest point of the nasofrontal angle, midline.",
        "Midline vertex at the level of the upper lids, the bridge's deepest point on the mesh.",
    ),
    LandmarkDefinition(
        "nasal dorsum (bridge, middle, lower; movement anchors)",
        "6, 197, 195",
        "Midline of the nasal dorsum below soft-tissue nasion.",
        "Rigid with the skull for every expression assessed and textured enough to register: with nasion and "
        "the medial canthi they correct the head-motion fit of a recording (dynamics/refine.py).",
    ),
    LandmarkDefinition("pronasale", "1", "Most projecting point of the nasal tip.", "Nose-tip vertex."),
    LandmarkDefinition(
        "subnasale",
        "94",
        "Junction of columella and upper lip, midline.",
        "Midline vertex at the columella base. Vertex 2, often used, lies 0.13 iris diameters (about 1.5 mm) "
        "below the hand-placed point on the London set; 94 is within 0.02 (docs/validation.md).",
    ),
    LandmarkDefinition(
        "alare (right, left)",
        "most lateral of 48,49,64,98,115,219,240 / mirror",
        "Most lateral point of each alar rim.",
        "No single vertex is lateral on every nose; the most lateral rim vertex in the head frame is the prior "
        "(102/331 and 129/358 sit on the alar-facial groove and are excluded), and the ala's outer edge is "
        "read from the photo at its height: the steepest brightening from the alar groove to the cheek "
        "(anatomy/refine/alae.py).",
    ),
    LandmarkDefinition(
        "cheilion (right, left)",
        "61, 291",
        "Corner of the mouth.",
        "The vertex is the prior; the corner is read from the photo as the lateral end of the dark oral fissure "
        "(anatomy/refine/cheilia.py).",
    ),
    LandmarkDefinition(
        "Cupid's bow peak (right, left; movement)",
        "37, 267",
        "Peak of the upper vermilion border at the philtral column.",
        "Upper-lip elevation on smiling is read here: where levator labii superioris lifts the lip.",
    ),
    LandmarkDefinition(
        "lip inner edge over the canine (upper, lower; right, left; movement)",
        "80/88, 310/318",
        "Free edge of the upper and the lower lip over the lateral incisor and canine.",
        "The column along which tooth and gum show are read from the pixels on smiling (dynamics/teeth.py).",
    ),
    LandmarkDefinition(
        "lower lip paramedian (right, left; movement)",
        "84, 314",
        "Outer border of the lower lip beside the midline.",
        "Where depressor labii inferioris pulls the lip down.",
    ),
    LandmarkDefinition(
        "masseter outline (upper, middle; right, left; movement)",
        "132/58, 361/288",
        "Face outline over the masseter above the gonion proxy (172/397): the lower posterior cheek at the level "
        "of the ear lobe and of the mouth.",
        "A masseter that bulges on clenching pushes the outline outward; its outward movement with the gonion "
        "proxy's is the masseter bulge on the clench (dynamics/metrics.py).",
    ),
    LandmarkDefinition(
        "labrale superius",
        "0",
        "Upper vermilion border at the midline.",
        "Midline vertex on the upper lip's outer contour as the prior; the skin-to-vermilion colour edge is read "
        "from the photo on the lip midline (anatomy/refine/vermilion.py).",
    ),
    LandmarkDefinition(
        "stomion",
        "midpoint of 13 and 14",
        "Midline meeting point of the lips.",
        "13 and 14 are the inner edges of the upper and lower lip; their distance is the interlabial gap. With "
        "the lips closed stomion is read from the photo as the darkest row of the oral fissure on the lip "
        "midline (the mesh keeps a gap, about 1 mm, between closed lips); with the lips apart it is the "
        "midpoint of 13 and 14 (anatomy/refine/vermilion.py).",
    ),
    LandmarkDefinition(
        "labrale inferius",
        "17",
        "Lower vermilion border at the midline.",
        "Midline vertex on the lower lip's outer contour as the prior; the vermilion-to-skin edge (redness "
        "ending, the lip's shadow beginning) is read from the photo on the lip midline "
        "(anatomy/refine/vermilion.py).",
    ),
    LandmarkDefinition(
        "labiomental fold (frontal proxy)",
        "18",
        "Deepest point between lower lip and chin.",
        "Midline vertex just below the lower vermilion; on a frontal view only its height is used.",
    ),
    LandmarkDefinition(
        "soft-tissue pogonion (frontal proxy)",
        "175",
        "Most anterior point of the chin.",
        "Midline chin vertex above menton; used for chin deviation from the midline.",
    ),
    LandmarkDefinition(
        "menton",
        "152",
        "Lowest point of the soft-tissue chin.",
        "Lowest midline vertex as the prior; where the lit chin meets a clearly shadowed neck the contour is read "
        "from the photo on the midline, else the vertex is kept (anatomy/refine/menton.py).",
    ),
    LandmarkDefinition(
        "zygion proxy (right, left)",
        "234, 454",
        "Most lateral point of the zygomatic arch.",
        "Widest vertices of the mesh outline at cheekbone level; a proxy, since the arch lies under soft "
        "tissue and the mesh outline follows the visible face edge.",
    ),
    LandmarkDefinition(
        "gonion proxy (right, left)",
        "172, 397",
        "Most lateral point of the mandibular angle.",
        "Outline vertices at the visible jaw angle; a proxy for the bony gonion.",
    ),
    LandmarkDefinition(
        "trichion (hairline)",
        "none: detected from the image",
        "Hairline at the midline.",
        "The mesh stops on the forehead (vertex 10 is not the hairline). It is searched for in the image "
        "along the midline; when no clear skin-to-hair edge is found the measurement is not made.",
    ),
)


def landmark_table_markdown() -> str:
    """The landmark table as Markdown (``docs/anatomy.md`` is this text; a test keeps them equal)."""
    lines = [
        "# Named anatomical points on the face mesh",
        "",
        "Generated by `facebalance landmarks --markdown > docs/anatomy.md` from `facebalance.anatomy.landmarks`.",
        "`left`/`right` are the patient's sides. Mesh indices refer to MediaPipe's 478-point face mesh.",
        "",
        "| point | mesh | clinical definition | why this vertex |",
        "|---|---|---|---|",
    ]
    for row in LANDMARK_TABLE:
        cells = [row.name, row.mesh, row.clinical_definition, row.why]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
