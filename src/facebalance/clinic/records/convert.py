"""The edge between the clinic's rows and the pure records builders: rows in, plain dataclasses out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date

from facebalance.clinic.models import Assessment, Patient, Plan, PlanStatus
from facebalance.clinic.plans import reported_history
from facebalance.clinic.records.models import TreatmentVisit
from facebalance.planning.intake import PriorTreatment
from facebalance.records.recall import PatientHistory
from facebalance.records.record import (
    AnalysisRecord,
    Demographics,
    PatientRecord,
    PhotoRecord,
    PlanRecord,
    analysis_record,
)
from facebalance.records.treatments import AdverseEvent, FollowUp, InjectionSite, TreatmentRecord


def treatment_record(v: TreatmentVisit) -> TreatmentRecord:
    return TreatmentRecord(
        id=str(v.pk),
        patient_id=str(v.patient_id),
        performed_on=v.performed_on,
        modality=v.modality,  # type: ignore[arg-type]
        area=v.area,
        product=v.product,
        lot=v.lot,
        expiry=v.expiry,
        sites=tuple(
            InjectionSite(s.site, float(s.x), float(s.y), float(s.amount), s.depth, s.technique, s.note)  # type: ignore[arg-type]
            for s in v.sites.all()
        ),
        plan_id="" if v.plan_id is None else str(v.plan_id),
        plan_item=v.plan_item,
        clinician=v.source_clinician or v.clinician.get_username(),
        clinic=v.source_clinic or v.patient.clinic.name,
        adverse_events=tuple(
            AdverseEvent(e.kind, e.severity, e.onset, e.resolved, e.action)  # type: ignore[arg-type]
            for e in v.adverse_events.all()
        ),
        follow_ups=tuple(
            FollowUp(
                f.on,
                None if f.movement_returned_weeks is None else float(f.movement_returned_weeks),
                f.satisfied,
                f.note,
            )
            for f in v.follow_ups.all()
        ),
        disliked=v.disliked,
        note=v.note,
    )


def treatment_records(patient: Patient) -> list[TreatmentRecord]:
    visits = (
        TreatmentVisit.objects.filter(patient=patient)
        .select_related("clinician", "patient__clinic")
        .prefetch_related("sites", "adverse_events", "follow_ups")
        .order_by("performed_on", "created_at")
    )
    return [treatment_record(v) for v in visits]


def reported_treatments(patient: Patient) -> tuple[PriorTreatment, ...]:
    """The treatments the patient reported at intake (every intake, each once), as the planner's history."""
    return tuple(
        PriorTreatment(
            date=date.fromisoformat(r["date"]),
            modality=r["modality"],
            area=r["area"],
            amount=float(r["amount"]),
            product=r["product"],
            clinic=r["clinic"],
            satisfied=r["satisfied"],
            disliked=r["disliked"],
            movement_returned_weeks=r.get("movement_returned_weeks"),
        )
        for r in reported_history(patient)
    )


def patient_history(patient: Patient) -> PatientHistory:
    plans = tuple((str(p.pk), p.document) for p in patient.plans.filter(status=PlanStatus.ACCEPTED))
    latest = patient.intakes.order_by("-created_at").first()
    return PatientHistory(
        str(patient.pk),
        f"{patient.given_name} {patient.family_name}",
        tuple(treatment_records(patient)),
        plans,
        high_exercise=bool(latest and latest.high_exercise),
        reported=reported_treatments(patient),
    )


def analyses(patient: Patient) -> Iterable[tuple[Assessment, AnalysisRecord]]:
    for a in Assessment.objects.filter(session__patient=patient).select_related("photo").order_by("created_at"):
        yield a, analysis_record(str(a.pk), a.created_at.astimezone(UTC), str(a.photo_id), a.analysis)


def patient_record(patient: Patient) -> PatientRecord:
    """The whole record of a patient for the FHIR export (photos by reference, not embedded)."""
    photos = []
    for session in patient.photo_sessions.all():
        for p in session.photos.all():
            photos.append(
                PhotoRecord(
                    str(p.pk),
                    p.view_id,
                    p.uploaded_at.astimezone(UTC),
                    "image/jpeg",
                    p.sha256,
                    p.size_bytes,
                    p.width_px,
                    p.height_px,
                )
            )
    plans = [
        PlanRecord(str(p.pk), p.created_at.astimezone(UTC), p.status, p.document)
        for p in Plan.objects.filter(patient=patient).order_by("created_at")
    ]
    return PatientRecord(
        Demographics(str(patient.pk), patient.given_name, patient.family_name, patient.date_of_birth, patient.sex),
        analyses=tuple(r for _, r in analyses(patient)),
        plans=tuple(plans),
        treatments=tuple(treatment_records(patient)),
        photos=tuple(photos),
    )
