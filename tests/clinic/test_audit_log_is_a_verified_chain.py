"""The audit log: who created, viewed, changed or exported which record; append-only; the verifier names
the first altered or missing row."""

from __future__ import annotations

from django.db import connection
from django.test import Client

from facebalance.clinic import audit
from facebalance.clinic.models import AuditEvent
from tests.clinic.clinic_records import ClinicRecords


def drop_guards() -> None:
    """What an attacker with the database owner's rights can do: remove the append-only triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS clinic_auditevent_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS clinic_auditevent_no_delete")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS clinic_auditevent_append_only ON clinic_auditevent")


def some_events(clinic_a: ClinicRecords, n: int = 5) -> list[AuditEvent]:
    return [
        audit.record("view", user=clinic_a.provider, clinic_id=clinic_a.clinic.pk, obj=clinic_a.patient)
        for _ in range(n)
    ]


def test_pages_record_who_viewed_and_created_what(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    client.get(f"/patients/{clinic_a.patient.pk}/")
    client.get(f"/photos/{clinic_a.photo.pk}/image/")
    client.post(
        "/patients/new/", {"given_name": "New", "family_name": "Person", "date_of_birth": "1970-01-01", "sex": "male"}
    )
    events = list(AuditEvent.objects.order_by("seq"))
    assert [(e.action, e.object_type) for e in events] == [
        ("view", "patient"),
        ("view", "photo"),
        ("create", "patient"),
    ]
    assert {e.actor for e in events} == {"harbour.provider"}
    assert events[0].object_id == str(clinic_a.patient.pk)
    assert audit.verify_chain().ok


def test_rows_carry_no_names(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    client.post(
        "/patients/new/",
        {"given_name": "Zelda", "family_name": "Quixote", "date_of_birth": "1970-01-01", "sex": "female"},
    )
    text = " ".join(str(e.detail) + e.object_id for e in AuditEvent.objects.all())
    assert "Zelda" not in text and "Quixote" not in text


def test_an_intact_chain_verifies(clinic_a: ClinicRecords) -> None:
    some_events(clinic_a)
    report = audit.verify_chain()
    assert report.ok and report.rows == 5 and report.first_bad_seq is None


def test_the_orm_and_the_database_refuse_changes(clinic_a: ClinicRecords) -> None:
    event = some_events(clinic_a, 1)[0]
    try:
        event.save()
        raise AssertionError("save of an existing audit row was allowed")
    except PermissionError:
        pass
    try:
        event.delete()
        raise AssertionError("delete of an audit row was allowed")
    except PermissionError:
        pass
    from django.db import DatabaseError, transaction

    for sql in ("UPDATE clinic_auditevent SET action = 'x'", "DELETE FROM clinic_auditevent"):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
            raise AssertionError(f"{sql} was allowed")
        except DatabaseError:
            pass


def test_an_altered_row_is_named(clinic_a: ClinicRecords) -> None:
    events = some_events(clinic_a)
    drop_guards()
    AuditEvent.objects.filter(seq=events[2].seq).update(actor="someone.else")
    report = audit.verify_chain()
    assert not report.ok and report.first_bad_seq == 3 and "altered" in report.reason


def test_a_removed_row_is_named(clinic_a: ClinicRecords) -> None:
    some_events(clinic_a)
    drop_guards()
    AuditEvent.objects.filter(seq=4).delete()
    report = audit.verify_chain()
    assert not report.ok and report.first_bad_seq == 4 and "missing" in report.reason


def test_a_rewritten_row_with_a_fresh_hash_breaks_the_next_link(clinic_a: ClinicRecords) -> None:
    some_events(clinic_a)
    drop_guards()
    row = AuditEvent.objects.get(seq=2)
    row.detail = {"forged": True}
    new_hash = audit.event_hash(row.prev_hash, row)
    AuditEvent.objects.filter(seq=2).update(detail={"forged": True}, hash=new_hash)
    report = audit.verify_chain()
    assert not report.ok and report.first_bad_seq == 3


def test_the_clinic_admin_sees_the_verdict(clinic_a: ClinicRecords) -> None:
    some_events(clinic_a)
    client = Client()
    client.force_login(clinic_a.admin)
    assert b"chain intact" in client.get("/audit/").content
    assert client.get("/api/audit/verify").json()["ok"] is True
    client.force_login(clinic_a.provider)
    assert client.get("/audit/").status_code == 403
