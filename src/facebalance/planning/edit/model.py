"""What an edit is and what it gives back: the request (:class:`PlanEdit`), its errors and its results."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from facebalance.planning.documents import (
    AddChoiceDocument,
    EditChoicesDocument,
    EditResultDocument,
    ItemChoiceDocument,
    PlanEditRequest,
    ViolationDocument,
)
from facebalance.planning.errors import PlanningError
from facebalance.planning.plan import Plan, plan_document

EditKind = Literal["drop", "add", "dose", "product", "move"]
Level = Literal["hard", "soft"]
EDIT_KINDS: tuple[EditKind, ...] = ("drop", "add", "dose", "product", "move")
#: Flag id of each applied edit's sentence on the edited plan.
EDIT_FLAG = "clinician_edit"
#: Doses are compared to a thousandth of a unit (float arithmetic on 0.1 mL steps).
DOSE_TOLERANCE = 1e-3


class PlanEditError(PlanningError):
    """The edit request itself is wrong: an unknown item, a visit that does not exist, a plan not editable."""

    code = "plan_edit"


@dataclass(frozen=True)
class PlanEdit:
    """One change to a plan.

    ``kind`` and what it reads:

    * ``drop``: ``key`` (a planned item's key);
    * ``add``: ``key`` (a candidate's key or treatment id, from :func:`edit_choices`), ``visit``;
    * ``dose``: ``key``, ``dose_low`` and ``dose_high`` (the visit total in the item's unit: U, mL, vials);
    * ``product``: ``key``, ``treatment`` (another candidate treatment for the same area);
    * ``move``: ``key``, ``visit``.

    ``visit`` is 0-based; the number of visits means a new visit after the last.
    """

    kind: EditKind
    key: str
    visit: int | None = None
    dose_low: float | None = None
    dose_high: float | None = None
    treatment: str | None = None

    @classmethod
    def parse(cls, doc: Mapping[str, Any]) -> PlanEdit:
        """An edit from its JSON form (``{"kind": "move", "key": "ha_lips", "visit": 1}``), checked."""
        kind = doc.get("kind")
        if kind not in EDIT_KINDS:
            raise PlanEditError(f"Unknown edit {kind!r}.", hint=f"Use one of: {', '.join(EDIT_KINDS)}.")
        key = doc.get("key")
        if not isinstance(key, str) or not key:
            raise PlanEditError("The edit names no item.", hint="Give the item's key.")
        visit = doc.get("visit")
        if kind in ("add", "move") and (isinstance(visit, bool) or not isinstance(visit, int) or visit < 0):
            raise PlanEditError(f"{kind} needs the visit to put the item in.", hint="Give visit as 0, 1, ...")
        doses: tuple[float | None, float | None] = (None, None)
        if kind == "dose":
            low, high = doc.get("dose_low"), doc.get("dose_high")
            numbers = []
            for name, value in (("dose_low", low), ("dose_high", low if high is None else high)):
                if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                    raise PlanEditError(f"The new dose needs a number for {name}.", hint="e.g. 1.5")
                numbers.append(float(value))
            doses = (numbers[0], numbers[1])
        treatment = doc.get("treatment")
        if kind == "product" and (not isinstance(treatment, str) or not treatment):
            raise PlanEditError("A change of product names the new treatment.", hint="Give treatment.")
        return cls(
            kind,
            key,
            visit if kind in ("add", "move") else None,
            doses[0],
            doses[1],
            treatment if kind == "product" else None,
        )

    def as_dict(self) -> PlanEditRequest:
        """The edit's JSON form (what :meth:`parse` reads)."""
        out: PlanEditRequest = {"kind": self.kind, "key": self.key}
        if self.visit is not None:
            out["visit"] = self.visit
        if self.dose_low is not None:
            out["dose_low"] = self.dose_low
        if self.dose_high is not None:
            out["dose_high"] = self.dose_high
        if self.treatment is not None:
            out["treatment"] = self.treatment
        return out


@dataclass(frozen=True)
class Violation:
    """A gate the edited plan breaks: ``hard`` refuses the edit, ``soft`` is flagged on the plan."""

    gate: str
    level: Level
    message: str

    def as_document(self) -> ViolationDocument:
        return {"gate": self.gate, "level": self.level, "message": self.message}


@dataclass(frozen=True)
class EditResult:
    """What an edit did: the new plan (``None`` when refused), its sentence and the gates it touched.

    Refused: ``violations`` are the hard gates the edit would break. Applied: the soft gates the new plan breaks
    (also flagged on it).
    """

    applied: bool
    sentence: str
    violations: tuple[Violation, ...]
    plan: Plan | None

    def as_document(self) -> EditResultDocument:
        """The result's JSON form, with the new plan document (``None`` when refused)."""
        return {
            "applied": self.applied,
            "sentence": self.sentence,
            "violations": [v.as_document() for v in self.violations],
            "document": None if self.plan is None else plan_document(self.plan),
        }


@dataclass(frozen=True)
class ItemChoice:
    """What may be changed on one planned item: the catalogue's dose range and the other products."""

    key: str
    label: str
    visit: int
    dose_low: float
    dose_high: float
    dose_min: float
    dose_max: float
    dose_step: float
    unit: str
    products: tuple[tuple[str, str], ...]

    def as_document(self) -> ItemChoiceDocument:
        return {
            "key": self.key,
            "label": self.label,
            "visit": self.visit,
            "dose_low": self.dose_low,
            "dose_high": self.dose_high,
            "dose_min": self.dose_min,
            "dose_max": self.dose_max,
            "dose_step": self.dose_step,
            "unit": self.unit,
            "products": self.products,
        }


@dataclass(frozen=True)
class AddChoice:
    """A candidate the rules proposed that is not in the plan, with the engine's reason for leaving it out."""

    key: str
    label: str
    reason: str

    def as_document(self) -> AddChoiceDocument:
        return {"key": self.key, "label": self.label, "reason": self.reason}


@dataclass(frozen=True)
class EditChoices:
    items: tuple[ItemChoice, ...]
    additions: tuple[AddChoice, ...]
    visits: int

    def as_document(self) -> EditChoicesDocument:
        """The choices' JSON form: the items by key, the additions, the number of visits."""
        return {
            "items": {i.key: i.as_document() for i in self.items},
            "additions": [a.as_document() for a in self.additions],
            "visits": self.visits,
        }
