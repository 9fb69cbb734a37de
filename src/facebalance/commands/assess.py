"""``facebalance assess``: one five-zone assessment from a whole photo session.

Every photo is given a protocol view (``--view VIEW=PATH``, else identified from the photo, else from its file
name), analysed by its own path (frontal, oblique, profile, the dynamic assessment for the expressions) with the
frontal ruler carried to the other views, and the findings are sorted into the five zones with the views they
came from and a "not assessed" line per missing, skipped or refused view (:func:`facebalance.assess.assess_session`).
Malformed options and a session where no view could be analysed exit with code 2 and say how to fix it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from facebalance.commands import report_error
from facebalance.errors import FacebalanceError

if TYPE_CHECKING:
    from facebalance.assess import SessionAssessment, SessionPhoto

console = Console()
#: The photo files a folder is read for.
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")


def _fail(message: str, fix: str) -> typer.Exit:
    Console(stderr=True).print(f"[bold red]error[/] {escape(message)}\n  [yellow]fix:[/] {escape(fix)}")
    return typer.Exit(code=2)


def parse_pairs(values: list[str], option: str, example: str) -> dict[str, str]:
    """``VIEW=VALUE`` options as a mapping; a malformed one exits with code 2 and the way to write it."""
    out: dict[str, str] = {}
    for raw in values:
        view, sep, value = raw.partition("=")
        if not sep or not view.strip() or not value.strip():
            raise _fail(f"{option} {raw!r} is not VIEW=VALUE.", f"Write it as {option} {example}.")
        if view.strip() in out:
            raise _fail(f"{option} names {view.strip()} twice.", f"Give one {option} per view.")
        out[view.strip()] = value.strip()
    return out


def session_photos(photos: list[Path], views: dict[str, str]) -> list[SessionPhoto]:
    """The session's photos: a folder's photo files, the files given, and ``--view`` photos with their view."""
    from facebalance.assess import SessionPhoto

    files: list[Path] = []
    for p in photos:
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in PHOTO_SUFFIXES)
            if not found:
                raise _fail(f"{p} holds no photo ({', '.join(PHOTO_SUFFIXES)}).", "Give the session's photo folder.")
            files += found
        elif p.is_file():
            files.append(p)
        else:
            raise _fail(f"{p} does not exist.", "Give photo files or the session's photo folder.")
    given = {Path(path).resolve() for path in views.values()}
    out = [SessionPhoto(None, f, f.name) for f in files if f.resolve() not in given]
    for view, path in views.items():
        file = Path(path)
        if not file.is_file():
            raise _fail(f"--view {view}={path}: the file does not exist.", "Give an existing photo: --view VIEW=PATH.")
        out.append(SessionPhoto(view, file, file.name))
    return out


def print_summary(result: SessionAssessment, out: Console) -> None:
    """Views (status and reason), the carried scale, then each zone: findings with their views, "not assessed"."""
    from rich.table import Table

    table = Table(title="Views", show_lines=False)
    for col in ("view", "status", "photo", "scale", "reason"):
        table.add_column(col)
    for v in result.views:
        scale = result.scale.of(v.view_id)
        text = (
            f"{scale.mm_per_px:.4f} mm/px ± {scale.relative_uncertainty:.1%} ({scale.method})"
            if scale is not None and scale.mm_per_px is not None and scale.relative_uncertainty is not None
            else ""
        )
        colour = {"analysed": "green", "refused": "red", "skipped": "yellow"}.get(v.status, "dim")
        table.add_row(v.view_id, f"[{colour}]{v.status}[/]", escape(v.name), text, escape(v.reason))
    out.print(table)
    out.print(f"Scale: the frontal ruler ({result.scale.ruler}) carried to every view.")
    for z in result.zones:
        out.print(f"\n[bold]{escape(z.label)}[/]  [dim]({', '.join(z.views) or 'no view'})[/]")
        for f in z.findings:
            severity = escape(f"[{f.finding.severity}]")
            out.print(f"  - {severity} {escape(f.finding.sentence)} [dim]({', '.join(f.views)})[/]")
        if not z.findings:
            out.print("  no finding proposed")
        for line in z.not_assessed:
            out.print(f"  [yellow]{escape(line)}[/]")
    for w in result.warnings:
        out.print(f"[yellow]note[/] {escape(w)}")


def assess(
    photos: Annotated[
        list[Path] | None, typer.Argument(help="The session's photos, or its folder; views identified from each.")
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the session assessment JSON here.")] = None,
    annotate_dir: Annotated[
        Path | None, typer.Option(help="Write one annotated PNG per analysed view here (VIEW.png).")
    ] = None,
    sex: Annotated[str | None, typer.Option(help="Patient's sex for sex-specific norms: female or male.")] = None,
    ethnicity: Annotated[str | None, typer.Option(help="Population for population-specific norms, if any.")] = None,
    norms: Annotated[Path | None, typer.Option(help="A clinic norm set (TOML) layered over the default.")] = None,
    rules: Annotated[Path | None, typer.Option(help="A clinic rule file (TOML) layered over the default.")] = None,
    ipd_mm: Annotated[
        float | None, typer.Option(help="Clinic-measured interpupillary distance (mm): the frontal ruler.")
    ] = None,
    skip: Annotated[
        list[str] | None, typer.Option(help="A view skipped on purpose, with the reason: VIEW=REASON (repeatable).")
    ] = None,
    view: Annotated[
        list[str] | None, typer.Option(help="A photo with its protocol view: VIEW=PATH (repeatable).")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No terminal summary or progress.")] = False,
) -> None:
    """Assess a whole photo session: every view, one carried scale, five zones, cross-view findings."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from facebalance.assess import assess_session
    from facebalance.findings import load_finding_rules
    from facebalance.norms import load_norm_set
    from facebalance.report.output import write_atomic
    from facebalance.report.session import session_document, session_images
    from facebalance.session.protocol import load_protocol

    if json_out is None:
        raise _fail("--json is required.", "Name the file for the session assessment: --json session.json.")
    if sex is not None and sex not in ("female", "male"):
        raise _fail(f"--sex {sex!r} is not female or male.", "Use --sex female or --sex male (or leave it out).")
    if ipd_mm is not None and not 40.0 <= ipd_mm <= 80.0:
        raise _fail(f"--ipd-mm {ipd_mm:g} is not an adult interpupillary distance.", "Give it in mm, e.g. --ipd-mm 63.")
    protocol = load_protocol()
    known = [v.id for v in protocol.views]
    skipped = parse_pairs(skip or [], "--skip", "oblique_left='patient declined'")
    views = parse_pairs(view or [], "--view", "oblique_left=photos/IMG_0042.jpg")
    for option, given in (("--skip", skipped), ("--view", views)):
        for name in given:
            if name not in known:
                raise _fail(f"{option} {name}: not a view of the photo protocol.", f"Use one of: {', '.join(known)}.")
    both = set(skipped) & set(views)
    if both:
        raise _fail(f"{', '.join(sorted(both))} is both skipped and given a photo.", "Drop the --skip or the --view.")
    inputs = session_photos(photos or [], views)
    if not inputs:
        raise _fail("No photo was given.", "Give the session's photos or its folder, or --view VIEW=PATH.")
    try:
        norm_set = load_norm_set(norms)
        rule_set = load_finding_rules(rules)
    except FacebalanceError as exc:
        raise report_error(exc) from None
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=quiet,
    )
    with progress:
        task = progress.add_task("assessing the session", total=None)
        result = assess_session(
            inputs,
            skipped=skipped,
            sex=sex,
            ethnicity=ethnicity,
            norms=norm_set,
            rules=rule_set,
            protocol=protocol,
            known_ipd_mm=ipd_mm,
            progress=lambda line: progress.update(task, description=escape(line)),
        )
    if not any(v.analysis is not None for v in result.views):
        reasons = "; ".join(f"{v.view_id} ({v.name}): {v.reason}" for v in result.views if v.status == "refused")
        raise _fail(
            "No view of the session could be analysed" + (f": {reasons}" if reasons else "."),
            "Give at least one readable frontal, oblique or profile photo (see each reason above); --view VIEW=PATH "
            "names a photo's view when it cannot be identified.",
        )
    document = session_document(result)
    images = session_images(result) if annotate_dir is not None else {}
    write_atomic(json_out, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    if annotate_dir is not None:
        for view_id, png in images.items():
            write_atomic(annotate_dir / f"{view_id}.png", png)
    if not quiet:
        print_summary(result, console)
        console.print(f"\nwrote {json_out}" + (f" and {len(images)} PNG(s) in {annotate_dir}" if images else ""))


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add ``facebalance assess``."""
    app.command("assess")(assess)
