"""A small photo archive for the batch tests: two good photos, a file that is not a photo and a JPEG cut
in half. Kept apart from conftest so test modules can import it."""

from __future__ import annotations

import shutil
from pathlib import Path

LONDON = Path(__file__).parents[1] / "data" / "london"
GOOD = ("001_03.jpg", "030_03.jpg")
NOT_A_PHOTO = "notes.jpg"
TRUNCATED = "truncated.jpg"


def build_archive(root: Path) -> Path:
    """``root/archive`` with the two good photos in a sub-folder and the two bad files beside them."""
    archive = root / "archive"
    (archive / "visit1").mkdir(parents=True)
    for name in GOOD:
        shutil.copyfile(LONDON / name, archive / "visit1" / name)
    (archive / NOT_A_PHOTO).write_text("The patient asked about lip filler.\n", encoding="utf-8")
    whole = (LONDON / "042_03.jpg").read_bytes()
    (archive / TRUNCATED).write_bytes(whole[: len(whole) // 2])
    return archive
