"""Research CSV: one row per measurement, no names, values as recorded."""

from __future__ import annotations

import csv
import io

from facebalance.records.csvexport import COLUMNS, measurements_csv
from tests.records.test_fhir_bundle_round_trips import dana_record


def test_it_writes_one_row_per_measurement_without_names() -> None:
    text = measurements_csv([dana_record()])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0].keys()) == COLUMNS
    assert len(rows) == 4
    assert "Dana" not in text and "Reed" not in text
    lower = next(r for r in rows if r["measurement_id"] == "lower_third_mm")
    assert (float(lower["value"]), float(lower["uncertainty"]), lower["unit"]) == (68.25, 1.1, "mm")
    assert (lower["norm_status"], lower["birth_year"], lower["sex"]) == ("above", "1988", "female")
    missing = next(r for r in rows if r["measurement_id"] == "trichion_height_mm")
    assert missing["value"] == "" and missing["norm_mean"] == ""
