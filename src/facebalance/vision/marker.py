"""A printed calibration marker as the photo's ruler: found, measured to a fraction of a pixel, made
independent of its tilt.

The marker is an OpenCV ArUco square of known printed side (``data/marker.toml``) worn on the forehead
or a cheek. Its scale needs no population assumption, unlike the iris. Steps:

1. :class:`cv2.aruco.ArucoDetector` finds the marker with the expected dictionary and id.
2. Each outer edge of the black square is located to a fraction of a pixel along short profiles across
   it (peak of the brightness derivative, parabola through its three samples), and a straight line is
   fitted to each edge: perspective keeps straight lines straight. The corners are the intersections of
   adjacent lines; the scatter of the edge points about each line gives the corners' uncertainty.
3. The homography from the printed square (millimetres) to the four corners is decomposed with the
   camera matrix ``K`` (focal length from the EXIF 35 mm-equivalent focal length, or from an assumed
   camera distance; principal point at the image centre): ``K^-1 H = s [r1 r2 t]``. The scale a
   frontoparallel plane at the marker's depth would have, ``f / t_z`` pixels per millimetre, does not
   depend on the marker's tilt: a tilted marker is foreshortened, the plane of the face is not.

The uncertainty combines the corners' noise (propagated by a fixed-seed Monte Carlo over the four edge
lines), the printed size's tolerance and, for a tilted marker, the focal length's uncertainty.
Bringing the scale from the marker's depth to the plane of the irises needs the face mesh and is done by
:func:`facebalance.anatomy.calibration.calibrate_from_marker`.

Everything here is pure except :func:`load_marker_spec`, which reads the packaged (or a clinic's) TOML.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from facebalance.provenance import DataFileError, Provenance, packaged_table, read_table_file, require

#: Diagonal of the 35 mm film frame (36 x 24 mm), the reference of a "35 mm-equivalent" focal length.
FULL_FRAME_DIAGONAL_MM = math.hypot(36.0, 24.0)
#: Smallest marker side, pixels, that is measured: below it a cell is under about 3 px and the corner
#: noise alone exceeds 1 %.
MIN_SIDE_PX = 18.0
#: Edge profiles per side, spread over this middle part of the side (the corners are rounded by blur).
PROFILES_PER_SIDE = 24
PROFILE_SPAN = (0.15, 0.85)
#: Half-length of a profile across the edge, as a fraction of one marker cell (the black border is one
#: cell wide, and the white quiet zone around the printed marker at least one).
PROFILE_HALF_CELLS = 0.45
PROFILE_STEP_PX = 0.1
#: Smoothing before the derivative, pixels.
PROFILE_SMOOTHING_PX = 0.7
#: Fewest edge points per side for a line fit.
MIN_EDGE_POINTS = 8
#: Monte Carlo draws for the corner-noise propagation (fixed seed: the result is reproducible).
MONTE_CARLO_DRAWS = 400
MONTE_CARLO_SEED = 20261125
#: Side, pixels, the marker is reduced to for the ArUco search when its size can be expected (cells of
#: 5 px: decoded reliably, and the search is cheap). The corners are then refined at full size.
DETECTION_SIDE_PX = 24.0
#: Largest adaptive-threshold window of that search, pixels (windows of 3 and this are tried).
DETECTION_THRESHOLD_WINDOW_MAX_PX = 7
#: Sides searched for, as fractions of the expected side (tilt shortens it, depth changes it).
EXPECTED_SIDE_RANGE = (0.4, 2.5)
#: Refinement passes of the corners: the first starts from the detector's (possibly reduced) corners.
REFINEMENT_PASSES = 2
#: Relative uncertainty of a focal length read from EXIF (rounding of the stored value, focus breathing).
EXIF_FOCAL_RELATIVE_SD = 0.1


@dataclass(frozen=True)
class MarkerSpec:
    """The printed marker and the assumptions its scale rests on (``vision/data/marker.toml``).

    Attributes
    ----------
    dictionary : str
        OpenCV ArUco dictionary name, e.g. ``"DICT_4X4_50"``.
    marker_id : int
    side_mm, side_sigma_mm : float
        Printed outer side of the black square and its one-sigma tolerance.
    assumed_distance_mm, assumed_distance_sd_mm : float
        Camera-to-face distance assumed when the photo has no EXIF focal length.
    mesh_depth_relative_sd : float
        Relative uncertainty of the face mesh's depth between the marker and the irises.
    off_face_depth_sd_mm : float
        Depth SD of a marker off the face, taken to be in the plane of the irises.
    provenance : dict of str to Provenance
        ``marker``, ``camera``, ``depth``.
    """

    dictionary: str
    marker_id: int
    side_mm: float
    side_sigma_mm: float
    assumed_distance_mm: float
    assumed_distance_sd_mm: float
    mesh_depth_relative_sd: float
    off_face_depth_sd_mm: float
    provenance: dict[str, Provenance]
    version: str = ""

    @property
    def cells(self) -> int:
        """Cells along one side: the dictionary's bits plus the one-cell black border on each side."""
        return int(_dictionary(self.dictionary).markerSize) + 2


