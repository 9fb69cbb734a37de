"""A FHIR Bundle written by :func:`facebalance.records.fhir.patient_bundle` into the clinic's database.

The Bundle is validated against the R4B models (as the export is), read back into a
:class:`~facebalance.records.record.PatientRecord`, checked against what the clinic's rows accept, and then
created in the importing member's clinic in one transaction (with its audit row): a new patient, one
completed photo session holding the photos' metadata, an assessment per analysis, the plans, the charted
treatments, and an intake per intake the Bundle names (allergies, medications, BDDQ-AS, reported
treatments). Every row gets a new id (the source clinic's ids may already exist here); the references inside
the Bundle (observation -> photo, procedure -> care plan) are mapped to the new rows.

What the source record says but the rows of this clinic cannot hold as such:

* photos come without pixels (the export does not embed them): the rows keep view, SHA-256, size and date,
  name no file (``stored_name`` is ``None``), are marked failed with the reason, and so never count for an
  analysis or a comparison here; embedded pixels are not imported either;
* who charted a treatment and where is kept as the source says (``source_clinician``, ``source_clinic``);
  the importing user is the row's ``clinician``, follow-ups' and adverse events' ``recorded_by``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from facebalance.clinic import audit
from facebalance.clinic.models import (
    Assessment,
    CheckStatus,
    Intake,
    Membership,
    Modality,
    Patient,
    Photo,
    PhotoSession,
    Plan,
    PlanStatus,
    PriorTreatment,
    Sex,
)
from facebalance.clinic.records.models import AdverseEvent, FollowUp, InjectionSite, TreatmentVisit
from facebalance.records import fhir
from facebalance.records.record import AnalysisRecord, IntakeRecord, PatientRecord
from facebalance.records.treatments import DEPTHS, EVENT_SEVERITIES, SITES, TECHNIQUES

#: The largest Bundle accepted (the export without embedded pixels is a few hundred kB).
MAX_BUNDLE_BYTES = 20 * 1024 * 1024
IMPORTED_PROTOCOL = "imported (FHIR)"
NO_PIXELS = "Imported from a FHIR Bundle without its pixels: take a new photo to use this view here."


class ImportRefused(fhir.FhirError):
    code = "fhir_import"


def parse(data: bytes) -> PatientRecord:
    """Parse, validate (R4B) and read a Bundle; :class:`ImportRefused` says what is wrong."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise ImportRefused(f"The file is larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB.")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRefused(f"The file is not JSON: {exc}.") from None
    if not isinstance(doc, dict) or doc.get("resourceType") != "Bundle":
        raise ImportRefused('The file is not a FHIR Bundle (resourceType must be "Bundle").')
    try:
        validated = fhir.validate_bundle(doc)
    except fhir.FhirError as exc:
        raise ImportRefused(exc.message) from None
    try:
        record = fhir.record_from_bundle(validated)
    except fhir.FhirError as exc:
        raise ImportRefused(exc.message) from None
    except (KeyError, IndexError, ValueError, TypeError) as exc:
        raise ImportRefused(
            f"The Bundle is valid FHIR but not a facebalance patient record: {type(exc).__name__} {exc}."
        ) from None
    check(record)
    return record


def _need(condition: bool, message: str) -> None:
    if not condition:
        raise ImportRefused(message)


def _fits(value: str, limit: int, what: str) -> None:
    _need(len(value) <= limit, f"{what} is longer than {limit} characters.")


