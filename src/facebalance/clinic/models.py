"""The clinic's records. Every clinical row belongs to exactly one clinic, through its patient.

Object ids in URLs are random UUIDs; they are not the protection (the permission checks in
:mod:`facebalance.clinic.access` are), but they keep ids from leaking how many patients a clinic has.
Clinical rows are never deleted through the app (``on_delete=PROTECT``).
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    PROVIDER = "provider", "Provider"
    FRONT_DESK = "front_desk", "Front desk"
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"


def default_totp_roles() -> list[str]:
    """Roles that must use the TOTP second factor unless the clinic says otherwise: clinic admins, who manage
    users and read the audit log."""
    return [Role.CLINIC_ADMIN.value]


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    #: A clinic's own protocol / norm set / price list as TOML layered over the defaults ("" = default).
    protocol_toml = models.TextField(blank=True, default="")
    norms_toml = models.TextField(blank=True, default="")
    prices_toml = models.TextField(blank=True, default="")
    #: Roles (``Role`` values) whose users must set up and use TOTP before they reach any page.
    totp_required_roles = models.JSONField(default=default_totp_roles, blank=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in a clinic. One clinic per user keeps every request's scope unambiguous."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    #: Base32 TOTP secret; empty when the second factor is off.
    totp_secret = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.user} @ {self.clinic} ({self.role})"


#: The finding id of a clinician's finding that no planning rule reads (a note for the documents).
CLINICIAN_NOTE = "clinician.note"
#: The protocol view whose analysis is the assessment's frontal document (``Assessment.analysis``).
FRONTAL_VIEW = "frontal_rest"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"


class ContactChannel(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    SMS = "sms", "Text message"
    NONE = "none", "No recalls"


class Patient(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    given_name = models.CharField(max_length=120)
    family_name = models.CharField(max_length=120)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    ethnicity = models.CharField(max_length=60, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    email = models.EmailField(max_length=254, blank=True, default="")
    #: How the patient wants to hear about recalls ("" = not asked).
    preferred_channel = models.CharField(max_length=10, choices=ContactChannel.choices, blank=True, default="")
    #: Where the photos of a demo or teaching patient come from (shown on the chart), e.g. a CC BY credit.
    photo_attribution = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("family_name", "given_name")
        indexes = (models.Index(fields=("clinic", "family_name")),)

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Pregnancy(models.TextChoices):
    #: Never pre-set: the intake asks (an intake saved before this answer was required keeps its value).
    NO = "no", "No"
    YES = "yes", "Yes"
    POSSIBLE = "possible", "Possibly / trying"
    NOT_APPLICABLE = "na", "Not applicable"


class Intake(models.Model):
    """One consultation's intake: history, medical screen, goals in the patient's words, BDDQ-AS."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="intakes")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = models.TextField(blank=True, default="")
    allergies = models.TextField(blank=True, default="", help_text="One per line.")
    medications = models.TextField(blank=True, default="", help_text="One per line.")
    conditions = models.TextField(blank=True, default="", help_text="One per line.")
    pregnancy = models.CharField(max_length=10, choices=Pregnancy.choices, blank=True, default="")
    breastfeeding = models.BooleanField(default=False)
    anticoagulants = models.BooleanField(default=False)
    keloid_history = models.BooleanField(default=False)
    herpes_labialis_history = models.BooleanField(default=False)
    autoimmune_active = models.BooleanField(default=False)
    neuromuscular_conditions = models.TextField(blank=True, default="", help_text="One per line.")
    autoimmune_conditions = models.TextField(blank=True, default="", help_text="One per line.")
    #: Catalogue area ids with an active skin infection.
    active_infection_areas = models.JSONField(default=list, blank=True)
    high_exercise = models.BooleanField(default=False)
    goals = models.TextField(blank=True, default="", help_text="In the patient's own words.")
    #: The planner's inputs the CLI intake accepts (docs/planning.md): treatments asked for (catalogue ids),
    #: expectation ids (planning/data/safety.toml), budget and visits.
    requested_treatments = models.JSONField(default=list, blank=True)
    expectations = models.JSONField(default=list, blank=True)
    budget_usd = models.PositiveIntegerField(null=True, blank=True)
    budget_basis = models.CharField(
        max_length=4, choices=[("high", "high end of each range"), ("mid", "middle of each range")], default="high"
    )
    max_visits = models.PositiveSmallIntegerField(null=True, blank=True)
    prefers_gradual = models.BooleanField(default=False)
    #: Lip position to Ricketts' E-line measured by the clinician on the profile (negative = behind), for the
    #: planner's lip guard.
    upper_lip_to_e_line_mm = models.FloatField(null=True, blank=True)
    lower_lip_to_e_line_mm = models.FloatField(null=True, blank=True)
    #: A provider's documented decision to plan despite a positive BDDQ-AS.
    bddq_override_reason = models.TextField(blank=True, default="")
    bddq_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: The form's one-time token: a resubmitted form (back button, double click) finds this intake again.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # BDDQ-AS (Dey et al. 2015): items 1, 2, 7 yes/no; 3-6 rated 1 (not at all) to 5 (extremely).
    bddq_q1_concerned = models.BooleanField(null=True)
    bddq_q2_preoccupied = models.BooleanField(null=True)
    bddq_q3_distress = models.PositiveSmallIntegerField(null=True)
    bddq_q4_social = models.PositiveSmallIntegerField(null=True)
    bddq_q5_work_school = models.PositiveSmallIntegerField(null=True)
    bddq_q6_avoidance = models.PositiveSmallIntegerField(null=True)
    bddq_q7_impairment = models.BooleanField(null=True)

    class Meta:
        ordering = ("-created_at",)

    @property
    def bddq_complete(self) -> bool:
        return all(getattr(self, f) is not None for f in BDDQ_FIELDS)

    @property
    def bddq_positive(self) -> bool | None:
        """The BDDQ-AS screen: positive when concerned and preoccupied (1, 2 yes), and either item 7 yes
        or any of items 3-6 rated 3 ("moderately") or more (Dey, Ishii et al. 2015)."""
        if not self.bddq_complete:
            return None
        moderate = any((getattr(self, f) or 0) >= 3 for f in BDDQ_FIELDS[2:6])
        return bool(self.bddq_q1_concerned and self.bddq_q2_preoccupied and (self.bddq_q7_impairment or moderate))


