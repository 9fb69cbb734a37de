"""``facebalance bench-clinic`` reports p50/p95 per request and database into its own section of
docs/performance.md, leaving every other section as it was; it only ever loads a loopback server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from facebalance.bench.clinic import BenchError, DatabaseRun, Samples, measure_database, render_section, summarise
from facebalance.evaluation.common import write_section

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _run(database: str) -> DatabaseRun:
    samples = Samples()
    for ms in (10.0, 20.0, 30.0, 40.0, 1000.0):
        samples.add("patients list", ms, True, "")
    samples.add("plan (with edit choices)", 50.0, False, "HTTP 500")
    rows = summarise(samples, ["patients list", "plan (with edit choices)", "never requested"])
    return DatabaseRun(database, f"{database} 1.0", 2, 20, 10, 2.0, rows, tuple(samples.first_errors))


def test_it_summarises_each_request_with_its_percentiles_and_errors() -> None:
    rows = _run("SQLite").rows
    assert [r.name for r in rows] == ["patients list", "plan (with edit choices)"]
    first = rows[0]
    assert (first.count, first.p50_ms, first.max_ms, first.errors) == (5, 30.0, 1000.0, 0)
    assert first.p95_ms == pytest.approx(808.0)  # between 40 and 1000, 80% of the way
    assert rows[1].errors == 1


def test_it_writes_only_its_own_section(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\n<!-- BEGIN bench-batch -->\nkept as it is\n<!-- END bench-batch -->\n", "utf-8")
    body = render_section(
        [_run("SQLite"), _run("PostgreSQL")],
        command="facebalance bench-clinic",
        now=NOW,
        load_average="0.10, 0.20, 0.30",
        users=20,
        rounds=10,
        max_requests=2500,
        max_seconds=180,
    )
    write_section(doc, "bench-clinic", body)
    text = doc.read_text("utf-8")
    assert "<!-- BEGIN bench-batch -->\nkept as it is\n<!-- END bench-batch -->" in text
    assert "- date: 2026-11-24 09:00 UTC" in text and "- machine: " in text
    assert "### SQLite 1.0" in text and "### PostgreSQL 1.0" in text
    assert "| patients list | 5 | 30 | 808 | 1000 | 0 |" in text
    assert "First errors: plan (with edit choices): HTTP 500" in text
    write_section(doc, "bench-clinic", body)
    assert doc.read_text("utf-8") == text


def test_it_refuses_a_database_that_is_not_on_the_loopback_interface() -> None:
    with pytest.raises(BenchError, match="loopback"):
        measure_database("postgres://u:p@db.example.org:5432/x", users=1, rounds=1, max_requests=10, max_seconds=1)


def test_it_runs_a_whole_consultation_against_a_real_server_without_errors() -> None:
    """The bench seeds the demo clinic, prepares a consultation over HTTP (intake, analysis, review, plan) and
    loads the production server: with two users and one round every request answers without an error, so a
    change to a form or a page cannot silently break the measurement."""
    run = measure_database(None, users=2, rounds=1, max_requests=100, max_seconds=60)
    assert run.rows and all(row.errors == 0 for row in run.rows), run.first_errors
    assert {row.name for row in run.rows} >= {"patients list", "assessment", "plan (with edit choices)"}
