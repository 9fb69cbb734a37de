"""Re-encode one upload for storage in a separate, limited process (``python -m facebalance.clinic.sanitise``).

Decoders are where hostile files do their damage, so the decode of an untrusted upload runs in a child
process that first caps its own address space and CPU time, reads the bytes from stdin and writes the
clean JPEG to stdout. A decompression bomb or a decoder bug then kills the child, not the web worker,
and the parent's wall-clock timeout bounds the rest. Exit codes: 0 clean JPEG on stdout; 3 the file was
refused (JSON ``{"code", "message", "hint"}`` on stderr); anything else is a crash.

This module imports neither Django nor the landmarker.
"""

from __future__ import annotations

import json
import resource
import sys

EXIT_REFUSED = 3


def _limit(memory_mb: int, cpu_s: int) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))


def main(argv: list[str]) -> int:
    memory_mb, cpu_s, max_bytes = (int(a) for a in argv)
    _limit(memory_mb, cpu_s)
    from facebalance.errors import FacebalanceError
    from facebalance.vision.storage import reencode_for_storage

    data = sys.stdin.buffer.read(max_bytes + 1)
    try:
        if len(data) > max_bytes:
            from facebalance.errors import ImageTooLarge

            raise ImageTooLarge(f"The file is larger than {max_bytes} bytes.", hint="Upload a smaller photo.")
        clean = reencode_for_storage(data)
    except FacebalanceError as exc:
        sys.stderr.write(json.dumps({"code": exc.code, "message": exc.message, "hint": exc.hint}))
        return EXIT_REFUSED
    sys.stdout.buffer.write(clean)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
