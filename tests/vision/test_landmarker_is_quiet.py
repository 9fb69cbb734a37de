"""Opening, using and closing the landmarker writes nothing to the process's stderr, not even natively.

MediaPipe's graph logs through glog and TFLite straight to file descriptor 2, which pytest's capture
cannot see from inside the process; a child process is run and its stderr read instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import sys
    from facebalance.vision import FaceLandmarker, load_image

    image = load_image(sys.argv[1])
    with FaceLandmarker() as landmarker:
        faces = landmarker.detect(image.rgb)
    print(f"{len(faces)} face(s)")
    """
)


def test_it_leaves_stderr_empty(patient_ada_photo: Path) -> None:
    # The adapter must be quiet by itself, not because the caller set the log levels.
    environment = {k: v for k, v in os.environ.items() if k not in ("GLOG_minloglevel", "TF_CPP_MIN_LOG_LEVEL")}

    child = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(patient_ada_photo)],
        capture_output=True,
        env=environment,
        timeout=120,
        check=False,
    )

    assert child.returncode == 0, child.stderr.decode(errors="replace")
    assert child.stdout.decode().strip() == "1 face(s)"
    assert child.stderr == b""
