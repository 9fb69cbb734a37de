"""Left-right mirroring of face meshes and blendshapes, for exact mirror symmetry of the whole assessment.

The face mesh's topology is bilaterally symmetric: MediaPipe's canonical face model (inside the vendored
``face_landmarker.task``, ``geometry_pipeline_metadata_landmarks.binarypb``) places every vertex at the
exact mirror image (x -> -x) of its partner, and 28 vertices on the midline. The partner of each vertex is
therefore read from the model itself, not typed in. The ten iris points (468-477, not in the canonical
model) pair by the iris model's output layout (centre, lateral, top, medial, bottom per eye; the same
indices :class:`facebalance.anatomy.landmarks.Landmark` names, which a test checks).

Why this matters: the landmark model is not mirror-equivariant. On London studio photos its points in a
photo lie on average 3.4 px (about 1 mm) to the image-right of the same points found in the mirrored photo
and mapped back, with per-point differences up to 10 px. Running it on an image and on the image's mirror,
and averaging the second result mirrored back, gives landmarks for which a mirrored photo or recording
swaps left and right exactly, a perfectly symmetric face has no model-made asymmetry, and that shift is gone.

Pixel convention: the model's coordinates are pixel-centred (pixel column ``c`` is at ``x = c``): a photo
reduced 3:1 by box averaging gives landmarks ``(x - 1) / 3`` of the full photo's, not ``x / 3``
(``tests/vision/test_mesh_coordinates_are_pixel_centred.py``). So the mirror of ``x`` in an image ``W``
pixels wide is ``W - 1 - x``, and every image read at a landmark samples pixel ``(x, y)`` directly.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile

import numpy as np

from facebalance.vision.landmarker import FaceLandmarker, FaceMesh
from facebalance.vision.models import FACE_LANDMARKER, read_verified
from facebalance.vision.pose import head_pose_from_matrix

#: Member of the model bundle holding the canonical face model.
_GEOMETRY_MEMBER = "geometry_pipeline_metadata_landmarks.binarypb"
#: Number of vertices in the canonical model (the mesh without the iris refinement).
CANONICAL_VERTEX_COUNT = 468
#: Iris points of the iris model's output, patient's right -> patient's left: centre, lateral, top, medial,
#: bottom (the right eye's are 468-472 in that order; the left eye's 473-477 are centre, medial, top,
#: lateral, bottom).
IRIS_MIRROR_PAIRS: tuple[tuple[int, int], ...] = ((468, 473), (469, 476), (470, 475), (471, 474), (472, 477))


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def _protobuf_fields(data: bytes) -> list[tuple[int, int, int | bytes]]:
    """Top-level ``(field number, wire type, value)`` triples of a protobuf message (wire format only)."""
    fields: list[tuple[int, int, int | bytes]] = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        fields.append((number, wire, value))
    return fields


def canonical_vertices(metadata: bytes) -> np.ndarray:
    """The canonical face model's vertex positions from the geometry pipeline metadata.

    Parameters
    ----------
    metadata : bytes
        ``geometry_pipeline_metadata_landmarks.binarypb``: a ``GeometryPipelineMetadata`` message whose
        field 1 is the canonical ``Mesh3d`` (field 3: vertex buffer of x, y, z, u, v floats per vertex).

    Returns
    -------
    ndarray of shape (468, 3)
        Model coordinates in cm: x toward the face's left in the image, y up, z toward the camera.
    """
    mesh = next(v for n, w, v in _protobuf_fields(metadata) if n == 1 and w == 2 and isinstance(v, bytes))
    floats: list[float] = []
    for number, wire, value in _protobuf_fields(mesh):
        if number != 3 or not isinstance(value, bytes):
            continue
        if wire == 5:
            floats.append(struct.unpack("<f", value)[0])
        elif wire == 2:  # packed encoding
            floats.extend(struct.unpack(f"<{len(value) // 4}f", value))
    buffer = np.asarray(floats, dtype=np.float64).reshape(-1, 5)
    return buffer[:, :3]


def mirror_partners(vertices: np.ndarray) -> np.ndarray:
    """Index of each vertex's mirror partner: the vertex nearest its reflection x -> -x.

    Parameters
    ----------
    vertices : ndarray of shape (N, 3)
        Canonical model coordinates, symmetric about x = 0.

    Examples
    --------
    >>> v = np.array([[-1.0, 0, 0], [0.0, 1, 0], [1.0, 0, 0]])
    >>> mirror_partners(v).tolist()
    [2, 1, 0]
    """
    reflected = vertices * np.array([-1.0, 1.0, 1.0])
    distance = np.linalg.norm(vertices[:, None, :] - reflected[None, :, :], axis=2)
    return np.asarray(np.argmin(distance, axis=1))


@functools.lru_cache(maxsize=1)
def mesh_mirror_map() -> np.ndarray:
    """Partner of every one of the 478 mesh points (an involution: ``m[m] == arange(478)``).

    Read once per process from the vendored, sha256-checked model bundle.

    Raises
    ------
    ValueError
        The canonical model is not exactly symmetric (a different model was vendored).
    """
    bundle = zipfile.ZipFile(io.BytesIO(read_verified(FACE_LANDMARKER)))
    vertices = canonical_vertices(bundle.read(_GEOMETRY_MEMBER))
    if len(vertices) != CANONICAL_VERTEX_COUNT:
        raise ValueError(f"the canonical face model has {len(vertices)} vertices, expected {CANONICAL_VERTEX_COUNT}")
    partners = mirror_partners(vertices)
    error = np.linalg.norm(vertices[partners] * np.array([-1.0, 1.0, 1.0]) - vertices, axis=1).max()
    if error > 1e-4 or not np.array_equal(partners[partners], np.arange(len(partners))):
        raise ValueError("the canonical face model is not left-right symmetric; the mirror map cannot be derived")
    full = np.concatenate([partners, np.arange(CANONICAL_VERTEX_COUNT, CANONICAL_VERTEX_COUNT + 10)])
    for right, left in IRIS_MIRROR_PAIRS:
        full[int(right)], full[int(left)] = int(left), int(right)
    full.setflags(write=False)
    return full


def mirror_landmarks(landmarks_px: np.ndarray, width_px: float) -> np.ndarray:
    """Mesh points found in a horizontally mirrored image, expressed in the original image.

    Parameters
    ----------
    landmarks_px : ndarray of shape (..., 478, 3)
        Points in pixels of the mirrored image (x right, y down, z on the x scale).
    width_px : float
        Image width. A point at x in the mirror is at ``width - 1 - x`` in the original (pixel-centred
        coordinates, see the module's notes).

    Returns
    -------
    ndarray of shape (..., 478, 3)
        Reordered so that index i is again vertex i (the patient's right stays the patient's right).
    """
    pts = np.asarray(landmarks_px, dtype=np.float64)[..., mesh_mirror_map(), :].copy()
    pts[..., 0] = mirror_x(pts[..., 0], width_px)
    return pts


def mirror_x(x: np.ndarray | float, width_px: float) -> np.ndarray | float:
    """Pixel-centred x in an image ``width_px`` wide, mirrored: ``width_px - 1 - x``."""
    return width_px - 1.0 - x


def mirror_blendshape_names(names: tuple[str, ...]) -> np.ndarray:
    """For each blendshape, the index of its mirror partner (``...Left`` <-> ``...Right``; others map to themselves).

    Examples
    --------
    >>> mirror_blendshape_names(("jawOpen", "mouthSmileLeft", "mouthSmileRight")).tolist()
    [0, 2, 1]
    """
    index = {n: i for i, n in enumerate(names)}
    return np.asarray([index.get(_partner_blendshape(name), index[name]) for name in names], dtype=np.intp)


#: Reflection of the image x axis, in image axes (x right, y down, z into the scene).
REFLECT_X = np.diag([-1.0, 1.0, 1.0])


def mirror_rotation(rotation: np.ndarray) -> np.ndarray:
    """A head rotation (image axes) measured in a mirrored image, expressed for the original image."""
    return REFLECT_X @ np.asarray(rotation, dtype=np.float64) @ REFLECT_X


#: Reflection of the x axis for 4x4 homogeneous transforms (camera and image x point the same way).
REFLECT_X_4 = np.diag([-1.0, 1.0, 1.0, 1.0])


def _partner_blendshape(name: str) -> str:
    if name.endswith("Left"):
        return name[: -len("Left")] + "Right"
    if name.endswith("Right"):
        return name[: -len("Right")] + "Left"
    return name


def mirror_face(face: FaceMesh, width_px: float) -> FaceMesh:
    """A face found in a horizontally mirrored image, expressed for the original image.

    Landmarks are mapped back and renumbered (:func:`mirror_landmarks`), ``...Left``/``...Right`` blendshapes
    swap, and the transformation is reflected on both sides (``F T F`` with ``F`` = diag(-1, 1, 1, 1)), so
    yaw and roll change sign.
    """
    transformation = REFLECT_X_4 @ np.asarray(face.transformation, dtype=np.float64) @ REFLECT_X_4
    return FaceMesh(
        landmarks_px=mirror_landmarks(face.landmarks_px, width_px),
        blendshapes={_partner_blendshape(n): v for n, v in face.blendshapes.items()},
        transformation=transformation,
        pose=head_pose_from_matrix(transformation),
    )


def average_faces(a: FaceMesh, b: FaceMesh) -> FaceMesh:
    """The mean of two detections of one face (landmarks, blendshapes and transformation averaged).

    Symmetric in its arguments, so the average of a detection and its mirror partner is the same whichever
    image was the original.
    """
    transformation = (np.asarray(a.transformation) + np.asarray(b.transformation)) / 2.0
    names = set(a.blendshapes) | set(b.blendshapes)
    return FaceMesh(
        landmarks_px=(a.landmarks_px + b.landmarks_px) / 2.0,
        blendshapes={n: (a.blendshapes.get(n, 0.0) + b.blendshapes.get(n, 0.0)) / 2.0 for n in sorted(names)},
        transformation=transformation,
        pose=head_pose_from_matrix(transformation),
    )


def detect_mirror_averaged(landmarker: FaceLandmarker, rgb: np.ndarray) -> list[FaceMesh]:
    """Faces found in an image and in its mirror image, the two detections of the one face averaged.

    The result is exactly mirror-equivariant: the mirrored image gives the same face with x mirrored and
    left and right swapped (floating-point rounding aside). It costs two landmark-model runs.

    Returns
    -------
    list of FaceMesh
        One averaged face when both images show exactly one; the one face when only one of the two runs
        found it; otherwise the longer of the two lists (several faces are refused by the caller, which
        only needs their number).
    """
    width = rgb.shape[1]
    direct = landmarker.detect(rgb)
    mirrored = [mirror_face(f, width) for f in landmarker.detect(np.ascontiguousarray(rgb[:, ::-1]))]
    if len(direct) == 1 and len(mirrored) == 1:
        return [average_faces(direct[0], mirrored[0])]
    if len(direct) + len(mirrored) == 1:
        return direct or mirrored
    return direct if len(direct) >= len(mirrored) else mirrored
