"""Dynamics videos: bounded upload, format check, quarantine, re-encoding and analysis in the background.

The path of one recording (the guided capture's video or a phone video):

1. :class:`VideoUploadHandler` (set by the upload-limit middleware for this one path) streams the request body
   straight into ``<store>/tmp/<random>.part`` and stops past ``FACEBALANCE_VIDEO_MAX_BYTES``; the first bytes
   decide the container (MP4/MOV, Matroska/WebM, AVI: :func:`facebalance.dynamics.video.sniff_container`), the
   browser's type and file name are ignored; the prompt times sent with it are checked against the script;
2. in one transaction the :class:`~facebalance.clinic.models.DynamicsRecording` row, its job and the audit row
   are inserted and the upload renamed to its quarantine name (``<random>.upload``: never served, never decoded
   in a web process) - the request ends here;
3. the worker (:mod:`facebalance.clinic.jobs`) re-encodes it in a limited child process
   (:mod:`facebalance.clinic.video_sanitise`: H.264 MP4, upright, no audio, no metadata), stores the clean file
   with its row update in one transaction and deletes the quarantined upload;
4. it runs :func:`facebalance.dynamics.assess_video` with the prompts and the clinic's norm set, and stores the
   ``facebalance.dynamics`` document and the key-frame pictures (rest vs peak per expression) with the row,
   again all or nothing.

A crash at any point leaves at most a ``.part`` file or a renamed file without a committed row, which the
sweep removes, and a running job whose heartbeat stops, which the queue runs again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import transaction
from django.utils import timezone

from facebalance.clinic import audit, engine, jobs, photostore
from facebalance.clinic.models import PhotoSession
from facebalance.clinic.models_dynamics import (
    DynamicsKeyframe,
    DynamicsRecording,
    Job,
    RecordingSource,
    RecordingStatus,
)
from facebalance.dynamics.errors import CorruptVideo, NotAVideo, PromptError, VideoTooLarge
from facebalance.errors import FacebalanceError

#: The job kind that prepares and analyses one recording.
JOB_KIND = "dynamics_recording"
UPLOAD_SUFFIX = ".upload"
#: Most prompts one recording may carry (the default script has nine; a clinic's may repeat some).
MAX_PROMPTS = 64


class StoredVideo(UploadedFile):
    """The uploaded video, already written to a ``.part`` file in the photo store."""

    def __init__(self, path: Path, size: int, name: str, content_type: str | None) -> None:
        super().__init__(file=None, name=name, content_type=content_type, size=size)
        self.path = path

    def close(self) -> None:
        return None


class VideoUploadHandler(FileUploadHandler):
    """Write the upload straight to the store's ``tmp`` folder, refusing it once past the video limit."""

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: str | None = None
    ) -> None:
        self.limit = settings.FACEBALANCE.video_max_bytes
        self.part: Path | None = None
        self.fd: int | None = None
        self.received = 0
        # A body declared larger than the limit is refused at its first file, before a byte is stored (Django
        # handles StopUpload raised there, not here).
        self.declared_too_large = bool(content_length and content_length > self.limit + 64 * 1024)

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self._drop()
        if self.declared_too_large:
            self.request.upload_too_large = True  # type: ignore[attr-defined]
            raise StopUpload(connection_reset=True)
        self.part = photostore.store_dir() / photostore.TMP_DIR / photostore.new_name(photostore.PART_SUFFIX)
        self.fd = os.open(self.part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self._drop()
            self.request.upload_too_large = True  # type: ignore[attr-defined]
            raise StopUpload(connection_reset=True)
        assert self.fd is not None
        os.write(self.fd, raw_data)

    def file_complete(self, file_size: int) -> StoredVideo | None:
        if self.fd is None or self.part is None:
            return None
        os.fsync(self.fd)
        os.close(self.fd)
        self.fd = None
        return StoredVideo(self.part, file_size, self.file_name or "video", self.content_type)

    def upload_interrupted(self) -> None:
        self._drop()

    def _drop(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.part is not None:
            self.part.unlink(missing_ok=True)
            self.part = None


#: The path of a session's video upload (``clinic:recording_upload``).
_UPLOAD_PATH = re.compile(r"^/sessions/[0-9a-f-]{36}/recordings/$")


def is_video_upload(request: Any) -> bool:
    """Whether the request uploads a dynamics video (its body gets the video limit and handler)."""
    return bool(_UPLOAD_PATH.match(request.path_info or ""))


def body_limit_bytes() -> int:
    """The largest video request body accepted: the video limit plus room for the form's other fields."""
    return int(settings.FACEBALANCE.video_max_bytes) + 64 * 1024


def discard(upload: Any) -> None:
    """Remove an upload's ``.part`` file (a refused upload)."""
    if isinstance(upload, StoredVideo):
        upload.path.unlink(missing_ok=True)


def check_prompts(raw: str) -> list[dict[str, Any]]:
    """The prompt times sent with a guided recording (JSON), checked against the default script."""
    from facebalance.dynamics.script import load_script
    from facebalance.dynamics.segment import parse_prompts

    if not raw.strip():
        return []
    try:
        items = json.loads(raw)
    except json.JSONDecodeError:
        raise PromptError("The prompt times are not valid JSON.", hint="Record the video again.") from None
    if not isinstance(items, list) or len(items) > MAX_PROMPTS or not all(isinstance(i, dict) for i in items):
        raise PromptError("The prompt times are not a list of prompts.", hint="Record the video again.")
    prompts = parse_prompts(items, load_script())
    return [{"name": p.name, "start_s": round(p.start_s, 3), "end_s": round(p.end_s, 3)} for p in prompts]


def add_recording(
    session: PhotoSession, upload: Any, *, prompts: list[dict[str, Any]], source: str, user: Any
) -> DynamicsRecording:
    """Check and quarantine an uploaded video, and queue its analysis (see the module text).

    Raises
    ------
    FacebalanceError
        No file, over the limit, or not a video container facebalance reads (the file is removed).
    """
    if upload is None:
        raise NotAVideo("No video was uploaded.", hint="Record the video, or choose a video file.")
    if not isinstance(upload, StoredVideo):
        raise CorruptVideo("The video did not arrive whole.", hint="Upload it again.")
    from facebalance.dynamics.video import sniff_container

    try:
        if upload.size is not None and upload.size > settings.FACEBALANCE.video_max_bytes:
            raise VideoTooLarge("The video is over the upload limit.", hint="Trim it to the guided expressions.")
        with upload.path.open("rb") as fh:
            head = fh.read(512)
        if not head:
            raise NotAVideo("The uploaded file is empty.", hint="Record the video again.")
        if sniff_container(head) is None:
            raise NotAVideo(
                "The file is not a video facebalance reads.", hint="Upload an MP4, MOV or WebM video from the device."
            )
    except FacebalanceError:
        discard(upload)
        raise
    name = photostore.new_name(UPLOAD_SUFFIX)

    def create() -> DynamicsRecording:
        recording = DynamicsRecording.objects.create(
            session=session,
            source=source if source in RecordingSource.values else RecordingSource.UPLOAD,
            upload_name=name,
            upload_bytes=int(upload.size or 0),
            prompts=prompts,
            uploaded_by=user,
        )
        jobs.enqueue(JOB_KIND, str(recording.pk))
        audit.record(
            "create",
            user=user,
            clinic_id=session.patient.clinic_id,
            obj=recording,
            detail={"session": str(session.pk), "source": recording.source, "prompts": len(prompts)},
        )
        return recording

    recording: DynamicsRecording = photostore.commit_files({name: upload.path}, create)
    return recording


def _set(recording: DynamicsRecording, **fields: Any) -> None:
    for key, value in fields.items():
        setattr(recording, key, value)
    recording.save(update_fields=list(fields))


def _reencode(recording: DynamicsRecording) -> None:
    """Step 3: the quarantined upload re-encoded in a limited child process, stored with the row's update."""
    cfg = settings.FACEBALANCE
    source = photostore.photo_path(recording.upload_name)
    part = photostore.store_dir() / photostore.TMP_DIR / photostore.new_name(photostore.PART_SUFFIX)
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "facebalance.clinic.video_sanitise",
                str(cfg.decode_memory_mb),
                str(cfg.video_timeout_s),
                str(cfg.video_max_bytes),
                str(source),
                str(part),
            ],
            capture_output=True,
            timeout=cfg.video_timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        part.unlink(missing_ok=True)
        raise CorruptVideo(
            f"Re-encoding the video took longer than {cfg.video_timeout_s} s and was stopped.",
            hint="Upload a shorter clip (the guided recording is about half a minute).",
        ) from None
    if proc.returncode != 0:
        part.unlink(missing_ok=True)
        if proc.returncode == 3:
            err = json.loads(proc.stderr.decode("utf-8") or "{}")
            exc = CorruptVideo(err.get("message", "The video was refused."), hint=err.get("hint", ""))
            exc.code = str(err.get("code", "video_input"))
            raise exc
        raise CorruptVideo(
            "The video could not be decoded within the memory and time limits.",
            hint="Upload an MP4, MOV or WebM video from the device.",
        )
    written = json.loads(proc.stdout.decode("utf-8"))
    name = photostore.new_name(".mp4")
    digest = hashlib.sha256(part.read_bytes()).hexdigest()
    size = part.stat().st_size

    def update() -> None:
        _set(
            recording,
            stored_name=name,
            sha256=digest,
            size_bytes=size,
            width_px=int(written["width_px"]),
            height_px=int(written["height_px"]),
            duration_s=float(written["duration_s"]),
            upload_name="",
        )

    photostore.commit_files({name: part}, update)
    source.unlink(missing_ok=True)  # the quarantined original; its row no longer names it


def _drop_upload(recording: DynamicsRecording) -> None:
    """A refused upload: its quarantined file is deleted (nothing in it can be used)."""
    if recording.upload_name:
        path = photostore.photo_path(recording.upload_name)
        _set(recording, upload_name="")
        path.unlink(missing_ok=True)


def _analyse(recording: DynamicsRecording, progress: jobs.Progress) -> None:
    """Step 4: the dynamic assessment of the clean video, stored with its key frames."""
    from facebalance.dynamics import DynamicsOptions, assess_video
    from facebalance.report.dynamics import dynamics_document
    from facebalance.report.dynamics_keyframes import keyframe_pictures

    clinic = recording.session.patient.clinic

    def tracked(done: int, expected: int | None) -> None:
        total = max(expected or done, done, 1)
        progress(0.15 + 0.75 * done / total, f"Following the face: frame {done} of {total}.")

    result = assess_video(
        photostore.photo_path(recording.stored_name or ""),
        options=DynamicsOptions(norms=engine.clinic_norms(clinic)),
        progress=tracked,
        prompts=list(recording.prompts or []),
    )
    progress(0.92, "Storing the key frames.")
    document = dynamics_document(result)
    document["source"] = recording.get_source_display().lower()  # never a file name
    document["recording"] = str(recording.pk)
    pictures = keyframe_pictures(result)
    document["keyframes"] = sorted(pictures)  # the indices with a picture (rows of their own, listed here too)
    parts = {photostore.new_name(".jpg"): (index, photostore.write_part(data)) for index, data in pictures.items()}

    def store() -> None:
        for name, (index, _) in parts.items():
            DynamicsKeyframe.objects.create(recording=recording, index=index, stored_name=name)
        _set(recording, document=document, status=RecordingStatus.DONE, analysed_at=timezone.now(), error="")
        audit.record(
            "change",
            user=None,
            actor_name="worker",
            clinic_id=clinic.pk,
            obj=recording,
            detail={"analysed": True, "expressions": len(result.expressions), "findings": len(result.findings)},
        )

    photostore.commit_files({name: part for name, (_, part) in parts.items()}, store)


def _shown(recording: DynamicsRecording, progress: jobs.Progress) -> jobs.Progress:
    """``progress`` that also writes the recording's own copy, which the page polls (no job lookup)."""
    last = [-1.0]

    def report(fraction: float, message: str) -> None:
        progress(fraction, message)
        if fraction - last[0] >= 0.02 or fraction >= 1.0:
            last[0] = fraction
            DynamicsRecording.objects.filter(pk=recording.pk).update(progress=fraction, stage=message[:200])

    return report


@jobs.handler(JOB_KIND)
def run_recording_job(job: Job, progress: jobs.Progress) -> None:
    """Prepare (when still quarantined) and analyse one recording; its row says how it went."""
    recording = DynamicsRecording.objects.select_related("session__patient__clinic").get(pk=job.object_id)
    if recording.status == RecordingStatus.DONE:
        return
    progress = _shown(recording, progress)
    try:
        if recording.upload_name and not recording.stored_name:
            _set(recording, status=RecordingStatus.PREPARING, error="")
            progress(0.02, "Re-encoding the video.")
            try:
                _reencode(recording)
            except FacebalanceError:
                _drop_upload(recording)
                raise
        _set(recording, status=RecordingStatus.ANALYSING)
        progress(0.15, "Following the face.")
        _analyse(recording, progress)
    except FacebalanceError as exc:
        with transaction.atomic():
            _set(recording, status=RecordingStatus.FAILED, error=photostore.refusal_message(exc))
        raise


def latest_analysed(session: PhotoSession) -> DynamicsRecording | None:
    """The session's newest recording whose analysis is done."""
    return session.recordings.filter(status=RecordingStatus.DONE).order_by("-uploaded_at").first()


def session_dynamics(session: PhotoSession) -> dict[str, Any] | None:
    """The dynamic assessment of the session's newest analysed recording, for the assessment (``None``
    without one): the ``facebalance.dynamics`` document, marked with its recording and key frames."""
    recording = latest_analysed(session)
    if recording is None or not recording.document:
        return None
    document = dict(recording.document)
    document["status"] = "done"
    document["recording"] = str(recording.pk)
    document.setdefault("keyframes", sorted(recording.keyframes.values_list("index", flat=True)))
    return document
