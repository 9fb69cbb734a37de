"""Terminal summary of one profile analysis (Rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from facebalance.profile.analysis import ProfileAnalysis

_SEVERITY_STYLE = {"mild": "yellow", "moderate": "dark_orange", "marked": "bold red"}


def print_profile_summary(result: ProfileAnalysis, console: Console) -> None:
    a = result.assessment
    console.rule(f"[bold]{result.source_name}[/] ({result.view.replace('_', ' ')})")
    if a.scale is None:
        scale = "no millimetre scale"
    else:
        cal = a.scale.calibration
        scale = (
            f"scale {cal.mm_per_px / result.image.scale_to_full:.4f} mm/px (±{cal.relative_uncertainty:.1%}, "
            f"{a.scale.method.value})"
        )
    console.print(
        f"{scale}   outline on edge {a.outline.edge_found_fraction:.0%}   "
        f"norms: {result.norms.name} ({a.patient.sex or 'sex not given'})"
    )
    table = Table("measurement", "value", "norm", "status", box=None, pad_edge=False)
    for mid, m in a.measurements.items():
        c = a.comparisons[mid]
        if m.value is None:
            value = f"[dim]not measured: {m.reason}[/]"
        else:
            unit = "" if m.unit.value in ("ratio", "fraction") else f" {m.unit.value}"
            value = f"{m.value:.2f} ± {m.uncertainty or 0:.2f}{unit}"
        norm = c.norm.describe(m.unit.value) if c.norm else ""
        status = {"above": "[yellow]above[/]", "below": "[yellow]below[/]"}.get(c.status, c.status)
        table.add_row(mid, value, norm, status if c.norm else "")
    console.print(table)
    if a.findings:
        console.print("[bold]Proposed findings[/] (for clinician confirmation):")
        for f in a.findings:
            style = _SEVERITY_STYLE[f.finding.severity]
            console.print(f"  [{style}]{f.finding.severity:>8}[/] {f.finding.sentence}")
    else:
        console.print("No findings outside the norms.")
    for w in a.warnings:
        console.print(f"[yellow]warning:[/] {w}")