def _dictionary(name: str) -> cv2.aruco.Dictionary:
    return cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, name))


def parse_marker_spec(doc: dict[str, Any], *, origin: str) -> MarkerSpec:
    """A :class:`MarkerSpec` from a parsed marker TOML document, every number checked for a source."""
    sections = {}
    for name in ("marker", "camera", "depth"):
        section = doc.get(name)
        if not isinstance(section, dict):
            raise DataFileError(f"{origin} has no [{name}] table.", hint="Start from the packaged marker.toml.")
        sections[name] = section
    provenance = {name: Provenance.of_row(section, f"{origin} [{name}]") for name, section in sections.items()}
    marker, camera, depth = sections["marker"], sections["camera"], sections["depth"]
    where = f"{origin} [marker]"
    dictionary = str(require(marker, "dictionary", where))
    if not hasattr(cv2.aruco, dictionary):
        raise DataFileError(f"{where}: unknown ArUco dictionary {dictionary!r}.", hint="Use e.g. DICT_4X4_50.")
    spec = MarkerSpec(
        dictionary=dictionary,
        marker_id=int(require(marker, "marker_id", where)),
        side_mm=float(require(marker, "side_mm", where)),
        side_sigma_mm=float(require(marker, "side_sigma_mm", where)),
        assumed_distance_mm=float(require(camera, "assumed_distance_mm", f"{origin} [camera]")),
        assumed_distance_sd_mm=float(require(camera, "assumed_distance_sd_mm", f"{origin} [camera]")),
        mesh_depth_relative_sd=float(require(depth, "mesh_depth_relative_sd", f"{origin} [depth]")),
        off_face_depth_sd_mm=float(require(depth, "off_face_depth_sd_mm", f"{origin} [depth]")),
        provenance=provenance,
        version=str(doc.get("meta", {}).get("version", "")),
    )
    if not (spec.side_mm > 0 and spec.side_sigma_mm >= 0 and spec.assumed_distance_mm > 0):
        raise DataFileError(f"{where}: sizes and distances must be positive.", hint="Check side_mm and the camera.")
    return spec


def load_marker_spec(path: str | Path | None = None) -> MarkerSpec:
    """The packaged marker specification, or a clinic's own file of the same shape."""
    if path is None:
        return parse_marker_spec(packaged_table("facebalance.vision", "marker.toml"), origin="marker.toml")
    return parse_marker_spec(read_table_file(Path(path)), origin=str(path))