def check(record: PatientRecord) -> None:
    """What the clinic's rows require of the record, each refusal naming the resource."""
    p = record.patient
    _need(bool(p.given_name.strip() and p.family_name.strip()), "The Patient needs a given and a family name.")
    _fits(p.given_name, 120, "The given name")
    _fits(p.family_name, 120, "The family name")
    _need(p.sex in Sex.values, f"The Patient's gender {p.sex!r} is not one of {', '.join(Sex.values)}.")
    photos = {ph.id for ph in record.photos}
    for ph in record.photos:
        _need(ph.size_bytes >= 0 and ph.width_px >= 0 and ph.height_px >= 0, f"Media {ph.id}: negative size.")
        _fits(ph.view_id, 40, f"Media {ph.id}: the view")
    for a in record.analyses:
        _need(a.photo_id in photos, f"The Observations of analysis {a.id} are derived from no Media in the Bundle.")
    plans = {pl.id for pl in record.plans}
    for pl in record.plans:
        _need(pl.status in PlanStatus.values, f"CarePlan {pl.id}: unknown status.")
        _need(isinstance(pl.document, Mapping), f"CarePlan {pl.id}: the plan document is not a JSON object.")
    for t in record.treatments:
        what = f"Procedure {t.id}"
        _need(t.modality in Modality.values, f"{what}: {t.modality!r} is not a modality this clinic charts.")
        _need(bool(t.product and t.lot), f"{what}: the product and its lot number are required.")
        for value, limit, field in (
            (t.area, 60, "area"),
            (t.product, 120, "product"),
            (t.lot, 60, "lot"),
            (t.plan_item, 80, "plan item"),
            (t.clinician, 150, "clinician"),
            (t.clinic, 200, "clinic"),
        ):
            _fits(value, limit, f"{what}: the {field}")
        _need(not t.plan_id or t.plan_id in plans, f"{what} is based on a CarePlan that is not in the Bundle.")
        for s in t.sites:
            _need(s.site in SITES, f"{what}: {s.site!r} is not a standard injection site.")
            _need(s.depth in DEPTHS and s.technique in TECHNIQUES, f"{what}: unknown depth or technique.")
            _need(
                0 < s.amount <= 1000 and 0 <= s.x <= 200 and 0 <= s.y <= 260,
                f"{what}: a site's amount or place is out of range.",
            )
        for e in t.adverse_events:
            _need(e.severity in EVENT_SEVERITIES, f"{what}: unknown adverse-event severity {e.severity!r}.")
            _fits(e.kind, 30, f"{what}: the adverse-event kind")
        for f in t.follow_ups:
            weeks = f.movement_returned_weeks
            _need(weeks is None or 0 <= weeks < 1000, f"{what}: the follow-up weeks are out of range.")
    for intake in record.intakes:
        for p in intake.prior_treatments:
            what = f"The prior treatment of {p.date.isoformat()} reported at intake {intake.id}"
            _need(p.modality in Modality.values, f"{what}: {p.modality!r} is not a modality.")
            _need(0 <= p.amount < 100_000, f"{what}: the amount is out of range.")
            w = p.movement_returned_weeks
            _need(w is None or 0 <= w < 1000, f"{what}: the weeks until movement returned are out of range.")
            for value, limit, field in ((p.area, 60, "area"), (p.product, 120, "product"), (p.clinic, 200, "clinic")):
                _fits(value, limit, f"{what}: the {field}")
        if intake.bddq_as is not None:
            b = intake.bddq_as
            items = (b.q3_distress, b.q4_social, b.q5_work_school, b.q6_avoidance)
            _need(all(1 <= x <= 5 for x in items), f"The BDDQ-AS of intake {intake.id}: items 3-6 are rated 1-5.")


def _analysis_document(a: AnalysisRecord) -> dict[str, Any]:
    """The analysis document :func:`facebalance.records.record.analysis_record` reads the measurements from."""
    measurements: dict[str, Any] = {}
    for m in a.measurements:
        n = m.norm
        measurements[m.id] = {
            "label": m.label,
            "zone": m.zone,
            "unit": m.unit,
            "value": m.value,
            "uncertainty": m.uncertainty,
            "norm": None
            if n is None
            else {
                "mean": n.mean,
                "sd": n.sd,
                "low": n.low,
                "high": n.high,
                "sex": n.sex,
                "population": n.population,
                "source": n.source,
                "review": n.review,
                "status": n.status,
                "deviation": n.deviation,
            },
            "not_measurable_reason": m.reason,
        }
    return {
        "schema": "facebalance.frontal_analysis",
        "schema_version": "1.0",
        "measurements": measurements,
        "findings": [],
        "warnings": [],
        "imported": {"format": "fhir", "analysis": a.id},
    }


def _import_intake(intake: IntakeRecord, patient: Patient, user: Any) -> Intake:
    """An intake with the allergies, medications, BDDQ-AS and reported treatments the Bundle carries (the rest of
    an intake is not exported, so not imported: pregnancy is left unasked)."""
    b = intake.bddq_as
    row = Intake.objects.create(
        patient=patient,
        created_by=user,
        allergies="\n".join(intake.allergies),
        medications="\n".join(intake.medications),
        bddq_q1_concerned=None if b is None else b.q1_concerned,
        bddq_q2_preoccupied=None if b is None else b.q2_preoccupied,
        bddq_q3_distress=None if b is None else b.q3_distress,
        bddq_q4_social=None if b is None else b.q4_social,
        bddq_q5_work_school=None if b is None else b.q5_work_school,
        bddq_q6_avoidance=None if b is None else b.q6_avoidance,
        bddq_q7_impairment=None if b is None else b.q7_impairment,
    )
    Intake.objects.filter(pk=row.pk).update(created_at=intake.recorded)
    PriorTreatment.objects.bulk_create(
        [
            PriorTreatment(
                intake=row,
                date=p.date,
                clinic_name=p.clinic,
                modality=p.modality,
                product=p.product,
                area=p.area,
                amount=Decimal(str(p.amount)),
                satisfied=p.satisfied,
                disliked=p.disliked,
                movement_returned_weeks=None
                if p.movement_returned_weeks is None
                else Decimal(str(p.movement_returned_weeks)),
            )
            for p in intake.prior_treatments
        ]
    )
    return row


