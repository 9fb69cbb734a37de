"""The copy of an uploaded photo that is kept.

An upload is never stored as received. Its bytes can carry a script beside the pixels (image/script
polyglots hide one in EXIF fields or comments), the patient's location (GPS EXIF), the camera's serial
number, or an orientation flag that some viewers ignore. What is kept is a new JPEG made from the decoded
pixels alone: full resolution, turned upright, with the colour profile as its only metadata.

The file goes through the same checks as for analysis (:mod:`facebalance.vision.image_io`) except the
minimum size, which is a rule of measurement, not of storage.
"""

from __future__ import annotations

import io

from PIL import ImageCms

from facebalance.vision.image_io import (
    accepted_format,
    apply_orientation,
    decode_rgb,
    exif_orientation,
    open_image,
    read_bounded,
)

#: Largest colour profile carried over. Camera and display profiles are 0.5-4 kB; large LUT-based print
#: profiles reach a few hundred kB and have no place on a clinical photo.
MAX_ICC_PROFILE_BYTES = 1_000_000


def _clean_icc_profile(profile: bytes | None) -> bytes | None:
    """The colour profile as LittleCMS writes it back, or ``None`` when absent, oversized or invalid.

    Writing the parsed profile back, rather than copying the bytes, keeps only the profile's tags and
    drops anything placed between or after them.
    """
    if not profile or len(profile) > MAX_ICC_PROFILE_BYTES:
        return None
    try:
        return ImageCms.ImageCmsProfile(io.BytesIO(profile)).tobytes()
    except (OSError, ImageCms.PyCMSError):
        return None


def reencode_for_storage(data: bytes, *, quality: int = 92) -> bytes:
    """Re-encode an uploaded photo as a clean, upright JPEG for storage.

    Parameters
    ----------
    data : bytes
        The uploaded file.
    quality : int
        JPEG quality, 1-100. The default keeps compression artefacts well below the detail the
        measurements use.

    Returns
    -------
    bytes
        A baseline JPEG of the full-resolution pixels with the EXIF orientation applied. Its only
        segments besides the image data are the JFIF header and, when the upload had a valid one, the
        ICC colour profile: no EXIF (so no GPS position and no orientation tag), no XMP, no IPTC, no
        comment.

    Raises
    ------
    NotAnImage, UnsupportedImageFormat, CorruptImage, ImageTooLarge
        As :func:`~facebalance.vision.image_io.load_image`; small photos are not refused.
    """
    if not 1 <= quality <= 100:
        raise ValueError(f"quality must be between 1 and 100, got {quality}")
    data = read_bounded(data)
    fmt = accepted_format(data)
    with open_image(data, fmt) as image:
        orientation = exif_orientation(image)
        icc_profile = _clean_icc_profile(image.info.get("icc_profile"))
        rgb, _ = decode_rgb(image, long_side_px=None)
    upright = apply_orientation(rgb, orientation)
    # The decoded copy inherits the upload's info (EXIF, XMP, comment ...), and Pillow writes some of it
    # back on save (the JPEG comment, for one); the stored image starts from nothing.
    upright.info = {}
    options: dict[str, object] = {"quality": quality}
    if icc_profile is not None:
        options["icc_profile"] = icc_profile
    out = io.BytesIO()
    upright.save(out, format="JPEG", **options)
    return out.getvalue()
