"""A guided script or rules file with a mistake is refused with a message naming the entry."""

from __future__ import annotations

from importlib import resources

import pytest

from facebalance.dynamics.errors import ScriptError
from facebalance.dynamics.findings import parse_rules
from facebalance.dynamics.script import ExpressionKind, load_script, parse_script
from facebalance.norms import load_default_norm_set

DEFAULT = resources.files("facebalance.dynamics").joinpath("data/script_default.toml").read_text("utf-8")
RULES = resources.files("facebalance.dynamics").joinpath("data/rules_default.toml").read_text("utf-8")


def test_the_default_script_lists_the_protocol_expressions_in_order() -> None:
    script = load_script()
    assert [e.name for e in script.expressions] == [
        "rest",
        "brow_raise",
        "frown",
        "eye_closure",
        "smile",
        "big_smile",
        "pucker",
        "eee",
        "clench",
    ]
    assert [e.name for e in script.recognised] == ["brow_raise", "frown", "eye_closure", "smile", "pucker", "eee"]
    assert script.capture is not None and script.capture.total_s(len(script.movements)) > 20
    assert script.rest.kind is ExpressionKind.REST
    assert all(e.source and e.review for e in script.expressions)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('activation = ["mouthSmileLeft", "mouthSmileRight"]', 'activation = ["mouthGrin"]', "unknown blendshape"),
        ('kind = "pucker"', 'kind = "whistle"', "unknown kind"),
        ("threshold = 0.35", "threshold = -1", "threshold must be"),
        ('name = "frown"', 'name = "smile"', "share a name"),
        ('kind = "rest"\naliases', 'kind = "smile"\naliases', "at least one activation"),
        (
            'kind = "rest"\naliases = ["rest", "neutral", "repose", "relaxed"]\nactivation = []',
            'kind = "smile"\naliases = ["rest"]\nactivation = ["jawOpen"]',
            "exactly one expression",
        ),
        ("smoothing_s = 0.10", "", "missing 'smoothing_s'"),
        (
            'source = "facebalance working default; confirm with the clinic\'s medical lead"\nreview = "working"\n\n'
            '[[expression]]\nname = "rest"',
            'source = ""\nreview = "working"\n\n[[expression]]\nname = "rest"',
            "source",
        ),
        ("[meta]", "[meta", "not valid TOML"),
    ],
)
def test_a_broken_script_is_refused(old: str, new: str, message: str) -> None:
    assert old in DEFAULT
    with pytest.raises(ScriptError, match=message):
        parse_script(DEFAULT.replace(old, new, 1), origin="clinic.toml")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'from_norm_threshold = "brow_height_asymmetry_mm"',
            'from_norm_threshold = "no_such_threshold"',
            "no threshold",
        ),
        ('test = "asymmetry"', 'test = "sideways"', "test must be"),
        ('metric = "brow_elevation_mm"\nfrom_norm', 'metric = "x"\nfrom_norm', "no noticed-asymmetry"),
    ],
)
def test_a_broken_rules_file_is_refused(old: str, new: str, message: str) -> None:
    assert old in RULES
    with pytest.raises(ScriptError, match=message):
        parse_rules(RULES.replace(old, new, 1), load_default_norm_set(), origin="clinic_rules.toml")
