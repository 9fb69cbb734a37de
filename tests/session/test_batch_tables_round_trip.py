"""Results written as CSV or Parquet read back as they were written, hostile text included, and CSV text a
spreadsheet would run as a formula is written inert."""

from __future__ import annotations

from pathlib import Path

import pytest

from facebalance.batch import BatchError, Row, read_rows, write_rows

ROWS: list[Row] = [
    {
        "file": '=HYPERLINK("http://x").jpg',
        "status": "ok",
        "error_code": None,
        "error_message": None,
        "mouth_width_mm": 44.6492,
        "mouth_width_mm__uncertainty": 3.1372,
        "n_findings": 1,
        "note": '-rf, "quoted"',
    },
    {
        "file": "archive/line\nbreak, comma.jpg",
        "status": "error",
        "error_code": "corrupt_image",
        "error_message": "The image data is truncated; send the original file again.",
        "mouth_width_mm": None,
        "mouth_width_mm__uncertainty": None,
        "n_findings": None,
        "note": "'already quoted",
    },
    {
        "file": "archive/caf\\xe9 \u00e9\u4e2d.jpg",
        "status": "ok",
        "error_code": None,
        "error_message": None,
        "mouth_width_mm": -0.000123456789,
        "mouth_width_mm__uncertainty": 1e-12,
        "n_findings": 0,
        "note": "@sum",
    },
]


@pytest.mark.parametrize("name", ["results.csv", "results.parquet"])
def test_it_reads_back_what_it_wrote(tmp_path: Path, name: str) -> None:
    out = tmp_path / name

    write_rows(out, ROWS)

    assert read_rows(out) == ROWS


def test_it_writes_formula_like_csv_text_with_a_leading_apostrophe(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"

    write_rows(out, ROWS)

    text = out.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'@sum" in text and "'-rf" in text
    assert "-0.000123456789" in text  # numbers are numbers, not text


def test_it_refuses_an_unknown_output_format(tmp_path: Path) -> None:
    with pytest.raises(BatchError, match=r"unknown format \.xlsx"):
        write_rows(tmp_path / "results.xlsx", ROWS)
