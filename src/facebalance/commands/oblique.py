"""``facebalance oblique`` (three-quarter photos), ``facebalance eval obliques`` and ``facebalance eval iris-aspect``.

``facebalance analyze`` takes the oblique path by itself for a three-quarter photo
(:func:`analyze_oblique_photo`, :func:`is_oblique_photo`). Domain errors become one clear message and exit
code 2, as in :mod:`facebalance.cli`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from facebalance.commands import report_error
from facebalance.errors import FacebalanceError
from facebalance.oblique.errors import NotAnObliqueView

if TYPE_CHECKING:
    from facebalance.findings import FindingRules
    from facebalance.norms import NormSet
    from facebalance.report.output import OutputTargets
    from facebalance.vision import FaceLandmarker

console = Console()


def is_oblique_photo(photo: Path, *, landmarker: FaceLandmarker) -> bool:
    """Whether a photo's (dominant) face mesh is turned as a three-quarter view.

    A file that cannot be decoded, or shows no face, is not: the caller's own path reports that error.
    """
    from facebalance.oblique.analysis import check_oblique_pose, dominant_face
    from facebalance.vision import load_image

    try:
        face, _ = dominant_face(landmarker.detect(load_image(photo).rgb))
        check_oblique_pose(face.pose)
    except FacebalanceError:
        return False
    return True


def analyze_oblique_photo(
    photo: Path,
    *,
    sex: str | None,
    ethnicity: str | None,
    norms: NormSet,
    outputs: OutputTargets,
    rules: FindingRules | None = None,
    landmarker: FaceLandmarker | None = None,
    quiet_if_not_oblique: bool = False,
) -> bool | NotAnObliqueView:
    """Analyse one three-quarter photo and write its outputs; ``False`` (after printing the error) on failure.

    Shared by ``facebalance oblique`` and by ``facebalance analyze`` when it finds a three-quarter photo; with
    ``quiet_if_not_oblique`` a photo that turns out not to be a three-quarter view (a profile whose face mesh
    still holds) returns the error unprinted, so the caller can try the profile path first.
    """
    from facebalance.oblique.analysis import analyze_oblique

    try:
        result = analyze_oblique(photo, sex=sex, ethnicity=ethnicity, norms=norms, rules=rules, landmarker=landmarker)
    except NotAnObliqueView as exc:
        if quiet_if_not_oblique:
            return exc
        report_error(exc, photo.name)
        return False
    except FacebalanceError as exc:
        report_error(exc, photo.name)
        return False
    outputs.write(result, stem=photo.stem)
    return True


def oblique(
    photos: Annotated[list[Path], typer.Argument(help="Three-quarter (oblique) photo(s): JPEG, PNG, WebP or HEIC.")],
    sex: Annotated[str | None, typer.Option(help="Patient's sex for sex-specific norms: female or male.")] = None,
    ethnicity: Annotated[str | None, typer.Option(help="Population for population-specific norms, if any.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the analysis JSON here (one photo).")] = None,
    annotate: Annotated[Path | None, typer.Option(help="Write the annotated PNG here (one photo).")] = None,
    out_dir: Annotated[Path | None, typer.Option(help="Write NAME.json and NAME.png per photo here.")] = None,
    norms: Annotated[Path | None, typer.Option(help="A clinic norm set (TOML) layered over the default.")] = None,
    quiet: Annotated[bool, typer.Option(help="No terminal summary.")] = False,
) -> None:
    """Analyse three-quarter photos: far-side silhouette, ogee curve, submalar hollow, jawline, temple."""
    from facebalance.norms import load_norm_set
    from facebalance.report.output import OutputTargets
    from facebalance.vision import FaceLandmarker

    if sex is not None and sex not in ("female", "male"):
        raise typer.BadParameter("use female or male", param_hint="--sex")
    if len(photos) > 1 and (json_out or annotate):
        raise typer.BadParameter("--json and --annotate take one photo; use --out-dir for several", param_hint="--json")
    try:
        norm_set = load_norm_set(norms)
    except FacebalanceError as exc:
        raise report_error(exc) from None
    outputs = OutputTargets(json_out, annotate, out_dir, None if quiet else console)
    failures = 0
    with FaceLandmarker() as landmarker:
        for photo in photos:
            ok = analyze_oblique_photo(
                photo, sex=sex, ethnicity=ethnicity, norms=norm_set, outputs=outputs, landmarker=landmarker
            )
            failures += not ok
    if failures:
        raise typer.Exit(code=2)


def eval_obliques(
    dataset: Annotated[Path, typer.Option(help="A folder of three-quarter photos with iBUG 68-point .pts files.")],
    write: Annotated[Path | None, typer.Option(help="Update this markdown file's section with the results.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N photos.")] = None,
) -> None:
    """Share of obliques read, reasons for the rest, and far-side outline error against the annotated outline."""
    from facebalance.evaluation.obliques import run_oblique_eval

    try:
        run_oblique_eval(dataset, write=write, limit=limit, console=console)
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc), param_hint="--dataset") from None


def eval_iris_aspect(
    dataset: Annotated[Path, typer.Option(help="The London set folder (neutral/*.jpg).")],
    write: Annotated[Path | None, typer.Option(help="Update this markdown file's section with the results.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N photos.")] = None,
) -> None:
    """Horizontal-to-vertical ratio of the mesh's iris contour on frontal photos (the oblique iris ruler)."""
    from facebalance.evaluation.obliques import run_iris_aspect_eval

    try:
        run_iris_aspect_eval(dataset, write=write, limit=limit, console=console)
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc), param_hint="--dataset") from None


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add ``facebalance oblique``, ``facebalance eval obliques`` and ``facebalance eval iris-aspect``."""
    app.command("oblique")(oblique)
    eval_app.command("obliques")(eval_obliques)
    eval_app.command("iris-aspect")(eval_iris_aspect)
