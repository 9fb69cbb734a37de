"""The edge between the clinic's rows and the pure records builders: rows in, plain dataclasses out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date

from facebalance.clinic.models import Assessment, Intake, Patient, Plan, PlanStatus
from facebalance.clinic.plans import reported_history
from facebalance.clinic.records.models import TreatmentVisit
from facebalance.planning.intake import BddqAs, PriorTreatment
from facebalance.records.recall import PatientHistory
from facebalance.records.record import (
    AnalysisRecord,
    Demographics,
    IntakeRecord,
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
        intakes=tuple(i for i in (intake_record(x) for x in patient.intakes.order_by("created_at")) if not i.empty),
    )


def _entries(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def intake_record(intake: Intake) -> IntakeRecord:
    """What an intake holds for other systems: allergies, medications, the BDDQ-AS, the reported treatments."""
    bddq = None
    if intake.bddq_complete:
        bddq = BddqAs(
            bool(intake.bddq_q1_concerned),
            bool(intake.bddq_q2_preoccupied),
            int(intake.bddq_q3_distress or 0),
            int(intake.bddq_q4_social or 0),
            int(intake.bddq_q5_work_school or 0),
            int(intake.bddq_q6_avoidance or 0),
            bool(intake.bddq_q7_impairment),
        )
    priors = tuple(
        PriorTreatment(
            date=t.date,
            modality=t.modality,  # type: ignore[arg-type]
            area=t.area,
            amount=float(t.amount),
            product=t.product,
            clinic=t.clinic_name,
            satisfied=t.satisfied,
            disliked=t.disliked,
            movement_returned_weeks=None if t.movement_returned_weeks is None else float(t.movement_returned_weeks),
        )
        for t in intake.prior_treatments.order_by("date", "id")
    )
    return IntakeRecord(
        str(intake.pk),
        intake.created_at.astimezone(UTC),
        _entries(intake.allergies),
        _entries(intake.medications),
        bddq,
        priors,
    )
