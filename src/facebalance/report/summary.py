"""Terminal summaries of the frontal, profile and oblique analyses (Rich): one measurement table, one findings
list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from facebalance.zones.base import Zone

if TYPE_CHECKING:
    from facebalance.findings import Finding, NormComparison
    from facebalance.oblique.analysis import ObliqueAnalysis
    from facebalance.photo import PhotoAnalysis
    from facebalance.profile.analysis import ProfileAnalysis
    from facebalance.zones.base import Measurement

_SEVERITY_STYLE = {"mild": "yellow", "moderate": "dark_orange", "marked": "bold red"}


def measurement_table(
    measurements: Mapping[str, Measurement], comparisons: Mapping[str, NormComparison], *, by_zone: bool
) -> Table:
    """Each measurement with its uncertainty, its norm and where it lies; ``by_zone`` adds a zone column
    and orders the rows by zone."""
    columns = (
        ("zone", "measurement", "value", "norm", "status") if by_zone else ("measurement", "value", "norm", "status")
    )
    table = Table(*columns, box=None, pad_edge=False)
    order: Iterable[Zone | None] = Zone if by_zone else (None,)
    for zone in order:
        for mid, m in measurements.items():
            if zone is not None and m.zone is not zone:
                continue
            c = comparisons[mid]
            if m.value is None:
                value = f"[dim]not measured: {m.reason}[/]"
            else:
                unit = "" if m.unit.value in ("ratio", "fraction") else f" {m.unit.value}"
                value = f"{m.value:.2f} ± {m.uncertainty or 0:.2f}{unit}"
            norm = c.norm.describe(m.unit.value) if c.norm else ""
            status = {"above": "[yellow]above[/]", "below": "[yellow]below[/]"}.get(c.status, c.status)
            row = (mid, value, norm, status if c.norm else "")
            table.add_row(*((zone.value, *row) if zone is not None else row))
    return table


def print_findings(findings: Sequence[Finding], warnings: Sequence[str], console: Console) -> None:
    """The proposed findings by severity, then the analysis warnings."""
    if findings:
        console.print("[bold]Proposed findings[/] (for clinician confirmation):")
        for f in findings:
            style = _SEVERITY_STYLE[f.severity]
            console.print(f"  [{style}]{f.severity:>8}[/] {f.sentence}")
    else:
        console.print("No findings outside the norms.")
    for w in warnings:
        console.print(f"[yellow]warning:[/] {w}")


def print_summary(result: PhotoAnalysis, console: Console) -> None:
    """The frontal analysis: pose, scale, norm set, the measurement table by zone and the findings."""
    a = result.assessment
    p = a.pose
    console.rule(f"[bold]{result.source_name}[/]")
    console.print(
        f"pose yaw {p.yaw_deg:+.1f}°, pitch {p.pitch_deg:+.1f}°, roll {p.roll_deg:+.1f}°   "
        f"scale {a.calibration.mm_per_px / result.image.scale_to_full:.4f} mm/px "
        f"(±{a.calibration.relative_uncertainty:.1%}, ruler: {a.calibration.ruler.value})   "
        f"norms: {result.norms.name} ({a.patient.sex or 'sex not given'})"
    )
    console.print(measurement_table(a.measurements, a.comparisons, by_zone=True))
    print_findings(a.findings, a.warnings, console)


def print_profile_summary(result: ProfileAnalysis, console: Console) -> None:
    """The profile analysis: scale, outline, norm set, the measurement table and the findings."""
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
    console.print(measurement_table(a.measurements, a.comparisons, by_zone=False))
    print_findings([f.finding for f in a.findings], a.warnings, console)


def print_oblique_summary(result: ObliqueAnalysis, console: Console) -> None:
    """The oblique analysis: the cheek read, scale, silhouette, norm set, the measurement table and the findings."""
    a = result.assessment
    console.rule(
        f"[bold]{result.source_name}[/] ({result.view.replace('_', ' ')}: the patient's {a.side} cheek, "
        f"yaw {result.pose.yaw_deg:+.0f}°)"
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
        f"norms: {result.norms.name} ({a.patient.sex or 'sex not given'})"
    )
    console.print(measurement_table(a.measurements, a.comparisons, by_zone=True))
    if not a.findings:
        console.print(
            "[dim]The silhouette's depths have no population norm: they are judged against the other side and "
            "earlier sessions (facebalance.oblique.compare).[/]"
        )
    print_findings(a.findings, a.warnings, console)
