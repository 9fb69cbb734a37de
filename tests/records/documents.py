"""The demo-like patient's documents, built once per test session from the bundled London photo 001
(the demo clinic's Sample Patient): the real analysis, the annotated photo, and the plan for the example
intake."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PHOTO = REPO / "tests" / "data" / "london" / "001_03.jpg"


@dataclass(frozen=True)
class DemoDocuments:
    analysis: dict[str, Any]
    annotated_png: bytes
    plan: dict[str, Any]
    intake: dict[str, Any]
    quality: list[dict[str, Any]]


@cache
def demo_documents() -> DemoDocuments:
    from facebalance.analysis import analyze_photo
    from facebalance.planning import build_plan, findings_from_frontal, parse_intake, plan_document
    from facebalance.report.annotate import render_annotated
    from facebalance.report.document import analysis_document
    from facebalance.session.photo_check import check_photo
    from facebalance.session.protocol import load_protocol
    from facebalance.vision import FaceLandmarker

    with FaceLandmarker() as lm:
        result = analyze_photo(PHOTO, sex="female", landmarker=lm)
        protocol = load_protocol()
        check = check_photo(PHOTO, protocol=protocol, landmarker=lm, view_id="frontal_rest")
    analysis = analysis_document(result)
    intake = json.loads(files("facebalance.planning").joinpath("data/example_intake.json").read_text("utf-8"))
    findings, measurements = findings_from_frontal(analysis)
    plan = plan_document(build_plan(findings, parse_intake(intake), measurements=measurements))
    quality = [dict(check.as_dict(), view_id="frontal_rest")]
    return DemoDocuments(analysis, render_annotated(result, max_side_px=900), plan, intake, quality)