def import_record(record: PatientRecord, *, membership: Membership, user: Any) -> Patient:
    """Create the record in the member's clinic, all or nothing (one transaction, audited)."""
    check(record)
    now = timezone.now()
    d = record.patient
    with transaction.atomic():
        patient = Patient.objects.create(
            clinic=membership.clinic,
            given_name=d.given_name,
            family_name=d.family_name,
            date_of_birth=d.birth_date,
            sex=d.sex,
            created_by=user,
        )
        photos: dict[str, Photo] = {}
        if record.photos or record.analyses:
            session = PhotoSession.objects.create(
                patient=patient,
                created_by=user,
                protocol_name=IMPORTED_PROTOCOL,
                protocol_version="-",
                completed_at=now,
            )
            for ph in record.photos:
                row = Photo.objects.create(
                    session=session,
                    view_id=ph.view_id,
                    stored_name=None,
                    sha256=ph.sha256,
                    size_bytes=ph.size_bytes,
                    width_px=ph.width_px,
                    height_px=ph.height_px,
                    checks={"imported": "fhir", "source_id": ph.id, "message": NO_PIXELS},
                    status=CheckStatus.FAIL,
                    uploaded_by=user,
                )
                Photo.objects.filter(pk=row.pk).update(uploaded_at=ph.taken)
                photos[ph.id] = row
        for a in record.analyses:
            row = Assessment.objects.create(
                session=photos[a.photo_id].session,
                photo=photos[a.photo_id],
                analysis=_analysis_document(a),
                created_by=user,
            )
            Assessment.objects.filter(pk=row.pk).update(created_at=a.taken)
        plans: dict[str, Plan] = {}
        for pl in record.plans:
            row = Plan.objects.create(patient=patient, document=dict(pl.document), status=pl.status, created_by=user)
            Plan.objects.filter(pk=row.pk).update(created_at=pl.created)
            plans[pl.id] = row
        for t in record.treatments:
            visit = TreatmentVisit.objects.create(
                patient=patient,
                plan=plans.get(t.plan_id),
                plan_item=t.plan_item,
                performed_on=t.performed_on,
                modality=t.modality,
                area=t.area,
                product=t.product,
                lot=t.lot,
                expiry=t.expiry,
                disliked=t.disliked,
                note=t.note,
                clinician=user,
                source_clinician=t.clinician,
                source_clinic=t.clinic,
            )
            InjectionSite.objects.bulk_create(
                [
                    InjectionSite(
                        visit=visit,
                        site=s.site,
                        x=s.x,
                        y=s.y,
                        amount=Decimal(str(s.amount)),
                        depth=s.depth,
                        technique=s.technique,
                        note=s.note,
                    )
                    for s in t.sites
                ]
            )
            for e in t.adverse_events:
                AdverseEvent.objects.create(
                    visit=visit,
                    kind=e.kind,
                    severity=e.severity,
                    onset=e.onset,
                    resolved=e.resolved,
                    action=e.action,
                    recorded_by=user,
                )
            for f in t.follow_ups:
                FollowUp.objects.create(
                    visit=visit,
                    on=f.on,
                    satisfied=f.satisfied,
                    note=f.note,
                    recorded_by=user,
                    movement_returned_weeks=None
                    if f.movement_returned_weeks is None
                    else Decimal(str(f.movement_returned_weeks)),
                )
        for intake in record.intakes:
            _import_intake(intake, patient, user)
        audit.record(
            "create",
            user=user,
            clinic_id=membership.clinic_id,
            obj=patient,
            detail={
                "import": "fhir",
                "intakes": len(record.intakes),
                "photos": len(record.photos),
                "analyses": len(record.analyses),
                "plans": len(record.plans),
                "treatments": len(record.treatments),
            },
        )
    return patient
