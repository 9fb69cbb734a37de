"""A batch writes a row for every file, good or bad, without stopping; a re-run skips the finished files
and tries the failed ones again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from facebalance.batch import (
    BatchSummary,
    Row,
    analyze_row,
    collect_photos,
    file_key,
    journal_path,
    read_rows,
    run_batch,
)
from tests.session.batch_archive import GOOD, NOT_A_PHOTO, TRUNCATED, build_archive

#: Every file the counting task was called with, in this process (the batch runs here with workers=1).
CALLS: list[str] = []


def counting_analyze(path: Path) -> Row:
    CALLS.append(path.name)
    return analyze_row(path, sex="female")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("batch"))


@pytest.fixture(scope="module")
def first_run(archive: Path) -> tuple[BatchSummary, list[Row]]:
    CALLS.clear()
    out = archive.parent / "results.csv"
    summary = run_batch(collect_photos([archive]), counting_analyze, out=out, workers=1, progress=False)
    return summary, read_rows(out)


def by_name(rows: list[Row]) -> dict[str, Row]:
    return {Path(str(r["file"])).name: r for r in rows}


def test_it_writes_one_row_per_file(first_run: tuple[BatchSummary, list[Row]]) -> None:
    summary, rows = first_run

    assert sorted(by_name(rows)) == sorted([*GOOD, NOT_A_PHOTO, TRUNCATED])
    assert (summary.total, summary.ok, summary.failed, summary.skipped) == (4, 2, 2, 0)


def test_it_measures_the_good_photos(first_run: tuple[BatchSummary, list[Row]]) -> None:
    rows = by_name(first_run[1])

    for name in GOOD:
        assert rows[name]["status"] == "ok"
        assert rows[name]["error_code"] is None
        assert isinstance(rows[name]["mouth_width_mm"], float)
        assert isinstance(rows[name]["mouth_width_mm__uncertainty"], float)
        assert isinstance(rows[name]["pose_yaw_deg"], float)
        assert isinstance(rows[name]["calibration_mm_per_px"], float)


def test_it_records_why_each_bad_file_failed(first_run: tuple[BatchSummary, list[Row]]) -> None:
    rows = by_name(first_run[1])

    assert (rows[NOT_A_PHOTO]["status"], rows[NOT_A_PHOTO]["error_code"]) == ("error", "not_an_image")
    assert "not an image" in str(rows[NOT_A_PHOTO]["error_message"])
    assert (rows[TRUNCATED]["status"], rows[TRUNCATED]["error_code"]) == ("error", "corrupt_image")
    assert "truncated" in str(rows[TRUNCATED]["error_message"])
    assert dict(first_run[0].top_errors).keys() == {
        rows[NOT_A_PHOTO]["error_message"],
        rows[TRUNCATED]["error_message"],
    }


def test_it_skips_the_finished_files_on_a_rerun(archive: Path, first_run: tuple[BatchSummary, list[Row]]) -> None:
    out = archive.parent / "results.csv"
    CALLS.clear()

    summary = run_batch(collect_photos([archive]), counting_analyze, out=out, workers=1, progress=False)

    assert summary.skipped == 2
    assert sorted(CALLS) == sorted([NOT_A_PHOTO, TRUNCATED])
    assert sorted(by_name(read_rows(out))) == sorted([*GOOD, NOT_A_PHOTO, TRUNCATED])


def test_it_starts_afresh_without_resume(archive: Path, first_run: tuple[BatchSummary, list[Row]]) -> None:
    out = archive.parent / "results.csv"
    CALLS.clear()

    summary = run_batch(collect_photos([archive]), counting_analyze, out=out, workers=1, resume=False, progress=False)

    assert summary.skipped == 0
    assert len(CALLS) == 4


def test_it_resumes_from_the_journal_after_a_hard_stop(tmp_path: Path) -> None:
    files = [tmp_path / "a.jpg", tmp_path / "b.jpg"]
    for f in files:
        f.write_bytes(b"x")
    out = tmp_path / "results.parquet"
    # What a killed run leaves: a journal line for a.jpg, half a line, and no output yet.
    done = {"file": file_key(files[0]), "status": "ok", "error_code": None, "error_message": None, "n": 1}
    journal_path(out).write_text(json.dumps(done) + "\n" + '{"file": "b.j', encoding="utf-8")
    CALLS.clear()

    summary = run_batch(files, name_length, out=out, workers=1, progress=False)

    assert summary.skipped == 1
    assert [r["file"] for r in read_rows(out)] == [file_key(f) for f in files]
    assert not journal_path(out).exists()


def name_length(path: Path) -> Row:
    CALLS.append(path.name)
    return {"n": len(path.name)}
