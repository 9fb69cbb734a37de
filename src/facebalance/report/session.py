"""The session assessment's document and annotated images (:func:`facebalance.assess.assess_session`).

``session_document`` writes schema ``facebalance.session_assessment`` 1.0::

    {"schema", "schema_version", "engine_version", "created", "protocol", "relations_version",
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

from typing import Any

from facebalance.assess.result import SessionAssessment

SCHEMA = "facebalance.session_assessment"
SCHEMA_VERSION = "1.0"


def session_document(result: SessionAssessment) -> dict[str, Any]:
    """The ``facebalance.session_assessment`` 1.0 document of a session assessment (JSON-ready)."""
    raise NotImplementedError


def session_images(result: SessionAssessment) -> dict[str, bytes]:
    """One annotated PNG per analysed view with a photo analysis, by view id (frontal, oblique and profile
    renderers of :mod:`facebalance.report`)."""
    raise NotImplementedError
