"""The printable calibration marker: the page a clinic prints its markers from."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from facebalance.clinic.access import clinic_view
from facebalance.vision.marker import load_marker_spec, marker_svg

#: Length of the line printed beside the marker for checking the printer's scale with a ruler, mm.
CHECK_LINE_MM = 100


@clinic_view("account.self")
def marker_page(request: HttpRequest) -> HttpResponse:
    """The marker at its true size (SVG in millimetres), a 100 mm check line and how to use it."""
    spec = load_marker_spec()
    # marker_svg draws from the packaged specification only (numbers and rectangles, no user input).
    svg = mark_safe(marker_svg(spec))
    return render(
        request,
        "clinic/marker.html",
        {
            "spec": spec,
            "svg": svg,
            "copies": range(6),
            "check_mm": CHECK_LINE_MM,
            "check_end_mm": CHECK_LINE_MM - 0.3,
            "tolerance_mm": round(CHECK_LINE_MM * spec.side_sigma_mm / spec.side_mm, 1),
        },
    )
