"""Terminal summary of one oblique analysis (Rich)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from facebalance.oblique.analysis import ObliqueAnalysis

_SEVERITY_STYLE = {"mild": "yellow", "moderate": "dark_orange", "marked": "bold red"}


def print_oblique_summary(result: ObliqueAnalysis, console: Console) -> None:
    a = result.assessment
    console.rule(
        f"[bold]{escape(result.source_name)}[/] ({result.view.replace('_', ' ')}: the patient's {a.side} cheek, "
        f"yaw {result.pose.yaw_deg:+.0f} deg)"
    )
    cal = a.calibration
    scale = (
        "no millimetre scale"
        if cal is None
        else f"scale {cal.mm_per_px / result.image.scale_to_full:.4f} mm/px (±{cal.relative_uncertainty:.1%}, "
        "turned-head iris ruler)"
    )
    console.print(
        f"{scale}   silhouette on edge {a.outline.edge_found_fraction:.0%}   "
        f"norms: {escape(result.norms.name)} ({a.patient.sex or 'sex not given'})"
    )
    table = Table("measurement", "value", "norm", "status", box=None, pad_edge=False)
    for mid, m in a.measurements.items():
        c = a.comparisons[mid]
        if m.value is None:
            value = f"[dim]not measured: {escape(m.reason)}[/]"
        else:
            unit = "" if m.unit.value in ("ratio", "fraction") else f" {m.unit.value}"
            value = f"{m.value:.2f} ± {m.uncertainty or 0:.2f}{unit}"
        norm = c.norm.describe(m.unit.value) if c.norm else "[dim]no population norm[/]"
        status = {"above": "[yellow]above[/]", "below": "[yellow]below[/]"}.get(c.status, c.status)
        table.add_row(mid, value, norm, status if c.norm else "")
    console.print(table)
    if a.findings:
        console.print("[bold]Proposed findings[/] (for clinician confirmation):")
        for f in a.findings:
            console.print(f"  [{_SEVERITY_STYLE[f.severity]}]{f.severity:>8}[/] {escape(f.sentence)}")
    else:
        console.print("No findings: contours are judged against the other side and earlier sessions, not a population.")
    for w in a.warnings:
        console.print(f"[yellow]warning:[/] {escape(w)}")
