"""The clinic's printable marker page: printed (PDF at 300 dpi), the marker is found and its black square
measures the specified millimetres, so a clinic can make its own rulers."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from django.test import Client
from PIL import Image

from facebalance.vision.marker import find_marker, load_marker_spec
from tests.clinic.clinic_records import ClinicRecords
from tests.shared_data import system_tool

PRINT_DPI = 300
#: The printed square's side against the specification: the PDF and raster pipeline's own rounding.
SIDE_TOLERANCE = 0.01


def test_the_printed_marker_is_found_at_its_true_size(clinic_a: ClinicRecords, tmp_path: Path) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    client = Client()
    client.force_login(clinic_a.front_desk)
    response = client.get("/settings/marker/")
    assert response.status_code == 200
    page = response.content.decode()
    svg = re.search(r"<svg[^>]*aria-label=\"facebalance calibration marker.*?</svg>", page, re.S)
    assert svg is not None and "100 mm" in page

    pdf = tmp_path / "marker.pdf"
    weasyprint.HTML(string=f"<html><body>{svg.group(0)}</body></html>").write_pdf(pdf)
    subprocess.run(
        [system_tool("pdftoppm"), "-r", str(PRINT_DPI), "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    with Image.open(tmp_path / "page.png") as image:
        rgb = np.asarray(image.convert("RGB"))

    spec = load_marker_spec()
    found = find_marker(rgb, spec)
    assert found is not None and found.usable
    side_mm = found.side_px / (PRINT_DPI / 25.4)
    assert side_mm == pytest.approx(spec.side_mm, rel=SIDE_TOLERANCE)
