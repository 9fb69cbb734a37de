"""Two London people through the rest-vs-smile evaluation: each person's neutral and smiling photos give
interpupillary and intercanthal distances within a few millimetres of each other (another person's photo, a
broken pairing or a unit error would not), and the section is written."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from facebalance.evaluation.rest_smile import run_rest_smile_eval
from tests.shared_data import shared_path

PEOPLE = 2
#: Sanity bounds per distance, mm. The intercanthal one is wide: on person 001's smiling photo the creases
#: beside the medial canthi draw the corners about 3 mm together (docs/validation.md, rest vs smile).
SANE_DIFFERENCE_MM = {"interpupillary_distance_mm": 3.0, "intercanthal_width_mm": 6.0}


def test_a_persons_rest_and_smile_photos_give_close_eye_distances(tmp_path: Path) -> None:
    doc = tmp_path / "validation.md"
    result = run_rest_smile_eval(
        shared_path("london_frontal"), write=doc, limit=PEOPLE, console=Console(file=io.StringIO(), width=200)
    )
    assert len(result.people) == PEOPLE
    for person in result.people:
        for key, bound in SANE_DIFFERENCE_MM.items():
            assert abs(person.smile[key] - person.rest[key]) < bound, (person.person, key)
    assert "<!-- BEGIN eval-rest-smile -->" in doc.read_text("utf-8")
