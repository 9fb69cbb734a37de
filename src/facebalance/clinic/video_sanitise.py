"""Re-encode one uploaded video for storage in a separate, limited process
(``python -m facebalance.clinic.video_sanitise MEMORY_MB CPU_S MAX_BYTES SOURCE TARGET``).

As for photos (:mod:`facebalance.clinic.sanitise`): the decode of an untrusted file runs in a child process
that first caps its own address space and CPU time. The source is read by
:class:`facebalance.dynamics.video.VideoReader` (container recognised from its first bytes, the demuxer named,
only the ``file`` protocol, size, duration and frame limits checked before and while decoding, frames upright
at the analysis size) and written to ``TARGET`` as H.264 in MP4 (yuv420p, each frame at its own time, so the
prompt times stay true): no audio track, no metadata, nothing of the original container but its pictures.
Exit codes: 0 written, with ``{"width_px", "height_px", "duration_s", "frames", "fps"}`` as JSON on stdout;
3 refused (JSON ``{"code", "message", "hint"}`` on stderr); anything else is a crash.

This module imports neither Django nor the landmarker.
"""

from __future__ import annotations

import json
import resource
import sys
from fractions import Fraction
from pathlib import Path

EXIT_REFUSED = 3
#: Constant rate factor of the stored H.264 (visually lossless for faces at this size) and its speed preset.
CRF = "18"
PRESET = "veryfast"


def _limit(memory_mb: int, cpu_s: int) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))


def reencode(source: Path, target: Path, max_bytes: int) -> dict[str, float | int]:
    """Decode ``source`` safely and write the clean MP4 ``target``; what was written, as numbers."""
    import av
    import numpy as np

    from facebalance.dynamics.errors import EmptyVideo
    from facebalance.dynamics.video import VideoLimits, VideoReader

    frames = 0
    last_ms = -1
    width = height = 0
    limits = VideoLimits(max_file_bytes=max_bytes)
    with VideoReader(source, limits) as reader, av.open(str(target), "w", format="mp4") as out:
        out.metadata.clear()
        stream = None
        for frame in reader.frames():
            rgb = frame.rgb
            if stream is None:
                # yuv420p needs even sides: drop a last odd row or column.
                height, width = rgb.shape[0] // 2 * 2, rgb.shape[1] // 2 * 2
                stream = out.add_stream("libx264", rate=30)
                stream.width, stream.height = width, height
                stream.pix_fmt = "yuv420p"
                stream.time_base = Fraction(1, 1000)
                stream.codec_context.time_base = Fraction(1, 1000)
                stream.options = {"crf": CRF, "preset": PRESET}
                stream.metadata.clear()
            ms = round(frame.time_s * 1000)
            if ms <= last_ms:
                continue  # a repeated timestamp (variable-rate browser recordings): keep the first frame
            last_ms = ms
            picture = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb[:height, :width]), format="rgb24")
            picture.pts = ms
            picture.time_base = Fraction(1, 1000)
            for packet in stream.encode(picture):
                out.mux(packet)
            frames += 1
        if stream is None or frames == 0:
            raise EmptyVideo("The video holds no frames.", hint="Record the clip again.")
        for packet in stream.encode():
            out.mux(packet)
    duration = last_ms / 1000.0
    return {
        "width_px": width,
        "height_px": height,
        "duration_s": duration,
        "frames": frames,
        "fps": (frames - 1) / duration if duration > 0 else 0.0,
    }


def main(argv: list[str]) -> int:
    memory_mb, cpu_s, max_bytes = (int(a) for a in argv[:3])
    source, target = Path(argv[3]), Path(argv[4])
    _limit(memory_mb, cpu_s)
    from facebalance.errors import FacebalanceError

    try:
        written = reencode(source, target, max_bytes)
    except FacebalanceError as exc:
        target.unlink(missing_ok=True)
        sys.stderr.write(json.dumps({"code": exc.code, "message": exc.message, "hint": exc.hint}))
        return EXIT_REFUSED
    sys.stdout.write(json.dumps(written))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
