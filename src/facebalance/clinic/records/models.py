"""Charted treatments. Every row reaches its clinic through the patient; rows are never deleted
through the app (``on_delete=PROTECT``): a correction is a new row or an edit that the audit log records."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from facebalance.clinic.models import Modality, Patient, Plan
from facebalance.records.treatments import DEPTHS, EVENT_SEVERITIES, TECHNIQUES


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
