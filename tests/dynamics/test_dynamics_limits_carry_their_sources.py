"""Every limit of the dynamic assessment's input and tooth/gum reading comes from its data file with a source
and a review status; a broken file is refused naming the row."""

from __future__ import annotations

from importlib import resources

import pytest

from facebalance.dynamics.errors import ScriptError
from facebalance.dynamics.limits import LIMIT_IDS, default_limits, parse_limits
from facebalance.provenance import REVIEW_STATES, parse_table_text

DEFAULT = resources.files("facebalance.dynamics").joinpath("data/limits_default.toml").read_text("utf-8")


def test_it_reads_every_limit_with_its_source_and_review() -> None:
    limits = default_limits()

    assert set(limits.provenance) == set(LIMIT_IDS)
    for limit_id, provenance in limits.provenance.items():
        assert provenance.source.strip(), limit_id
        assert provenance.review in REVIEW_STATES
    assert (limits.max_photos, limits.min_run_px) == (24, 3)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("value = 24", "value = 2.5", "max_photos must be a whole number"),
        ("value = 18.0", "value = -18.0", "tooth_lighter_than_lip must be positive"),
        ('id = "tooth_max_chroma"', 'id = "tooth_colour"', "unknown limit 'tooth_colour'"),
        (
            'source = "A tooth sample is nearly colourless: chroma at most this; facebalance working default"',
            'source = ""',
            "tooth_max_chroma\\) has no source",
        ),
    ],
)
def test_a_broken_limits_file_is_refused(old: str, new: str, message: str) -> None:
    assert old in DEFAULT
    doc = parse_table_text(DEFAULT.replace(old, new, 1), origin="limits.toml")

    with pytest.raises(ScriptError, match=message):
        parse_limits(doc, origin="limits.toml")
