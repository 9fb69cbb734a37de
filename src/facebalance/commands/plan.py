"""``facebalance plan``: a treatment plan from an assessment and an intake."""

from __future__ import annotations

import json
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.table import Table

from facebalance.errors import FacebalanceError


class BudgetBasis(StrEnum):
    """Which end of each price range the budget is checked against."""

    high = "high"
    mid = "mid"


def _read_document(path: Path, what: str) -> dict[str, Any]:
    """A JSON or TOML file as a dict, or a clear error naming the file."""
    from facebalance.planning.errors import IntakeError

    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise IntakeError(f"Cannot read the {what} {path}: {exc.strerror}.", hint="Check the path.") from None
    except UnicodeDecodeError:
        raise IntakeError(f"The {what} {path} is not UTF-8 text.", hint="Save it as UTF-8 JSON or TOML.") from None
    kind = "TOML" if path.suffix.lower() == ".toml" else "JSON"
    try:
        doc = tomllib.loads(text) if kind == "TOML" else json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise IntakeError(f"The {what} {path} is not valid {kind}: {exc}.", hint=f"Fix the {kind} syntax.") from None
    if not isinstance(doc, dict):
        raise IntakeError(f"The {what} {path} is not an object.", hint=f"The {what} is one {kind} object {{...}}.")
    return doc


def print_plan(plan: Any, console: Console) -> None:
    """The plan as a terminal summary: visits with items and prices, omissions, flags, referrals."""
    from facebalance.planning.plan import Plan

    assert isinstance(plan, Plan)
    console.print(f"[bold]Plan ({plan.status})[/]: {plan.summary}")
    for f in plan.flags:
        colour = "red" if f.level == "high" else "yellow"
        console.print(f"[{colour}]! {f.sentence}[/]")
    if plan.items:
        phased = len(plan.phases) > 1
        table = (
            Table("phase", "visit", "date", "item", "dose", "price")
            if phased
            else Table("visit", "date", "item", "dose", "price")
        )
        for i in plan.items:
            price = i.price.text() if i.price is not None else "on consultation"
            row = [
                str(i.visit + 1),
                i.date.isoformat(),
                i.label + (f" ({i.role})" if i.role != "treatment" else ""),
                i.dose_text,
                price,
            ]
            table.add_row(*([str(i.phase + 1)] if phased else []), *row)
        console.print(table)
        for ph in plan.phases if phased else ():
            console.print(f"[bold]{ph.sentence}[/] {ph.price.text()}")
        for i in plan.items:
            console.print(f"[bold]Visit {i.visit + 1}[/] {i.why} [dim]{i.when}[/]")
            for flag in i.flags:
                console.print(f"  [yellow]![/] {flag}")
    if plan.pricing is not None:
        totals = ", ".join(f"visit {n + 1} {p.text()}" for n, p in enumerate(plan.pricing.visit_totals))
        console.print(f"[bold]Total {plan.pricing.total.text()}[/] ({totals}).")
        for note in (*plan.pricing.notes, *plan.pricing.clinician_notes):
            console.print(f"  {note}")
    for o in plan.omissions:
        console.print(f"[dim]- {o.sentence}[/]")
    for r in plan.referrals:
        console.print(f"[cyan]Referral to {r.to}:[/] {r.sentence}")
    for n in plan.notes:
        console.print(f"[dim]Note: {n}[/]")
    for m in plan.maintenance:
        console.print(f"[dim]Maintenance: {m.sentence}[/]")
    if plan.reconsult is not None:
        console.print(
            f"[cyan]See the patient again from {plan.reconsult.on.isoformat()}:[/] {' '.join(plan.reconsult.reasons)}"
        )


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add ``facebalance plan`` to the CLI."""

    @app.command("plan")
    def plan(
        assessment: Annotated[
            Path,
            typer.Argument(
                help="Frontal analysis JSON (`facebalance analyze --json`) or session assessment JSON "
                "(`facebalance assess --json`)."
            ),
        ],
        intake: Annotated[Path, typer.Option(help="Intake file, JSON or TOML (schema facebalance.intake 1.0).")],
        json_out: Annotated[Path | None, typer.Option("--json", help="Write the plan JSON here.")] = None,
        prices: Annotated[
            Path | None, typer.Option(help="A clinic price list (TOML) layered over the default.")
        ] = None,
        budget_basis: Annotated[
            BudgetBasis | None, typer.Option(help="Check the budget against the high end or the mid-point.")
        ] = None,
        quiet: Annotated[bool, typer.Option(help="No terminal summary.")] = False,
    ) -> None:
        """Plan treatment: safe, sequenced, priced visits with every choice and omission explained."""
        from dataclasses import replace

        from facebalance.planning import (
            PlanningData,
            build_plan,
            findings_from_frontal,
            findings_from_session,
            parse_intake,
            plan_document,
        )
        from facebalance.planning.intake import SESSION_SCHEMA, assessment_sex
        from facebalance.planning.pricing import layer_price_lists, load_price_list, parse_price_list

        console, err = Console(), Console(stderr=True)
        try:
            analysis = _read_document(assessment, "assessment")
            read = findings_from_session if analysis.get("schema") == SESSION_SCHEMA else findings_from_frontal
            findings, measurements = read(analysis)
            patient = parse_intake(_read_document(intake, "intake"))
            if budget_basis is not None:
                basis: Literal["high", "mid"] = budget_basis.value
                patient = replace(patient, preferences=replace(patient.preferences, budget_basis=basis))
            price_list = load_price_list()
            if prices is not None:
                price_list = layer_price_lists(price_list, parse_price_list(_read_document(prices, "price list")))
            result = build_plan(
                findings,
                patient,
                measurements=measurements,
                data=PlanningData.default(prices=price_list),
                assessment_sex=assessment_sex(analysis),
            )
        except FacebalanceError as exc:
            err.print(f"[bold red]error[/] {exc.message}" + (f"\n  [yellow]fix:[/] {exc.hint}" if exc.hint else ""))
            raise typer.Exit(code=2) from None
        if json_out is not None:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            tmp = json_out.with_name(f".{json_out.name}.tmp")
            tmp.write_text(json.dumps(plan_document(result), indent=2, ensure_ascii=False) + "\n", "utf-8")
            tmp.replace(json_out)
        if not quiet:
            print_plan(result, console)
