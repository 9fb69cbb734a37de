"""`facebalance.analyze_photo` is the analysis function itself: its real signature (keyword-only, typed
options) for help() and editors, loaded on first use so `import facebalance` stays light."""

from __future__ import annotations

import inspect
import subprocess
import sys

import facebalance
from facebalance.analysis import analyze_photo


def test_it_is_the_analysis_function_with_its_signature() -> None:
    assert facebalance.analyze_photo is analyze_photo
    source, *options = inspect.signature(facebalance.analyze_photo).parameters.values()
    assert source.name == "source" and source.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    names = {p.name for p in options}
    assert {"sex", "ethnicity", "norms", "norms_path", "rules", "rules_path", "known_ipd_mm", "landmarker"} <= names
    for p in options:
        assert p.kind is inspect.Parameter.KEYWORD_ONLY and p.annotation is not inspect.Parameter.empty, p.name


def test_importing_the_package_does_not_load_the_engine() -> None:
    code = "import sys, facebalance; print('facebalance.analysis' in sys.modules, 'facebalance.vision' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_it_names_what_it_does_not_have() -> None:
    try:
        facebalance.analyse_photo  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "analyse_photo" in str(exc)
    else:
        raise AssertionError("a misspelt name must raise AttributeError")
