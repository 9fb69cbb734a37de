"""Charting a treatment: the form, the planner's safety check, the stock lot, and the saved record.

What is charted meets the planner's own rules (:func:`facebalance.clinic.plans.check_charting`, that is
:func:`facebalance.planning.charting.check_charted_treatment`) against everything the patient reported at
intake and everything charted here: the toxin interval and cadence, the per-visit and area caps after the filler
ledger, the contraindications, the BDDQ-AS gate and the catalogue dose. A hard gate refuses the treatment
unless the clinician writes why it is given all the same; the gates and the reason are kept on the record and
the override is audited (gate ids only). A treatment drawn from stock names its lot: an expired lot is refused,
and the lot's remaining quantity goes down in the same transaction (the lot row locked). The form keeps
everything entered when it is shown again (plan item, area, lot, the sites placed), and its one-time token makes
a resubmitted form open the treatment it already saved.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from facebalance.clinic import audit, plans
from facebalance.clinic.access import clinic_view, scoped, scoped_queryset
from facebalance.clinic.models import Membership, Modality, Patient, Plan
from facebalance.clinic.records import convert
from facebalance.clinic.records.models import InjectionSite, ProductLot, TreatmentVisit
from facebalance.clinic.services import is_uuid
from facebalance.records.ledger import history_documents
from facebalance.records.treatments import DEPTHS, SITES, TECHNIQUES, unit_of

#: The shortest written reason accepted for charting past a hard gate.
OVERRIDE_MIN_CHARS = 15


class ChartError(ValueError):
    """A charting form error; ``field`` names the input it belongs under ("" for the form as a whole)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Charted:
    """The treatment as read from the form, before it is saved."""

    modality: str
    area: str
    product: str
    lot: str
    expiry: date | None
    performed_on: date
    plan: Plan | None
    plan_item: str
    sites: list[dict[str, Any]]
    product_lot: ProductLot | None = None
    violations: list[dict[str, str]] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return sum((Decimal(s["amount"]) for s in self.sites), Decimal(0))

    @property
    def hard(self) -> list[dict[str, str]]:
        return [v for v in self.violations if v["level"] == "hard"]


