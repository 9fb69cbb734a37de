"""Reading recordings safely: PyAV (FFmpeg in the wheel), streamed one frame at a time.

A recording is accepted only as a container a phone or camera writes (MP4/MOV, Matroska/WebM, AVI), judged
from its first bytes before FFmpeg sees the file, and opened with that demuxer named explicitly: FFmpeg
has demuxers (playlists, image sequences, network protocols) that a clinic upload must never reach. Its
declared size and duration are checked against :class:`VideoLimits` before any frame is decoded, and the
frame count and duration are checked again while decoding, so a lying header cannot make it run long.

Frames are yielded one at a time, converted to RGB at the analysis size (long side at most
:attr:`VideoLimits.analysis_long_side_px`, by FFmpeg's area scaler) and turned upright from the
container's display matrix (phones record portrait video as rotated landscape). Nothing holds the whole
video: memory is one decoded frame plus FFmpeg's own buffers.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from facebalance.dynamics.errors import (
    CorruptVideo,
    EmptyVideo,
    NotAVideo,
    VideoTooLarge,
    VideoTooSmall,
)


@dataclass(frozen=True)
class VideoLimits:
    """What a recording may be. A consultation clip is 10-60 s; the limits leave room and stop abuse.

    Attributes
    ----------
    max_file_bytes : int
        Largest file accepted (a 3 min 4K phone clip is about 1 GB).
    max_duration_s : float
        Longest recording, declared or decoded.
    max_frames : int
        Most frames decoded (3 min at 60 fps).
    max_side_px : int
        Longest frame side accepted (DCI 4K).
    min_side_px : int
        Shortest frame side accepted; below it a face cannot give millimetre-level movement.
    analysis_long_side_px : int
        Frames are scaled down (never up) so that their long side is at most this. The landmark model
        works on a 256 px face crop, so a larger frame buys nothing but decode and copy time.
    """

    max_file_bytes: int = 2 * 1024**3
    max_duration_s: float = 180.0
    max_frames: int = 10_800
    max_side_px: int = 4096
    min_side_px: int = 128
    analysis_long_side_px: int = 1280


#: Containers accepted, by the FFmpeg demuxer that reads them.
ACCEPTED_CONTAINERS: tuple[str, ...] = ("mov", "matroska", "avi")

_ACCEPTED_HINT = "Record the clip as MP4, MOV or WebM (a phone's or camera's own video file)."
_ISO_IMAGE_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}
)
_IMAGE_MAGIC: tuple[bytes, ...] = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF8", b"II*\x00", b"MM\x00*")
# Top-level boxes an MP4/MOV file may start with.
_ISO_FIRST_BOXES = frozenset({b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})


def sniff_container(head: bytes) -> str | None:
    """The FFmpeg demuxer for a file starting with ``head`` (its first 64 bytes or more), or ``None``.

    Examples
    --------
    >>> sniff_container(b"\\x00\\x00\\x00\\x18ftypmp42" + bytes(8))
    'mov'
    >>> sniff_container(b"\\x1aE\\xdf\\xa3" + bytes(8))
    'matroska'
    >>> sniff_container(b"\\xff\\xd8\\xff\\xe0") is None
    True
    """
    if head[4:8] in _ISO_FIRST_BOXES:
        if head[4:8] == b"ftyp":
            size = min(int.from_bytes(head[0:4], "big"), len(head))
            brands = {head[8:12]} | {head[i : i + 4] for i in range(16, max(16, size - 3), 4)}
            if brands & _ISO_IMAGE_BRANDS and not brands - _ISO_IMAGE_BRANDS - {b"\x00\x00\x00\x00"}:
                return None  # a HEIC/AVIF still, not a movie
        return "mov"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    return None


@dataclass(frozen=True)
class VideoInfo:
    """What the container declares about a recording.

    Attributes
    ----------
    path : Path
    container : str
        FFmpeg demuxer name.
    codec : str
        Video codec name.
    width_px, height_px : int
        Frame size as displayed (after the display rotation), full resolution.
    analysis_width_px, analysis_height_px : int
        Size of the frames :class:`VideoReader` yields.
    fps : float
        Average frame rate (frames per second); 0 when unknown.
    duration_s : float or None
        Declared duration.
    frame_count : int or None
        Declared number of frames (many containers do not say).
    rotation_deg : int
        Counter-clockwise rotation applied to make frames upright (0, 90, 180 or 270).
    """

    path: Path
    container: str
    codec: str
    width_px: int
    height_px: int
    analysis_width_px: int
    analysis_height_px: int
    fps: float
    duration_s: float | None
    frame_count: int | None
    rotation_deg: int

    @property
    def scale_to_full(self) -> float:
        """Full-resolution pixels per analysis pixel."""
        return self.width_px / self.analysis_width_px


@dataclass(frozen=True)
class DecodedFrame:
    """One upright RGB frame at the analysis size.

    Attributes
    ----------
    index : int
        Position in decode order, from 0.
    time_s : float
        Presentation time from the first frame, seconds.
    rgb : ndarray of shape (H, W, 3), uint8
    """

    index: int
    time_s: float
    rgb: np.ndarray


def _analysis_size(width: int, height: int, long_side: int) -> tuple[int, int]:
    scale = min(1.0, long_side / max(width, height))
    return max(2, round(width * scale)), max(2, round(height * scale))


def _quarter_turns(rotation_deg: float) -> int:
    """Counter-clockwise quarter turns for a display rotation; only multiples of 90 degrees occur in practice."""
    return round(rotation_deg / 90.0) % 4


def _check_path(path: Path, limits: VideoLimits) -> str:
    if not path.exists():
        raise NotAVideo(f"There is no file at {path}.", hint="Check the path and try again.")
    if not path.is_file():
        raise NotAVideo(f"The path {path} is not a regular file.", hint="Give the path of one video file.")
    size = path.stat().st_size
    if size == 0:
        raise EmptyVideo(f"The file {path.name} is empty.", hint="Copy the recording again from the device.")
    if size > limits.max_file_bytes:
        raise VideoTooLarge(
            f"The file {path.name} is {size / 1e9:.1f} GB; the limit is {limits.max_file_bytes / 1e9:.1f} GB.",
            hint="Trim the clip to the guided expressions (under a minute) before uploading.",
        )
    try:
        with path.open("rb") as stream:
            head = stream.read(512)
    except OSError as exc:
        raise NotAVideo(
            f"The file {path} could not be read ({exc.strerror or exc}).",
            hint="Check that the file exists and is readable.",
        ) from None
    container = sniff_container(head)
    if container is None:
        if any(head.startswith(m) for m in _IMAGE_MAGIC) or (head[4:8] == b"ftyp"):
            raise NotAVideo(
                f"{path.name} is a photo, not a video.",
                hint="Give the expression photos together as a photo series, or record a video.",
            )
        raise NotAVideo(f"{path.name} is not a video facebalance can read.", hint=_ACCEPTED_HINT)
    return container


class VideoReader:
    """Stream the frames of one recording, checked against :class:`VideoLimits`.

    Use as a context manager::

        with VideoReader(path) as reader:
            for frame in reader.frames():
                ...

    Raises (on entering)
    --------------------
    NotAVideo, CorruptVideo, EmptyVideo, VideoTooLarge, VideoTooSmall
    """

    def __init__(self, path: str | os.PathLike[str], limits: VideoLimits | None = None) -> None:
        self.path = Path(path)
        self.limits = limits or VideoLimits()
        self._container: Any = None
        self._demuxer = ""
        self._stream: Any = None
        self.info: VideoInfo | None = None

    def __enter__(self) -> VideoReader:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def open(self) -> VideoInfo:
        import av

        demuxer = _check_path(self.path, self.limits)
        self._demuxer = demuxer
        try:
            # Only the local file: no other protocol (http, concat, ...) can be reached from inside it.
            container = av.open(str(self.path), format=demuxer, options={"protocol_whitelist": "file"})
        except (av.FFmpegError, ValueError, OSError) as exc:
            raise CorruptVideo(
                f"{self.path.name} could not be opened as a video ({_ffmpeg_reason(exc)}).",
                hint="The file may be truncated or damaged; copy it again from the device.",
            ) from None
        self._container = container
        try:
            self.info = self._describe()
        except BaseException:
            self.close()
            raise
        return self.info

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None

    def _describe(self) -> VideoInfo:
        container = self._container
        if not container.streams.video:
            # An MP4 whose video track holds no sample is read by FFmpeg as having no video stream at all.
            raise EmptyVideo(
                f"{self.path.name} contains no video frames.", hint="Record the clip again; the file holds no pictures."
            )
        stream = container.streams.video[0]
        self._stream = stream
        ctx = stream.codec_context
        width, height = int(ctx.width or 0), int(ctx.height or 0)
        if width <= 0 or height <= 0:
            raise CorruptVideo(
                f"{self.path.name} declares an impossible frame size of {width}x{height}.",
                hint="Re-export the recording from the device.",
            )
        if max(width, height) > self.limits.max_side_px:
            raise VideoTooLarge(
                f"The video's frames are {width}x{height} pixels; the limit is {self.limits.max_side_px} px a side.",
                hint="Record at 1080p or 4K, not higher.",
            )
        if min(width, height) < self.limits.min_side_px:
            raise VideoTooSmall(
                f"The video's frames are only {width}x{height} pixels; at least {self.limits.min_side_px} px a "
                "side is needed.",
                hint="Record at 720p or more with the face filling most of the frame.",
            )
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        if duration is not None and duration > self.limits.max_duration_s:
            raise VideoTooLarge(
                f"The video lasts {duration:.0f} s; the limit is {self.limits.max_duration_s:.0f} s.",
                hint="Trim the clip to the guided expressions (under a minute).",
            )
        frames = int(stream.frames) if stream.frames else None
        if frames is not None and frames > self.limits.max_frames:
            raise VideoTooLarge(
                f"The video has {frames} frames; the limit is {self.limits.max_frames}.",
                hint="Trim the clip, or record at 30 or 60 fps.",
            )
        fps = float(stream.average_rate) if stream.average_rate else 0.0
        rotation = _display_rotation(self.path, self._demuxer)
        if rotation % 180:
            width, height = height, width
        aw, ah = _analysis_size(width, height, self.limits.analysis_long_side_px)
        stream.thread_type = "AUTO"
        return VideoInfo(
            path=self.path,
            container=str(container.format.name),
            codec=str(ctx.name),
            width_px=width,
            height_px=height,
            analysis_width_px=aw,
            analysis_height_px=ah,
            fps=fps,
            duration_s=duration,
            frame_count=frames,
            rotation_deg=rotation,
        )

    def frames(self, wanted: Iterable[int] | None = None) -> Iterator[DecodedFrame]:
        """Decode the frames in order, one at a time.

        Parameters
        ----------
        wanted : iterable of int, optional
            Only convert and yield these frame indices (the others are decoded and dropped, which is far
            cheaper than converting them). Default: every frame.

        Raises
        ------
        EmptyVideo
            The stream holds no decodable frame.
        VideoTooLarge
            More frames, or a longer time span, than the limits allow (checked as frames arrive).
        CorruptVideo
            The decoder fails before the first frame.
        """
        import av

        if self._container is None or self.info is None:
            raise RuntimeError("VideoReader is not open; use it as a context manager.")
        info = self.info
        keep = None if wanted is None else set(wanted)
        last_wanted = None if keep is None else (max(keep) if keep else -1)
        turns = _quarter_turns(info.rotation_deg)
        # Frames are scaled before the rotation, so the scaler gets the stored (unrotated) size.
        sw, sh = (
            (info.analysis_height_px, info.analysis_width_px)
            if turns % 2
            else (info.analysis_width_px, info.analysis_height_px)
        )
        index = -1
        t0: float | None = None
        try:
            for frame in self._container.decode(self._stream):
                index += 1
                if index >= self.limits.max_frames:
                    raise VideoTooLarge(
                        f"The video has more than {self.limits.max_frames} frames.",
                        hint="Trim the clip, or record at 30 or 60 fps.",
                    )
                t = frame.time
                if t is None:
                    t = index / info.fps if info.fps else float(index)
                if t0 is None:
                    t0 = float(t)
                time_s = float(t) - t0
                if time_s > self.limits.max_duration_s:
                    raise VideoTooLarge(
                        f"The video runs past {self.limits.max_duration_s:.0f} s.",
                        hint="Trim the clip to the guided expressions (under a minute).",
                    )
                if keep is not None and index not in keep:
                    if last_wanted is not None and index > last_wanted:
                        return
                    continue
                rgb = frame.to_ndarray(width=sw, height=sh, format="rgb24", interpolation="AREA")
                if turns:
                    rgb = np.ascontiguousarray(np.rot90(rgb, turns))
                yield DecodedFrame(index=index, time_s=time_s, rgb=rgb)
        except av.FFmpegError as exc:
            if index <= 0:
                raise CorruptVideo(
                    f"{self.path.name} could not be decoded ({_ffmpeg_reason(exc)}).",
                    hint="The file may be damaged; copy it again from the device.",
                ) from None
            # A damaged tail: keep what was decoded, the caller sees the shorter recording.
            return
        if index < 0:
            raise EmptyVideo(
                f"{self.path.name} contains no video frames.",
                hint="Record the clip again; the file holds a video track but no pictures.",
            )


def _display_rotation(path: Path, demuxer: str) -> int:
    """Counter-clockwise display rotation of the first video stream in degrees (0, 90, 180, 270).

    PyAV exposes the display matrix on decoded frames only, so the first frame is decoded from a second,
    short-lived opening of the file (cheaper and safer than seeking back in a stream that may not seek).
    """
    import av

    try:
        with av.open(str(path), format=demuxer, options={"protocol_whitelist": "file"}) as container:
            for frame in container.decode(video=0):
                return (_quarter_turns(float(getattr(frame, "rotation", 0) or 0)) * 90) % 360
    except (av.FFmpegError, ValueError, OSError):
        return 0
    return 0


def _ffmpeg_reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).strip().rstrip(".") or type(exc).__name__


def frame_times(info: VideoInfo, count: int) -> np.ndarray:
    """Nominal frame times ``index / fps`` (seconds), for when a caller has only indices."""
    fps = info.fps if info.fps > 0 and math.isfinite(info.fps) else 30.0
    return np.arange(count, dtype=np.float64) / fps
