"""Clinician-graded scales (``data/scales.toml``): what each grade means and where the scale comes from."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from facebalance.planning.datafiles import packaged_toml, source_of
from facebalance.planning.errors import IntakeError
from facebalance.planning.vocabulary import did_you_mean

Direction = Literal["deficit_high", "deficit_low"]


@dataclass(frozen=True)
class Scale:
    """One validated (or working) grading scale.

    ``direction`` says which end is the deficit: ``deficit_high`` for lines and hollows (4 = severe),
    ``deficit_low`` for lip fullness (0 = very thin).
    """

    id: str
    label: str
    min: int
    max: int
    direction: Direction
    anchors: tuple[str, ...]
    source: str
    review: str

    def describe(self, grade: int) -> str:
        """``'chin retrusion 2 of 0-4 (moderate)'``: the grade in words for the written plan.

        Examples
        --------
        >>> s = Scale("x", "Chin retrusion", 0, 4, "deficit_high", ("none", "mild", "moderate", "severe", "extreme"),
        ...           "src", "cited")
        >>> s.describe(2)
        'chin retrusion grade 2 of 0-4 (moderate)'
        """
        anchor = self.anchors[grade - self.min] if 0 <= grade - self.min < len(self.anchors) else ""
        words = f" ({anchor})" if anchor else ""
        return f"{self.label[0].lower()}{self.label[1:]} grade {grade} of {self.min}-{self.max}{words}"


@functools.lru_cache(maxsize=1)
def load_scales() -> Mapping[str, Scale]:
    """The packaged scales by id, parsed once per process."""
    doc = packaged_toml("scales.toml")
    scales: dict[str, Scale] = {}
    for row in doc["scale"]:
        where = f"scale {row.get('id')!r}"
        scales[str(row["id"])] = Scale(
            id=str(row["id"]),
            label=str(row["label"]),
            min=int(row["min"]),
            max=int(row["max"]),
            direction=row["direction"],
            anchors=tuple(str(a) for a in row["anchors"]),
            source=source_of(row, where),
            review=str(row["review"]),
        )
    return scales


def validate_grades(grades: Mapping[str, int], scales: Mapping[str, Scale]) -> dict[str, int]:
    """The grades, checked against their scales; an unknown scale or an out-of-range grade is refused."""
    checked: dict[str, int] = {}
    for name, value in grades.items():
        scale = scales.get(name)
        if scale is None:
            raise IntakeError(
                f"Unknown clinician grade {name!r} (grades.{name}).{did_you_mean(name, scales)}",
                hint=f"Use one of: {', '.join(sorted(scales))}.",
            )
        if isinstance(value, bool) or not isinstance(value, int) or not scale.min <= value <= scale.max:
            raise IntakeError(
                f"grades.{name}: grade {name} = {value!r} is outside its scale {scale.min}-{scale.max}.",
                hint=f"Grade on the {scale.label}, {scale.min} to {scale.max}.",
            )
        checked[name] = value
    return checked