def _m(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def read_date(text: str, what: str, name: str = "", *, required: bool = True) -> date | None:
    """A form date, or :class:`ChartError` saying what is wrong (under the field ``name``)."""
    if not text:
        if required:
            raise ChartError(f"{what} is required.", name)
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ChartError(f"{what} must be a date (YYYY-MM-DD).", name) from None


def read_decimal(text: str, what: str, name: str = "sites") -> Decimal:
    """A form number from 0 to 1000, or :class:`ChartError`."""
    try:
        value = Decimal(text)
    except (ArithmeticError, TypeError, ValueError):
        raise ChartError(f"{what} must be a number.", name) from None
    if not value.is_finite() or value < 0 or value > 1000:
        raise ChartError(f"{what} must be between 0 and 1000.", name)
    return value


def read_sites(post: Any) -> list[dict[str, Any]]:
    """The injection sites placed on the diagram (site, place, amount, depth, technique), checked."""
    names, xs, ys = post.getlist("site"), post.getlist("x"), post.getlist("y")
    amounts, depths, techniques = post.getlist("amount"), post.getlist("depth"), post.getlist("technique")
    if not (len(names) == len(xs) == len(ys) == len(amounts) == len(depths) == len(techniques)):
        raise ChartError("Each injection site needs its place, amount, depth and technique.", "sites")
    if not names:
        raise ChartError("Place at least one injection site on the diagram.", "sites")
    if len(names) > MAX_SITES:
        raise ChartError(f"At most {MAX_SITES} sites per treatment.", "sites")
    out = []
    for i, name in enumerate(names, start=1):
        if name not in SITES:
            raise ChartError(f"Site {i}: {name!r} is not a standard site.", "sites")
        if depths[i - 1] not in DEPTHS or techniques[i - 1] not in TECHNIQUES:
            raise ChartError(f"Site {i}: choose a depth and a technique.", "sites")
        x, y = float(read_decimal(xs[i - 1], f"Site {i} x")), float(read_decimal(ys[i - 1], f"Site {i} y"))
        if not (0 <= x <= 200 and 0 <= y <= 260):
            raise ChartError(f"Site {i} is off the diagram.", "sites")
        amount = read_decimal(amounts[i - 1], f"Site {i} amount")
        if amount <= 0:
            raise ChartError(f"Site {i}: the amount must be above zero.", "sites")
        out.append(
            {"site": name, "x": x, "y": y, "amount": amount, "depth": depths[i - 1], "technique": techniques[i - 1]}
        )
    return out


#: Sites charted per visit at most (a full-face toxin session has about 30 points).
MAX_SITES = 60


def _lot(post: Any, membership: Membership, modality: str, performed_on: date) -> ProductLot | None:
    lot_id = post.get("product_lot", "")
    if not lot_id:
        return None
    lot = ProductLot.objects.filter(pk=lot_id if is_uuid(lot_id) else None, clinic=membership.clinic).first()
    if lot is None:
        raise ChartError("That lot is not in this clinic's stock.", "product_lot")
    if lot.modality != modality:
        raise ChartError(f"Lot {lot.lot} is {lot.get_modality_display()}, not what was given.", "product_lot")
    if lot.expiry < performed_on:
        raise ChartError(
            f"Lot {lot.lot} of {lot.product} expired on {lot.expiry.isoformat()}: it cannot be used.", "product_lot"
        )
    return lot


def read_form(post: Any, membership: Membership, patient: Patient) -> Charted:
    """The treatment from the form, or :class:`ChartError` naming the field that is wrong."""
    modality = post.get("modality", "")
    if modality not in Modality.values:
        raise ChartError("Choose what was given.", "modality")
    area = post.get("area", "")
    if area not in {s.area for s in SITES.values()}:
        raise ChartError("Choose the treated area.", "area")
    performed_on = read_date(post.get("performed_on", ""), "The treatment date", "performed_on")
    assert performed_on is not None
    if performed_on > timezone.localdate():
        raise ChartError("A treatment is charted on or after the day it was given, not before.", "performed_on")
    lot = _lot(post, membership, modality, performed_on)
    if lot is not None:
        product, lot_number, expiry = lot.product, lot.lot, lot.expiry
    else:
        product, lot_number = post.get("product", "").strip(), post.get("lot", "").strip()
        if not product or not lot_number:
            raise ChartError("Choose the lot from stock, or write the product and its lot number.", "product_lot")
        expiry = read_date(post.get("expiry", ""), "The expiry date", "expiry", required=False)
        if expiry is not None and expiry < performed_on:
            raise ChartError("The product had expired on the treatment date: check the lot.", "expiry")
    plan, plan_item = None, ""
    if post.get("plan_item"):
        plan_id, _, plan_item = post["plan_item"].partition("/")
        plan = scoped(Plan, plan_id, membership)
        if plan.patient_id != patient.pk or plan_item not in {i.get("key") for i in plan.document.get("items", [])}:
            raise ChartError("That plan item is not in this patient's plan.", "plan_item")
    return Charted(
        modality, area, product[:120], lot_number[:60], expiry, performed_on, plan, plan_item, read_sites(post), lot
    )


def safety_check(patient: Patient, charted: Charted) -> list[dict[str, str]]:
    """The planner's gates the treatment breaks, against the patient's reported and charted history."""
    intake = patient.intakes.order_by("-created_at").first()
    records = [r for r in convert.treatment_records(patient) if r.performed_on <= charted.performed_on]
    doc = plans.intake_document(
        patient, intake, grades={}, start=charted.performed_on, charted=history_documents(records)
    )
    return [
        dict(v)
        for v in plans.check_charting(
            doc,
            performed_on=charted.performed_on,
            modality=charted.modality,
            area=charted.area,
            amount=float(charted.amount),
        )
    ]


def _save(request: HttpRequest, patient: Patient, charted: Charted, token: uuid.UUID, reason: str) -> TreatmentVisit:
    """The treatment, its sites and the stock it used, in one transaction with its audit row."""
    with transaction.atomic():
        lot = None
        if charted.product_lot is not None:
            lot = ProductLot.objects.select_for_update().get(pk=charted.product_lot.pk)
            if lot.quantity_remaining < charted.amount:
                raise ChartError(
                    f"Only {lot.quantity_remaining.normalize():f} {unit_of(lot.modality)} left in lot {lot.lot}: "
                    "check the amounts, or receive the stock first.",
                    "product_lot",
                )
            lot.quantity_remaining -= charted.amount
            lot.save(update_fields=["quantity_remaining"])
        visit = TreatmentVisit.objects.create(
            patient=patient,
            plan=charted.plan,
            plan_item=charted.plan_item,
            performed_on=charted.performed_on,
            modality=charted.modality,
            area=charted.area,
            product=charted.product,
            lot=charted.lot,
            expiry=charted.expiry,
            product_lot=lot,
            clinician=request.user,
            note=request.POST.get("note", "")[:4000],
            safety_checks=charted.violations,
            override_reason=reason if charted.hard else "",
            submission=token,
        )
        InjectionSite.objects.bulk_create([InjectionSite(visit=visit, **s) for s in charted.sites])
        detail: dict[str, Any] = {"patient": str(patient.pk), "sites": len(charted.sites)}
        if lot is not None:
            detail["lot"] = str(lot.pk)
        if charted.hard:
            detail["override"] = sorted({v["gate"] for v in charted.hard})
        audit.record("create", user=request.user, clinic_id=patient.clinic_id, obj=visit, detail=detail)
    return visit


def _lots(membership: Membership, today: date) -> list[ProductLot]:
    """The clinic's lots in stock and in date (as of today), for the lot picker."""
    return list(
        ProductLot.objects.filter(clinic=membership.clinic, quantity_remaining__gt=0, expiry__gte=today).order_by(
            "product", "expiry", "lot"
        )
    )


def _placed(post: Any) -> list[dict[str, Any]]:
    """The sites as sent, to show them again on a form with an error (nothing is lost by a refusal)."""
    keys = ("site", "x", "y", "amount", "depth", "technique")
    columns = [post.getlist(k) for k in keys]
    if len({len(c) for c in columns}) != 1:
        return []
    return [
        dict(zip(keys, row, strict=True), label=SITES[row[0]].label)
        for row in zip(*columns, strict=True)
        if row[0] in SITES
    ]


@clinic_view("plan.edit")
@require_http_methods(["GET", "POST"])
def chart_new(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Chart a treatment: product lot (from stock, or typed), the sites placed on the face diagram, the plan item,
    checked with the planner's gates (a hard one needs the clinician's written reason)."""
    membership = _m(request)
    patient = scoped(Patient, patient_id, membership)
    error, error_field, violations = "", "", []
    post = request.POST
    if request.method == "POST":
        token = post.get("submission", "")
        if is_uuid(token):
            earlier = TreatmentVisit.objects.filter(patient=patient, submission=token).first()
            if earlier is not None:
                return redirect("records:treatment", visit_id=earlier.pk)
        try:
            charted = read_form(post, membership, patient)
            charted.violations = violations = safety_check(patient, charted)
            reason = post.get("override_reason", "").strip()
            if charted.hard and len(reason) < OVERRIDE_MIN_CHARS:
                raise ChartError(
                    "The planner's rules refuse this treatment as charted. Change it, or write why it is given all "
                    f"the same (at least {OVERRIDE_MIN_CHARS} characters): the reason is kept and audited.",
                    "override_reason",
                )
            visit = _save(request, patient, charted, uuid.UUID(token) if is_uuid(token) else uuid.uuid4(), reason)
        except ChartError as exc:
            error, error_field = str(exc), exc.field
        except IntegrityError:
            # The same form sent twice at once: the other request saved it.
            return redirect("records:treatment", visit_id=TreatmentVisit.objects.get(submission=token).pk)
        except plans.PlanUnavailable as exc:
            error, error_field = f"{exc.message} {exc.hint}".strip(), ""
        else:
            return redirect("records:treatment", visit_id=visit.pk)
    plan_list = scoped_queryset(Plan, membership).filter(patient=patient).order_by("-created_at")
    plan_items = [
        (f"{p.pk}/{i['key']}", f"{i.get('label', i['key'])} · visit {i.get('visit', 0) + 1} · {i.get('date', '')}")
        for p in plan_list
        for i in p.document.get("items", [])
    ]
    return render(
        request,
        "records/chart_new.html",
        {
            "patient": patient,
            "error": error,
            "error_field": error_field,
            "violations": violations,
            "hard": [v for v in violations if v["level"] == "hard"],
            "sites": list(SITES.values()),
            "placed_rows": _placed(post) if request.method == "POST" else [],
            "modalities": Modality.choices,
            "areas": sorted({s.area for s in SITES.values()}),
            "depths": DEPTHS,
            "techniques": TECHNIQUES,
            "plan_items": plan_items,
            "lots": _lots(membership, timezone.localdate()),
            "today": timezone.localdate().isoformat(),
            "post": post,
            "submission": post.get("submission") or uuid.uuid4(),
            "override_min": OVERRIDE_MIN_CHARS,
        },
        status=422 if error else 200,
    )
