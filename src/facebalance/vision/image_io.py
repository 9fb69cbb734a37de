"""Reading clinical photos safely.

A photo is opened only as one of the formats a clinic produces (JPEG, PNG, WebP, HEIC/HEIF), its size is
checked from the header before any pixel is decoded, large JPEGs are decoded at reduced size with
``Image.draft`` (the JPEG decoder's DCT scaling, so a 24 MP photo costs a fraction of a full decode), and
the EXIF orientation is applied. Everything that can go wrong ends in a typed
:class:`~facebalance.errors.ImageInputError`.

The steps are small functions so that every path that accepts an image (analysis here, storage in
:mod:`facebalance.vision.storage`) runs the same checks in the same order:

1. :func:`read_bounded` - the bytes, refusing missing, empty and oversized files;
2. :func:`accepted_format` - the format from the magic bytes, refusing anything else before a Pillow
   plugin sees it;
3. :func:`open_image` - the header-declared size checked, PNG checksums verified, then Pillow opens
   the file (headers only);
4. :func:`exif_orientation`, :func:`decode_rgb`, :func:`apply_orientation` - the pixels, upright.
"""

from __future__ import annotations

import io
import os
import warnings
import zlib
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

#: Formats accepted from clinics. GIF, TIFF, BMP, FITS, AVIF ... are refused before their decoder runs.
ACCEPTED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "HEIF")

#: Upper bound of the file size read into memory (a 48 MP HEIC or a 24 MP JPEG is 5-25 MB).
MAX_FILE_BYTES = 60 * 1024 * 1024
#: Upper bound of pixels in the header (a 100 MP medium-format frame is the largest clinical camera).
MAX_PIXELS = 120_000_000
#: Upper bound of either side, against 1 x 100,000,000 strips.
MAX_SIDE_PX = 20_000
#: Smallest side accepted for analysis; a face photo below this cannot give mm-level measurements.
MIN_SIDE_PX = 128
#: Iris diameter (the face mesh's iris contour), in analysed pixels, that the image-refined points need.
#: The limbus fit is the most demanding of them: its agreement with hand-placed irises on the London set
#: at about 38 px holds nearly unchanged with the photo reduced to about 25 px and degrades at about
#: 19 px (docs/validation.md, "Visible iris diameter: limbus fit and face mesh vs hand-placed irises").
ANALYSIS_IRIS_PX = 24.0
#: A clinically framed frontal photo (head and shoulders or closer) shows the iris at least this many
#: times smaller than its long side (a 6000 px frame with the face across a quarter of it: iris ~100 px).
FRAME_LONG_SIDE_PER_IRIS = 60
#: Long side the photo is decoded to: the iris of a clinically framed face then keeps ANALYSIS_IRIS_PX.
#: A face smaller than that framing is decoded again, finer (:func:`reduction_for_iris`). The landmark
#: model itself works on 256 px face crops.
ANALYSIS_LONG_SIDE_PX = int(ANALYSIS_IRIS_PX * FRAME_LONG_SIDE_PER_IRIS)
#: Reduction factors the JPEG decoder can apply by DCT scaling (Image.draft).
DCT_REDUCTIONS = (8, 4, 2, 1)

#: EXIF tag 0x0112, Orientation.
EXIF_ORIENTATION_TAG = 0x0112
#: The Exif sub-IFD pointer and, in it, FocalLengthIn35mmFilm (EXIF 2.32, tag 0xA405).
EXIF_SUB_IFD_TAG = 0x8769
EXIF_FOCAL_35MM_TAG = 0xA405

_ACCEPTED_HINT = "Upload a JPEG, PNG, WebP or HEIC photo."
_ONE_FILE_HINT = "Give the path of one photo file."

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
# ISO-BMFF brands. HEVC-coded HEIF is what phones write; AVIF shares the container but not the codec,
# and pillow_heif does not read it, so it must be named as unsupported rather than called corrupt.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_GENERIC_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})

