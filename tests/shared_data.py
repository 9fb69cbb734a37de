"""Where the bundled and shared test data live; ``shared_path`` skips a test when ../shared is absent,
``system_tool`` when a system program (installed by .ci/run) is."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUNDLED_LONDON = REPO / "tests" / "data" / "london"
SHARED = REPO.parent / "shared"
SHARED_DATA = SHARED / "data"


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test saying what is missing."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/data/{'/'.join(parts)} (the shared data folder beside the repository)")
    return path


def system_tool(name: str, package: str = "poppler-utils") -> str:
    """The path of a system program the test needs, or skip the test saying how to install it."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is missing (apt-get install {package}; .ci/run installs it)")
    return path
