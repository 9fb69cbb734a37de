"""The whole-session job reads the rest and expression stills once: the session assessment's own dynamic reading
is stored as the assessment's dynamics when it read the same photos; a smile photo that failed its checks (left
out of the session assessment, measured by the clinic all the same) is read by the clinic alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

import facebalance.dynamics
from tests.clinic.clinic_records import LONDON, ClinicRecords, new_session, run_assessment, stored_photo


@pytest.fixture
def dynamics_reads(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every call of ``facebalance.dynamics.assess_photos``, by its labels."""
    calls: list[list[str]] = []
    real = facebalance.dynamics.assess_photos

    def counted(paths: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(list(kwargs.get("labels") or []))
        return real(paths, *args, **kwargs)

    monkeypatch.setattr(facebalance.dynamics, "assess_photos", counted)
    return calls


def _assessed(clinic: ClinicRecords, smile_status: str) -> Any:
    client = Client()
    client.force_login(clinic.provider)
    session = new_session(client, clinic)
    stored_photo(session, "frontal_rest", clinic.provider, (LONDON / "001_03.jpg").read_bytes())
    stored_photo(session, "frontal_smile", clinic.provider, (LONDON / "001_08.jpg").read_bytes(), status=smile_status)
    return run_assessment(client, session)


def test_a_passed_smile_is_read_once_and_stored_as_the_assessments_dynamics(
    clinic_a: ClinicRecords, jobs_run_by_the_test: None, dynamics_reads: list[list[str]]
) -> None:
    assessment = _assessed(clinic_a, "pass")
    assert dynamics_reads == [["rest", "smile"]]
    assert assessment.dynamics["status"] == "done"
    assert [p["view_id"] for p in assessment.dynamics["photos"]] == ["frontal_rest", "frontal_smile"]
    assert assessment.dynamics["source"] == "frontal_rest, frontal_smile"
    stills = assessment.session_document["dynamics"]
    assert assessment.dynamics["expressions"] == stills["expressions"]


def test_a_failed_smile_is_read_by_the_clinic_alone(
    clinic_a: ClinicRecords, jobs_run_by_the_test: None, dynamics_reads: list[list[str]]
) -> None:
    assessment = _assessed(clinic_a, "fail")
    assert dynamics_reads == [["rest", "smile"]]
    assert assessment.session_document["dynamics"] is None
    assert assessment.dynamics["status"] == "done"
    assert [p["status"] for p in assessment.dynamics["photos"]] == ["pass", "fail"]
