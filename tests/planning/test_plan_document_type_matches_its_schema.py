"""The typed plan document (``PlanDocument``) has exactly the keys the JSON Schema of the plan requires."""

from __future__ import annotations

from typing import Any, get_type_hints

import pytest

from facebalance.planning import plan_schema
from facebalance.planning.documents import ItemDocument, PlanDocument, ScreeningDocument, VisitDocument


def schema_keys(node: dict[str, Any]) -> set[str]:
    assert set(node["required"]) == set(node["properties"]), "the plan schema requires every key it names"
    return set(node["required"])


@pytest.mark.parametrize(
    ("typed", "path"),
    [(PlanDocument, ()), (ScreeningDocument, ("screening",)), (VisitDocument, ("visits",)), (ItemDocument, ("items",))],
)
def test_the_typed_document_names_every_schema_key(typed: type, path: tuple[str, ...]) -> None:
    node = plan_schema()
    for key in path:
        node = node["properties"][key]
        node = node.get("items", node)
    assert set(get_type_hints(typed)) == schema_keys(node)
