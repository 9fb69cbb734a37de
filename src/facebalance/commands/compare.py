"""``facebalance compare``: before/after photos aligned on stable anatomy, with the measurement changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from facebalance.commands import report_error

if TYPE_CHECKING:
    from facebalance.beforeafter import BeforeAfter

#: The files ``compare`` writes into ``--out``.
OUTPUT_FILES = ("side_by_side.png", "blink_before.png", "blink_after.png", "overlay.png", "changes.json")
_MODES = ("tracked", "each_photo", "before_scale")


_fail = report_error


def _write_all_atomic(files: dict[Path, bytes]) -> None:
    """Write every file to a temporary name first and rename them only when all are written."""
    temporaries: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(data)
            temporaries.append((tmp, path))
        for tmp, path in temporaries:
            tmp.replace(path)
    finally:
        for tmp, _ in temporaries:
            tmp.unlink(missing_ok=True)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def changes_table(result: BeforeAfter) -> Table:
    """The measurement changes as a Rich table; changed rows in bold."""
    table = Table(
        "measurement",
        "unit",
        "before",
        "after",
        "change",
        "± 1 sigma",
        "changed",
        title=f"{escape(result.before_name)} -> {escape(result.after_name)} ({result.mode.value})",
        title_justify="left",
    )
    for c in result.changes:
        if c.delta is None:
            table.add_row(c.id, c.unit, _fmt(c.before), _fmt(c.after), "-", "-", "[dim]n/a[/]")
            continue
        style = "bold" if c.changed else ""
        table.add_row(
            c.id,
            c.unit,
            _fmt(c.before),
            _fmt(c.after),
            f"{c.delta:+.2f}",
            _fmt(c.sigma_delta),
            "[bold green]yes[/]" if c.changed else "no",
            style=style,
        )
    return table


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    @app.command("compare")
    def compare(
        before: Annotated[Path, typer.Argument(help="The earlier frontal photo.")],
        after: Annotated[Path, typer.Argument(help="The later frontal photo of the same view.")],
        out: Annotated[
            Path,
            typer.Option(
                help="Folder for side_by_side.png, blink_before.png, blink_after.png, overlay.png and changes.json."
            ),
        ],
        sex: Annotated[str | None, typer.Option(help="Patient's sex for sex-specific norms: female or male.")] = None,
        mode: Annotated[
            str,
            typer.Option(
                help="Where the after values come from: tracked (before points followed by optical flow, the "
                "default), each_photo (each photo's own mesh and calibration) or before_scale (own mesh, "
                "before photo's scale)."
            ),
        ] = "tracked",
        quiet: Annotated[bool, typer.Option(help="No terminal table.")] = False,
    ) -> None:
        """Align two photos of the same view on stable anatomy and report what changed beyond the noise."""
        from facebalance.analysis import analyze_photo
        from facebalance.beforeafter import (
            ComparisonMode,
            aligned_pictures,
            compare_analyses,
            comparison_document,
            png_bytes,
        )
        from facebalance.errors import FacebalanceError
        from facebalance.vision import FaceLandmarker

        if sex is not None and sex not in ("female", "male"):
            raise typer.BadParameter("use female or male", param_hint="--sex")
        if mode not in _MODES:
            raise typer.BadParameter(f"use one of {', '.join(_MODES)}", param_hint="--mode")
        analyses = []
        with FaceLandmarker() as landmarker:
            for role, photo in (("before", before), ("after", after)):
                try:
                    analyses.append(analyze_photo(photo, sex=sex, landmarker=landmarker))
                except FacebalanceError as exc:
                    raise _fail(exc, f"{role} {photo.name}") from None
        first, second = analyses
        result = compare_analyses(first, second, mode=ComparisonMode(mode))
        pictures = aligned_pictures(first, second, result.alignment)
        doc = comparison_document(result, before_scale_to_full=first.image.scale_to_full)
        try:
            out.mkdir(parents=True, exist_ok=True)
            _write_all_atomic(
                {
                    out / "side_by_side.png": png_bytes(pictures.side_by_side),
                    out / "blink_before.png": png_bytes(pictures.before),
                    out / "blink_after.png": png_bytes(pictures.after_aligned),
                    out / "overlay.png": png_bytes(pictures.overlay),
                    out / "changes.json": json.dumps(doc, indent=2, ensure_ascii=False).encode(),
                }
            )
        except OSError as exc:
            Console(stderr=True).print(
                f"[bold red]error[/] could not write into {escape(str(out))}: "
                f"{escape(exc.strerror or str(exc))}\n  [yellow]fix:[/] choose a folder "
                "you can write to with --out"
            )
            raise typer.Exit(code=2) from None
        if quiet:
            return
        console = Console()
        a = result.alignment
        console.print(
            f"aligned on {len(a.points)} stable points ({a.method.value}): residual {a.residual_rms_px:.2f} "
            f"px RMS, scale {a.similarity.scale:.4f}, rotation {a.similarity.rotation_deg:+.2f} deg"
        )
        console.print(changes_table(result))
        for warning in result.warnings:
            console.print(f"[yellow]warning:[/] {escape(warning)}")
        n = len(result.changed)
        sigmas = result.settings.change_sigmas
        console.print(
            f"{n} measurement{'s' if n != 1 else ''} changed beyond {sigmas:g} sigma; wrote {escape(str(out))}/"
        )
