"""Rows of the guided dynamics capture: a session's recorded video, and the small job queue that analyses it.

Imported by :mod:`facebalance.clinic.models` (so Django finds the models in the ``clinic`` app); kept in its own
module so the capture's tables read together. A recording's files live in the photo store under
server-generated names (the quarantined upload until it is re-encoded, then the clean MP4 and its key
frames), known to the sweep and the integrity check like every stored photo.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models


class RecordingSource(models.TextChoices):
    CAMERA = "camera", "Recorded in the browser"
    UPLOAD = "upload", "Uploaded video file"


class RecordingStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the worker"
    PREPARING = "preparing", "Re-encoding the video"
    ANALYSING = "analysing", "Analysing the movements"
    DONE = "done", "Analysed"
    FAILED = "failed", "Could not be analysed"


class DynamicsRecording(models.Model):
    """One guided (or uploaded) video of a photo session, and its dynamic assessment.

    ``upload_name`` is the untrusted upload as received (quarantined: never served, never decoded in a web
    process) until the worker has re-encoded it into ``stored_name`` (H.264 MP4, no audio, no metadata) and
    removed it. ``prompts`` are the guided capture's prompt times (``[{name, start_s, end_s}]``), empty for
    an uploaded phone video. ``document`` is the ``facebalance.dynamics`` document; its rest-vs-peak pictures
    are :class:`DynamicsKeyframe` rows.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey("clinic.PhotoSession", on_delete=models.PROTECT, related_name="recordings")
    source = models.CharField(max_length=10, choices=RecordingSource.choices)
    upload_name = models.CharField(max_length=80, blank=True, default="")
    upload_bytes = models.PositiveBigIntegerField(default=0)
    stored_name = models.CharField(max_length=80, unique=True, null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    size_bytes = models.PositiveBigIntegerField(default=0)
    width_px = models.PositiveIntegerField(default=0)
    height_px = models.PositiveIntegerField(default=0)
    duration_s = models.FloatField(default=0.0)
    prompts = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=RecordingStatus.choices, default=RecordingStatus.QUEUED)
    #: How far the worker is (0-1) and what it is doing, for the page's poll (a copy of its job's).
    progress = models.FloatField(default=0.0)
    stage = models.CharField(max_length=200, blank=True, default="")
    error = models.TextField(blank=True, default="")
    document = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    analysed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-uploaded_at",)

    def file_names(self) -> list[str]:
        """The recording's own stored files (its key frames are rows of their own)."""
        return [n for n in (self.upload_name, self.stored_name or "") if n]

    @property
    def busy(self) -> bool:
        return self.status in (RecordingStatus.QUEUED, RecordingStatus.PREPARING, RecordingStatus.ANALYSING)


class DynamicsKeyframe(models.Model):
    """One expression's key frames of a recording, rest and peak side by side (a JPEG in the photo store).

    ``index`` is the expression's position in the document's ``expressions`` (-1: the rest frame alone).
    """

    recording = models.ForeignKey(DynamicsRecording, on_delete=models.PROTECT, related_name="keyframes")
    index = models.IntegerField()
    stored_name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ("recording", "index")
        constraints = (models.UniqueConstraint(fields=("recording", "index"), name="one_keyframe_per_expression"),)


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    """A unit of background work (:mod:`facebalance.clinic.jobs`): what to do (``kind``) to which row
    (``object_id``), claimed by one worker at a time, with its progress for the page to poll."""

    kind = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    progress = models.FloatField(default=0.0)
    message = models.CharField(max_length=300, blank=True, default="")
    worker = models.CharField(max_length=80, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = (models.Index(fields=("status", "created_at")), models.Index(fields=("kind", "object_id")))

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "progress": round(self.progress, 3), "message": self.message}
