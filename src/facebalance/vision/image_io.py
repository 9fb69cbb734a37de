"""Reading clinical photos safely.

A photo is opened only as one of the formats a clinic produces (JPEG, PNG, WebP, HEIC/HEIF), its size is
checked from the header before any pixel is decoded, large JPEGs are decoded at reduced size with
``Image.draft`` (the JPEG decoder's DCT scaling, so a 24 MP photo costs a fraction of a full decode), and
the EXIF orientation is applied. Everything that can go wrong ends in a typed
:class:`~facebalance.errors.ImageInputError`.
"""

from __future__ import annotations

import io
import os
import re
import zlib
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, UnidentifiedImageError

from facebalance.errors import (
    CorruptImage,
    ImageTooLarge,
    ImageTooSmall,
    NotAnImage,
    UnsupportedImageFormat,
)

#: Formats accepted from clinics. GIF, TIFF, BMP, FITS ... are refused before their decoder runs.
ACCEPTED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "HEIF")

#: Upper bound of the file size read into memory (a 48 MP HEIC or a 24 MP JPEG is 5-25 MB).
MAX_FILE_BYTES = 60 * 1024 * 1024
#: Upper bound of pixels in the header (a 100 MP medium-format frame is the largest clinical camera).
MAX_PIXELS = 120_000_000
#: Upper bound of either side, against 1 x 100,000,000 strips.
MAX_SIDE_PX = 20_000
#: Smallest side accepted at all; a face photo below this cannot give mm-level measurements.
MIN_SIDE_PX = 128
#: Long side the landmark model is given. The model itself works at 256 px per face crop; 2,000 px
#: keeps the iris (about 1/12 of the face width) over 20 px for a head-and-shoulders photo.
ANALYSIS_LONG_SIDE_PX = 2000

_heif_registered = False

# EXIF orientation tag -> the transpose that makes the pixels upright (EXIF 2.32, tag 0x0112).
_ORIENTATION_TRANSPOSE: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# File signatures, checked before any Pillow plugin sees the bytes, so that formats a clinic never
# produces (TIFF, FITS, GIF ...) are refused without their decoders running.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "JPEG"),
    (b"\x89PNG\r\n\x1a\n", 0, "PNG"),
    (b"GIF87a", 0, "GIF"),
    (b"GIF89a", 0, "GIF"),
    (b"II*\x00", 0, "TIFF"),
    (b"MM\x00*", 0, "TIFF"),
    (b"BM", 0, "BMP"),
    (b"SIMPLE  =", 0, "FITS"),
    (b"8BPS", 0, "PSD"),
    (b"%PDF", 0, "PDF"),
)
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif")


def sniff_format(data: bytes) -> str | None:
    """Name the image format from the file's first bytes, or ``None`` when it is no known image."""
    for magic, offset, name in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "HEIF"
    return None


def _verify_png(data: bytes) -> None:
    """Check every PNG chunk's CRC and that the image data inflates, before decoding."""
    pos, idat = 8, []
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        crc = data[pos + 8 + length : pos + 12 + length]
        if len(body) < length or len(crc) < 4:
            raise CorruptImage("The PNG file is truncated.", hint="Upload the complete original file again.")
        if zlib.crc32(kind + body) != int.from_bytes(crc, "big"):
            raise CorruptImage(
                f"The PNG file is corrupt (checksum error in its {kind.decode('latin-1')!r} chunk).",
                hint="Upload the original file again.",
            )
        if kind == b"IDAT":
            idat.append(body)
        if kind == b"IEND":
            break
        pos += 12 + length
    else:
        raise CorruptImage("The PNG file is truncated (no end marker).", hint="Upload the complete file again.")
    try:
        decompressor = zlib.decompressobj()
        # Inflate in bounded pieces: the pixel-count limit is checked later, this only proves integrity.
        for chunk in idat:
            decompressor.decompress(chunk, 0)
            while decompressor.unconsumed_tail:
                decompressor.decompress(decompressor.unconsumed_tail, 1 << 20)
    except zlib.error as exc:
        raise CorruptImage(f"The PNG image data is corrupt ({exc}).", hint="Upload the original file again.") from None


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


@dataclass(frozen=True)
class LoadedImage:
    """A decoded, upright RGB photo and how it relates to the file's full resolution.

    Attributes
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
        The pixels, EXIF orientation applied, possibly reduced.
    full_size_px : tuple of int
        ``(width, height)`` of the upright image at full resolution.
    scale_to_full : float
        Multiply a coordinate in ``rgb`` by this to get full-resolution pixels (>= 1).
    format : str
        The container format, one of :data:`ACCEPTED_FORMATS`.
    exif_orientation : int
        The EXIF orientation tag that was applied (1 = none).
    """

    rgb: np.ndarray
    full_size_px: tuple[int, int]
    scale_to_full: float
    format: str
    exif_orientation: int

    @property
    def size_px(self) -> tuple[int, int]:
        return (int(self.rgb.shape[1]), int(self.rgb.shape[0]))


