"""Terminal summary of one analysis (Rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from facebalance.analysis import PhotoAnalysis
from facebalance.zones.base import Zone

_SEVERITY_STYLE = {"mild": "yellow", "moderate": "dark_orange", "marked": "bold red"}


def print_summary(result: PhotoAnalysis, console: Console) -> None:
    a = result.assessment
    p = a.pose
    console.rule(f"[bold]{result.source_name}[/]")
    console.print(
        f"pose yaw {p.yaw_deg:+.1f}°, pitch {p.pitch_deg:+.1f}°, roll {p.roll_deg:+.1f}°   "
        f"scale {a.calibration.mm_per_px / result.image.scale_to_full:.4f} mm/px "
        f"(±{a.calibration.relative_uncertainty:.1%}, {a.calibration.method.value})   "
        f"norms: {result.norms.name} ({a.patient.sex or 'sex not given'})"
    )
    table = Table("zone", "measurement", "value", "norm", "status", box=None, pad_edge=False)
    for zone in Zone:
        for mid, m in a.measurements.items():
            if m.zone is not zone:
                continue
            c = a.comparisons[mid]
            if m.value is None:
                value = f"[dim]not measured: {m.reason}[/]"
            else:
                unit = "" if m.unit.value in ("ratio", "fraction") else f" {m.unit.value}"
                value = f"{m.value:.2f} ± {m.uncertainty or 0:.2f}{unit}"
            norm = c.norm.describe(m.unit.value) if c.norm else ""
            status = {"above": "[yellow]above[/]", "below": "[yellow]below[/]"}.get(c.status, c.status)
            table.add_row(zone.value, mid, value, norm, status if c.norm else "")
    console.print(table)
    if a.findings:
        console.print("[bold]Proposed findings[/] (for clinician confirmation):")
        for f in a.findings:
            style = _SEVERITY_STYLE[f.severity]
            console.print(f"  [{style}]{f.severity:>8}[/] {f.sentence}")
    else:
        console.print("No findings outside the norms.")
    for w in a.warnings:
        console.print(f"[yellow]warning:[/] {w}")
