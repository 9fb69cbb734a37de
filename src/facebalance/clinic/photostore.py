"""Photo uploads: bounded, sniffed, sanitised in a limited process, and stored together with their row.

The path of one upload:

1. :class:`BoundedUploadHandler` stops reading the request body past ``FACEBALANCE_UPLOAD_MAX_BYTES``;
2. the content's magic bytes decide the type (the file name and the browser's type are ignored);
3. :func:`sanitise` re-encodes the photo in a child process with memory and CPU limits
   (:mod:`facebalance.clinic.sanitise`): header size checks before any pixel, then a clean upright JPEG
   without EXIF (so no GPS position);
4. :func:`store_photo` writes the clean JPEG to ``<store>/tmp/<random>.part`` and fsyncs it, then in one
   database transaction inserts the row, renames the file to its final server-generated name and fsyncs
   the folder, and commits. Any failure before the commit removes the file.

A crash can leave a ``.part`` file, or a renamed file whose row never committed; :func:`sweep` (run at
start-up by the management commands and by ``facebalance_integrity``) deletes both, so after recovery
every file has a row and every row its file. :func:`integrity_report` checks exactly that.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import transaction
from PIL import Image

from facebalance.clinic.models import (
    Assessment,
    AssessmentImage,
    Comparison,
    DynamicsKeyframe,
    DynamicsRecording,
    Photo,
)
from facebalance.errors import CorruptImage, FacebalanceError, ImageInputError, ImageTooLarge
from facebalance.vision.image_io import accepted_format

TMP_DIR = "tmp"
PART_SUFFIX = ".part"
#: A renamed file without a row is only removed once older than this, so a sweep running beside a live
#: upload (between its rename and its commit) never takes the file from under it.
ORPHAN_GRACE_S = 600


def body_limit_bytes() -> int:
    """The largest request body accepted: the photo limit plus room for the form's other fields."""
    return int(settings.FACEBALANCE.upload_max_bytes) + 64 * 1024


class BoundedUploadHandler(FileUploadHandler):
    """Refuse an upload as soon as its body passes the configured limit, before it is all received."""

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: str | None = None
    ) -> None:
        self.received = 0
        if content_length and content_length > body_limit_bytes():
            self.request.upload_too_large = True  # type: ignore[attr-defined]
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.FACEBALANCE.upload_max_bytes:
            self.request.upload_too_large = True  # type: ignore[attr-defined]
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def store_dir() -> Path:
    path = settings.FACEBALANCE.photo_dir
    (path / TMP_DIR).mkdir(parents=True, exist_ok=True)
    return path


def read_upload(upload: Any) -> bytes:
    """The bytes of an uploaded file, refusing more than the limit (a second guard behind the handler)."""
    limit = settings.FACEBALANCE.upload_max_bytes
    if upload is None:
        raise ImageInputError("No photo was uploaded.", hint="Choose a photo file or take one with the camera.")
    if upload.size is not None and upload.size > limit:
        raise ImageTooLarge(f"The file is {upload.size} bytes; the limit is {limit}.", hint="Upload a smaller photo.")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ImageTooLarge(f"The file is over the {limit}-byte limit.", hint="Upload a smaller photo.")
    return bytes(data)


def sanitise(data: bytes) -> bytes:
    """A clean JPEG of the upload, made in a limited child process; typed errors when refused."""
    accepted_format(data)  # type by content, refused before a process is even started
    cfg = settings.FACEBALANCE
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "facebalance.clinic.sanitise",
                str(cfg.decode_memory_mb),
                str(cfg.decode_timeout_s),
                str(cfg.upload_max_bytes),
            ],
            input=data,
            capture_output=True,
            timeout=cfg.decode_timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CorruptImage(
            f"Decoding the photo took longer than {cfg.decode_timeout_s} s and was stopped.",
            hint="Upload a standard JPEG, PNG, WebP or HEIC photo.",
        ) from None
    if proc.returncode == 0 and proc.stdout:
        return proc.stdout
    if proc.returncode == 3:
        err = json.loads(proc.stderr.decode("utf-8") or "{}")
        exc = ImageInputError(err.get("message", "The photo was refused."), hint=err.get("hint", ""))
        exc.code = str(err.get("code", "image_input"))
        raise exc
    # Killed by its memory or CPU limit, or crashed inside a decoder: the file is not a usable photo.
    raise CorruptImage(
        "The photo could not be decoded within the memory and time limits.",
        hint="Upload a standard JPEG, PNG, WebP or HEIC photo.",
    )


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_name(suffix: str) -> str:
    """A server-generated file name: 128 random bits, never anything the uploader chose."""
    return f"{uuid.uuid4().hex}{suffix}"