def _read_bounded(source: str | os.PathLike[str] | bytes | BinaryIO) -> bytes:
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.exists():
            raise NotAnImage(f"{path} does not exist.", hint="Check the path and try again.")
        if path.is_dir():
            raise NotAnImage(f"{path} is a folder, not a photo.", hint="Give the path of one photo file.")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImageTooLarge(
                f"The file is {size / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB.",
                hint="Export the photo as a JPEG at normal quality.",
            )
        data = path.read_bytes()
    else:
        data = source.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ImageTooLarge(
            f"The file is over {MAX_FILE_BYTES / 1e6:.0f} MB.",
            hint="Export the photo as a JPEG at normal quality.",
        )
    if len(data) == 0:
        raise NotAnImage("The file is empty.", hint="Upload the photo again.")
    return data


def _check_header_size(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise CorruptImage(f"The image header gives an impossible size {width}x{height}.", hint="Re-export it.")
    if width > MAX_SIDE_PX or height > MAX_SIDE_PX or width * height > MAX_PIXELS:
        raise ImageTooLarge(
            f"The image claims {width}x{height} pixels ({width * height / 1e6:.0f} MP); the limit is "
            f"{MAX_PIXELS / 1e6:.0f} MP and {MAX_SIDE_PX} px a side.",
            hint="Resize the photo, or export it from the camera at a normal resolution.",
        )
    if min(width, height) < MIN_SIDE_PX:
        raise ImageTooSmall(
            f"The image is only {width}x{height} pixels; at least {MIN_SIDE_PX} px a side is needed.",
            hint="Use the original photo, not a thumbnail.",
        )


def load_image(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    long_side_px: int | None = ANALYSIS_LONG_SIDE_PX,
) -> LoadedImage:
    """Open a clinical photo, refuse anything unsafe, and decode it upright at analysis size.

    Parameters
    ----------
    source : path, bytes or binary file
        The photo.
    long_side_px : int or None
        Decode so that the longer side is about this many pixels (never upscaled). JPEGs are reduced
        inside the decoder (``Image.draft``, scale 1/2, 1/4 or 1/8), others after decoding.
        ``None`` decodes at full resolution.

    Raises
    ------
    NotAnImage, UnsupportedImageFormat, CorruptImage, ImageTooLarge, ImageTooSmall
    """
    data = _read_bounded(source)
    sniffed = sniff_format(data)
    if sniffed is None:
        raise NotAnImage(
            "The file is not an image facebalance can read.",
            hint="Upload a JPEG, PNG, WebP or HEIC photo.",
        )
    if sniffed not in ACCEPTED_FORMATS:
        raise UnsupportedImageFormat(
            f"{sniffed} files are not accepted.",
            hint="Save the photo as JPEG, PNG, WebP or HEIC.",
        )
    if sniffed == "HEIF":
        _register_heif()
    if sniffed == "PNG":
        _verify_png(data)
    try:
        # Pillow's own bomb check is a warning at this size; we refuse by our own limits below.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        claimed = re.search(r"\((\d+) pixels\)", str(exc))
        size = f" ({int(claimed.group(1)) / 1e6:,.0f} MP)" if claimed else ""
        raise ImageTooLarge(
            f"The image header claims more pixels than can be decoded safely{size}; "
            f"the limit is {MAX_PIXELS / 1e6:.0f} MP.",
            hint="Resize the photo, or export it from the camera at a normal resolution.",
        ) from None
    except UnidentifiedImageError:
        raise CorruptImage(
            f"The file looks like a {sniffed} image but its header is damaged.",
            hint="Re-export the photo from the camera or photo library and upload it again.",
        ) from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise CorruptImage(f"The image could not be read: {exc}.", hint="Re-export or retake the photo.") from None

    with image:
        fmt = str(image.format)
        _check_header_size(*image.size)
        try:
            exif = image.getexif()
            orientation = int(exif.get(0x0112, 1) or 1)
        except Exception:
            orientation = 1
        if orientation not in range(1, 9):
            orientation = 1
        stored_w, stored_h = image.size
        full_w, full_h = (stored_h, stored_w) if orientation in (5, 6, 7, 8) else (stored_w, stored_h)

        if long_side_px is not None and fmt == "JPEG" and max(stored_w, stored_h) > long_side_px:
            ratio = long_side_px / max(stored_w, stored_h)
            image.draft("RGB", (max(1, int(stored_w * ratio)), max(1, int(stored_h * ratio))))
        try:
            image.load()
            rgb = image.convert("RGB")
        except Image.DecompressionBombError as exc:
            raise ImageTooLarge(f"The image is too large to decode safely ({exc}).", hint="Resize it.") from None
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise CorruptImage(
                f"The image data is truncated or corrupt ({exc}).",
                hint="The upload may have been cut short: send the original file again or retake the photo.",
            ) from None

    if orientation != 1:
        rgb = rgb.transpose(_ORIENTATION_TRANSPOSE[orientation])
    if long_side_px is not None and max(rgb.size) > long_side_px:
        factor = max(1, int(max(rgb.size) // long_side_px))
        if factor > 1:
            rgb = rgb.reduce(factor)
    pixels = np.asarray(rgb, dtype=np.uint8)
    if pixels.ndim != 3 or pixels.shape[2] != 3:
        raise CorruptImage("The image has no colour channels facebalance can use.", hint="Re-export it as RGB.")
    scale = full_w / pixels.shape[1]
    return LoadedImage(
        rgb=np.ascontiguousarray(pixels),
        full_size_px=(full_w, full_h),
        scale_to_full=float(scale),
        format=fmt,
        exif_orientation=orientation,
    )


