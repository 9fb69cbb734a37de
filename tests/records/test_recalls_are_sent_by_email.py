"""A due recall is emailed to the patient through Django's email settings (the console backend unless SMTP is
configured), kept with who and when, audited, and shown on the recall list; the email names no internal id. A
patient who asked not to be recalled, or to be phoned, is not emailed. Toxin reported at intake is recalled too."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from facebalance.clinic import audit
from facebalance.clinic.config import ConfigError, load_config
from facebalance.clinic.models import Intake, PriorTreatment
from facebalance.clinic.records.models import RecallNotice

TODAY = timezone.localdate()


def _due_toxin(records: Any, *, email: str = "patient@example.test", channel: str = "email") -> None:
    """Toxin reported at intake 14 weeks ago: due now, recalled from what the patient told us."""
    records.patient.email, records.patient.preferred_channel = email, channel
    records.patient.save()
    intake = Intake.objects.create(patient=records.patient, created_by=records.provider, goals="frown lines")
    PriorTreatment.objects.create(
        intake=intake, date=TODAY - timedelta(weeks=14), modality="toxin", area="glabella", amount=20
    )


def _key(client: Client) -> str:
    page = client.get("/records/recalls/").content.decode()
    return re.search(r'name="key" value="([^"]+:toxin:[^"]+)"', page).group(1)


def test_a_due_recall_is_emailed_kept_and_shown(clinic_a: Any) -> None:
    _due_toxin(clinic_a)
    client = Client()
    client.force_login(clinic_a.front_desk)
    key = _key(client)
    response = client.post("/records/recalls/send/", {"patient": str(clinic_a.patient.pk), "key": key})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["patient@example.test"] and "Harbour Clinic" in message.subject
    assert f"Dear {clinic_a.patient.given_name}" in message.body and "is due between" in message.body
    for internal in ("_", "toxin:", str(clinic_a.patient.pk)):
        assert internal not in message.subject + message.body, internal
    notice = RecallNotice.objects.get(patient=clinic_a.patient)
    assert (notice.recall_key, notice.sent_to, notice.sent_by) == (key, "patient@example.test", clinic_a.front_desk)
    event = audit.AuditEvent.objects.filter(object_type="recallnotice").get()
    assert event.action == "export" and "patient@example.test" not in str(event.detail)
    page = client.get(response["Location"]).content.decode()
    assert "Recall sent by email." in page and "Emailed " in page


@pytest.mark.parametrize("channel", ["none", "phone"])
def test_a_patient_who_asked_otherwise_is_not_emailed(clinic_a: Any, channel: str) -> None:
    _due_toxin(clinic_a, channel=channel)
    client = Client()
    client.force_login(clinic_a.provider)
    page = client.get("/records/recalls/").content.decode()
    assert "Send by email" not in page
    key = f"{clinic_a.patient.pk}:toxin:{(TODAY - timedelta(weeks=14)).isoformat()}"
    response = client.post("/records/recalls/send/", {"patient": str(clinic_a.patient.pk), "key": key})
    assert response.status_code == 422 and not mail.outbox


def test_an_unknown_recall_is_a_404(clinic_a: Any, clinic_b: Any) -> None:
    _due_toxin(clinic_a)
    client = Client()
    client.force_login(clinic_b.provider)
    key = f"{clinic_a.patient.pk}:toxin:{(TODAY - timedelta(weeks=14)).isoformat()}"
    assert client.post("/records/recalls/send/", {"patient": str(clinic_a.patient.pk), "key": key}).status_code == 404
    client.force_login(clinic_a.admin)
    assert client.post("/records/recalls/send/", {"patient": str(clinic_a.patient.pk), "key": key}).status_code == 403


def test_the_email_backend_is_console_unless_smtp_is_set(tmp_path: Path) -> None:
    base = {
        "FACEBALANCE_SECRET_KEY": "k" * 40,
        "FACEBALANCE_AUDIT_KEY": "a" * 40,
        "FACEBALANCE_DATA_DIR": str(tmp_path),
    }
    assert load_config(base).email.django_backend == "django.core.mail.backends.console.EmailBackend"
    smtp = load_config({**base, "FACEBALANCE_EMAIL_BACKEND": "smtp", "FACEBALANCE_EMAIL_HOST": "mail.example.test"})
    assert (smtp.email.django_backend, smtp.email.port, smtp.email.tls) == (
        "django.core.mail.backends.smtp.EmailBackend",
        587,
        True,
    )
    with pytest.raises(ConfigError, match="FACEBALANCE_EMAIL_HOST"):
        load_config({**base, "FACEBALANCE_EMAIL_BACKEND": "smtp"})
    with pytest.raises(ConfigError, match="FACEBALANCE_EMAIL_BACKEND"):
        load_config({**base, "FACEBALANCE_EMAIL_BACKEND": "pigeon"})
