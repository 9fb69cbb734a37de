"""Vendored model files and their integrity check.

The models ship inside the package (see ``NOTICE`` beside this file); nothing is downloaded at run time.
Each file's sha256 is checked when it is loaded, so a damaged or swapped file is refused loudly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

from facebalance.errors import ModelIntegrityError


@dataclass(frozen=True)
class VendoredModel:
    filename: str
    sha256: str
    licence: str
    provenance: str


FACE_LANDMARKER = VendoredModel(
    filename="face_landmarker.task",
    sha256="b261925d4aad812b47a0e8d58c1baa1223270a5d1f663d78338bc881c003879d",
    licence="Apache-2.0",
    provenance="google-ai-edge/mediapipe mediapipe/tasks/testdata/vision/face_landmarker_v2_with_blendshapes.task",
)


def read_verified(model: VendoredModel, data: bytes | None = None) -> bytes:
    """Return the model's bytes after checking their sha256.

    Parameters
    ----------
    model : VendoredModel
        Which vendored model.
    data : bytes, optional
        Bytes to check instead of the packaged file (used by the tests to prove a tampered file fails).

    Raises
    ------
    ModelIntegrityError
        The file is missing or its hash differs from the one recorded in ``NOTICE``.
    """
    if data is None:
        try:
            data = resources.files(__name__).joinpath(model.filename).read_bytes()
        except FileNotFoundError:
            raise ModelIntegrityError(
                f"The model file {model.filename} is missing from the installed package.",
                hint="Reinstall facebalance (pip install --force-reinstall facebalance).",
            ) from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != model.sha256:
        raise ModelIntegrityError(
            f"The model file {model.filename} is damaged or was replaced (sha256 {digest[:12]}..., "
            f"expected {model.sha256[:12]}...).",
            hint="Reinstall facebalance; do not edit files inside the package.",
        )
    return data