BDDQ_FIELDS = (
    "bddq_q1_concerned",
    "bddq_q2_preoccupied",
    "bddq_q3_distress",
    "bddq_q4_social",
    "bddq_q5_work_school",
    "bddq_q6_avoidance",
    "bddq_q7_impairment",
)


class Modality(models.TextChoices):
    TOXIN = "toxin", "Botulinum toxin (U)"
    HA = "ha", "Hyaluronic acid filler (mL)"
    PLLA = "plla", "Poly-L-lactic acid (vials)"
    CAHA = "caha", "Calcium hydroxylapatite (mL)"
    HYALURONIDASE = "hyaluronidase", "Hyaluronidase (U)"


class IntakeConcern(models.Model):
    """A concern in the patient's own words, tagged with the area it is about (the planner's ``concerns``)."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="concerns")
    area = models.CharField(max_length=40)
    text = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ("id",)


class PriorTreatment(models.Model):
    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="prior_treatments")
    date = models.DateField(help_text="When")
    clinic_name = models.CharField("where", max_length=200, blank=True, default="")
    modality = models.CharField("what", max_length=20, choices=Modality.choices)
    product = models.CharField(max_length=120, blank=True, default="")
    area = models.CharField(max_length=60)
    amount = models.DecimalField("how much", max_digits=7, decimal_places=2)
    satisfied = models.BooleanField(null=True)
    disliked = models.BooleanField("wants it gone", default=False)
    movement_returned_weeks = models.DecimalField(
        "movement back after (weeks)", max_digits=4, decimal_places=1, null=True, blank=True
    )

    class Meta:
        ordering = ("-date",)


class PhotoSession(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="photo_sessions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    protocol_name = models.CharField(max_length=120)
    protocol_version = models.CharField(max_length=40)
    completed_at = models.DateTimeField(null=True, blank=True)
    #: Views left out on purpose, appended in order: ``{"view_id", "reason", "by", "by_id", "at"}`` (``at`` ISO
    #: time); a later photo of the view supersedes its skip. Kept on the row (like a plan's edits) so that the
    #: pages read them with the session, not with a query of their own.
    skips = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("-created_at",)


class CheckStatus(models.TextChoices):
    PASS = "pass", "Pass"
    WARN = "warn", "Warning"
    FAIL = "fail", "Fail"


class Photo(models.Model):
    """One stored photo of a session view. A retake adds a row; the newest row of a view counts."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(PhotoSession, on_delete=models.PROTECT, related_name="photos")
    view_id = models.CharField(max_length=40)
    #: Server-generated file name under the photo store (never the uploaded name); ``None`` for a photo
    #: imported from a FHIR Bundle without its pixels (the metadata only: it never counts, see clinic/records).
    stored_name = models.CharField(max_length=80, unique=True, null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()
    width_px = models.PositiveIntegerField()
    height_px = models.PositiveIntegerField()
    checks = models.JSONField(default=dict)
    status = models.CharField(max_length=4, choices=CheckStatus.choices)
    accepted_reason = models.TextField(blank=True, default="")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-uploaded_at",)

    @property
    def counts(self) -> bool:
        """Whether this photo fills its view: it passed, or a clinician accepted its warning."""
        return self.status == CheckStatus.PASS or (self.status == CheckStatus.WARN and bool(self.accepted_reason))


class Assessment(models.Model):
    """The assessment of a whole photo session (``facebalance.assess``): the frontal analysis document (what the
    plan, documents, API and comparisons read), the session document (every view, the carried scale, the five
    zones), the annotated pictures, and the clinician's grades and review of it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(PhotoSession, on_delete=models.PROTECT, related_name="assessments")
    photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="+")
    analysis = models.JSONField()
    #: The dynamic assessment (``facebalance.dynamics`` 1.0 document) of the session's expression photos, or
    #: ``{"status": "no_expression_photos"}`` / ``{"status": "failed", "message": ...}``; ``{}`` before it ran.
    dynamics = models.JSONField(default=dict, blank=True)
    annotated_name = models.CharField(max_length=80, blank=True, default="")
    #: The session document (``facebalance.session_assessment`` 1.0: every view, the carried scale, the five
    #: zones, every view's findings with their views); ``{}`` for an assessment of the frontal photo only.
    session_document = models.JSONField(default=dict, blank=True)
    grades = models.JSONField(default=dict)
    #: The clinician's own findings, appended in order: ``{"n", "rule", "zone", "severity", "sentence", "by",
    #: "by_id", "at"}`` (review id ``clinician-<n>``; ``rule`` a finding id the planning rules read, or
    #: :data:`CLINICIAN_NOTE`); read with the assessment, never with a query of their own.
    added_findings = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def frontal_findings(self) -> list[dict[str, Any]]:
        return list(self.analysis.get("findings", []))

    def dynamic_findings(self) -> list[dict[str, Any]]:
        """The dynamic findings, each with a review ``id`` of its own (``dynamic-<rule>-<expression>-<side>``:
        a rule can fire on two expressions or sides) and the engine's id kept as ``rule``."""
        out = []
        for f in (self.dynamics or {}).get("findings", []):
            rule = str(f.get("id", ""))
            review_id = "-".join([rule.replace(".", "-"), str(f.get("expression", "")), str(f.get("side", ""))])
            out.append(dict(f, id=review_id, rule=rule))
        return out

    def clinician_findings(self) -> list[dict[str, Any]]:
        """The findings the clinician added, in the analysis document's finding form (review id
        ``clinician-<n>``; the planner reads them under ``rule``, a finding id the planning rules know, or
        :data:`CLINICIAN_NOTE` for one no rule reads)."""
        return [
            {
                "id": f"clinician-{a['n']}",
                "rule": a.get("rule", CLINICIAN_NOTE),
                "kind": "clinician",
                "zones": [a["zone"]],
                "measurements": [],
                "severity": a["severity"],
                "sentence": a["sentence"],
                "source": f"added by {a.get('by', '')}",
                "status": "confirmed",
            }
            for a in self.added_findings or []
        ]

    def session_findings(self) -> list[dict[str, Any]]:
        """The session's findings beyond the frontal photo at rest (the oblique, profile and smile views' and the
        cross-view ``session.*`` ones), each with a review ``id`` of its own (``<engine id>-<views>``, dots as
        dashes: one engine id can come from two views) and the engine's id kept as ``rule``. The frontal rest
        photo's findings are reviewed as :meth:`frontal_findings`, the dynamic ones as :meth:`dynamic_findings`."""
        frontal = {f.get("id") for f in self.frontal_findings()}
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for f in (self.session_document or {}).get("findings", []):
            rule = str(f.get("id", ""))
            views = [str(v) for v in f.get("views", [])]
            dynamic = rule.startswith("dynamic.") or f.get("kind") in ("movement", "compensation")
            if dynamic or (views == [FRONTAL_VIEW] and rule in frontal):
                continue
            review_id = "-".join([rule.replace(".", "-"), *views])[:110]
            n, unique = 1, review_id
            while unique in seen:
                n += 1
                unique = f"{review_id}-{n}"
            seen.add(unique)
            out.append(dict(f, id=unique, rule=rule))
        return out

    def findings(self) -> list[dict[str, Any]]:
        """Every finding the clinician reviews: the frontal ones, the session's other views' and cross-view ones,
        the dynamic ones, then the clinician's own."""
        return self.frontal_findings() + self.session_findings() + self.dynamic_findings() + self.clinician_findings()


class AssessmentImage(models.Model):
    """One annotated picture of an assessment's view other than the frontal photo at rest (whose picture is
    ``Assessment.annotated_name``): a file in the photo store, stored with its row."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="view_images")
    view_id = models.CharField(max_length=40)
    stored_name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ("id",)
        constraints = (models.UniqueConstraint(fields=("assessment", "view_id"), name="one_image_per_view"),)


class AssessmentRun(models.Model):
    """A request to assess a whole session, run by the background worker (:mod:`facebalance.clinic.jobs`, kind
    ``session_assessment``); ``assessment`` is set, with the assessment's row, when it is done."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(PhotoSession, on_delete=models.PROTECT, related_name="assessment_runs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    assessment = models.OneToOneField(Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="run")

    class Meta:
        ordering = ("-created_at",)


class Decision(models.TextChoices):
    CONFIRM = "confirm", "Confirm"
    EDIT = "edit", "Edit"
    REJECT = "reject", "Reject"


class FindingReview(models.Model):
    """A clinician's decision on one proposed finding. Rows are only added; the newest per finding counts."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="reviews")
    finding_id = models.CharField(max_length=120)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    sentence = models.TextField(blank=True, default="")
    severity = models.CharField(max_length=20, blank=True, default="")
    note = models.TextField(blank=True, default="")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-reviewed_at", "-id")


class Comparison(models.Model):
    """Before/after: two photos of one view from two sessions of a patient, aligned on stable anatomy
    (``facebalance.beforeafter``); the pictures are files in the photo store, served by an authorised view."""

    #: The stored pictures: kind (in URLs) -> field naming its file.
    PICTURES: ClassVar[dict[str, str]] = {
        "side-by-side": "side_by_side_name",
        "blink-before": "blink_before_name",
        "blink-after": "blink_after_name",
        "overlay": "overlay_name",
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="comparisons")
    view_id = models.CharField(max_length=40)
    before_photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="+")
    after_photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="+")
    document = models.JSONField(default=dict)
    side_by_side_name = models.CharField(max_length=80, blank=True, default="")
    blink_before_name = models.CharField(max_length=80, blank=True, default="")
    blink_after_name = models.CharField(max_length=80, blank=True, default="")
    overlay_name = models.CharField(max_length=80, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def file_names(self) -> list[str]:
        return [n for n in (getattr(self, f) for f in self.PICTURES.values()) if n]


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted by the patient"


class Plan(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="plans")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="plans")
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, null=True, blank=True, related_name="plans")
    document = models.JSONField()
    edits = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.PROPOSED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)


class LoginFailure(models.Model):
    """One failed login, for slowing guesses per user name and per client address (rows older than the window
    are pruned); see :mod:`facebalance.clinic.throttle`."""

    PASSWORD = "password"
    SECOND_FACTOR = "totp"

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    #: Which step failed: the password, or the TOTP code after a right password.
    kind = models.CharField(max_length=10, default=PASSWORD)
    #: The id of the browser's device cookie when it was sent for this user name ("" otherwise).
    device = models.CharField(max_length=32, blank=True, default="", db_index=True)


class AuditEvent(models.Model):
    """One append-only, hash-chained row of the audit log; see :mod:`facebalance.clinic.audit`.

    ``seq`` is assigned under a lock as the previous row's plus one (not the database's sequence, which
    leaves gaps after a rollback), so a gap always means a removed row.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor = models.CharField(max_length=150, default="")
    clinic_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=30)
    object_type = models.CharField(max_length=40, default="")
    object_id = models.CharField(max_length=64, default="")
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ("seq",)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")


class ApiKey(models.Model):
    """A bearer key for the JSON API, acting as its user (and so within the user's clinic and role).

    Only the SHA-256 of the key is stored; the key is shown once when created.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    label = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


# The guided dynamics capture's rows (a session's videos and the job queue) live in their own module.
from facebalance.clinic.models_dynamics import DynamicsKeyframe, DynamicsRecording, Job  # noqa: E402, F401