def write_part(data: bytes) -> Path:
    """Write bytes durably to a temporary file in the store; the caller renames or removes it."""
    part = store_dir() / TMP_DIR / new_name(PART_SUFFIX)
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return part


def commit_files(parts: dict[str, Path], create_rows: Callable[[], Any]) -> Any:
    """Rename each ``.part`` to its final name and create the rows, in one transaction; all or nothing.

    ``parts`` maps final names to written ``.part`` files. The rows are created first (inside the
    transaction), then the files renamed and the folder synced, then the transaction commits; if anything
    raises, the transaction rolls back and every file (renamed or not) is removed.
    """
    root = store_dir()
    done: list[Path] = []
    try:
        with transaction.atomic():
            result = create_rows()
            for name, part in parts.items():
                final = root / name
                os.replace(part, final)
                done.append(final)
            _fsync_dir(root)
        return result
    except BaseException:
        for path in [*done, *parts.values()]:
            path.unlink(missing_ok=True)
        raise


def photo_path(name: str) -> Path:
    """The stored file of a server-generated name (never a path the client gave)."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError("not a stored name")
    return store_dir() / name


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    sha256: str
    width_px: int
    height_px: int


def clean_upload(data: bytes) -> CleanPhoto:
    clean = sanitise(data)
    with Image.open(io.BytesIO(clean)) as im:
        width, height = im.size
    return CleanPhoto(clean, hashlib.sha256(clean).hexdigest(), width, height)


@dataclass
class IntegrityReport:
    rows_without_file: list[str] = field(default_factory=list)
    files_without_row: list[str] = field(default_factory=list)
    part_files: list[str] = field(default_factory=list)
    hash_mismatch: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.rows_without_file or self.files_without_row or self.part_files or self.hash_mismatch)

    def as_dict(self) -> dict[str, Any]:
        return {
            "clean": self.clean,
            "rows_without_file": self.rows_without_file,
            "files_without_row": self.files_without_row,
            "part_files": self.part_files,
            "hash_mismatch": self.hash_mismatch,
        }


def _known_names() -> set[str]:
    # A photo imported without its pixels (FHIR) names no file.
    names = {n for n in Photo.objects.values_list("stored_name", flat=True) if n}
    names |= {n for n in Assessment.objects.values_list("annotated_name", flat=True) if n}
    names |= set(AssessmentImage.objects.values_list("stored_name", flat=True))
    for comparison in Comparison.objects.only(*Comparison.PICTURES.values()).iterator():
        names |= set(comparison.file_names())
    for recording in DynamicsRecording.objects.only("upload_name", "stored_name").iterator():
        names |= set(recording.file_names())
    names |= set(DynamicsKeyframe.objects.values_list("stored_name", flat=True))
    return names


def integrity_report(*, check_hashes: bool = False) -> IntegrityReport:
    """Compare the photo store with the database: every row has its file and every file its row."""
    root = store_dir()
    report = IntegrityReport()
    known = _known_names()
    present = {p.name for p in root.iterdir() if p.is_file() and not p.name.startswith(".")}
    report.part_files = sorted(p.name for p in (root / TMP_DIR).iterdir())
    report.rows_without_file = sorted(known - present)
    report.files_without_row = sorted(present - known)
    if check_hashes:
        for photo in Photo.objects.exclude(stored_name=None).only("stored_name", "sha256").iterator():
            path = root / photo.stored_name
            if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() != photo.sha256:
                report.hash_mismatch.append(photo.stored_name)
    return report


def sweep(*, grace_s: float = ORPHAN_GRACE_S) -> IntegrityReport:
    """Remove what an interrupted upload left behind (``.part`` files, files whose row never committed).

    Returns what was removed. Rows without a file are never deleted here: they are reported by
    :func:`integrity_report` for a person to look into.
    """
    root = store_dir()
    removed = IntegrityReport()
    now = time.time()
    for part in (root / TMP_DIR).iterdir():
        if now - part.stat().st_mtime >= grace_s:
            part.unlink(missing_ok=True)
            removed.part_files.append(part.name)
    known = _known_names()
    for path in root.iterdir():
        if path.is_file() and path.name not in known and now - path.stat().st_mtime >= grace_s:
            path.unlink(missing_ok=True)
            removed.files_without_row.append(path.name)
    return removed


def refusal_message(exc: FacebalanceError) -> str:
    return f"{exc.message} {exc.hint}".strip()
