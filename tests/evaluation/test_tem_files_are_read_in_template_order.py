"""FRL .tem templates are read as (189, 2) pixel points in template order, ignoring the line definitions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from facebalance.evaluation.london import TEMPLATE_POINT_COUNT, TemplatePoint, read_tem
from tests.shared_data import BUNDLED_LONDON


def test_it_reads_the_points_and_ignores_what_follows(tmp_path: Path) -> None:
    tem = tmp_path / "face.tem"
    tem.write_text("3\n1.5\t2.0\n3.0\t4.25\n5.0\t6.0\n2\n0\n1 2\n", encoding="utf-8")

    assert np.array_equal(read_tem(tem), [[1.5, 2.0], [3.0, 4.25], [5.0, 6.0]])


def test_it_refuses_a_template_shorter_than_its_count(tmp_path: Path) -> None:
    tem = tmp_path / "short.tem"
    tem.write_text("189\n1\t2\n", encoding="utf-8")

    with pytest.raises(ValueError, match="189 points"):
        read_tem(tem)


def test_it_puts_the_subjects_right_pupil_on_the_image_left() -> None:
    points = read_tem(BUNDLED_LONDON / "001_03.tem")

    assert points.shape == (TEMPLATE_POINT_COUNT, 2)
    assert points[TemplatePoint.PUPIL_RIGHT, 0] < points[TemplatePoint.PUPIL_LEFT, 0]
    assert points[TemplatePoint.LATERAL_CANTHUS_RIGHT, 0] < points[TemplatePoint.MEDIAL_CANTHUS_RIGHT, 0]
