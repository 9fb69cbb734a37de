"""``facebalance profile`` (lateral photos), ``facebalance eval profile`` (cephalogram landmark accuracy) and
``facebalance eval profile-photos`` (accuracy on real lateral photos).

Domain errors become one clear message and exit code 2, as in :mod:`facebalance.cli`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from facebalance.commands import report_error
from facebalance.errors import FacebalanceError

if TYPE_CHECKING:
    from facebalance.norms import NormSet
    from facebalance.photo import PhotoAnalysis
    from facebalance.profile.calibration import ScaleSource
    from facebalance.report.output import OutputTargets
    from facebalance.vision import FaceLandmarker

console = Console()
err_console = Console(stderr=True)


_fail = report_error


def _numbers(text: str, count: int, option: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != count:
        raise typer.BadParameter(f"give {count} comma-separated numbers", param_hint=option)
    return values


def scale_option(
    known_mm: float | None, known_points: str | None, known_between: str | None, known_sigma_mm: float | None
) -> ScaleSource | None:
    """The scale source the ``--known-*`` options describe (``None`` without ``--known-mm``)."""
    from facebalance.profile.calibration import LandmarkDistance, RulerDistance
    from facebalance.profile.landmarks import ProfilePoint

    if known_mm is None:
        if known_points or known_between:
            raise typer.BadParameter("give the distance too", param_hint="--known-mm")
        return None
    if known_points:
        x1, y1, x2, y2 = _numbers(known_points, 4, "--known-points")
        return RulerDistance((x1, y1), (x2, y2), known_mm, known_sigma_mm if known_sigma_mm is not None else 0.5)
    names = (known_between or "soft_tissue_nasion,subnasale").split(",")
    try:
        a, b = (ProfilePoint(n.strip()) for n in names)
    except ValueError:
        valid = ", ".join(p.value for p in ProfilePoint)
        raise typer.BadParameter(
            f"two landmark names separated by a comma, from: {valid}", param_hint="--known-between"
        ) from None
    return LandmarkDistance(a, b, known_mm, known_sigma_mm if known_sigma_mm is not None else 1.0)


def analyze_profile_photo(
    photo: Path,
    *,
    sex: str | None,
    ethnicity: str | None,
    norms: NormSet,
    outputs: OutputTargets,
    scale: ScaleSource | None = None,
    frontal: PhotoAnalysis | None = None,
    alar_crease: tuple[float, float] | None = None,
    tilt_deg: float | None = None,
    facing: str | None = None,
    landmarker: FaceLandmarker | None = None,
) -> bool:
    """Analyse one profile photo and write its outputs; ``False`` (after printing the error) on failure.

    Shared by ``facebalance profile`` and by ``facebalance analyze`` when it finds a lateral photo.
    """
    from facebalance.profile.analysis import analyze_profile

    try:
        result = analyze_profile(
            photo,
            sex=sex,
            ethnicity=ethnicity,
            norms=norms,
            scale=scale,
            frontal=frontal,
            alar_crease_px=alar_crease,
            tilt_deg=tilt_deg,
            facing="left" if facing == "left" else "right" if facing == "right" else None,
            landmarker=landmarker,
        )
    except FacebalanceError as exc:
        _fail(exc, photo.name)
        return False
    outputs.write(result, stem=photo.stem)
    return True


def photo_view(photo: Path, *, landmarker: FaceLandmarker | None = None) -> str:
    """``detect_view`` of a photo file: ``"frontal"``, ``"profile_left"``, ``"profile_right"`` or ``"unknown"``.

    A file that cannot be decoded is ``"unknown"``, so the caller's own path reports the input error.
    """
    from facebalance.profile.analysis import detect_view
    from facebalance.vision import load_image

    try:
        image = load_image(photo)
    except FacebalanceError:
        return "unknown"
    return detect_view(image.rgb, landmarker=landmarker)


def profile(
    photos: Annotated[list[Path], typer.Argument(help="Lateral (profile) photo(s): JPEG, PNG, WebP or HEIC.")],
    sex: Annotated[str | None, typer.Option(help="Patient's sex for sex-specific norms: female or male.")] = None,
    ethnicity: Annotated[
        str | None, typer.Option(help="Self-reported ancestry (e.g. 'Korean American'): selects the population norms.")
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the analysis JSON here (one photo).")] = None,
    annotate: Annotated[Path | None, typer.Option(help="Write the annotated PNG here (one photo).")] = None,
    out_dir: Annotated[Path | None, typer.Option(help="Write NAME.json and NAME.png per photo here.")] = None,
    norms: Annotated[Path | None, typer.Option(help="A clinic norm set (TOML) layered over the default.")] = None,
    known_mm: Annotated[
        float | None,
        typer.Option(
            help="A known distance in mm: a caliper distance between two landmarks (--known-between) or a ruler "
            "in the photo (--known-points)."
        ),
    ] = None,
    known_between: Annotated[
        str | None,
        typer.Option(
            help="The two landmarks --known-mm was measured between, e.g. soft_tissue_nasion,subnasale (default)."
        ),
    ] = None,
    known_points: Annotated[
        str | None, typer.Option(help="Ruler ends in pixels of the photo, X1,Y1,X2,Y2 (held in the midsagittal plane).")
    ] = None,
    known_sigma_mm: Annotated[
        float | None,
        typer.Option(help="One-sigma uncertainty of --known-mm (default 1.0 for a caliper, 0.5 for a ruler)."),
    ] = None,
    frontal: Annotated[
        Path | None, typer.Option(help="The same session's frontal photo: its millimetre scale is carried over.")
    ] = None,
    alar_crease: Annotated[
        str | None, typer.Option(help="The alar crease in pixels of the photo, X,Y (enables the Goode ratio).")
    ] = None,
    tilt_deg: Annotated[
        float | None,
        typer.Option(
            help="Known head tilt, chin raised positive (default: level on a studio photo, estimated from the "
            "profile otherwise)."
        ),
    ] = None,
    facing: Annotated[
        str | None, typer.Option(help="left or right: which way the nose points (default: found).")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No terminal summary.")] = False,
) -> None:
    """Analyse lateral photos: profile outline, soft-tissue landmarks, E-line, angles, findings."""
    from facebalance.analysis import analyze_photo
    from facebalance.norms import load_norm_set
    from facebalance.report.output import OutputTargets
    from facebalance.vision import FaceLandmarker

    if sex is not None and sex not in ("female", "male"):
        raise typer.BadParameter("use female or male", param_hint="--sex")
    if facing is not None and facing not in ("left", "right"):
        raise typer.BadParameter("use left or right", param_hint="--facing")
    if len(photos) > 1 and (json_out or annotate):
        raise typer.BadParameter("--json and --annotate take one photo; use --out-dir for several", param_hint="--json")
    scale = scale_option(known_mm, known_points, known_between, known_sigma_mm)
    crease = _numbers(alar_crease, 2, "--alar-crease") if alar_crease else None
    try:
        norm_set = load_norm_set(norms)
    except FacebalanceError as exc:
        raise _fail(exc) from None
    failures = 0
    with FaceLandmarker() as landmarker:
        frontal_result = None
        if frontal is not None:
            try:
                frontal_result = analyze_photo(
                    frontal, sex=sex, ethnicity=ethnicity, norms=norm_set, landmarker=landmarker
                )
            except FacebalanceError as exc:
                raise _fail(exc, frontal.name) from None
        for photo in photos:
            ok = analyze_profile_photo(
                photo,
                sex=sex,
                ethnicity=ethnicity,
                norms=norm_set,
                outputs=OutputTargets(json_out, annotate, out_dir, None if quiet else console),
                scale=scale,
                frontal=frontal_result,
                alar_crease=(crease[0], crease[1]) if crease else None,
                tilt_deg=tilt_deg,
                facing=facing,
                landmarker=landmarker,
            )
            failures += not ok
    if failures:
        raise typer.Exit(code=2)


def eval_profile(
    dataset: Annotated[Path, typer.Option(help="A cephalogram folder: images/ and annotations_<annotator>/.")],
    predictions: Annotated[Path | None, typer.Option(help="Write the located points per image (JSON) here.")] = None,
    write: Annotated[Path | None, typer.Option(help="Update this markdown file's section with the results.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N images.")] = None,
) -> None:
    """Profile landmark accuracy on cephalograms against two annotators (JSON summary on stdout)."""
    from facebalance.evaluation.common import run_header, write_section
    from facebalance.evaluation.profile import markdown_section, run_profile_eval
    from facebalance.evaluation.profile import predictions as prediction_table
    from facebalance.report.output import write_atomic

    try:
        summary, results = run_profile_eval(dataset, limit=limit)
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc), param_hint="--dataset") from None
    if predictions is not None:
        write_atomic(predictions, json.dumps(prediction_table(results), indent=2).encode())
    if write is not None:
        parts = ["facebalance", "eval", "profile", "--dataset", str(dataset)]
        if write is not None:
            parts += ["--write", str(write)]
        if limit is not None:
            parts += ["--limit", str(limit)]
        write_section(write, "eval-profile", markdown_section(summary, run_header(" ".join(parts))))
    typer.echo(json.dumps(summary, indent=2))


def eval_profile_photos(
    dataset: Annotated[Path, typer.Option(help="A folder of lateral photos, each with its .txt of 30 points.")],
    predictions: Annotated[Path | None, typer.Option(help="Write the located points per photo (JSON) here.")] = None,
    write: Annotated[Path | None, typer.Option(help="Update this markdown file's section with the results.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N photos.")] = None,
) -> None:
    """Profile path on real lateral photos: share read, refusals, errors over nasion-to-chin (JSON on stdout)."""
    from facebalance.evaluation.common import command_line, run_header, write_section
    from facebalance.evaluation.profile_photos import SECTION, markdown_section, run_profile_photo_eval
    from facebalance.evaluation.profile_photos import predictions as prediction_table
    from facebalance.report.output import write_atomic

    try:
        summary, results = run_profile_photo_eval(dataset, limit=limit, console=err_console)
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc), param_hint="--dataset") from None
    if predictions is not None:
        write_atomic(predictions, json.dumps(prediction_table(results), indent=2).encode())
    if write is not None:
        header = run_header(command_line("profile-photos", dataset, write=write, limit=limit))
        write_section(write, SECTION, markdown_section(summary, header))
    typer.echo(json.dumps({k: v for k, v in summary.items() if k != "refusals"}, indent=2))


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add ``facebalance profile``, ``facebalance eval profile`` and ``facebalance eval profile-photos``."""
    app.command("profile")(profile)
    eval_app.command("profile")(eval_profile)
    eval_app.command("profile-photos")(eval_profile_photos)
