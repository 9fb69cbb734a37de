"""``facebalance dynamics``: movement assessment from a video or an expression-photo series; ``eval smile``;
``bench-dynamics``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

_PROMPTS_HINT = "Give a JSON list of {name, start_s, end_s}."
_PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif"}


def _fail(message: str, hint: str = "") -> typer.Exit:
    Console(stderr=True).print(f"[bold red]error[/] {message}" + (f"\n  [yellow]fix:[/] {hint}" if hint else ""))
    return typer.Exit(code=2)


def _is_video(path: Path) -> bool:
    from facebalance.dynamics.video import sniff_container

    if path.suffix.lower() in _PHOTO_SUFFIXES:
        return False
    try:
        with path.open("rb") as stream:
            return sniff_container(stream.read(512)) is not None
    except OSError:
        return True  # let the video reader say what is wrong with the path


def _read_prompts(path: Path) -> list[dict[str, object]]:
    """The prompt times of a guided recording from a JSON file (a list of {name, start_s, end_s})."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(
            f"Cannot read the prompts file {path}: {exc}.", "Give a JSON list of {name, start_s, end_s}."
        ) from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise _fail(f"{path} is not a JSON list of prompts.", _PROMPTS_HINT)
    return data


def _summary(result: object, console: Console) -> None:
    from facebalance.dynamics.results import DynamicsResult

    assert isinstance(result, DynamicsResult)
    unit = "s" if result.input_kind == "video" else "photo"
    console.print(
        f"[bold]{result.source}[/]: {result.frame_count} {'frames' if unit == 's' else 'photos'}, "
        f"{result.usable_frame_count} usable; 1 px = {result.calibration.mm_per_px:.3f} mm "
        f"(± {result.calibration.relative_uncertainty:.0%})"
    )
    table = Table(
        "expression",
        f"peak ({unit})",
        "measure",
        "patient's right",
        "patient's left",
        "asymmetry index",
        title="Movements",
        title_justify="left",
    )
    for e in (result.rest, *result.expressions):
        for i, m in enumerate(e.metrics):

            def cell(side: str, metric: object = m) -> str:
                value = metric.side(side)  # type: ignore[attr-defined]
                if value is None:
                    return "—"
                return (
                    f"{value.value:.2f} ± {value.sigma:.2f}"
                    if metric.unit == "fraction"
                    # type: ignore[attr-defined]
                    else (f"{value.value:.1f} ± {value.sigma:.1f}")
                )

            asym = e.asymmetries.get(m.id)
            index = "—" if asym is None or asym.index is None else f"{asym.index:+.2f}"
            shown = e.name if e.classified or e.reading is None else f"unclassified ({e.reading.candidate}?)"
            name = (shown + ("" if e.primary or not e.classified else " (repeat)")) if i == 0 else ""
            table.add_row(name, f"{e.peak_s:.2f}" if i == 0 else "", f"{m.id}", cell("right"), cell("left"), index)
    console.print(table)
    if result.missing:
        console.print(f"[yellow]missing:[/] {', '.join(result.missing)}")
    for f in result.findings:
        console.print(f"[bold]{f.severity}[/] {f.id}: {f.sentence}")
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {w}")
    for e in result.expressions:
        for w in e.warnings:
            console.print(f"[yellow]warning ({e.name} at {e.peak_s:.2f}):[/] {w}")


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    @app.command("dynamics")
    def dynamics(
        inputs: Annotated[
            list[Path],
            typer.Argument(
                help="One video (MP4, MOV, WebM), or two or more expression photos of one session (rest, smile, ...)."
            ),
        ],
        out: Annotated[Path, typer.Option(help="Folder for dynamics.json and the charts (created).")],
        script: Annotated[Path | None, typer.Option(help="A clinic's guided-script TOML.")] = None,
        norms: Annotated[Path | None, typer.Option(help="A clinic norm set (TOML) layered over the default.")] = None,
        rules: Annotated[Path | None, typer.Option(help="A clinic's movement-rules TOML.")] = None,
        patterns: Annotated[
            Path | None, typer.Option(help="A clinic's movement-patterns TOML (what names an expression).")
        ] = None,
        prompts: Annotated[
            Path | None,
            typer.Option(
                help="Video: the guided recording's prompt times, a JSON list of {name, start_s, end_s}; "
                "segmentation follows them instead of guessing."
            ),
        ] = None,
        labels: Annotated[
            str | None,
            typer.Option(
                help="Photo series: the expression of each photo, comma-separated (e.g. rest,smile), "
                "instead of reading the file names."
            ),
        ] = None,
        charts: Annotated[bool, typer.Option(help="Write signals.png, sides.png and peaks.png.")] = True,
        quiet: Annotated[bool, typer.Option(help="No terminal summary or progress bar.")] = False,
    ) -> None:
        """Dynamic assessment (zone 5): segment the expressions, measure each movement per side with its
        uncertainty, left/right asymmetry and compensation signs; writes OUT/dynamics.json and charts."""
        from facebalance.dynamics.assess import DynamicsOptions, assess_photos, assess_video
        from facebalance.dynamics.findings import load_movement_rules
        from facebalance.dynamics.patterns import load_patterns
        from facebalance.dynamics.script import load_script
        from facebalance.errors import FacebalanceError
        from facebalance.norms import load_norm_set
        from facebalance.report.dynamics import dynamics_document
        from facebalance.report.dynamics_charts import peaks_chart, sides_chart, signals_chart
        from facebalance.report.output import write_atomic

        console = Console()
        try:
            norm_set = load_norm_set(norms)
            options = DynamicsOptions(
                script=load_script(script),
                norms=norm_set,
                rules=load_movement_rules(norm_set, rules),
                patterns=load_patterns(patterns),
            )
            video = len(inputs) == 1 and _is_video(inputs[0])
            prompt_list = _read_prompts(prompts) if prompts is not None else []
            if prompt_list and not video:
                raise _fail("--prompts is for a video.", "Name the photos' expressions with --labels instead.")
            if video:
                progress = Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    TimeRemainingColumn(),
                    console=Console(stderr=True),
                    transient=True,
                    disable=quiet,
                )
                with progress:
                    task = progress.add_task(f"tracking {inputs[0].name}", total=None)

                    def report(done: int, expected: int | None) -> None:
                        progress.update(task, completed=done, total=max(expected or done, done))

                    result = assess_video(inputs[0], options=options, progress=report, prompts=prompt_list)
            else:
                names = [s.strip() for s in labels.split(",")] if labels else None
                result = assess_photos(inputs, options=options, labels=names)
        except FacebalanceError as exc:
            raise _fail(exc.message, exc.hint) from None
        out.mkdir(parents=True, exist_ok=True)
        document = dynamics_document(result)
        write_atomic(out / "dynamics.json", json.dumps(document, indent=2, ensure_ascii=False).encode())
        if charts:
            write_atomic(out / "signals.png", signals_chart(result))
            write_atomic(out / "sides.png", sides_chart(result))
            write_atomic(out / "peaks.png", peaks_chart(result))
        if not quiet:
            _summary(result, console)
            charts_text = " and signals.png, sides.png, peaks.png" if charts else ""
            console.print(f"wrote {out / 'dynamics.json'}{charts_text}")

    @eval_app.command("smile")
    def eval_smile(
        dataset: Annotated[Path, typer.Option(help="The London set folder (neutral/ and smiling/).")],
        write: Annotated[Path | None, typer.Option(help="Update this markdown file's section.")] = None,
        limit: Annotated[int | None, typer.Option(help="Only the first N people.")] = None,
    ) -> None:
        """Smile commissure excursion per side on the London neutral/smiling pairs (distribution)."""
        from facebalance.evaluation.smile import run_smile_eval

        try:
            run_smile_eval(dataset, write=write, limit=limit, console=Console())
        except FileNotFoundError as exc:
            raise _fail(str(exc), "Give the London set folder, e.g. ../shared/data/london_frontal.") from None

    @app.command("bench-dynamics")
    def bench_dynamics(
        write: Annotated[
            Path | None, typer.Option(help="Replace the bench-dynamics section of this markdown file.")
        ] = None,
        long_seconds: Annotated[int, typer.Option(help="Length of the long 1080p clip, seconds.")] = 60,
    ) -> None:
        """Time the dynamic assessment: fps on 640x360 video on one core, and a long 1080p clip via the CLI."""
        from facebalance.bench.dynamics import run_dynamics_bench

        run_dynamics_bench(write=write, console=Console(), long_seconds=long_seconds)
