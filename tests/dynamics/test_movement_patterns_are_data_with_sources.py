"""The movement patterns that name an expression are data rows with a source and a review status; a broken
file is refused naming the row; a reading does not depend on which side moved."""

from __future__ import annotations

from importlib import resources

import pytest

from facebalance.dynamics.errors import ScriptError
from facebalance.dynamics.patterns import load_patterns, parse_patterns, read_movement
from facebalance.dynamics.script import ExpressionKind, load_script
from facebalance.provenance import REVIEW_STATES, parse_table_text

TEXT = resources.files("facebalance.dynamics").joinpath("data/patterns_default.toml").read_text("utf-8")


def test_every_row_has_its_source_and_every_kind_a_rule() -> None:
    patterns = load_patterns()
    assert all(r.source and r.review in REVIEW_STATES for r in patterns.rules)
    assert all(r.source and r.review in REVIEW_STATES for r in patterns.rest_limits)
    kinds = {r.kind for r in patterns.rules}
    assert {e.kind for e in load_script().movements} <= kinds
    assert {r.expression for r in patterns.rest_limits} <= {e.name for e in load_script().movements}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('signal = "eye_closure", sides = "both"', 'signal = "eye_squint", sides = "both"', "unknown signal"),
        ('\nrole = "excludes"', '\nrole = "forbids"', "role must be"),
        ('sides = "both", at_least = 0.6', 'sides = "all", at_least = 0.6', "sides must be"),
        ('\nkind = "pucker"', '\nkind = "whistle"', "unknown kind"),
        ("at_most = 0.5\n", "at_most = -1\n", "positive"),
    ],
)
def test_a_broken_patterns_file_is_refused(old: str, new: str, message: str) -> None:
    assert old in TEXT
    with pytest.raises(ScriptError, match=message):
        parse_patterns(parse_table_text(TEXT.replace(old, new, 1), error=ScriptError), origin="clinic.toml")


def test_a_row_without_a_source_is_refused() -> None:
    broken = TEXT.replace('review = "working"', 'source = ""\nreview = "working"', 1)
    first = broken.index('source = "Smile = zygomaticus')
    broken = broken[:first] + broken[broken.index("\n", first) + 1 :]
    with pytest.raises(ScriptError, match="source"):
        parse_patterns(parse_table_text(broken, error=ScriptError), origin="clinic.toml")


@pytest.mark.parametrize(
    "values",
    [
        {"commissure_elevation": (4.0, 0.2), "commissure_lateral": (2.0, 0.0)},  # one side smiles (a palsy)
        {"eye_closure": (0.9, 0.8), "glabellar_approach": (0.9, 0.7), "commissure_elevation": (5.0, 5.0)},
    ],
)
def test_the_reading_does_not_depend_on_the_side(values: dict[str, tuple[float, float]]) -> None:
    mirrored = {k: (v[1], v[0]) for k, v in values.items()}
    patterns = load_patterns()
    a = read_movement(ExpressionKind.SMILE, "smile", values, patterns, prompted=False)
    b = read_movement(ExpressionKind.SMILE, "smile", mirrored, patterns, prompted=False)
    assert a.verdict == b.verdict and [c.held for c in a.checks] == [c.held for c in b.checks]