# JPEG start-of-frame markers (baseline, progressive, lossless, arithmetic), which carry the frame size.
_JPEG_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
# Markers without a length field: TEM and the restart markers.
_JPEG_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})

# Inflate PNG data in pieces of this size when proving it is intact, so memory stays bounded.
_PNG_INFLATE_PIECE_BYTES = 1 << 20


def _bmff_brands(data: bytes) -> set[bytes]:
    """The major and compatible brands of an ISO-BMFF ``ftyp`` box at the start of ``data``."""
    box_size = min(int.from_bytes(data[0:4], "big"), len(data), 4096)
    brands = {data[8:12]}
    brands.update(data[offset : offset + 4] for offset in range(16, box_size - 3, 4))
    return brands


def sniff_format(data: bytes) -> str | None:
    """Name the image format from the file's first bytes, or ``None`` when it is no known image."""
    for magic, offset, name in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp":
        brands = _bmff_brands(data)
        if brands & _HEIC_BRANDS:
            return "HEIF"
        if brands & _AVIF_BRANDS:
            return "AVIF"
        if brands & _GENERIC_HEIF_BRANDS:
            return "HEIF"
    return None


def _size_text(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:.1f} MB" if n_bytes >= 1_000_000 else f"{n_bytes:,} bytes"


def _file_too_large(n_bytes: int | None) -> ImageTooLarge:
    """``n_bytes`` is the file's size when known (a path), ``None`` when only the limit is (a stream)."""
    limit = _size_text(MAX_FILE_BYTES)
    return ImageTooLarge(
        f"The file is {_size_text(n_bytes)}; the limit is {limit}."
        if n_bytes is not None
        else f"The file is larger than the limit of {limit}.",
        hint="Export the photo as a JPEG at normal quality.",
    )


def read_bounded(source: str | os.PathLike[str] | bytes | BinaryIO) -> bytes:
    """The bytes of a photo, never reading more than :data:`MAX_FILE_BYTES` plus one.

    Raises
    ------
    NotAnImage
        The path is missing, a folder or not a regular file, or the file is empty.
    ImageTooLarge
        The file is over :data:`MAX_FILE_BYTES`.
    """
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.exists():
            raise NotAnImage(f"There is no file at {path}.", hint="Check the path and try again.")
        if path.is_dir():
            raise NotAnImage(f"The path {path} is a folder, not a photo.", hint=_ONE_FILE_HINT)
        if not path.is_file():
            # Reading a FIFO can block forever, and a device or socket is never a photo.
            raise NotAnImage(f"The path {path} is not a regular file.", hint=_ONE_FILE_HINT)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _file_too_large(size)
        try:
            with path.open("rb") as stream:
                data = stream.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise NotAnImage(
                f"The file {path} could not be read ({exc.strerror or exc}).",
                hint="Check that the file exists and is readable.",
            ) from None
    else:
        data = source.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _file_too_large(len(data) if isinstance(source, bytes) else None)
    if len(data) == 0:
        raise NotAnImage("The file is empty.", hint="Upload the photo again.")
    return data


def accepted_format(data: bytes) -> str:
    """The format of ``data``, one of :data:`ACCEPTED_FORMATS`, judged from its magic bytes alone.

    Raises
    ------
    NotAnImage
        The bytes start like no image format.
    UnsupportedImageFormat
        An image, but of a format a clinic does not produce (its decoder is never reached).
    """
    sniffed = sniff_format(data)
    if sniffed is None:
        raise NotAnImage("The file is not an image facebalance can read.", hint=_ACCEPTED_HINT)
    if sniffed not in ACCEPTED_FORMATS:
        raise UnsupportedImageFormat(f"{sniffed} files are not accepted.", hint=_ACCEPTED_HINT)
    return sniffed


