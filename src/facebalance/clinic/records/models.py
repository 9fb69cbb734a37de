"""Charted treatments. Every row reaches its clinic through the patient; rows are never deleted
through the app (``on_delete=PROTECT``): a correction is a new row or an edit that the audit log records."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from facebalance.clinic.models import Clinic, ContactChannel, Modality, Patient, Plan
from facebalance.records.treatments import DEPTHS, EVENT_SEVERITIES, TECHNIQUES


class ProductLot(models.Model):
    """A lot of a product received into the clinic's stock (quantities in the modality's unit: U, mL, vials).

    ``quantity_remaining`` goes down as treatments are charted from the lot (in the charting transaction,
    the row locked), so what is left is never read from a stale copy."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="product_lots")
    modality = models.CharField(max_length=20, choices=Modality.choices)
    product = models.CharField(max_length=120)
    lot = models.CharField(max_length=60)
    expiry = models.DateField()
    quantity_received = models.DecimalField(max_digits=9, decimal_places=2)
    quantity_remaining = models.DecimalField(max_digits=9, decimal_places=2)
    received_on = models.DateField()
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("product", "expiry", "lot")
        constraints = (models.UniqueConstraint(fields=("clinic", "product", "lot"), name="records_lot_unique"),)

    def __str__(self) -> str:
        return f"{self.product} lot {self.lot}"


class TreatmentVisit(models.Model):
    """One product given in one catalogue area at one visit (the grain of a plan item)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="treatments")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="treatments")
    plan_item = models.CharField(max_length=80, blank=True, default="")
    performed_on = models.DateField()
    modality = models.CharField(max_length=20, choices=Modality.choices)
    area = models.CharField(max_length=60)
    product = models.CharField(max_length=120)
    lot = models.CharField(max_length=60)
    expiry = models.DateField(null=True, blank=True)
    disliked = models.BooleanField(default=False)
    note = models.TextField(blank=True, default="")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    #: For a treatment imported from a FHIR Bundle: who gave it and where, as the source record says
    #: (``clinician`` is then the user who imported it). Empty for treatments charted here.
    source_clinician = models.CharField(max_length=150, blank=True, default="")
    source_clinic = models.CharField(max_length=200, blank=True, default="")
    #: The stock lot it was drawn from (``None`` for treatments charted without the inventory, or imported).
    product_lot = models.ForeignKey(
        ProductLot, on_delete=models.PROTECT, null=True, blank=True, related_name="treatments"
    )
    #: The planner's gates this treatment broke when charted (``facebalance.planning.charting``), and the
    #: clinician's written reason for charting it all the same.
    safety_checks = models.JSONField(null=True, blank=True, default=list)
    override_reason = models.TextField(blank=True, default="", db_default="")
    #: The charting form's one-time token: a resubmitted form finds this treatment again.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-performed_on", "-created_at")
        indexes = (models.Index(fields=("patient", "performed_on")),)


class InjectionSite(models.Model):
    visit = models.ForeignKey(TreatmentVisit, on_delete=models.PROTECT, related_name="sites")
    site = models.CharField(max_length=40)
    x = models.FloatField()
    y = models.FloatField()
    amount = models.DecimalField(max_digits=7, decimal_places=2)
    depth = models.CharField(max_length=20, choices=[(d, d) for d in DEPTHS])
    technique = models.CharField(max_length=10, choices=[(t, t) for t in TECHNIQUES])
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ("id",)


class AdverseEvent(models.Model):
    visit = models.ForeignKey(TreatmentVisit, on_delete=models.PROTECT, related_name="adverse_events")
    kind = models.CharField(max_length=30)
    severity = models.CharField(max_length=10, choices=[(s, s) for s in EVENT_SEVERITIES])
    onset = models.DateField()
    resolved = models.DateField(null=True, blank=True)
    action = models.TextField(blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("onset", "id")


class FollowUp(models.Model):
    visit = models.ForeignKey(TreatmentVisit, on_delete=models.PROTECT, related_name="follow_ups")
    on = models.DateField()
    movement_returned_weeks = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    satisfied = models.BooleanField(null=True)
    note = models.TextField(blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("on", "id")


class RecallNotice(models.Model):
    """A recall sent to a patient (the entry's stable key, how, to where, by whom and when)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="recall_notices")
    recall_key = models.CharField(max_length=200)
    channel = models.CharField(max_length=10, choices=ContactChannel.choices)
    sent_to = models.CharField(max_length=254)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-sent_at", "-id")
