"""iBUG .pts files are 1-indexed; the reader returns 0-indexed pixels like the mesh."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from facebalance.evaluation.lfpw import IBUG_POINT_COUNT, read_pts
from tests.shared_data import shared_path


def _write_pts(path: Path, points: np.ndarray) -> None:
    rows = "\n".join(f"{x:.6f} {y:.6f}" for x, y in points)
    path.write_text(f"version: 1\nn_points:  {len(points)}\n{{\n{rows}\n}}\n", encoding="utf-8")


def test_it_subtracts_one_from_every_coordinate(tmp_path: Path) -> None:
    written = np.arange(IBUG_POINT_COUNT * 2, dtype=float).reshape(-1, 2) + 1.0
    _write_pts(tmp_path / "face.pts", written)

    assert np.array_equal(read_pts(tmp_path / "face.pts"), written - 1.0)


def test_it_refuses_a_file_shorter_than_its_header(tmp_path: Path) -> None:
    _write_pts(tmp_path / "short.pts", np.ones((3, 2)))
    text = (tmp_path / "short.pts").read_text(encoding="utf-8").replace("n_points:  3", "n_points:  68")
    (tmp_path / "short.pts").write_text(text, encoding="utf-8")

    with pytest.raises(ValueError, match="expected 68"):
        read_pts(tmp_path / "short.pts")


def test_it_reads_an_lfpw_file() -> None:
    points = read_pts(shared_path("lfpw_train_subset", "image_0001.pts"))

    assert points.shape == (IBUG_POINT_COUNT, 2)
    # iBUG 36 (outer corner of the image-left eye) lies left of 45.
    assert points[36, 0] < points[45, 0]
