"""How well the printed calibration marker measures the scale: known-answer renders and London photos.

Two checks, both with answers known by construction:

1. **Renders.** The marker is drawn through a pinhole camera with a known focal length and pose (tilted
   and off-centre: perspective), eight times supersampled and area-averaged, then blurred and given
   sensor noise, over a real photo. The true scale at the marker's depth is ``f / Z``; the error is the
   measured :attr:`~facebalance.vision.marker.MarkerMeasurement.px_per_mm` over that, minus one. Each
   condition is run with the focal length given (as EXIF would give it) and without (assumed distance).
2. **London photos.** A marker is composited beside each London face (facing the camera, at eye level,
   so in the plane of the irises) at the size the face's own hand-placed iris scale gives 20 mm. The
   engine then measures the interpupillary distance with the marker as its ruler; the template's IPD on
   the same scale is the truth. The difference is the engine's pupil placement plus the marker's error,
   and it must fall within the uncertainty the engine states.

:func:`render_marker` is also what the unit tests draw their markers with.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from facebalance.evaluation.common import ResultTable, command_line, fmt, run_header, write_section
from facebalance.vision.marker import MarkerSpec, find_marker, load_marker_spec

SECTION = "eval-marker"
#: Supersampling of the renders (each output pixel averages SUPERSAMPLE^2 exact samples).
SUPERSAMPLE = 8
#: Printed ink and paper as the camera sees them (8-bit levels).
INK_LEVEL = 28.0
PAPER_LEVEL = 232.0
#: White paper around the black square, in cells (the ArUco quiet zone, and the sticker's margin).
QUIET_ZONE_CELLS = 1.0
#: Focal length of the render camera, pixels (a portrait lens on a 24 MP body, in a 1350 px crop).
RENDER_FOCAL_PX = 3000.0


@dataclass(frozen=True)
class MarkerRender:
    """A rendered marker and the truth about it."""

    rgb: np.ndarray
    px_per_mm: float
    corners_px: np.ndarray
    focal_px: float


def rotation_matrix(tilt_deg: float, axis_deg: float, spin_deg: float = 0.0) -> np.ndarray:
    """Rotation tilting a plane by ``tilt_deg`` about an in-plane axis at ``axis_deg`` (from image x), after
    spinning it by ``spin_deg`` in its own plane."""
    spin = math.radians(spin_deg)
    rz = np.array([[math.cos(spin), -math.sin(spin), 0], [math.sin(spin), math.cos(spin), 0], [0, 0, 1]])
    axis = np.array([math.cos(math.radians(axis_deg)), math.sin(math.radians(axis_deg)), 0.0])
    rotation, _ = cv2.Rodrigues(axis * math.radians(tilt_deg))
    return rotation @ rz


def render_marker(
    background: np.ndarray,
    spec: MarkerSpec,
    *,
    centre_px: tuple[float, float],
    px_per_mm: float,
    rotation: np.ndarray | None = None,
    focal_px: float = RENDER_FOCAL_PX,
    blur_px: float = 0.0,
    noise_sd: float = 0.0,
    seed: int = 0,
) -> MarkerRender:
    """Draw the marker into a copy of ``background`` through a pinhole camera.

    Parameters
    ----------
    background : ndarray of shape (H, W, 3), uint8
    spec : MarkerSpec
        Which marker and its printed side.
    centre_px : tuple of float
        Where the marker's centre is imaged.
    px_per_mm : float
        Scale of a frontoparallel plane at the marker's depth: the depth is ``focal_px / px_per_mm``.
    rotation : ndarray of shape (3, 3), optional
        The marker plane's rotation (identity: facing the camera).
    focal_px : float
        Focal length; the principal point is the image centre.
    blur_px, noise_sd : float
        Gaussian blur (whole image) and additive Gaussian noise in 8-bit levels.
    seed : int
        Seed of the noise.
    """
    h, w = background.shape[:2]
    principal = np.array([w / 2.0, h / 2.0])
    depth = focal_px / px_per_mm
    t = np.array(
        [(centre_px[0] - principal[0]) * depth / focal_px, (centre_px[1] - principal[1]) * depth / focal_px, depth]
    )
    r = np.eye(3) if rotation is None else np.asarray(rotation, dtype=np.float64)
    k = np.array([[focal_px, 0.0, principal[0]], [0.0, focal_px, principal[1]], [0.0, 0.0, 1.0]])
    to_image = k @ np.column_stack([r[:, 0], r[:, 1], t])  # marker plane (mm) -> image (homogeneous)

    bits = cv2.aruco.generateImageMarker(
        cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, spec.dictionary)), spec.marker_id, spec.cells, borderBits=1
    )
    cell_mm = spec.side_mm / spec.cells
    half_paper = spec.side_mm / 2.0 + QUIET_ZONE_CELLS * cell_mm
    paper = np.array(
        [[-half_paper, -half_paper], [half_paper, -half_paper], [half_paper, half_paper], [-half_paper, half_paper]]
    )

    def project(points_mm: np.ndarray) -> np.ndarray:
        p = to_image @ np.column_stack([points_mm, np.ones(len(points_mm))]).T
        return (p[:2] / p[2]).T

    outline = project(paper)
    x0, y0 = np.floor(outline.min(axis=0)).astype(int) - 2
    x1, y1 = np.ceil(outline.max(axis=0)).astype(int) + 3
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    s = SUPERSAMPLE
    yy, xx = np.mgrid[0 : (y1 - y0) * s, 0 : (x1 - x0) * s]
    # Centre of each supersample, in output pixel coordinates (output pixel centres are integers).
    px = x0 + (xx + 0.5) / s - 0.5
    py = y0 + (yy + 0.5) / s - 0.5
    inverse = np.linalg.inv(to_image)
    m = inverse @ np.stack([px.ravel(), py.ravel(), np.ones(px.size)])
    u, v = (m[0] / m[2]).reshape(px.shape), (m[1] / m[2]).reshape(px.shape)
    on_paper = (np.abs(u) <= half_paper) & (np.abs(v) <= half_paper)
    col = np.floor((u + spec.side_mm / 2.0) / cell_mm).astype(int)
    row = np.floor((v + spec.side_mm / 2.0) / cell_mm).astype(int)
    in_marker = (col >= 0) & (col < spec.cells) & (row >= 0) & (row < spec.cells)
    level = np.full(px.shape, PAPER_LEVEL)
    level[in_marker] = np.where(bits[row[in_marker], col[in_marker]] > 127, PAPER_LEVEL, INK_LEVEL)
    local = background[y0:y1, x0:x1].astype(np.float64)
    big_bg = cv2.resize(local, ((x1 - x0) * s, (y1 - y0) * s), interpolation=cv2.INTER_NEAREST)
    big = np.where(on_paper[..., None], level[..., None], big_bg)
    out = background.astype(np.float64)
    out[y0:y1, x0:x1] = cv2.resize(big, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
    if blur_px > 0:
        out = cv2.GaussianBlur(out, (0, 0), blur_px)
    if noise_sd > 0:
        out += np.random.default_rng(seed).normal(0.0, noise_sd, out.shape)
    corners = project(np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * spec.side_mm / 2.0)
    return MarkerRender(np.clip(np.round(out), 0, 255).astype(np.uint8), px_per_mm, corners, focal_px)


# --- 1. renders ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderCase:
    side_px: float
    tilt_deg: float
    blur_px: float
    noise_sd: float
    focal_given: bool
    seed: int


@dataclass(frozen=True)
class RenderResult:
    case: RenderCase
    error: float
    stated_sigma: float
    found: bool


#: The grid of render conditions: marker size in the image, tilt, blur, noise.
RENDER_SIDES_PX = (40.0, 70.0, 120.0)
RENDER_TILTS_DEG = (0.0, 20.0, 40.0)
RENDER_BLURS_PX = (0.7, 1.5)
RENDER_NOISE_SD = (2.0, 6.0)
RENDER_SEEDS = 2


def render_cases() -> list[RenderCase]:
    return [
        RenderCase(side, tilt, blur, noise, focal_given, seed)
        for side in RENDER_SIDES_PX
        for tilt in RENDER_TILTS_DEG
        for blur in RENDER_BLURS_PX
        for noise in RENDER_NOISE_SD
        for focal_given in (True, False)
        for seed in range(RENDER_SEEDS)
    ]


def run_render_case(background: np.ndarray, spec: MarkerSpec, case: RenderCase) -> RenderResult:
    """One known-answer render, the marker off the image centre, tilted about a seed-chosen axis."""
    rng = np.random.default_rng(case.seed * 7919 + int(case.side_px) + int(case.tilt_deg * 10))
    h, w = background.shape[:2]
    centre = (w * rng.uniform(0.25, 0.75), h * rng.uniform(0.25, 0.75))
    rotation = rotation_matrix(case.tilt_deg, rng.uniform(0, 180), rng.uniform(-30, 30))
    render = render_marker(
        background,
        spec,
        centre_px=centre,
        px_per_mm=case.side_px / spec.side_mm,
        rotation=rotation,
        blur_px=case.blur_px,
        noise_sd=case.noise_sd,
        seed=case.seed,
    )
    found = find_marker(render.rgb, spec, focal_px=render.focal_px if case.focal_given else None)
    if found is None or not found.usable:
        return RenderResult(case, math.nan, math.nan, False)
    return RenderResult(case, found.px_per_mm / render.px_per_mm - 1.0, found.relative_sigma, True)


# --- 2. London photos --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompositeResult:
    name: str
    ipd_true_mm: float
    ipd_marker_mm: float | None
    ipd_marker_sigma_mm: float | None
    ipd_iris_mm: float | None
    ruler: str


def composite_marker_photo(photo: Path, spec: MarkerSpec) -> tuple[bytes, float, float]:
    """The London photo with a marker beside the face at the face's own hand-placed iris scale.

    Returns the PNG bytes, the template's interpupillary distance in mm on that scale (the truth), and
    the template's mm per pixel.
    """
    from facebalance.evaluation.london import TemplatePoint, read_tem, visible_iris_widths_px
    from facebalance.norms import load_norm_set

    template = read_tem(photo.with_suffix(".tem"))
    iris_mm = load_norm_set().reference("iris_visible_diameter_mm").value
    mm_per_px = iris_mm / float(np.mean(visible_iris_widths_px(template)))
    right, left = template[TemplatePoint.PUPIL_RIGHT], template[TemplatePoint.PUPIL_LEFT]
    with Image.open(photo) as image:
        rgb = np.asarray(image.convert("RGB"))
    # Beside the face, at eye level, on the image's left: 0.4 of the interpupillary distance beyond the
    # pupil by a full face width, clear of hair on the London set's studio framing.
    ipd_px = float(np.linalg.norm(left - right))
    centre = (max(float(right[0]) - 1.9 * ipd_px, 0.06 * rgb.shape[1]), float(right[1]))
    render = render_marker(rgb, spec, centre_px=centre, px_per_mm=1.0 / mm_per_px, blur_px=0.5, noise_sd=1.0)
    buffer = io.BytesIO()
    Image.fromarray(render.rgb).save(buffer, format="PNG")
    return buffer.getvalue(), ipd_px * mm_per_px, mm_per_px


# --- the run ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkerEval:
    renders: list[RenderResult]
    composites: list[CompositeResult]
    spec: MarkerSpec


def _render_rows(results: list[RenderResult]) -> tuple[tuple[str, ...], ...]:
    def row(label: str, subset: list[RenderResult]) -> tuple[str, ...]:
        found = [r for r in subset if r.found]
        errors = np.array([r.error for r in found]) * 100.0
        sigmas = np.array([r.stated_sigma for r in found]) * 100.0
        covered = np.mean(np.abs(errors) <= 2.0 * sigmas) if len(found) else math.nan
        return (
            label,
            f"{len(found)} / {len(subset)}",
            fmt(float(errors.mean()), 3, signed=True) if len(found) else "—",
            fmt(float(np.abs(errors).mean()), 3) if len(found) else "—",
            fmt(float(np.sqrt(np.mean(errors**2))), 3) if len(found) else "—",
            fmt(float(np.abs(errors).max()), 3) if len(found) else "—",
            fmt(float(np.median(sigmas)), 3) if len(found) else "—",
            f"{covered:.0%}" if len(found) else "—",
        )

    rows = [row("all renders", results)]
    for given in (True, False):
        rows.append(
            row(
                f"focal length {'given (EXIF)' if given else 'assumed'}",
                [r for r in results if r.case.focal_given is given],
            )
        )
    for side in RENDER_SIDES_PX:
        rows.append(row(f"marker {side:.0f} px wide", [r for r in results if r.case.side_px == side]))
    for tilt in RENDER_TILTS_DEG:
        for given in (True, False):
            rows.append(
                row(
                    f"tilt {tilt:.0f}°, focal {'given' if given else 'assumed'}",
                    [r for r in results if r.case.tilt_deg == tilt and r.case.focal_given is given],
                )
            )
    for blur in RENDER_BLURS_PX:
        rows.append(row(f"blur {blur} px", [r for r in results if r.case.blur_px == blur]))
    for noise in RENDER_NOISE_SD:
        rows.append(row(f"noise SD {noise:.0f} levels", [r for r in results if r.case.noise_sd == noise]))
    return tuple(rows)


def build_tables(result: MarkerEval) -> dict[str, ResultTable]:
    tables = {
        "renders": ResultTable(
            "Known-answer renders: measured scale at the marker vs the true f / Z",
            (
                "condition",
                "found",
                "bias %",
                "mean |error| %",
                "RMS %",
                "max |error| %",
                "stated 1σ % (median)",
                "|error| ≤ 2σ",
            ),
            _render_rows(result.renders),
            f"{len(result.renders)} renders of the {result.spec.side_mm:g} mm {result.spec.dictionary} id "
            f"{result.spec.marker_id} marker over the bundled London photo 001 (focal length "
            f"{RENDER_FOCAL_PX:.0f} px, 1350 px frame, marker centre anywhere in the middle half, tilted about a "
            "random in-plane axis, spun up to 30°), 8x supersampled, Gaussian blur and noise. Error = measured "
            "px/mm at the marker ÷ true − 1; the stated 1σ includes the print tolerance "
            f"({result.spec.side_sigma_mm / result.spec.side_mm:.1%}), which renders do not have.",
        )
    }
    comp = [c for c in result.composites if c.ipd_marker_mm is not None]
    if comp:
        diff = np.array([c.ipd_marker_mm - c.ipd_true_mm for c in comp])  # type: ignore[operator]
        sigma = np.array([c.ipd_marker_sigma_mm for c in comp], dtype=np.float64)
        iris = np.array([c.ipd_iris_mm - c.ipd_true_mm for c in comp if c.ipd_iris_mm is not None])  # type: ignore[operator]
        marker_used = sum(c.ruler == "marker" for c in comp)
        tables["composites"] = ResultTable(
            "London photos with a marker composited at a known size: interpupillary distance vs the template's",
            (
                "ruler",
                "photos",
                "bias mm",
                "MAD mm",
                "SD mm",
                "max |difference| mm",
                "stated 1σ mm (median)",
                "|difference| ≤ 2σ",
            ),
            (
                (
                    f"printed marker (used on {marker_used})",
                    str(len(comp)),
                    fmt(float(diff.mean()), 2, signed=True),
                    fmt(float(np.abs(diff).mean()), 2),
                    fmt(float(diff.std(ddof=1)) if len(diff) > 1 else math.nan, 2),
                    fmt(float(np.abs(diff).max()), 2),
                    fmt(float(np.median(sigma)), 2),
                    f"{np.mean(np.abs(diff) <= 2 * sigma):.0%}",
                ),
                (
                    "the same photos, iris ruler (no marker)",
                    str(len(iris)),
                    fmt(float(iris.mean()), 2, signed=True) if len(iris) else "—",
                    fmt(float(np.abs(iris).mean()), 2) if len(iris) else "—",
                    fmt(float(iris.std(ddof=1)) if len(iris) > 1 else math.nan, 2),
                    fmt(float(np.abs(iris).max()), 2) if len(iris) else "—",
                    "",
                    "",
                ),
            ),
            "Truth: the template's pupil-to-pupil distance (t0-t1) on the face's own hand-placed iris scale "
            f"({result.spec.side_mm:g} mm of marker = {result.spec.side_mm:g} mm on that scale). The marker faces "
            "the camera beside the face at eye level, so it is in the irises' plane and the engine's off-face "
            "assumption holds; no EXIF focal length. The difference is the engine's pupil placement (mesh "
            "pupils vs hand-placed) plus the marker's own error. The iris-ruler row is the same engine without "
            "the marker, against the same truth.",
        )
    return tables


def run_marker_eval(dataset: Path, *, write: Path | None, limit: int | None, console: Console) -> MarkerEval:
    """Renders and London composites; prints the tables and optionally writes the markdown section."""
    from facebalance.analysis import analyze_photo
    from facebalance.evaluation.london import neutral_photos
    from facebalance.vision import FaceLandmarker

    spec = load_marker_spec()
    repo = Path(__file__).resolve().parents[3]
    with Image.open(repo / "tests" / "data" / "london" / "001_03.jpg") as image:
        background = np.asarray(image.convert("RGB"))
    cases = render_cases()
    photos = neutral_photos(dataset)
    if limit is not None:
        photos = photos[:limit]
    composites: list[CompositeResult] = []
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console, transient=True
    )
    with progress:
        task = progress.add_task("marker renders", total=len(cases))
        renders = []
        for case in cases:
            renders.append(run_render_case(background, spec, case))
            progress.advance(task)
        task = progress.add_task("London composites", total=len(photos))
        with FaceLandmarker() as landmarker:
            for photo in photos:
                data, ipd_true, _ = composite_marker_photo(photo, spec)
                with_marker = analyze_photo(data, landmarker=landmarker)
                without = analyze_photo(photo, landmarker=landmarker)
                m = with_marker.assessment.measurements["interpupillary_distance_mm"]
                composites.append(
                    CompositeResult(
                        name=photo.stem,
                        ipd_true_mm=ipd_true,
                        ipd_marker_mm=m.value,
                        ipd_marker_sigma_mm=m.uncertainty,
                        ipd_iris_mm=without.assessment.measurements["interpupillary_distance_mm"].value,
                        ruler=with_marker.assessment.calibration.ruler.value,
                    )
                )
                progress.advance(task)
    result = MarkerEval(renders, composites, spec)
    tables = build_tables(result)
    for table in tables.values():
        console.print(table.to_rich())
    if write is not None:
        header = run_header(command_line("marker", dataset, write=write, limit=limit))
        lines = ["## Calibration marker: known-answer renders and London composites", "", header]
        for table in tables.values():
            lines += ["", f"### {table.title}", "", table.to_markdown()]
        write_section(write, SECTION, "\n".join(lines) + "\n")
        console.print(f"wrote the {SECTION} section of {write}")
    return result
