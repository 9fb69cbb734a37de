"""An unexpected exception, and even a worker process that dies, cost one row, never the batch."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from facebalance.batch import BatchError, Row, read_rows, run_batch

CRASHING_NAME = "kills-the-process.jpg"
RAISING_NAME = "raises.jpg"


def fussy_task(path: Path) -> Row:
    """Top level, so that spawned worker processes can import it."""
    if path.name == RAISING_NAME:
        raise ValueError("the archive's index says 'none'")
    if path.name == CRASHING_NAME:
        os._exit(3)  # what a crash in a native decoder looks like to the pool
    return {"pid": os.getpid(), "name_length": len(path.name)}


@pytest.fixture()
def files(tmp_path: Path) -> list[Path]:
    names = ["a.jpg", RAISING_NAME, "b.jpg", CRASHING_NAME, "c.jpg", "d.jpg"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    return [tmp_path / name for name in names]


def test_it_records_an_unexpected_exception_with_its_type(files: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "results.csv"

    summary = run_batch([f for f in files if f.name != CRASHING_NAME], fussy_task, out=out, workers=1, progress=False)

    rows = {Path(str(r["file"])).name: r for r in read_rows(out)}
    assert (summary.ok, summary.failed) == (4, 1)
    assert rows[RAISING_NAME]["error_code"] == "unexpected"
    assert rows[RAISING_NAME]["error_message"] == "ValueError: the archive's index says 'none'"


def test_it_survives_a_worker_process_that_dies(files: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "results.parquet"

    summary = run_batch(files, fussy_task, out=out, workers=2, progress=False)

    rows = {Path(str(r["file"])).name: r for r in read_rows(out)}
    assert summary.where == "2 local processes"
    assert (summary.ok, summary.failed) == (4, 2)
    assert rows[CRASHING_NAME]["error_code"] == "worker_crashed"
    assert rows[RAISING_NAME]["error_code"] == "unexpected"
    assert {r["status"] for name, r in rows.items() if name not in (CRASHING_NAME, RAISING_NAME)} == {"ok"}
    assert all(r["pid"] != os.getpid() for r in rows.values() if r["status"] == "ok")


def always_crashes(path: Path) -> Row:
    os._exit(3)


def test_it_gives_up_when_every_photo_crashes_its_worker(files: list[Path], tmp_path: Path) -> None:
    with pytest.raises(BatchError, match="crashed on each of the first 5 photos"):
        run_batch(files, always_crashes, out=tmp_path / "results.csv", workers=2, progress=False)

    assert len(read_rows(tmp_path / "results.csv")) == 5  # what was learnt is kept
