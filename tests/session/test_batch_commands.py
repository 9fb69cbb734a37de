"""`facebalance analyze-batch` writes the table and the summary and says which photos failed;
`facebalance bench-batch` owns only its section of docs/performance.md."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from facebalance.batch import BatchSummary, read_rows
from facebalance.bench.batch import SECTION, BatchRun, render_section, run_bench_batch
from facebalance.cli import app
from facebalance.evaluation.common import write_section
from tests.session.batch_archive import build_archive


def test_it_analyses_a_folder_into_parquet_and_exits_1_when_some_failed(tmp_path: Path) -> None:
    archive = build_archive(tmp_path)
    out = tmp_path / "results.parquet"

    result = CliRunner().invoke(
        app, ["analyze-batch", str(archive), "--out", str(out), "--workers", "1", "--sex", "female", "--quiet"]
    )

    assert result.exit_code == 1, result.output
    rows = read_rows(out)
    assert sorted(str(r["status"]) for r in rows) == ["error", "error", "ok", "ok"]
    assert "2 photo(s) failed" in result.output and "Run the same command again" in result.output


def test_it_refuses_an_unknown_output_format_with_exit_code_2(tmp_path: Path) -> None:
    archive = build_archive(tmp_path)

    result = CliRunner().invoke(app, ["analyze-batch", str(archive), "--out", str(tmp_path / "results.xlsx")])

    assert result.exit_code == 2
    assert "unknown format .xlsx" in result.output
    assert not (tmp_path / "results.xlsx").exists()


def fake_run(workers: int, seconds: float) -> BatchRun:
    summary = BatchSummary(
        out=Path("results.csv"),
        total=51,
        skipped=0,
        ok=51,
        failed=0,
        seconds=seconds,
        first_result_seconds=0.5,
        top_errors=(),
        where=f"{workers} local processes",
    )
    return BatchRun(workers=workers, summary=summary)


def test_it_writes_its_section_and_leaves_the_rest_of_the_report(tmp_path: Path) -> None:
    report = tmp_path / "performance.md"
    report.write_text("# Performance\n\nThe single-photo tables of `facebalance bench`.\n", encoding="utf-8")
    body = render_section(
        [fake_run(1, 3.0), fake_run(2, 2.0)],
        command="facebalance bench-batch --write x",
        dataset=Path("neutral"),
        load_average="0.10, 0.20, 0.30",
        now=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
    )

    write_section(report, SECTION, body)

    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nThe single-photo tables of `facebalance bench`.\n")
    assert "<!-- BEGIN bench-batch -->" in text and text.rstrip().endswith("<!-- END bench-batch -->")
    assert "| 1 | 51 | 51 | 3.00 | 17.0 | 0.50 | 20.0 |" in text
    assert "| 2 | 51 | 51 | 2.00 | 25.5 | 0.50 | 33.3 |" in text
    assert "- date: 2026-01-02 03:04 UTC" in text


def test_it_skips_the_bench_when_the_london_set_is_absent(tmp_path: Path) -> None:
    from rich.console import Console

    console = Console(record=True, width=200)

    ran = run_bench_batch(dataset=tmp_path / "missing", write=tmp_path / "performance.md", console=console)

    assert ran is False
    assert "skipped" in console.export_text()
    assert not (tmp_path / "performance.md").exists()
