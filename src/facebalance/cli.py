"""The ``facebalance`` command line (Typer). Domain errors become one clear message and exit code 2."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from facebalance.commands import report_error
from facebalance.errors import FacebalanceError, FaceDetectionError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="facebalance: calibrated facial measurements and findings for facial balancing.",
)
eval_app = typer.Typer(no_args_is_help=True, help="Accuracy against hand-placed ground truth.")
app.add_typer(eval_app, name="eval")

console = Console()
err_console = Console(stderr=True)


_fail = report_error


@app.command()
def analyze(
    photos: Annotated[
        list[Path], typer.Argument(help="Frontal, three-quarter or profile photo(s): JPEG, PNG, WebP or HEIC.")
    ],
    sex: Annotated[str | None, typer.Option(help="Patient's sex for sex-specific norms: female or male.")] = None,
    ethnicity: Annotated[
        str | None, typer.Option(help="Self-reported ancestry (e.g. 'Korean American'): selects the population norms.")
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the analysis JSON here (one photo).")] = None,
    annotate: Annotated[Path | None, typer.Option(help="Write the annotated PNG here (one photo).")] = None,
    out_dir: Annotated[
        Path | None, typer.Option(help="Write NAME.json and NAME.png per photo into this folder.")
    ] = None,
    norms: Annotated[Path | None, typer.Option(help="A clinic norm set (TOML) layered over the default.")] = None,
    rules: Annotated[
        Path | None,
        typer.Option(help="Clinic finding rules (TOML: severity bands, relations) layered over the default."),
    ] = None,
    ipd_mm: Annotated[
        float | None,
        typer.Option(help="Interpupillary distance measured in clinic, mm; replaces the iris calibration."),
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No terminal summary.")] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Batch mode: one row per photo into results.csv or .parquet "
            "(folders allowed; resumable; see analyze-batch)."
        ),
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Batch mode: local worker processes (default: all CPUs).")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Batch mode: a Dask cluster, tcp://HOST:PORT.")] = None,
) -> None:
    """Analyse frontal photos: measurements with uncertainty, norms, findings, annotated image.

    A three-quarter photo takes the oblique analysis, a lateral photo the profile analysis, by themselves.

    With ``--out results.csv|.parquet`` (or a folder among the paths) it runs as a batch over many photos."""
    from facebalance.analysis import analyze_photo
    from facebalance.findings import load_finding_rules
    from facebalance.norms import load_norm_set
    from facebalance.report.output import OutputTargets
    from facebalance.vision import FaceLandmarker

    if sex is not None and sex not in ("female", "male"):
        raise typer.BadParameter("use female or male", param_hint="--sex")
    if out is not None or any(p.is_dir() for p in photos):
        if out is None:
            raise typer.BadParameter("a folder needs --out results.csv or results.parquet", param_hint="--out")
        from facebalance.commands.batch import run_analyze_batch

        run_analyze_batch(
            photos,
            out=out,
            workers=workers,
            scheduler=scheduler,
            sex=sex,
            ethnicity=ethnicity,
            norms=norms,
            rules=rules,
            ipd_mm=ipd_mm,
            console=console,
        )
        return
    if len(photos) > 1 and (json_out or annotate):
        raise typer.BadParameter("--json and --annotate take one photo; use --out-dir for several", param_hint="--json")
    try:
        norm_set = load_norm_set(norms)
        rule_set = load_finding_rules(rules)
    except FacebalanceError as exc:
        raise _fail(exc) from None
    outputs = OutputTargets(json_out, annotate, out_dir, None if quiet else console)
    failures = 0
    with FaceLandmarker() as landmarker:
        for photo in photos:
            try:
                result = analyze_photo(
                    photo,
                    sex=sex,
                    ethnicity=ethnicity,
                    norms=norm_set,
                    rules=rule_set,
                    known_ipd_mm=ipd_mm,
                    landmarker=landmarker,
                )
            except FaceDetectionError as exc:
                # No usable frontal face: a three-quarter photo takes the oblique path, a lateral photo the
                # profile path (silhouette, not the face mesh); anything else keeps the frontal error.
                from facebalance.commands.oblique import analyze_oblique_photo, is_oblique_photo
                from facebalance.commands.profile import analyze_profile_photo, photo_view

                refusal: FacebalanceError = exc
                if is_oblique_photo(photo, landmarker=landmarker):
                    read = analyze_oblique_photo(
                        photo,
                        sex=sex,
                        ethnicity=ethnicity,
                        norms=norm_set,
                        outputs=outputs,
                        rules=rule_set,
                        landmarker=landmarker,
                        quiet_if_not_oblique=True,
                    )
                    if isinstance(read, bool):
                        failures += not read
                        continue
                    refusal = read  # a profile whose face mesh still holds: the profile path may read it
                if photo_view(photo, landmarker=landmarker).startswith("profile"):
                    ok = analyze_profile_photo(
                        photo, sex=sex, ethnicity=ethnicity, norms=norm_set, outputs=outputs, landmarker=landmarker
                    )
                    failures += not ok
                else:
                    failures += 1
                    _fail(refusal, photo.name)
                continue
            except FacebalanceError as exc:
                failures += 1
                _fail(exc, photo.name)
                continue
            outputs.write(result, stem=photo.stem)
    if failures:
        raise typer.Exit(code=2)


@eval_app.command("measurements")
def eval_measurements(
    dataset: Annotated[Path, typer.Option(help="The London set folder (neutral/*.jpg with .tem templates).")],
    write: Annotated[Path | None, typer.Option(help="Update this markdown file's section with the results.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N photos.")] = None,
) -> None:
    """Each measurement vs. the same measurement from the hand-placed 189-point templates (MAD mm, ICC)."""
    from facebalance.evaluation.london import run_measurement_eval

    run_measurement_eval(dataset, write=write, limit=limit, console=console)


@eval_app.command("landmarks")
def eval_landmarks(
    dataset: Annotated[Path, typer.Option(help="A folder of images with iBUG 68-point .pts files (LFPW).")],
    write: Annotated[Path | None, typer.Option(help="Update this markdown file's section with the results.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N photos.")] = None,
) -> None:
    """Landmark accuracy as normalised mean error (NME, inter-ocular) on the LFPW subset."""
    from facebalance.evaluation.lfpw import run_landmark_eval

    run_landmark_eval(dataset, write=write, limit=limit, console=console)


@eval_app.command("population")
def eval_population(
    dataset: Annotated[Path, typer.Option(help="The London set folder (neutral/*.jpg, london_info.csv).")],
    write: Annotated[Path | None, typer.Option(help="Update this markdown file's section with the results.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N photos.")] = None,
) -> None:
    """Mean and SD by sex of the engine's measurements on a reference set (population norms)."""
    from facebalance.evaluation.population import run_population_eval

    run_population_eval(dataset, write=write, limit=limit, console=console)


@app.command()
def bench(
    write: Annotated[Path | None, typer.Option(help="Write the results into this markdown file.")] = None,
) -> None:
    """Time the engine: one 24 MP JPEG end to end, and batch throughput."""
    from facebalance.bench.frontal import run_bench

    run_bench(write=write, console=console)


@app.command()
def landmarks(
    markdown: Annotated[bool, typer.Option(help="Print Markdown (the source of docs/anatomy.md).")] = False,
) -> None:
    """Print the table of named anatomical points and the mesh indices used."""
    from rich.table import Table

    from facebalance.anatomy import LANDMARK_TABLE
    from facebalance.anatomy.landmarks import landmark_table_markdown

    if markdown:
        typer.echo(landmark_table_markdown(), nl=False)
        return

    table = Table("point", "mesh", "definition", "why", show_lines=True)
    for row in LANDMARK_TABLE:
        table.add_row(row.name, row.mesh, row.clinical_definition, row.why)
    console.print(table)


def _register_command_modules() -> None:
    import importlib
    import pkgutil

    import facebalance.commands as commands

    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"facebalance.commands.{module.name}").register(app, eval_app)


_register_command_modules()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
