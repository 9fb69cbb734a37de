"""Property: whatever a field of an intake holds, planning either succeeds or refuses with an IntakeError that
names a field and a fix; no value ends in another exception (a traceback at the boundary)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from facebalance.planning import IntakeError, build_plan, parse_intake
from tests.planning.planning_personas import LENA, NEGATIVE_BDDQ_AS, START

BASE: dict[str, Any] = {
    **LENA,
    "start_date": START.isoformat(),
    "bddq_as": NEGATIVE_BDDQ_AS,
    "history": [{"date": "2026-03-10", "modality": "toxin", "area": "glabella", "amount": 20, "satisfied": True}],
    "medical": {"allergies": ["lidocaine"], "anticoagulants": False},
    "preferences": {"budget_usd": 5000, "max_visits": 3},
    "overrides": {},
}

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["lips", "ha_lips", "female", "2026-01-01", "profile.recessed_chin", "none"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for n, v in enumerate(node):
            out += paths(v, (*prefix, n))
    return out


@settings(max_examples=150)
@given(st.data())
def test_any_value_in_any_field_is_planned_or_refused_with_its_field(data: st.DataObject) -> None:
    doc = json.loads(json.dumps(BASE))
    path = data.draw(st.sampled_from(paths(doc)))
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = data.draw(JSON_VALUES)
    try:
        build_plan([], parse_intake(doc), explain=False)
    except IntakeError as exc:
        assert exc.message and exc.hint, exc