def _jpeg_header_size(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` from the first start-of-frame marker, or ``None`` when it is not found."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None  # not at a marker: leave the verdict to the decoder
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker in _JPEG_STANDALONE_MARKERS:
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image or start of scan: no frame header before it
            return None
        if marker in _JPEG_SOF_MARKERS:
            if pos + 9 > len(data):
                return None
            height = int.from_bytes(data[pos + 5 : pos + 7], "big")
            width = int.from_bytes(data[pos + 7 : pos + 9], "big")
            return width, height
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return None


def header_size_px(data: bytes, fmt: str) -> tuple[int, int] | None:
    """``(width, height)`` as the file's header declares it, read without Pillow.

    Only JPEG and PNG are parsed here: they are the formats whose headers are trivial to read and that
    decompression bombs use. WebP and HEIF sizes are checked once Pillow has read their headers, which
    is still before any pixel is decoded. ``None`` when the header cannot be read this way.
    """
    if fmt == "JPEG":
        return _jpeg_header_size(data)
    if fmt == "PNG" and data[12:16] == b"IHDR" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


def check_size_limits(width: int, height: int) -> None:
    """Refuse an impossible or oversized frame; the limits are :data:`MAX_PIXELS` and :data:`MAX_SIDE_PX`.

    Raises
    ------
    CorruptImage
        A side is zero or negative.
    ImageTooLarge
        Too many pixels, or a side too long.
    """
    if width <= 0 or height <= 0:
        raise CorruptImage(
            f"The image header gives an impossible size of {width}x{height} pixels.",
            hint="Re-export the photo and upload it again.",
        )
    if width > MAX_SIDE_PX or height > MAX_SIDE_PX or width * height > MAX_PIXELS:
        raise ImageTooLarge(
            f"The image claims {width}x{height} pixels ({width * height / 1e6:,.0f} MP); the limit is "
            f"{MAX_PIXELS / 1e6:.0f} MP and {MAX_SIDE_PX} px a side.",
            hint="Resize the photo, or export it from the camera at a normal resolution.",
        )


def _check_analysis_size(width: int, height: int) -> None:
    if min(width, height) < MIN_SIDE_PX:
        raise ImageTooSmall(
            f"The image is only {width}x{height} pixels; at least {MIN_SIDE_PX} px a side is needed.",
            hint="Use the original photo, not a thumbnail.",
        )


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
        raise CorruptImage(
            "The PNG file is truncated (no end marker).", hint="Upload the complete original file again."
        )
    try:
        decompressor = zlib.decompressobj()
        # Inflate in bounded pieces and throw the output away: this only proves integrity, and a
        # highly compressed stream must not be expanded in one go.
        for chunk in idat:
            decompressor.decompress(chunk, _PNG_INFLATE_PIECE_BYTES)
            while decompressor.unconsumed_tail:
                decompressor.decompress(decompressor.unconsumed_tail, _PNG_INFLATE_PIECE_BYTES)
    except zlib.error as exc:
        raise CorruptImage(f"The PNG image data is corrupt ({exc}).", hint="Upload the original file again.") from None


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def open_image(data: bytes, fmt: str) -> Image.Image:
    """Open an accepted photo's headers with Pillow, after the checks that must come first.

    Parameters
    ----------
    data : bytes
        The file, as returned by :func:`read_bounded`.
    fmt : str
        Its format, as returned by :func:`accepted_format`.

    Returns
    -------
    PIL.Image.Image
        Opened but not decoded; use it as a context manager.

    Raises
    ------
    ImageTooLarge
        The header declares too many pixels (for JPEG and PNG, before Pillow is reached at all).
    CorruptImage
        Bad PNG checksums or data, or a header Pillow cannot parse.
    """
    declared = header_size_px(data, fmt)
    if declared is not None:
        check_size_limits(*declared)
    if fmt == "HEIF":
        _register_heif()
    if fmt == "PNG":
        _verify_png(data)
    try:
        # Our limits above and below decide what is too large. Pillow's own bomb check warns from
        # 89 MP, below MAX_PIXELS, so its warning is not ours to show; its error (from 179 MP) is
        # translated below, for the formats whose header we do not read ourselves.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[fmt])
    except Image.DecompressionBombError:
        raise ImageTooLarge(
            f"The image header claims more pixels than can be decoded safely; the limit is {MAX_PIXELS / 1e6:.0f} MP.",
            hint="Resize the photo, or export it from the camera at a normal resolution.",
        ) from None
    except UnidentifiedImageError:
        raise CorruptImage(
            f"The file looks like a {fmt} image but its header is damaged.",
            hint="Re-export the photo from the camera or photo library and upload it again.",
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise CorruptImage(f"The image could not be read ({exc}).", hint="Re-export or retake the photo.") from None
    try:
        check_size_limits(*image.size)
    except Exception:
        image.close()
        raise
    return image


def exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation tag of an opened image, 1 (upright) when absent or not a valid value."""
    try:
        value = image.getexif().get(EXIF_ORIENTATION_TAG, 1)
    except Exception:
        # Phone editors and upload tools write broken EXIF often enough; a damaged tag must not cost a
        # photo whose pixels are fine, so it counts as "no rotation".
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def exif_focal_length_35mm(image: Image.Image) -> float | None:
    """The EXIF 35 mm-equivalent focal length in mm, ``None`` when absent or not a plausible value."""
    try:
        value = image.getexif().get_ifd(EXIF_SUB_IFD_TAG).get(EXIF_FOCAL_35MM_TAG)
        focal = float(value) if value is not None else None
    except Exception:
        # As for the orientation: broken EXIF costs the focal length, never the photo.
        return None
    return focal if focal is not None and 8.0 <= focal <= 2000.0 else None


def reduction_for_iris(iris_px: float, factor: float) -> float:
    """The decode reduction at which an iris of ``iris_px`` analysed pixels (decoded at ``factor``) keeps
    :data:`ANALYSIS_IRIS_PX`: ``factor`` itself when it already does, else the largest finer one.

    >>> [reduction_for_iris(iris, 4.0) for iris in (26.0, 20.0, 9.0)], reduction_for_iris(20.0, 1.0)
    ([4.0, 2.0, 1.0], 1.0)
    """
    full_iris = iris_px * factor
    for candidate in DCT_REDUCTIONS:
        if candidate <= factor and full_iris / candidate >= ANALYSIS_IRIS_PX:
            return float(candidate)
    return 1.0


def upright_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """``(width, height)`` of a stored frame once the EXIF orientation is applied."""
    width, height = size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _to_rgb(image: Image.Image) -> Image.Image:
    """An RGB copy; transparent pixels become white, the backdrop of a clinical photo."""
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def decode_rgb(
    image: Image.Image, *, long_side_px: int | None, reduction: int | None = None
) -> tuple[Image.Image, int]:
    """Decode an opened image to RGB, reduced by an integer factor when it is larger than needed.

    Parameters
    ----------
    image : PIL.Image.Image
        From :func:`open_image`, not yet loaded.
    long_side_px : int or None
        The longer side of the result is at least this and less than twice this (a larger frame is
        reduced by the largest integer factor that keeps it at least this long). JPEGs are reduced
        inside the decoder (``Image.draft``: DCT scaling by 1/2, 1/4 or 1/8), so the full frame is never
        held in memory. ``None`` decodes at full resolution.
    reduction : int, optional
        An exact reduction factor (1, 2, 4 or 8) instead of ``long_side_px``.

    Returns
    -------
    rgb : PIL.Image.Image
        A new RGB image in the stored (not yet upright) orientation.
    factor : int
        The reduction: one decoded pixel spans ``factor`` x ``factor`` pixels of the full frame.

    Raises
    ------
    CorruptImage
        The pixel data is truncated or damaged.
    """
    stored_long = max(image.size)
    if reduction is not None:
        long_side_px = max(1, -(-stored_long // int(reduction)))
    draft_factor = 1
    if long_side_px is not None and image.format in ("JPEG", "MPO") and stored_long > long_side_px:
        # Ask for the size of an exact long_side_px long side; draft then picks the largest DCT scale
        # that still reaches it.
        width, height = image.size
        requested = (
            max(1, width * long_side_px // stored_long),
            max(1, height * long_side_px // stored_long),
        )
        drafted = image.draft("RGB", requested)
        if drafted is not None:
            draft_factor = round(width / drafted[1][2])
    try:
        image.load()
        rgb = _to_rgb(image)
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise CorruptImage(
            f"The image data is truncated or corrupt ({exc}).",
            hint="The upload may have been cut short: send the original file again or retake the photo.",
        ) from None
    reduce_factor = 1
    if long_side_px is not None:
        reduce_factor = max(1, max(rgb.size) // long_side_px)
        if reduce_factor > 1:
            rgb = rgb.reduce(reduce_factor)
    return rgb, draft_factor * reduce_factor


def apply_orientation(image: Image.Image, orientation: int) -> Image.Image:
    """The image turned upright as its EXIF orientation tag says (1 returns it unchanged)."""
    if orientation == 1:
        return image
    return image.transpose(_ORIENTATION_TRANSPOSE[orientation])


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
        Multiply a coordinate in ``rgb`` by this to get full-resolution pixels: the integer reduction
        factor (1.0 when not reduced).
    format : str
        The container format, one of :data:`ACCEPTED_FORMATS`.
    exif_orientation : int
        The EXIF orientation tag that was applied (1 = none).
    focal_length_35mm_mm : float or None
        The EXIF 35 mm-equivalent focal length, when the file has one (it sets the camera distance the
        calibration marker's depth correction uses).
    """

    rgb: np.ndarray
    full_size_px: tuple[int, int]
    scale_to_full: float
    format: str
    exif_orientation: int
    focal_length_35mm_mm: float | None = None

    @property
    def size_px(self) -> tuple[int, int]:
        return (int(self.rgb.shape[1]), int(self.rgb.shape[0]))


def load_image(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    long_side_px: int | None = ANALYSIS_LONG_SIDE_PX,
    reduction: float | None = None,
) -> LoadedImage:
    """Open a clinical photo, refuse anything unsafe, and decode it upright at analysis size.

    Parameters
    ----------
    source : path, bytes or binary file
        The photo.
    long_side_px : int or None
        A photo whose longer side is above this is reduced by an integer factor, to a longer side of
        at least this and less than twice this (never upscaled). JPEGs are reduced inside the decoder
        (``Image.draft``), others after decoding. ``None`` decodes at full resolution.
    reduction : float, optional
        An exact reduction factor (1, 2, 4 or 8; :func:`reduction_for_iris`) instead of ``long_side_px``.

    Raises
    ------
    NotAnImage, UnsupportedImageFormat, CorruptImage, ImageTooLarge, ImageTooSmall
    """
    if long_side_px is not None and long_side_px < 1:
        raise ValueError(f"long_side_px must be a positive number of pixels, got {long_side_px}")
    data = read_bounded(source)
    fmt = accepted_format(data)
    with open_image(data, fmt) as image:
        _check_analysis_size(*image.size)
        orientation = exif_orientation(image)
        focal = exif_focal_length_35mm(image)
        full_w, full_h = upright_size(image.size, orientation)
        rgb, factor = decode_rgb(
            image, long_side_px=long_side_px, reduction=None if reduction is None else int(reduction)
        )
    pixels = np.asarray(apply_orientation(rgb, orientation), dtype=np.uint8)
    return LoadedImage(
        rgb=np.ascontiguousarray(pixels),
        full_size_px=(full_w, full_h),
        scale_to_full=float(factor),
        format=fmt,
        exif_orientation=orientation,
        focal_length_35mm_mm=focal,
    )
