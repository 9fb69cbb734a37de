"""Domain errors of the treatment planner; the CLI turns them into a message and exit code 2."""

from __future__ import annotations

from facebalance.errors import FacebalanceError


class PlanningError(FacebalanceError):
    """Base class of every planning error."""

    code = "planning"


class IntakeError(PlanningError):
    """The intake (or the assessment it is planned against) is incomplete or inconsistent."""

    code = "intake"


class ClinicalDataError(PlanningError):
    """A catalogue, price list, rule or safety file is malformed or lacks a source."""

    code = "clinical_data"