@dataclass(frozen=True)
class MarkerMeasurement:
    """The calibration marker as found in one image.

    Attributes
    ----------
    corners_px : ndarray of shape (4, 2)
        Sub-pixel outer corners of the black square, in the printed marker's order (top-left, top-right,
        bottom-right, bottom-left), pixels of the analysed image.
    centre_px : tuple of float
        Image of the marker's centre.
    px_per_mm : float
        Pixels per millimetre of a plane facing the camera at the depth of the marker's centre.
    relative_sigma : float
        One-sigma relative uncertainty of ``px_per_mm`` (corner noise, print tolerance, focal length).
    tilt_deg : float
        Angle between the marker's normal and the line of sight to its centre (what foreshortens it).
    camera_distance_mm, camera_distance_sd_mm : float
        Distance from the camera to the marker and its uncertainty: from the EXIF focal length when the
        photo has one, otherwise the specification's assumption.
    focal_source : str
        ``"exif"`` or ``"assumed"``.
    side_px : float
        Mean side of the square in pixels (how large the marker is in the image).
    spec : MarkerSpec
    problem : str
        Why the marker cannot be used (empty when it can).
    """

    corners_px: np.ndarray
    centre_px: tuple[float, float]
    px_per_mm: float
    relative_sigma: float
    tilt_deg: float
    camera_distance_mm: float
    camera_distance_sd_mm: float
    focal_source: str
    side_px: float
    spec: MarkerSpec
    problem: str = ""

    @property
    def usable(self) -> bool:
        return not self.problem


def focal_length_px(focal_35mm_equivalent_mm: float, image_size_px: tuple[int, int]) -> float:
    """Focal length in pixels from a 35 mm-equivalent focal length (EXIF FocalLengthIn35mmFilm).

    The equivalence is defined on the frame diagonal, so it holds for any aspect ratio.

    >>> round(focal_length_px(50.0, (6000, 4000)), 1)
    8333.3
    """
    width, height = image_size_px
    return float(focal_35mm_equivalent_mm) * math.hypot(width, height) / FULL_FRAME_DIAGONAL_MM


def marker_corners_mm(side_mm: float) -> np.ndarray:
    """The printed square's outer corners, (4, 2) mm, centred, in ArUco order (y down)."""
    h = side_mm / 2.0
    return np.array([[-h, -h], [h, -h], [h, h], [-h, h]], dtype=np.float64)


def scale_at_marker(
    corners_px: np.ndarray, side_mm: float, focal_px: float, principal_px: tuple[float, float]
) -> tuple[float, float, float]:
    """``(px_per_mm, tilt_deg, distance_mm)`` of a frontoparallel plane at the marker centre's depth.

    The homography through the four corners gives the marker's local image Jacobian at its centre,
    ``J = k A [r1 r2]`` with ``k = f / Z`` the wanted scale, ``[r1 r2]`` the marker's in-plane axes and
    ``A = [I | -x]`` the projection along the line of sight to the centre (``x``: the centre's
    normalised image position). With ``B = A A^T``, ``J J^T = k^2 (B - m m^T)`` for ``m = A n`` (``n`` the
    marker's normal), so ``k^2`` is the largest eigenvalue of ``B^-1 J J^T``: the tilt drops out, and the
    focal length enters only through the small off-axis correction ``x``. Only the first-order (affine)
    part of the homography is used; its perspective terms are too small on a 20 mm marker to be measured
    through corner noise.

    Parameters
    ----------
    corners_px : ndarray of shape (4, 2)
        The square's corners in the image, ArUco order.
    side_mm : float
        Its printed side.
    focal_px : float
        Focal length in pixels.
    principal_px : tuple of float
        Principal point (the image centre for an uncropped photo).

    Examples
    --------
    A 20 mm square facing the camera 500 mm away, f = 5000 px, is 200 px wide: 10 px per mm.

    >>> corners = marker_corners_mm(20.0) * 10.0 + (1000.0, 800.0)
    >>> [round(v, 6) for v in scale_at_marker(corners, 20.0, 5000.0, (1000.0, 800.0))]
    [10.0, 0.0, 500.0]
    """
    h = cv2.getPerspectiveTransform(
        marker_corners_mm(side_mm).astype(np.float32), np.asarray(corners_px, dtype=np.float32)
    ).astype(np.float64)
    h = h / h[2, 2]
    centre = h[:2, 2]
    jacobian = h[:2, :2] - np.outer(centre, h[2, :2])
    offset = (centre - np.asarray(principal_px, dtype=np.float64)) / focal_px
    b = np.eye(2) + np.outer(offset, offset)
    k = math.sqrt(float(np.linalg.eigvals(np.linalg.solve(b, jacobian @ jacobian.T)).real.max()))
    # m m^T = B - J J^T / k^2, and m^T B^-1 m is the squared sine of the angle between the marker's normal
    # and the line of sight to its centre: the tilt that foreshortens it.
    rest = b - jacobian @ jacobian.T / k**2
    values, vectors = np.linalg.eigh(rest)
    m = vectors[:, -1] * math.sqrt(max(float(values[-1]), 0.0))
    tilt = math.degrees(math.asin(min(1.0, math.sqrt(max(float(m @ np.linalg.solve(b, m)), 0.0)))))
    return k, tilt, focal_px / k


