"""The product inventory: lots received into stock (product, lot, expiry, quantity), what is left of each as
treatments are charted from it, and the recall of a lot: every patient treated with it.

A lot is the clinic's own (``ProductLot.clinic``): another clinic's id is a 404. Receiving stock needs
``inventory.manage`` (providers, clinic admins); the lists need ``inventory.view``. Receiving and every lot
recall listing are audited.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from facebalance.clinic import audit
from facebalance.clinic.access import allowed, clinic_view
from facebalance.clinic.models import Membership
from facebalance.clinic.records.models import ProductLot, TreatmentVisit
from facebalance.records.treatments import unit_of


class ProductLotForm(forms.ModelForm):
    class Meta:
        model = ProductLot
        fields = ("modality", "product", "lot", "expiry", "quantity_received", "received_on")
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "expiry": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "received_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        }
        labels: ClassVar[dict[str, str]] = {"quantity_received": "Quantity received (U, mL or vials)"}

    def __init__(self, *args: Any, clinic: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic, self.today = clinic, today
        if self.initial.get("received_on") is None:
            self.initial["received_on"] = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        quantity = data.get("quantity_received")
        if quantity is not None and quantity <= 0:
            self.add_error("quantity_received", "The quantity must be above zero.")
        received = data.get("received_on")
        if received is not None and received > self.today:
            self.add_error("received_on", "Stock is received on or before today.")
        expiry = data.get("expiry")
        if expiry is not None and received is not None and expiry < received:
            self.add_error("expiry", "This lot had expired when it was received.")
        product, lot = (data.get("product") or "").strip(), (data.get("lot") or "").strip()
        if product and lot and ProductLot.objects.filter(clinic=self.clinic, product=product, lot=lot).exists():
            self.add_error("lot", "This lot of this product is already in the inventory.")
        return data


def _m(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


@clinic_view("inventory.view")
@require_http_methods(["GET", "POST"])
def lot_list(request: HttpRequest) -> HttpResponse:
    """The clinic's lots with what is left of each; receiving a lot (``inventory.manage``)."""
    membership = _m(request)
    today = timezone.localdate()
    form = ProductLotForm(request.POST or None, clinic=membership.clinic, today=today)
    if request.method == "POST":
        if not allowed(membership, "inventory.manage"):
            return HttpResponse("Receiving stock needs the inventory.manage permission.", status=403)
        if form.is_valid():
            with transaction.atomic():
                lot = form.save(commit=False)
                lot.clinic = membership.clinic
                lot.quantity_remaining = lot.quantity_received
                lot.received_by = request.user
                lot.save()
                audit.record("create", user=request.user, clinic_id=membership.clinic_id, obj=lot)
            return redirect("records:inventory")
    lots = ProductLot.objects.filter(clinic=membership.clinic).order_by("product", "expiry", "lot")
    rows = [{"lot": lot, "unit": unit_of(lot.modality), "expired": lot.expiry < today} for lot in lots]
    return render(request, "records/inventory.html", {"rows": rows, "form": form}, status=422 if form.errors else 200)


def treated_with(lot: ProductLot) -> list[TreatmentVisit]:
    """Every treatment of the clinic given from this lot: drawn from it in stock, or charted (or imported) with
    the same product and lot number."""
    same = Q(product_lot=lot) | Q(product__iexact=lot.product, lot__iexact=lot.lot)
    return list(
        TreatmentVisit.objects.filter(same, patient__clinic=lot.clinic)
        .select_related("patient", "clinician")
        .prefetch_related("sites")
        .order_by("performed_on", "created_at")
    )


@clinic_view("inventory.view")
@require_GET
def lot_detail(request: HttpRequest, lot_id: str) -> HttpResponse:
    """A lot and every patient treated with it (the list a lot recall needs), audited."""
    membership = _m(request)
    lot = ProductLot.objects.filter(pk=lot_id, clinic=membership.clinic).first()
    if lot is None:
        raise Http404("No lot with that id.")
    visits = treated_with(lot)
    audit.record(
        "view",
        user=request.user,
        clinic_id=membership.clinic_id,
        obj=lot,
        detail={"recall_list": True, "treatments": len(visits)},
    )
    rows = [{"visit": v, "amount": sum((s.amount for s in v.sites.all()), Decimal(0))} for v in visits]
    patients = {v.patient_id: v.patient for v in visits}
    return render(
        request,
        "records/lot.html",
        {
            "lot": lot,
            "unit": unit_of(lot.modality),
            "rows": rows,
            "patients": list(patients.values()),
            "expired": lot.expiry < timezone.localdate(),
        },
    )
