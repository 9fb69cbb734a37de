"""With a scheduler address the batch runs on a Dask cluster (here a local one in this process) and
writes the same rows as a local run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from facebalance.batch import (
    BatchError,
    analyze_task,
    close_worker_landmarkers,
    collect_photos,
    read_rows,
    run_batch,
)
from tests.session.batch_archive import build_archive

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()
        close_worker_landmarkers()  # the in-process worker's thread opened one in this process


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("dask"))


def test_it_writes_the_same_rows_as_a_local_run(archive: Path, scheduler: str) -> None:
    files = collect_photos([archive])
    local_out, dask_out = archive.parent / "local.csv", archive.parent / "dask.csv"

    run_batch(files, analyze_task(sex="female"), out=local_out, workers=1, progress=False)
    summary = run_batch(files, analyze_task(sex="female"), out=dask_out, scheduler=scheduler, progress=False)

    assert summary.where == scheduler
    assert (summary.ok, summary.failed) == (2, 2)
    assert read_rows(dask_out) == read_rows(local_out)


def test_it_says_when_the_scheduler_cannot_be_reached(archive: Path) -> None:
    with pytest.raises(BatchError, match="Could not connect to the Dask scheduler"):
        run_batch(
            collect_photos([archive]),
            analyze_task(),
            out=archive.parent / "never.csv",
            scheduler="tcp://127.0.0.1:9",
            resume=False,
            progress=False,
            scheduler_timeout_s=1.0,
        )