@dataclass(frozen=True)
class _EdgeLine:
    """A fitted edge: a point on it, its unit direction, and the one-sigma offset and angle noise."""

    point: np.ndarray
    direction: np.ndarray
    offset_sigma_px: float
    angle_sigma_rad: float


def _intersect(a: _EdgeLine, b: _EdgeLine) -> np.ndarray:
    # a.point + s a.direction = b.point + t b.direction
    matrix = np.column_stack([a.direction, -b.direction])
    s, _ = np.linalg.solve(matrix, b.point - a.point)
    return np.asarray(a.point + s * a.direction, dtype=np.float64)


def _fit_edge(
    grey: np.ndarray, start: np.ndarray, end: np.ndarray, outward: np.ndarray, cell_px: float
) -> _EdgeLine | None:
    """Sub-pixel points on the dark-to-light edge from ``start`` to ``end`` and the line through them."""
    half = max(2.0, PROFILE_HALF_CELLS * cell_px)
    across = np.arange(-half, half + PROFILE_STEP_PX / 2, PROFILE_STEP_PX)
    along = np.linspace(PROFILE_SPAN[0], PROFILE_SPAN[1], PROFILES_PER_SIDE)
    base = start + along[:, None] * (end - start)
    x = base[:, 0:1] + outward[0] * across[None, :]
    y = base[:, 1:2] + outward[1] * across[None, :]
    profile = cv2.remap(
        grey, x.astype(np.float32), y.astype(np.float32), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    derivative = np.gradient(profile, PROFILE_STEP_PX, axis=1)
    peak = np.argmax(derivative, axis=1)
    rows = np.arange(len(along))
    ok = (peak > 0) & (peak < len(across) - 1)
    contrast = profile[:, -1] - profile[:, 0]
    ok &= contrast > 0.25 * max(float(np.median(contrast)), 1e-6)
    before = derivative[rows, np.clip(peak - 1, 0, None)]
    at = derivative[rows, peak]
    after = derivative[rows, np.clip(peak + 1, None, len(across) - 1)]
    curvature = before - 2 * at + after
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = np.where(curvature < 0, 0.5 * (before - after) / curvature, 0.0)
    u = across[peak] + np.clip(np.nan_to_num(shift), -0.5, 0.5) * PROFILE_STEP_PX
    points = (base + u[:, None] * outward)[ok]
    if len(points) < MIN_EDGE_POINTS:
        return None
    centre = points.mean(axis=0)
    _, _, vt = np.linalg.svd(points - centre)
    direction = vt[0] / np.linalg.norm(vt[0])
    normal = np.array([-direction[1], direction[0]])
    residual = (points - centre) @ normal
    # A robust second pass: points far off the line are dust, a fold or a hair across the edge.
    scale = max(1.4826 * float(np.median(np.abs(residual))), 0.02)
    keep = np.abs(residual) <= 3.0 * scale
    if keep.sum() < MIN_EDGE_POINTS:
        return None
    points = points[keep]
    centre = points.mean(axis=0)
    _, _, vt = np.linalg.svd(points - centre)
    direction = vt[0] / np.linalg.norm(vt[0])
    normal = np.array([-direction[1], direction[0]])
    residual = (points - centre) @ normal
    variance = max(float((residual**2).sum()) / (len(points) - 2), 0.02**2)
    spread = float((((points - centre) @ direction) ** 2).sum())
    return _EdgeLine(centre, direction, math.sqrt(variance / len(points)), math.sqrt(variance / spread))


def _refine_corners(grey: np.ndarray, corners: np.ndarray, cells: int) -> list[_EdgeLine] | None:
    """The four outer edge lines of the square (side i runs from corner i to corner i + 1)."""
    centroid = corners.mean(axis=0)
    side_px = float(np.mean(np.linalg.norm(np.roll(corners, -1, axis=0) - corners, axis=1)))
    lines = []
    for i in range(4):
        start, end = corners[i], corners[(i + 1) % 4]
        direction = (end - start) / np.linalg.norm(end - start)
        outward = np.array([-direction[1], direction[0]])
        if np.dot(outward, (start + end) / 2 - centroid) < 0:
            outward = -outward
        line = _fit_edge(grey, start, end, outward, side_px / cells)
        if line is None:
            return None
        lines.append(line)
    return lines


def _corners_from_lines(lines: list[_EdgeLine]) -> np.ndarray:
    return np.array([_intersect(lines[(i - 1) % 4], lines[i]) for i in range(4)])


def _centre(corners: np.ndarray) -> tuple[float, float]:
    """The image of the square's centre: where its diagonals cross (not the corners' mean, under perspective)."""
    diagonals = [
        _EdgeLine(corners[i], (corners[i + 2] - corners[i]) / np.linalg.norm(corners[i + 2] - corners[i]), 0.0, 0.0)
        for i in (0, 1)
    ]
    x, y = _intersect(*diagonals)
    return float(x), float(y)


def _perturbed(lines: list[_EdgeLine], rng: np.random.Generator) -> list[_EdgeLine]:
    out = []
    for line in lines:
        angle = rng.normal(0.0, line.angle_sigma_rad)
        c, s = math.cos(angle), math.sin(angle)
        direction = np.array(
            [c * line.direction[0] - s * line.direction[1], s * line.direction[0] + c * line.direction[1]]
        )
        normal = np.array([-line.direction[1], line.direction[0]])
        point = line.point + rng.normal(0.0, line.offset_sigma_px) * normal
        out.append(_EdgeLine(point, direction, line.offset_sigma_px, line.angle_sigma_rad))
    return out


def _detect(grey: np.ndarray, spec: MarkerSpec, expected_side_px: float | None) -> list[np.ndarray]:
    """Corners (4, 2) of every copy of the spec's marker, as the ArUco detector places them.

    With an expected size the search runs on a copy reduced so that the marker is about
    :data:`DETECTION_SIDE_PX` wide, and only for squares of a plausible size: the detector's cost grows
    with the pixels and the candidate contours, and a photo without a marker must cost little.
    """
    params = cv2.aruco.DetectorParameters()
    image = grey
    if expected_side_px is not None and expected_side_px > 0:
        # An integer reduction (area averaging by whole pixels is the cheap path).
        step = max(1, int(expected_side_px // DETECTION_SIDE_PX))
        if step > 1:
            image = cv2.resize(grey, (grey.shape[1] // step, grey.shape[0] // step), interpolation=cv2.INTER_AREA)
        longest = float(max(image.shape))
        side = expected_side_px / step
        params.minMarkerPerimeterRate = max(0.01, 4.0 * side * EXPECTED_SIDE_RANGE[0] / longest)
        params.maxMarkerPerimeterRate = min(4.0, 4.0 * side * EXPECTED_SIDE_RANGE[1] / longest)
        # Thresholding windows of a few pixels suit cells of 4-8 px; the default's 23 px window costs
        # most of the search and adds nothing at this size.
        params.adaptiveThreshWinSizeMin = 3
        params.adaptiveThreshWinSizeMax = DETECTION_THRESHOLD_WINDOW_MAX_PX
        params.adaptiveThreshWinSizeStep = DETECTION_THRESHOLD_WINDOW_MAX_PX - 3
    detector = cv2.aruco.ArucoDetector(_dictionary(spec.dictionary), params)
    found, ids, _ = detector.detectMarkers(image)
    if ids is None:
        return []
    scale = np.array([grey.shape[1] / image.shape[1], grey.shape[0] / image.shape[0]])
    return [
        (np.asarray(c, dtype=np.float64).reshape(4, 2) + 0.5) * scale - 0.5
        for c, i in zip(found, ids.ravel(), strict=True)
        if int(i) == spec.marker_id
    ]


def find_marker(
    rgb: np.ndarray, spec: MarkerSpec, *, focal_px: float | None = None, expected_side_px: float | None = None
) -> MarkerMeasurement | None:
    """Find and measure the calibration marker, or ``None`` when the image shows none.

    Parameters
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
        The analysed image.
    spec : MarkerSpec
        Which marker, how large, and the camera assumptions (:func:`load_marker_spec`).
    focal_px : float, optional
        Focal length in pixels of ``rgb`` (:func:`focal_length_px` from the EXIF 35 mm-equivalent
        focal length). Without it, the camera distance is the specification's assumption.
    expected_side_px : float, optional
        The marker's side to expect, pixels (e.g. from the iris: the printed side over the iris
        diameter, times the iris in pixels). The search then runs on a reduced copy, for squares between
        :data:`EXPECTED_SIDE_RANGE` times it; without it, on the whole image at full size.

    Returns
    -------
    MarkerMeasurement or None
        ``problem`` is set when the marker is there but cannot be measured (too small, edges not found,
        several copies).
    """
    grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    matches = _detect(grey, spec, expected_side_px)
    if not matches:
        return None
    h, w = grey.shape
    principal = (w / 2.0, h / 2.0)
    corners = matches[0]
    side_px = float(np.mean(np.linalg.norm(np.roll(corners, -1, axis=0) - corners, axis=1)))

    def unusable(problem: str, px_per_mm: float = float("nan")) -> MarkerMeasurement:
        return MarkerMeasurement(
            corners_px=corners,
            centre_px=(float(corners[:, 0].mean()), float(corners[:, 1].mean())),
            px_per_mm=px_per_mm,
            relative_sigma=float("nan"),
            tilt_deg=float("nan"),
            camera_distance_mm=float("nan"),
            camera_distance_sd_mm=float("nan"),
            focal_source="",
            side_px=side_px,
            spec=spec,
            problem=problem,
        )

    if len(matches) > 1:
        return unusable(f"{len(matches)} copies of the calibration marker are in the photo; use one")
    if side_px < MIN_SIDE_PX:
        return unusable(f"the calibration marker is only {side_px:.0f} px wide (at least {MIN_SIDE_PX:.0f} px needed)")
    smooth = cv2.GaussianBlur(grey.astype(np.float32), (0, 0), PROFILE_SMOOTHING_PX)
    lines: list[_EdgeLine] = []
    for _ in range(REFINEMENT_PASSES):
        refined = _refine_corners(smooth, corners, spec.cells)
        if refined is None:
            return unusable("the calibration marker's edges could not be located (blur, glare or a fold)")
        lines = refined
        corners = _corners_from_lines(lines)
    side_px = float(np.mean(np.linalg.norm(np.roll(corners, -1, axis=0) - corners, axis=1)))

    if focal_px is not None and focal_px > 0:
        focal, focal_rel, source = float(focal_px), EXIF_FOCAL_RELATIVE_SD, "exif"
    else:
        # No focal length: take the one that puts the marker at the assumed distance (two passes, since
        # the scale itself depends a little on the focal length for a tilted marker).
        focal = spec.assumed_distance_mm * side_px / spec.side_mm
        for _ in range(2):
            focal = spec.assumed_distance_mm * scale_at_marker(corners, spec.side_mm, focal, principal)[0]
        focal_rel, source = spec.assumed_distance_sd_mm / spec.assumed_distance_mm, "assumed"
    px_per_mm, tilt_deg, distance_mm = scale_at_marker(corners, spec.side_mm, focal, principal)

    rng = np.random.default_rng(MONTE_CARLO_SEED)
    draws = [
        scale_at_marker(_corners_from_lines(_perturbed(lines, rng)), spec.side_mm, focal, principal)[0]
        for _ in range(MONTE_CARLO_DRAWS)
    ]
    corner_rel = float(np.std(draws, ddof=1)) / px_per_mm
    # The focal length matters only through perspective (a tilted or off-centre marker).
    low = scale_at_marker(corners, spec.side_mm, focal / (1.0 + focal_rel), principal)[0]
    high = scale_at_marker(corners, spec.side_mm, focal * (1.0 + focal_rel), principal)[0]
    focal_term = abs(high - low) / 2.0 / px_per_mm
    relative_sigma = math.sqrt(corner_rel**2 + (spec.side_sigma_mm / spec.side_mm) ** 2 + focal_term**2)
    distance_sd = distance_mm * focal_rel if source == "exif" else spec.assumed_distance_sd_mm
    return MarkerMeasurement(
        corners_px=corners,
        centre_px=_centre(corners),
        px_per_mm=px_per_mm,
        relative_sigma=relative_sigma,
        tilt_deg=tilt_deg,
        camera_distance_mm=distance_mm,
        camera_distance_sd_mm=distance_sd,
        focal_source=source,
        side_px=side_px,
        spec=spec,
    )


#: White paper around the printed square, in cells: the ArUco quiet zone the detector needs.
PRINT_QUIET_ZONE_CELLS = 1.0
#: Where the dashed cutting line runs, in cells from the black square (outside the quiet zone).
PRINT_CUT_LINE_CELLS = 1.6


def marker_svg(spec: MarkerSpec) -> str:
    """The marker as an SVG drawing at its true printed size (millimetre units), with its quiet zone and
    a dashed cutting line. Each black cell is one rectangle, so the print is exact at any resolution.

    >>> svg = marker_svg(load_marker_spec())
    >>> svg.startswith("<svg") and 'width="31.267mm"' in svg
    True
    """
    bits = cv2.aruco.generateImageMarker(_dictionary(spec.dictionary), spec.marker_id, spec.cells, borderBits=1)
    cell = spec.side_mm / spec.cells
    margin = PRINT_CUT_LINE_CELLS * cell + 0.3
    total = spec.side_mm + 2 * margin

    def mm(value: float) -> str:
        return f"{value:.3f}".rstrip("0").rstrip(".")

    rects = "".join(
        f'<rect x="{mm(margin + c * cell)}" y="{mm(margin + r * cell)}" width="{mm(cell)}" height="{mm(cell)}"/>'
        for r in range(spec.cells)
        for c in range(spec.cells)
        if bits[r, c] < 128
    )
    cut = PRINT_CUT_LINE_CELLS * cell
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{mm(total)}mm" height="{mm(total)}mm" '
        f'viewBox="0 0 {mm(total)} {mm(total)}" role="img" aria-label="facebalance calibration marker, '
        f'{spec.dictionary} id {spec.marker_id}, {spec.side_mm:g} mm">'
        f'<rect x="0" y="0" width="{mm(total)}" height="{mm(total)}" fill="#fff"/>'
        f'<rect x="{mm(margin - cut)}" y="{mm(margin - cut)}" width="{mm(spec.side_mm + 2 * cut)}" '
        f'height="{mm(spec.side_mm + 2 * cut)}" fill="none" stroke="#999" stroke-width="0.2" stroke-dasharray="1 1"/>'
        f'<g fill="#000" shape-rendering="crispEdges">{rects}</g></svg>'
    )
