"""A patient's record as a FHIR R4 Bundle, and back.

Written to the FHIR 4.x line and validated with ``fhir.resources``' **R4B** models (FHIR 4.3.0,
``fhir.resources.R4B``): ``fhir.resources`` 7 and 8 default to R5 (which has no ``Media``), and the
releases whose default was R4 4.0.1 need pydantic 1, which the clinic's django-ninja (pydantic 2) rules
out. R4B is a technical correction of R4; the resources written here (Patient, Observation, Media,
DocumentReference, CarePlan, Procedure) are used through elements that R4 4.0.1 has as well.

What goes where:

* ``Patient``: name, gender, birth date.
* ``Observation`` per measurement: ``valueQuantity`` with the UCUM code (mm -> ``mm``, deg -> ``deg``,
  ratio and fraction -> ``1``, px -> ``{px}``) and the one-sigma uncertainty in the HL7
  ``iso21090-uncertainty`` extension (type ``N``: normal); the norm as ``referenceRange`` and
  ``interpretation`` (H/L/N) for any reader, and in full (mean, sd, source, review...) in a facebalance
  extension; ``derivedFrom`` the photo's ``Media``; not measurable -> ``dataAbsentReason``.
* ``Media`` per photo (view, size, SHA-256 as an identifier; pixels embedded only when asked).
* ``DocumentReference`` per generated PDF, embedded.
* ``CarePlan`` per plan: an activity per item for any reader, and the versioned plan document itself
  (the explanations, omissions and pricing have no FHIR element) as a JSON attachment extension.
* ``Procedure`` per charted treatment: date, plan (``basedOn``), sites as ``bodySite`` codes,
  complications, follow-ups; product, lot, expiry, each site's placement, depth and technique, and the
  follow-up answers in a facebalance extension.
* From each intake: ``AllergyIntolerance`` per allergy and ``MedicationStatement`` per medication (the
  patient's words as ``text``), the BDDQ-AS as a ``QuestionnaireResponse`` (items ``q1``-``q7``), and a
  ``Procedure`` per prior treatment the patient reported (category ``reported``: date, modality, area,
  amount, product, where, satisfaction in a facebalance extension). Each names its intake in an
  ``identifier`` (``urn:facebalance:intake``, ``<intake id>/<kind>/<n>``) so the intake reads back whole.

Code systems and extension URLs are ``urn:facebalance:...`` URIs until the project publishes an
implementation guide. :func:`record_from_bundle` reads the same Bundle back into an equal
:class:`~facebalance.records.record.PatientRecord`.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import types
import typing
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from facebalance.errors import FacebalanceError
from facebalance.planning.intake import BddqAs, PriorTreatment
from facebalance.records.record import (
    AnalysisRecord,
    Demographics,
    DocumentRecord,
    IntakeRecord,
    Measurement,
    Norm,
    PatientRecord,
    PhotoRecord,
    PlanRecord,
)
from facebalance.records.treatments import TreatmentRecord

FHIR_VERSION = "4.3.0"
UCUM = "http://unitsofmeasure.org"
UCUM_CODES: Mapping[str, str] = {"mm": "mm", "deg": "deg", "ratio": "1", "fraction": "1", "px": "{px}"}
UNCERTAINTY = "http://hl7.org/fhir/StructureDefinition/iso21090-uncertainty"
UNCERTAINTY_TYPE = "http://hl7.org/fhir/StructureDefinition/iso21090-uncertaintyType"
MEASUREMENT_SYSTEM = "urn:facebalance:measurement"
ZONE_SYSTEM = "urn:facebalance:zone"
VIEW_SYSTEM = "urn:facebalance:photo-view"
SHA256_SYSTEM = "urn:facebalance:sha256"
DOCUMENT_SYSTEM = "urn:facebalance:document-kind"
TREATMENT_SYSTEM = "urn:facebalance:treatment"
MODALITY_SYSTEM = "urn:facebalance:modality"
SITE_SYSTEM = "urn:facebalance:injection-site"
ANALYSIS_SYSTEM = "urn:facebalance:analysis"
EXT_NORM = "urn:facebalance:fhir:norm"
EXT_TREATMENT = "urn:facebalance:fhir:treatment"
EXT_PLAN_DOCUMENT = "urn:facebalance:fhir:plan-document"
EXT_NOT_MEASURABLE = "urn:facebalance:fhir:not-measurable-reason"
EXT_REPORTED = "urn:facebalance:fhir:reported-treatment"
INTAKE_SYSTEM = "urn:facebalance:intake"
PROCEDURE_CATEGORY = "urn:facebalance:procedure-category"
BDDQ_AS_QUESTIONNAIRE = "urn:facebalance:questionnaire:bddq-as"
#: The BDDQ-AS items (Dey et al. 2015) as questionnaire items: link id, answer type, field of the answers.
BDDQ_AS_ITEMS = (
    ("q1", "Boolean", "q1_concerned", "Are you worried about how you look?"),
    ("q2", "Boolean", "q2_preoccupied", "Do you think about your appearance problems a lot?"),
    ("q3", "Integer", "q3_distress", "How much distress do these concerns cause you? (1-5)"),
    ("q4", "Integer", "q4_social", "How much do they interfere with your social life? (1-5)"),
    ("q5", "Integer", "q5_work_school", "How much do they interfere with your work or studies? (1-5)"),
    ("q6", "Integer", "q6_avoidance", "How much do you avoid things because of how you look? (1-5)"),
    ("q7", "Boolean", "q7_impairment", "Have these concerns significantly affected your life?"),
)
_OBSERVATION_NAMESPACE = uuid.UUID("7b0f4c8e-3d0a-5b8e-9c1f-6a2d4e8b0f13")
_INTERPRETATION = {"above": "H", "below": "L", "within": "N"}
_V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
#: Fields of a treatment carried by standard Procedure elements rather than the extension.
_PROCEDURE_FIELDS = ("id", "patient_id", "performed_on", "plan_id")


class FhirError(FacebalanceError):
    code = "fhir"


# --- a dataclass <-> complex extension codec (typed sub-extensions, empty values left out) --------------


def _encode(name: str, value: Any) -> list[dict[str, Any]]:
    if value is None or value == "" or value == ():
        return []
    if isinstance(value, tuple):
        return [e for v in value for e in _encode(name, v)]
    if dataclasses.is_dataclass(value):
        return [{"url": name, "extension": _encode_fields(value)}]
    if isinstance(value, bool):
        return [{"url": name, "valueBoolean": value}]
    if isinstance(value, int):
        return [{"url": name, "valueInteger": value}]
    if isinstance(value, float):
        return [{"url": name, "valueDecimal": value}]
    if isinstance(value, datetime):
        return [{"url": name, "valueDateTime": value.isoformat()}]
    if isinstance(value, date):
        return [{"url": name, "valueDate": value.isoformat()}]
    if isinstance(value, str):
        return [{"url": name, "valueString": value}]
    raise TypeError(f"cannot encode {name}={value!r}")


def _encode_fields(obj: Any, *, skip: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for f in dataclasses.fields(obj):
        if f.name not in skip:
            out += _encode(f.name, getattr(obj, f.name))
    return out


def _scalar(ext: Mapping[str, Any]) -> Any:
    for key, v in ext.items():
        if key.startswith("value"):
            return v
    raise FhirError(f"Extension {ext.get('url')} has no value.")


def _decode_as(tp: Any, ext: Mapping[str, Any]) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode_as(inner, ext)
    if dataclasses.is_dataclass(tp):
        return _decode_fields(tp, ext.get("extension", []))
    v = _scalar(ext)
    if origin is typing.Literal or tp is str:
        return str(v)
    if tp is float:
        return float(v)
    if tp is int:
        return int(v)
    if tp is bool:
        return bool(v)
    if tp is datetime:
        return datetime.fromisoformat(v)
    if tp is date:
        return date.fromisoformat(v)
    raise TypeError(f"cannot decode {tp}")


def _decode_fields(cls: Any, extensions: list[Mapping[str, Any]], **given: Any) -> Any:
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = dict(given)
    for f in dataclasses.fields(cls):
        if f.name in given:
            continue
        tp = hints[f.name]
        found = [e for e in extensions if e.get("url") == f.name]
        if typing.get_origin(tp) is tuple:
            values[f.name] = tuple(_decode_as(typing.get_args(tp)[0], e) for e in found)
        elif found:
            values[f.name] = _decode_as(tp, found[0])
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            values[f.name] = "" if tp is str else None
    return cls(**values)


# --- export --------------------------------------------------------------------------------------------


def _ref(resource_id: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}"}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _patient(p: Demographics) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": p.id,
        "name": [{"family": p.family_name, "given": [p.given_name]}],
        "gender": p.sex,
        "birthDate": p.birth_date.isoformat(),
    }


def observation_id(analysis_id: str, measurement_id: str) -> str:
    """A stable UUID for one measurement of one analysis (the same on every export)."""
    return str(uuid.uuid5(_OBSERVATION_NAMESPACE, f"{analysis_id}/{measurement_id}"))


def _observation(a: AnalysisRecord, m: Measurement, patient: str) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": observation_id(a.id, m.id),
        "identifier": [{"system": ANALYSIS_SYSTEM, "value": f"{a.id}/{m.id}"}],
        "status": "final",
        "category": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "exam"}]}
        ],
        "code": {"coding": [{"system": MEASUREMENT_SYSTEM, "code": m.id, "display": m.label}], "text": m.label},
        "subject": _ref(patient),
        "effectiveDateTime": a.taken.isoformat(),
        "bodySite": {"coding": [{"system": ZONE_SYSTEM, "code": m.zone}]},
    }
    if a.photo_id:
        obs["derivedFrom"] = [_ref(a.photo_id)]
    if m.value is None:
        obs["dataAbsentReason"] = {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": "error"}],
            "text": m.reason or "not measurable",
        }
        # The unit is kept with the absent value so the re-import knows it.
        obs["extension"] = [{"url": EXT_NOT_MEASURABLE, "valueString": m.unit}]
    else:
        quantity: dict[str, Any] = {
            "value": m.value,
            "unit": m.unit,
            "system": UCUM,
            "code": UCUM_CODES.get(m.unit, "1"),
        }
        if m.uncertainty is not None:
            quantity["extension"] = [
                {"url": UNCERTAINTY, "valueDecimal": m.uncertainty},
                {"url": UNCERTAINTY_TYPE, "valueCode": "N"},
            ]
        obs["valueQuantity"] = quantity
    if m.reason and m.value is not None:
        obs["note"] = [{"text": m.reason}]
    if m.norm is not None:
        n = m.norm
        obs.setdefault("extension", []).append({"url": EXT_NORM, "extension": _encode_fields(n)})
        low, high = n.low, n.high
        if low is None and high is None and n.mean is not None and n.sd is not None:
            low, high = n.mean - 2 * n.sd, n.mean + 2 * n.sd
        rr: dict[str, Any] = {"text": f"{n.population or 'norm'} ({n.sex}); {n.source}".strip()}
        code = UCUM_CODES.get(m.unit, "1")
        if low is not None:
            rr["low"] = {"value": round(low, 4), "unit": m.unit, "system": UCUM, "code": code}
        if high is not None:
            rr["high"] = {"value": round(high, 4), "unit": m.unit, "system": UCUM, "code": code}
        obs["referenceRange"] = [rr]
        if n.status in _INTERPRETATION:
            obs["interpretation"] = [{"coding": [{"system": _V3_INTERPRETATION, "code": _INTERPRETATION[n.status]}]}]
    return obs


def _media(p: PhotoRecord, patient: str) -> dict[str, Any]:
    content: dict[str, Any] = {"contentType": p.content_type, "size": p.size_bytes, "title": p.view_id}
    if p.data is not None:
        content["data"] = _b64(p.data)
    return {
        "resourceType": "Media",
        "id": p.id,
        "status": "completed",
        "identifier": [{"system": SHA256_SYSTEM, "value": p.sha256}],
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/media-type", "code": "image"}]},
        "view": {"coding": [{"system": VIEW_SYSTEM, "code": p.view_id}]},
        "subject": _ref(patient),
        "createdDateTime": p.taken.isoformat(),
        "width": p.width_px,
        "height": p.height_px,
        "content": content,
    }


def _document(d: DocumentRecord, patient: str) -> dict[str, Any]:
    return {
        "resourceType": "DocumentReference",
        "id": d.id,
        "status": "current",
        "type": {"coding": [{"system": DOCUMENT_SYSTEM, "code": d.kind}], "text": d.title},
        "subject": _ref(patient),
        "date": d.created.isoformat(),
        "description": d.title,
        "content": [
            {
                "attachment": {
                    "contentType": d.content_type,
                    "data": _b64(d.data),
                    "title": d.title,
                    "size": len(d.data),
                    "creation": d.created.isoformat(),
                }
            }
        ],
    }


def _care_plan(p: PlanRecord, patient: str) -> dict[str, Any]:
    doc = p.document
    activities = []
    for item in doc.get("items", []):
        detail: dict[str, Any] = {
            "status": "scheduled",
            "code": {"coding": [{"system": TREATMENT_SYSTEM, "code": item.get("treatment", "unknown")}]},
            "description": f"{item.get('label', '')}: {item.get('dose', {}).get('text', '')}".strip(": "),
        }
        if item.get("date"):
            detail["scheduledPeriod"] = {"start": item["date"]}
        activities.append({"detail": detail})
    plan: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": p.id,
        "status": "active" if p.status == "accepted" else "draft",
        "intent": "plan",
        "title": "Facial balancing treatment plan",
        "subject": _ref(patient),
        "created": p.created.isoformat(),
        "extension": [
            {
                "url": EXT_PLAN_DOCUMENT,
                "valueAttachment": {
                    "contentType": "application/json",
                    "data": _b64(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode("utf-8")),
                },
            }
        ],
    }
    if doc.get("summary"):
        plan["description"] = doc["summary"]
    if doc.get("start_date"):
        plan["period"] = {"start": doc["start_date"]}
    if activities:
        plan["activity"] = activities
    return plan


def _procedure(t: TreatmentRecord, patient: str) -> dict[str, Any]:
    from facebalance.records.treatments import SITES

    proc: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": t.id,
        "status": "completed",
        "code": {
            "coding": [{"system": MODALITY_SYSTEM, "code": t.modality}],
            "text": f"{t.modality} {t.area}: {t.product} {t.total_amount:g} {t.unit}".strip(),
        },
        "subject": _ref(patient),
        "performedDateTime": t.performed_on.isoformat(),
        "extension": [{"url": EXT_TREATMENT, "extension": _encode_fields(t, skip=_PROCEDURE_FIELDS)}],
    }
    if t.plan_id:
        proc["basedOn"] = [_ref(t.plan_id)]
    sites = sorted({s.site for s in t.sites})
    if sites:
        proc["bodySite"] = [
            {"coding": [{"system": SITE_SYSTEM, "code": s, "display": SITES[s].label if s in SITES else s}]}
            for s in sites
        ]
    if t.adverse_events:
        proc["complication"] = [
            {"text": f"{e.label} ({e.severity}) from {e.onset.isoformat()}"} for e in t.adverse_events
        ]
    if t.follow_ups:
        proc["followUp"] = [
            {
                "text": f"review {f.on.isoformat()}"
                + (
                    f": movement returned after {f.movement_returned_weeks:g} weeks"
                    if f.movement_returned_weeks is not None
                    else ""
                )
            }
            for f in t.follow_ups
        ]
    if t.clinician:
        proc["performer"] = [{"actor": {"display": t.clinician}}]
    if t.note:
        proc["note"] = [{"text": t.note}]
    return proc


def _intake_id(intake: IntakeRecord, kind: str, n: int = 0) -> tuple[str, list[dict[str, str]]]:
    """A stable resource id for one part of an intake, and the identifier naming the intake."""
    value = f"{intake.id}/{kind}/{n}"
    return str(uuid.uuid5(_OBSERVATION_NAMESPACE, value)), [{"system": INTAKE_SYSTEM, "value": value}]


def _intake_resources(intake: IntakeRecord, patient: str) -> list[dict[str, Any]]:
    """AllergyIntolerance, MedicationStatement, the BDDQ-AS QuestionnaireResponse and the reported prior
    treatments (Procedure, category ``reported``) of one intake."""
    recorded = intake.recorded.isoformat()
    out: list[dict[str, Any]] = []
    for n, allergy in enumerate(intake.allergies):
        rid, identifier = _intake_id(intake, "allergy", n)
        out.append(
            {
                "resourceType": "AllergyIntolerance",
                "id": rid,
                "identifier": identifier,
                "code": {"text": allergy},
                "patient": _ref(patient),
                "recordedDate": recorded,
            }
        )
    for n, medication in enumerate(intake.medications):
        rid, identifier = _intake_id(intake, "medication", n)
        out.append(
            {
                "resourceType": "MedicationStatement",
                "id": rid,
                "identifier": identifier,
                "status": "active",
                "medicationCodeableConcept": {"text": medication},
                "subject": _ref(patient),
                "dateAsserted": recorded,
            }
        )
    if intake.bddq_as is not None:
        rid, identifier = _intake_id(intake, "bddq-as")
        items = []
        for link, kind, name, text in BDDQ_AS_ITEMS:
            value = getattr(intake.bddq_as, name)
            items.append({"linkId": link, "text": text, "answer": [{f"value{kind}": value}]})
        out.append(
            {
                "resourceType": "QuestionnaireResponse",
                "id": rid,
                "identifier": identifier[0],
                "questionnaire": BDDQ_AS_QUESTIONNAIRE,
                "status": "completed",
                "subject": _ref(patient),
                "authored": recorded,
                "item": items,
            }
        )
    for n, t in enumerate(intake.prior_treatments):
        rid, identifier = _intake_id(intake, "prior", n)
        out.append(
            {
                "resourceType": "Procedure",
                "id": rid,
                "identifier": identifier,
                "status": "completed",
                "category": {
                    "coding": [{"system": PROCEDURE_CATEGORY, "code": "reported"}],
                    "text": "Reported by the patient at intake",
                },
                "code": {
                    "coding": [{"system": MODALITY_SYSTEM, "code": t.modality}],
                    "text": f"{t.modality} {t.area}: {t.amount:g} {t.product}".strip(),
                },
                "subject": _ref(patient),
                "performedDateTime": t.date.isoformat(),
                "extension": [
                    {
                        "url": EXT_REPORTED,
                        "extension": [
                            *_encode_fields(t, skip=("date",)),
                            {"url": "recorded", "valueDateTime": recorded},
                        ],
                    }
                ],
            }
        )
    return out


def patient_bundle(record: PatientRecord, *, timestamp: datetime) -> dict[str, Any]:
    """The FHIR Bundle (type ``collection``) of a patient's record, as JSON-ready dict.

    Resource ids must be UUIDs (the clinic's are): entries are addressed as ``urn:uuid:<id>``.
    """
    pid = record.patient.id
    resources: list[dict[str, Any]] = [_patient(record.patient)]
    resources += [_media(p, pid) for p in record.photos]
    for a in record.analyses:
        resources += [_observation(a, m, pid) for m in a.measurements]
    resources += [_care_plan(p, pid) for p in record.plans]
    resources += [_procedure(t, pid) for t in record.treatments]
    for intake in record.intakes:
        resources += _intake_resources(intake, pid)
    resources += [_document(d, pid) for d in record.documents]
    entries = [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]
    return {"resourceType": "Bundle", "type": "collection", "timestamp": timestamp.isoformat(), "entry": entries}


def validate_bundle(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Validate against the FHIR 4.x (R4B) models and return the Bundle as they serialise it.

    Raises :class:`FhirError` naming the first problem.
    """
    try:
        from fhir.resources.R4B.bundle import Bundle
    except ImportError as exc:  # pragma: no cover - dependency missing
        raise FhirError(
            "FHIR validation needs the fhir.resources package.", hint="pip install 'fhir.resources>=8'"
        ) from exc
    try:
        bundle = Bundle.model_validate(doc)
    except ValueError as exc:
        first = str(exc).splitlines()[:3]
        raise FhirError(f"The Bundle is not valid FHIR R4B: {' '.join(first)}") from None
    out: dict[str, Any] = json.loads(bundle.model_dump_json(exclude_none=True))
    return out


# --- import --------------------------------------------------------------------------------------------


def _id_of(reference: Mapping[str, Any] | None) -> str:
    ref = (reference or {}).get("reference", "")
    return ref.removeprefix("urn:uuid:") if ref else ""


def _ext(resource: Mapping[str, Any], url: str) -> Mapping[str, Any] | None:
    for e in resource.get("extension", []):
        if e.get("url") == url:
            return e  # type: ignore[no-any-return]
    return None


def _code(concept: Mapping[str, Any] | None, system: str) -> str:
    for c in (concept or {}).get("coding", []):
        if c.get("system") == system:
            return str(c.get("code", ""))
    return ""


def _float(x: Any) -> float | None:
    return None if x is None else float(x)


def _measurement(obs: Mapping[str, Any]) -> tuple[str, Measurement]:
    analysis_id, _, mid = obs["identifier"][0]["value"].partition("/")
    label = obs["code"].get("text", mid)
    zone = _code(obs.get("bodySite"), ZONE_SYSTEM)
    norm_ext = _ext(obs, EXT_NORM)
    norm = None if norm_ext is None else _decode_fields(Norm, norm_ext.get("extension", []))
    q = obs.get("valueQuantity")
    if q is None:
        unit_ext = _ext(obs, EXT_NOT_MEASURABLE)
        unit = "" if unit_ext is None else str(unit_ext["valueString"])
        reason = obs.get("dataAbsentReason", {}).get("text", "")
        return analysis_id, Measurement(
            mid, label, zone, unit, None, None, norm, "" if reason == "not measurable" else reason
        )
    unc = None
    for e in q.get("extension", []):
        if e.get("url") == UNCERTAINTY:
            unc = float(e["valueDecimal"])
    notes = obs.get("note", [])
    return analysis_id, Measurement(
        mid, label, zone, q.get("unit", ""), _float(q.get("value")), unc, norm, notes[0]["text"] if notes else ""
    )


def record_from_bundle(doc: Mapping[str, Any]) -> PatientRecord:
    """Read a Bundle written by :func:`patient_bundle` back into a :class:`PatientRecord`."""
    if doc.get("resourceType") != "Bundle":
        raise FhirError("Not a FHIR Bundle.", hint="Export the patient's record with facebalance first.")
    by_type: dict[str, list[Mapping[str, Any]]] = {}
    for entry in doc.get("entry", []):
        r = entry["resource"]
        by_type.setdefault(r["resourceType"], []).append(r)
    patients = by_type.get("Patient", [])
    if len(patients) != 1:
        raise FhirError(f"The Bundle holds {len(patients)} patients; one is expected.")
    p = patients[0]
    demographics = Demographics(
        p["id"], p["name"][0]["given"][0], p["name"][0]["family"], date.fromisoformat(p["birthDate"]), p["gender"]
    )
    photos = []
    for m in by_type.get("Media", []):
        c = m["content"]
        photos.append(
            PhotoRecord(
                m["id"],
                _code(m.get("view"), VIEW_SYSTEM),
                datetime.fromisoformat(m["createdDateTime"]),
                c["contentType"],
                m["identifier"][0]["value"],
                int(c["size"]),
                int(m["width"]),
                int(m["height"]),
                base64.b64decode(c["data"]) if "data" in c else None,
            )
        )
    analyses: dict[str, tuple[datetime, str, list[Measurement]]] = {}
    for obs in by_type.get("Observation", []):
        aid, measurement = _measurement(obs)
        photo = _id_of(obs["derivedFrom"][0]) if obs.get("derivedFrom") else ""
        analyses.setdefault(aid, (datetime.fromisoformat(obs["effectiveDateTime"]), photo, []))[2].append(measurement)
    plans = []
    for cp in by_type.get("CarePlan", []):
        attachment = (_ext(cp, EXT_PLAN_DOCUMENT) or {}).get("valueAttachment")
        if attachment is None:
            raise FhirError(f"CarePlan {cp['id']} carries no facebalance plan document.")
        plans.append(
            PlanRecord(
                cp["id"],
                datetime.fromisoformat(cp["created"]),
                "accepted" if cp["status"] == "active" else "proposed",
                json.loads(base64.b64decode(attachment["data"])),
            )
        )
    treatments = []
    reported: list[Mapping[str, Any]] = []
    for proc in by_type.get("Procedure", []):
        if _ext(proc, EXT_REPORTED) is not None:
            reported.append(proc)
            continue
        ext = _ext(proc, EXT_TREATMENT)
        if ext is None:
            raise FhirError(f"Procedure {proc['id']} carries no facebalance treatment extension.")
        plan_id = _id_of(proc["basedOn"][0]) if proc.get("basedOn") else ""
        treatments.append(
            _decode_fields(
                TreatmentRecord,
                ext.get("extension", []),
                id=proc["id"],
                patient_id=_id_of(proc["subject"]),
                performed_on=date.fromisoformat(proc["performedDateTime"]),
                plan_id=plan_id,
            )
        )
    documents = []
    for d in by_type.get("DocumentReference", []):
        att = d["content"][0]["attachment"]
        documents.append(
            DocumentRecord(
                d["id"],
                _code(d.get("type"), DOCUMENT_SYSTEM),
                d.get("description", ""),
                datetime.fromisoformat(d["date"]),
                att["contentType"],
                base64.b64decode(att["data"]),
            )
        )
    return PatientRecord(
        demographics,
        tuple(AnalysisRecord(aid, taken, photo, tuple(ms)) for aid, (taken, photo, ms) in analyses.items()),
        tuple(plans),
        tuple(treatments),
        tuple(photos),
        tuple(documents),
        _intakes(by_type, reported),
    )


def _part(identifiers: Any) -> tuple[str, str, int]:
    """``(intake id, kind, n)`` of an intake resource's identifier."""
    for ident in identifiers if isinstance(identifiers, list) else [identifiers]:
        if ident.get("system") == INTAKE_SYSTEM:
            intake, kind, n = str(ident["value"]).rsplit("/", 2)
            return intake, kind, int(n)
    raise FhirError("An intake resource names no intake (identifier urn:facebalance:intake).")


def _intakes(
    by_type: Mapping[str, list[Mapping[str, Any]]], reported: list[Mapping[str, Any]]
) -> tuple[IntakeRecord, ...]:
    """The intakes the allergy, medication, BDDQ-AS and reported-treatment resources name, in export order."""
    parts: dict[str, dict[str, Any]] = {}

    def part(resource: Mapping[str, Any], when: str) -> tuple[dict[str, Any], str, int]:
        intake, kind, n = _part(resource.get("identifier", []))
        entry = parts.setdefault(intake, {"recorded": when, "allergy": {}, "medication": {}, "prior": {}})
        return entry, kind, n

    for r in by_type.get("AllergyIntolerance", []):
        entry, _, n = part(r, r["recordedDate"])
        entry["allergy"][n] = r["code"]["text"]
    for r in by_type.get("MedicationStatement", []):
        entry, _, n = part(r, r["dateAsserted"])
        entry["medication"][n] = r["medicationCodeableConcept"]["text"]
    for r in by_type.get("QuestionnaireResponse", []):
        entry, _, _ = part(r, r["authored"])
        answers = {i["linkId"]: _scalar(i["answer"][0]) for i in r.get("item", [])}
        entry["bddq_as"] = BddqAs(**{name: answers[link] for link, _, name, _ in BDDQ_AS_ITEMS})
    for r in reported:
        ext = _ext(r, EXT_REPORTED) or {}
        subs = list(ext.get("extension", []))
        when = next((e["valueDateTime"] for e in subs if e.get("url") == "recorded"), "")
        entry, _, n = part(r, when)
        entry["prior"][n] = _decode_fields(PriorTreatment, subs, date=date.fromisoformat(r["performedDateTime"][:10]))
    return tuple(
        IntakeRecord(
            intake,
            datetime.fromisoformat(e["recorded"]),
            tuple(v for _, v in sorted(e["allergy"].items())),
            tuple(v for _, v in sorted(e["medication"].items())),
            e.get("bddq_as"),
            tuple(v for _, v in sorted(e["prior"].items())),
        )
        for intake, e in sorted(parts.items(), key=lambda kv: datetime.fromisoformat(kv[1]["recorded"]))
    )
