"""Measurements as CSV for research: one row per measurement of each analysis, no names.

Patients appear only by their record id (pseudonymous within the clinic); the birth year and sex are
kept because norms depend on them. Values and one-sigma uncertainties are in the unit column's unit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from facebalance.records.record import PatientRecord

COLUMNS = (
    "patient_id",
    "sex",
    "birth_year",
    "analysis_id",
    "taken",
    "measurement_id",
    "zone",
    "value",
    "uncertainty",
    "unit",
    "norm_mean",
    "norm_sd",
    "norm_status",
    "norm_deviation",
    "norm_source",
)


def _cell(x: float | None) -> str:
    return "" if x is None else repr(float(x))


def measurements_csv(records: Iterable[PatientRecord]) -> str:
    """The CSV text (header first, ``\\r\\n`` line ends as the csv module writes them)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for rec in records:
        p = rec.patient
        for a in sorted(rec.analyses, key=lambda a: a.taken):
            for m in a.measurements:
                n = m.norm
                writer.writerow(
                    [
                        p.id,
                        p.sex,
                        p.birth_date.year,
                        a.id,
                        a.taken.isoformat(),
                        m.id,
                        m.zone,
                        _cell(m.value),
                        _cell(m.uncertainty),
                        m.unit,
                        _cell(n.mean if n else None),
                        _cell(n.sd if n else None),
                        n.status if n else "",
                        _cell(n.deviation if n else None),
                        n.source if n else "",
                    ]
                )
    return out.getvalue()
