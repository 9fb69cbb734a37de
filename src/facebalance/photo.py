"""The result of analysing one frontal photo, shared by every layer that reads it.

:func:`facebalance.analysis.analyze_photo` makes a :class:`PhotoAnalysis`; the profile, session and
before/after pipelines, the reports and the clinic read it. It lives apart from the photo-level
``analysis`` module (which opens files and runs the landmark model) so that they need not import that.
"""

from __future__ import annotations

from dataclasses import dataclass

from facebalance.assessment import Assessment
from facebalance.findings import FindingRules
from facebalance.norms import NormSet
from facebalance.vision.image_io import LoadedImage
from facebalance.vision.landmarker import FaceMesh


@dataclass(frozen=True)
class PhotoAnalysis:
    """One analysed photo: the input's description and the assessment.

    Attributes
    ----------
    source_name : str
        The photo's file name (``"<upload>"`` for bytes or a stream).
    image : LoadedImage
        The decoded, upright image that was analysed.
    mesh : FaceMesh
        The face found on it, pixels of ``image.rgb``.
    assessment : Assessment
        Measurements, norm comparisons and findings.
    norms, rules
        The norm set and findings rules the assessment used.
    """

    source_name: str
    image: LoadedImage
    mesh: FaceMesh
    assessment: Assessment
    norms: NormSet
    rules: FindingRules
