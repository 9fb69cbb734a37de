"""The session assessment's document and annotated images (:func:`facebalance.assess.assess_session`).

``session_document`` writes schema ``facebalance.session_assessment`` 1.0::

    {"schema", "schema_version", "facebalance_version", "created", "protocol", "relations_version",
     "patient": {"sex", "ethnicity"},
     "scale": {"ruler", "frontal_mm_per_px", "frontal_relative_uncertainty",
               "views": {VIEW: {"mm_per_px", "relative_uncertainty", "method", "detail"}}},
     "views": [{"view_id", "status", "reason", "name", "document"}],   # document: the view's own
     "zones": [{"zone", "label", "views", "findings": [FINDING + "views"], "not_assessed"}],
     "findings": [FINDING + "views"],                                    # every view's plus session.*
     "dynamics": DYNAMICS DOCUMENT or null, "dynamics_reason", "warnings"}

Each view's ``document`` is the one its own command writes (:func:`facebalance.report.document.analysis_document`,
:func:`~facebalance.report.document.profile_document`, :func:`facebalance.report.oblique.oblique_document`),
or ``null``. Names only, never full paths.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from facebalance.assess.result import SessionAssessment, SessionFinding, ViewResult, ZoneAssessment
from facebalance.report.document import finding_entry, rounded
from facebalance.version import __version__

SCHEMA = "facebalance.session_assessment"
SCHEMA_VERSION = "1.0"
#: Every top-level key of the document (a test holds the document to them).
DOCUMENT_KEYS = (
    "schema",
    "schema_version",
    "facebalance_version",
    "created",
    "protocol",
    "relations_version",
    "patient",
    "scale",
    "views",
    "zones",
    "findings",
    "dynamics",
    "dynamics_reason",
    "warnings",
)
VIEW_KEYS = ("view_id", "status", "reason", "name", "document")
ZONE_KEYS = ("zone", "label", "views", "findings", "not_assessed")


def _finding(f: SessionFinding) -> dict[str, Any]:
    entry: dict[str, Any] = dict(finding_entry(f.finding, intervention=f.intervention))
    entry["views"] = list(f.views)
    return entry


def view_document(view: ViewResult) -> dict[str, Any] | None:
    """The view's own document, as its own command writes it (``None`` without an analysis)."""
    from facebalance.oblique.analysis import ObliqueAnalysis
    from facebalance.photo import PhotoAnalysis
    from facebalance.profile.analysis import ProfileAnalysis
    from facebalance.report.document import analysis_document, profile_document
    from facebalance.report.oblique import oblique_document

    a = view.analysis
    doc: dict[str, Any]
    if isinstance(a, PhotoAnalysis):
        doc = dict(analysis_document(a))
    elif isinstance(a, ObliqueAnalysis):
        doc = oblique_document(a)
    elif isinstance(a, ProfileAnalysis):
        doc = dict(profile_document(a))
    else:
        return None
    # Names only: the document names the photo as the session does (never a path).
    doc["input"] = {**doc["input"], "name": view.name}
    return doc


def _zone(z: ZoneAssessment) -> dict[str, Any]:
    return {
        "zone": z.zone,
        "label": z.label,
        "views": list(z.views),
        "findings": [_finding(f) for f in z.findings],
        "not_assessed": list(z.not_assessed),
    }


def session_document(result: SessionAssessment, *, created: datetime | None = None) -> dict[str, Any]:
    """The ``facebalance.session_assessment`` 1.0 document of a session assessment (JSON-ready; keys in the
    module docstring). ``created`` defaults to now (UTC)."""
    from facebalance.report.dynamics import dynamics_document

    patient = next(
        (
            {"sex": v.analysis.assessment.patient.sex, "ethnicity": v.analysis.assessment.patient.ethnicity}
            for v in result.views
            if v.analysis is not None
        ),
        {"sex": None, "ethnicity": None},
    )
    dynamics = dynamics_document(result.dynamics) if result.dynamics is not None else None
    scale = result.scale
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "facebalance_version": __version__,
        "created": (created or datetime.now(UTC)).isoformat(timespec="seconds"),
        "protocol": result.protocol,
        "relations_version": result.relations_version,
        "patient": patient,
        "scale": {
            "ruler": scale.ruler,
            "frontal_mm_per_px": rounded(scale.frontal_mm_per_px, 6),
            "frontal_relative_uncertainty": rounded(scale.frontal_relative_uncertainty, 5),
            "views": {
                v.view_id: {
                    "mm_per_px": rounded(v.mm_per_px, 6),
                    "relative_uncertainty": rounded(v.relative_uncertainty, 5),
                    "method": v.method,
                    "detail": v.detail,
                }
                for v in scale.views
            },
        },
        "views": [
            {"view_id": v.view_id, "status": v.status, "reason": v.reason, "name": v.name, "document": view_document(v)}
            for v in result.views
        ],
        "zones": [_zone(z) for z in result.zones],
        "findings": [_finding(f) for f in result.findings],
        "dynamics": dynamics,
        "dynamics_reason": result.dynamics_reason,
        "warnings": list(result.warnings),
    }


def session_images(result: SessionAssessment, *, max_side_px: int = 1600) -> dict[str, bytes]:
    """One annotated PNG per analysed view with a photo analysis, by view id (the frontal, oblique and profile
    renderers of :mod:`facebalance.report`)."""
    from facebalance.oblique.analysis import ObliqueAnalysis
    from facebalance.photo import PhotoAnalysis
    from facebalance.profile.analysis import ProfileAnalysis
    from facebalance.report.annotate import render_annotated
    from facebalance.report.annotate_oblique import render_oblique_annotated
    from facebalance.report.annotate_profile import render_profile_annotated

    out = {}
    for v in result.views:
        a = v.analysis
        if isinstance(a, PhotoAnalysis):
            out[v.view_id] = render_annotated(a, max_side_px=max_side_px)
        elif isinstance(a, ObliqueAnalysis):
            out[v.view_id] = render_oblique_annotated(a, max_side_px=max_side_px)
        elif isinstance(a, ProfileAnalysis):
            out[v.view_id] = render_profile_annotated(a, max_side_px=max_side_px)
    return out
