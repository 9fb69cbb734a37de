"""Every limit of the before/after comparison comes from its data file with a source and a review status, and
a broken file is refused naming the row."""

from __future__ import annotations

from importlib import resources

import pytest

from facebalance.beforeafter.settings import LIMIT_IDS, default_settings, parse_settings
from facebalance.provenance import REVIEW_STATES, DataFileError, parse_table_text

DEFAULT = resources.files("facebalance.beforeafter").joinpath("data/before_after_default.toml").read_text("utf-8")


def test_it_reads_every_limit_with_its_source_and_review() -> None:
    settings = default_settings()

    assert set(settings.provenance) == set(LIMIT_IDS)
    for limit_id, provenance in settings.provenance.items():
        assert provenance.source.strip(), limit_id
        assert provenance.review in REVIEW_STATES
    assert settings.change_sigmas == 2.0
    assert settings.min_feature_inliers == 12


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "pose_warn_deg"', 'id = "pose_warning"', "unknown limit 'pose_warning'"),
        ('id = "pose_warn_deg"', 'id = "change_sigmas"', "given twice"),
        ("value = 2.0", "value = -2.0", "change_sigmas must be positive"),
        ('id = "track_crop_margin"\nvalue = 0.15', 'id = "track_crop_margin"', "missing 'value'"),
        ('review = "measured"', 'review = "guessed"', "review status 'guessed'"),
    ],
)
def test_a_broken_limits_file_is_refused(old: str, new: str, message: str) -> None:
    assert old in DEFAULT
    doc = parse_table_text(DEFAULT.replace(old, new, 1), origin="limits.toml")

    with pytest.raises(DataFileError, match=message):
        parse_settings(doc, origin="limits.toml")


def test_a_file_without_a_limit_is_refused() -> None:
    rows = DEFAULT.split("[[limit]]")
    without_last = "[[limit]]".join(rows[:-1])

    with pytest.raises(DataFileError, match="lacks track_crop_margin"):
        parse_settings(parse_table_text(without_last, origin="limits.toml"), origin="limits.toml")
