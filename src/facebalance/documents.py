"""The shapes of the frontal and profile analysis documents, as typed dictionaries.

The documents are JSON (:mod:`facebalance.report.document` writes them); these types say which keys each
level has, so that the writer is checked by mypy and the readers on both sides of the core/clinic boundary
(the planner's ``findings_from_frontal``, the clinic's assessment and plan pages) use the same names instead
of ``dict[str, Any]``. They sit at the base of the layers so that every reader may import them. A key marked
``NotRequired`` is written only in some documents.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class InputDocument(TypedDict):
    """The analysed photo: its name and format, its size as stored and as analysed (pixels)."""

    name: str
    format: str
    size_px: list[int]
    analysed_size_px: list[int]
    exif_orientation_applied: int | None


class SubjectDocument(TypedDict):
    """Whom the norms were selected for."""

    sex: str | None
    ethnicity: str | None


class HeaderDocument(TypedDict):
    """The opening keys every analysis document shares."""

    schema: str
    schema_version: str
    facebalance_version: str
    input: InputDocument
    view: str
    patient: SubjectDocument


class FindingDocument(TypedDict):
    """One proposed finding (``status`` is ``proposed`` until a clinician reviews it)."""

    id: str
    kind: str
    zones: list[str]
    measurements: list[str]
    value: float | None
    uncertainty: float | None
    unit: str
    norm: str
    source: str
    deviation: float | None
    severity: str
    beyond_uncertainty: bool
    sentence: str
    intervention: NotRequired[str | None]
    points: list[str]
    status: str


class ThresholdDocument(TypedDict):
    """The size at which an asymmetry is noticed, and its source."""

    noticed_at_mm: float
    source: str


class NormDocument(TypedDict):
    """The norm a measurement was compared with, its source and the comparison."""

    mean: float | None
    sd: float | None
    low: float | None
    high: float | None
    sex: str
    population: str
    source: str
    review: str
    status: str
    deviation: float | None
    beyond_uncertainty: bool


class MeasurementDocument(TypedDict):
    """One measurement: value and one-sigma uncertainty in ``unit``, its zone, label and points."""

    value: float | None
    uncertainty: float | None
    unit: str
    zone: str
    label: str
    points: list[str]
    not_measurable_reason: NotRequired[str]
    threshold: NotRequired[ThresholdDocument]
    norm: NormDocument | None


class IrisDocument(TypedDict):
    """One eye's visible iris, as the ruler read it (pixels of the original photo)."""

    side: str
    source: str
    diameter_px_original: float | None
    sigma_px_original: float | None
    note: str


class CalibrationDocument(TypedDict):
    """The frontal photo's ruler: how the millimetre scale was found and how sure it is."""

    method: str
    ruler: str
    iris: list[IrisDocument]
    mm_per_px_original: float | None
    relative_uncertainty: float | None
    landmark_sigma_mm: float | None
    detail: str


class NormSetDocument(TypedDict):
    """The norm set the measurements were compared with (and, frontal, the population chosen)."""

    name: str
    version: str
    population: NotRequired[str | None]


class HairlineDocument(TypedDict):
    found: bool
    reason: str | None


class PointFoundDocument(TypedDict):
    """How a measured point was placed: read from the photo or from the mesh, and its one-sigma error."""

    from_image: bool
    method: str
    sigma_px: float | None
    sigma_mm: float | None


class FrontalDocument(HeaderDocument):
    """``facebalance.frontal_analysis``: one frontal photo analysed."""

    pose: dict[str, float]
    calibration: CalibrationDocument
    norm_set: NormSetDocument
    rules_version: str
    measurements: dict[str, MeasurementDocument]
    findings: list[FindingDocument]
    hairline: HairlineDocument
    points_px: dict[str, list[float]]
    points_found: dict[str, PointFoundDocument]
    warnings: list[str]
    disclaimer: str


class ProfileFrameDocument(TypedDict):
    """The profile's head frame: its tilt, scale and the measured yaw."""

    tilt_deg: float
    tilt_estimated: bool
    axes: str
    scale_px: float | None
    yaw_deg: float | None
    yaw_sigma_deg: float | None
    yaw_source: str | None


class ProfileCalibrationDocument(TypedDict):
    method: str
    mm_per_px_original: float | None
    relative_uncertainty: float | None
    detail: str


class OutlineDocument(TypedDict):
    """The soft-tissue profile outline (pixels of the photo as taken) and how well its edge was found."""

    points_px: list[list[float]]
    noise_px: float | None
    edge_found_fraction: float | None
    backdrop_texture: float | None
    method: str


class ProfileLandmarkDocument(TypedDict):
    """One named profile point with its uncertainty, confidence, method and definition."""

    x: float
    y: float
    sigma_px: float
    confidence: float
    method: str
    kind: str
    definition: str


class ProfileDocument(HeaderDocument):
    """``facebalance.profile_analysis``: one lateral photo analysed."""

    frame: ProfileFrameDocument
    calibration: ProfileCalibrationDocument | None
    norm_set: NormSetDocument
    outline: OutlineDocument
    landmarks: dict[str, ProfileLandmarkDocument]
    landmarks_missing: dict[str, str]
    measurements: dict[str, MeasurementDocument]
    findings: list[FindingDocument]
    warnings: list[str]
    disclaimer: str
