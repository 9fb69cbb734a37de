"""Forms of the clinic pages (Django forms: validation, CSRF and escaping come from Django)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.forms import inlineformset_factory

from facebalance.clinic.models import (
    Clinic,
    ContactChannel,
    Decision,
    Intake,
    IntakeConcern,
    Patient,
    Pregnancy,
    PriorTreatment,
    Role,
)
from facebalance.clinic.plans import intake_choices

_YES_NO = [("", "—"), ("true", "Yes"), ("false", "No")]
_LIKERT = [
    ("", "—"),
    ("1", "1 Not at all"),
    ("2", "2 Mildly"),
    ("3", "3 Moderately"),
    ("4", "4 Severely"),
    ("5", "5 Extremely"),
]


class LoginForm(forms.Form):
    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, max_length=256)


class TotpForm(forms.Form):
    code = forms.RegexField(regex=r"^\d{6}$", max_length=6, error_messages={"invalid": "Enter the 6-digit code."})


#: The oldest date of birth accepted, in years before today (a typing slip such as 1889 for 1989 is refused).
OLDEST_PATIENT_YEARS = 120


def date_of_birth_problem(born: date, today: date) -> str:
    """Why a date of birth cannot be right ("" when it can): in the future, or implausibly long ago."""
    if born > today:
        return "The date of birth is in the future."
    if born.year < today.year - OLDEST_PATIENT_YEARS:
        return f"The date of birth is more than {OLDEST_PATIENT_YEARS} years ago."
    return ""


class PatientForm(forms.ModelForm):
    """A patient's details and contact. The date of birth must be a past date; a patient with the same name and
    date of birth in the clinic is shown and must be confirmed as a different person before a second is created."""

    confirm_duplicate = forms.BooleanField(
        required=False, label="This is a different person with the same name and date of birth"
    )

    class Meta:
        model = Patient
        fields = (
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "ethnicity",
            "phone",
            "email",
            "preferred_channel",
        )
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "date_of_birth": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }
        labels: ClassVar[dict[str, str]] = {"preferred_channel": "Preferred channel for recalls"}

    def __init__(self, *args: Any, clinic: Clinic, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic, self.today = clinic, today
        self.duplicates: list[Patient] = []
        self.fields["date_of_birth"].widget.attrs["max"] = today.isoformat()
        if not self.instance._state.adding:
            del self.fields["confirm_duplicate"]

    def clean_date_of_birth(self) -> date:
        born: date = self.cleaned_data["date_of_birth"]
        problem = date_of_birth_problem(born, self.today)
        if problem:
            raise forms.ValidationError(problem)
        return born

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel = data.get("preferred_channel")
        if channel == ContactChannel.EMAIL and not data.get("email"):
            self.add_error("email", "Recalls by email need the patient's email address.")
        if channel in (ContactChannel.PHONE, ContactChannel.SMS) and not (data.get("phone") or "").strip():
            self.add_error("phone", "Recalls by phone or text need the patient's phone number.")
        if self.instance._state.adding and all(data.get(f) for f in ("given_name", "family_name", "date_of_birth")):
            self.duplicates = list(
                Patient.objects.filter(
                    clinic=self.clinic,
                    given_name__iexact=data["given_name"].strip(),
                    family_name__iexact=data["family_name"].strip(),
                    date_of_birth=data["date_of_birth"],
                )
            )
            if self.duplicates and not data.get("confirm_duplicate"):
                self.add_error(
                    "confirm_duplicate",
                    "A patient with this name and date of birth is already registered (below). Open that record, "
                    "or tick this box if this is a different person.",
                )
        return data


class SearchForm(forms.Form):
    q = forms.CharField(max_length=120, required=False)


def _tristate(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=_YES_NO, required=False, empty_value=None, coerce=lambda v: v == "true"
    )


def _likert(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=_LIKERT, required=False, empty_value=None, coerce=int)


def _lines_field(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class IntakeForm(forms.ModelForm):
    """The intake: goals and concerns in the patient's words, what they ask for and expect, budget and visits,
    the medical screen (pregnancy asked every time, never pre-set), lifestyle, and the BDDQ-AS (all seven items
    or none). Every planner input of the CLI intake document (docs/planning.md) has a field here."""

    # BDDQ-AS wording after Dey JK, Ishii LE, et al. JAMA Facial Plast Surg 2015;17(2):137-143.
    bddq_q1_concerned = _tristate("1. Are you worried about how you look?")
    bddq_q2_preoccupied = _tristate(
        "2. Do you think about your appearance problems a lot and wish you could think about them less?"
    )
    bddq_q3_distress = _likert("3. How much distress do these concerns cause you?")
    bddq_q4_social = _likert("4. How much do they interfere with your social life?")
    bddq_q5_work_school = _likert("5. How much do they interfere with your work or studies?")
    bddq_q6_avoidance = _likert("6. How much do you avoid things because of how you look?")
    bddq_q7_impairment = _tristate("7. Have these concerns significantly affected your life?")
    pregnancy = forms.ChoiceField(
        label="Pregnant, possibly pregnant or trying?",
        choices=[("", "— ask the patient —"), *Pregnancy.choices],
        error_messages={"required": "Ask about pregnancy: the answer is never assumed."},
    )
    requested_treatments = forms.MultipleChoiceField(
        label="Treatments the patient asks for", required=False, widget=forms.CheckboxSelectMultiple
    )
    expectations = forms.MultipleChoiceField(
        label="Expectations to discuss", required=False, widget=forms.CheckboxSelectMultiple
    )
    active_infection_areas = forms.MultipleChoiceField(
        label="Active skin infection in", required=False, widget=forms.CheckboxSelectMultiple
    )
    neuromuscular_conditions = _lines_field("Neuromuscular conditions (one per line)")
    autoimmune_conditions = _lines_field("Autoimmune conditions (one per line)")
    #: The form's one-time token (a form sent without one is saved, without the resubmission guard).
    submission = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Intake
        fields = (
            "goals",
            "requested_treatments",
            "expectations",
            "budget_usd",
            "budget_basis",
            "max_visits",
            "prefers_gradual",
            "history",
            "allergies",
            "medications",
            "conditions",
            "neuromuscular_conditions",
            "autoimmune_conditions",
            "autoimmune_active",
            "active_infection_areas",
            "pregnancy",
            "breastfeeding",
            "anticoagulants",
            "keloid_history",
            "herpes_labialis_history",
            "high_exercise",
            "upper_lip_to_e_line_mm",
            "lower_lip_to_e_line_mm",
            "bddq_q1_concerned",
            "bddq_q2_preoccupied",
            "bddq_q3_distress",
            "bddq_q4_social",
            "bddq_q5_work_school",
            "bddq_q6_avoidance",
            "bddq_q7_impairment",
            "bddq_override_reason",
        )
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "goals": forms.Textarea(attrs={"rows": 3}),
            "bddq_override_reason": forms.Textarea(attrs={"rows": 2}),
            **{f: forms.Textarea(attrs={"rows": 2}) for f in ("history", "allergies", "medications", "conditions")},
        }
        labels: ClassVar[dict[str, str]] = {
            "goals": "Goals, in the patient's own words",
            "budget_usd": "Budget (USD)",
            "budget_basis": "Budget checked against",
            "max_visits": "Most visits the patient wants",
            "prefers_gradual": "Prefers a gradual change",
            "high_exercise": "Exercises hard most days (toxin wears off sooner)",
            "autoimmune_active": "Active autoimmune disease",
            "upper_lip_to_e_line_mm": "Upper lip to E-line (mm, negative = behind)",
            "lower_lip_to_e_line_mm": "Lower lip to E-line (mm, negative = behind)",
            "bddq_override_reason": "Plan despite a positive BDDQ-AS, because (provider only)",
        }

    def __init__(self, *args: Any, may_override: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = intake_choices()
        self.fields["requested_treatments"].choices = list(choices.treatments)
        self.fields["expectations"].choices = list(choices.expectations)
        self.fields["active_infection_areas"].choices = list(choices.areas)
        self.fields["budget_basis"].required = False
        self.fields["goals"].required = True
        self.fields["goals"].error_messages["required"] = "Write the patient's goals in their own words."
        self.fields["max_visits"].widget.attrs.update(min=1, max=choices.max_visits + 2)
        self.fields["budget_usd"].widget.attrs.update(min=0, step=100)
        if not may_override:
            del self.fields["bddq_override_reason"]

    def clean_budget_basis(self) -> str:
        return str(self.cleaned_data.get("budget_basis") or "high")

    def clean_max_visits(self) -> int | None:
        n: int | None = self.cleaned_data.get("max_visits")
        top = intake_choices().max_visits + 2
        if n is not None and not 1 <= n <= top:
            raise forms.ValidationError(f"Between 1 and {top} visits.")
        return n

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        answered = [f for f in BDDQ_ITEMS if data.get(f) is not None]
        if answered and len(answered) < len(BDDQ_ITEMS):
            for f in BDDQ_ITEMS:
                if data.get(f) is None:
                    self.add_error(f, "Answer every BDDQ-AS item, or leave all seven blank.")
        return data


BDDQ_ITEMS = (
    "bddq_q1_concerned",
    "bddq_q2_preoccupied",
    "bddq_q3_distress",
    "bddq_q4_social",
    "bddq_q5_work_school",
    "bddq_q6_avoidance",
    "bddq_q7_impairment",
)


class PriorTreatmentForm(forms.ModelForm):
    class Meta:
        model = PriorTreatment
        fields = (
            "date",
            "clinic_name",
            "modality",
            "product",
            "area",
            "amount",
            "satisfied",
            "disliked",
            "movement_returned_weeks",
        )
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "satisfied": forms.Select(choices=[("", "—"), ("true", "Yes"), ("false", "No")]),
        }

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["area"] = forms.ChoiceField(choices=[("", "—"), *intake_choices().areas])
        self.fields["amount"].widget.attrs.update(min=0, step="any")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        when = data.get("date")
        if when is not None and self.today is not None and when > self.today:
            self.add_error("date", "A prior treatment cannot be in the future.")
        amount = data.get("amount")
        if amount is not None and amount <= 0:
            self.add_error("amount", "The amount must be above zero (U, mL or vials).")
        weeks = data.get("movement_returned_weeks")
        if weeks is not None and data.get("modality") != "toxin":
            self.add_error("movement_returned_weeks", "Only for toxin.")
        return data


PriorTreatmentFormSet = inlineformset_factory(
    Intake,
    PriorTreatment,
    form=PriorTreatmentForm,
    extra=2,
    can_delete=False,
    max_num=20,
    validate_max=True,
)


class ConcernForm(forms.ModelForm):
    class Meta:
        model = IntakeConcern
        fields = ("area", "text")
        labels: ClassVar[dict[str, str]] = {"text": "In the patient's words"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = forms.ChoiceField(choices=[("", "—"), *intake_choices().concern_areas])


ConcernFormSet = inlineformset_factory(
    Intake, IntakeConcern, form=ConcernForm, extra=3, can_delete=False, max_num=12, validate_max=True
)


class SkipViewForm(forms.Form):
    skip_reason = forms.CharField(min_length=5, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ClinicianFindingForm(forms.Form):
    """A finding the clinician adds: the zone, the severity, the sentence, and (optionally) the finding id the
    planning rules read."""

    zone = forms.ChoiceField(
        choices=[
            ("upper_face", "Upper face"),
            ("midface", "Mid-face"),
            ("lower_face", "Lower face"),
            ("profile", "Profile"),
            ("symmetry", "Symmetry"),
            ("proportions", "Proportions"),
        ]
    )
    severity = forms.ChoiceField(choices=[("mild", "mild"), ("moderate", "moderate"), ("marked", "marked")])
    sentence = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    rule = forms.ChoiceField(required=False, label="Planner finding (optional)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "— none: a note the planner does not read —"), *intake_choices().findings]


class AcceptWarningForm(forms.Form):
    reason = forms.CharField(min_length=5, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    sentence = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    severity = forms.ChoiceField(
        required=False, choices=[("", "—"), ("mild", "mild"), ("moderate", "moderate"), ("marked", "marked")]
    )
    note = forms.CharField(required=False, max_length=1000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == Decision.EDIT and not (data.get("sentence") or "").strip():
            raise forms.ValidationError("An edit needs the corrected sentence.")
        if data.get("decision") == Decision.REJECT and not (data.get("note") or "").strip():
            raise forms.ValidationError("Say why the finding is rejected.")
        return data


class ClinicSettingsForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = ("name", "protocol_toml", "norms_toml", "prices_toml")
        widgets: ClassVar[dict[str, forms.Widget]] = {
            f: forms.Textarea(attrs={"rows": 8, "class": "mono"})
            for f in ["protocol_toml", "norms_toml", "prices_toml"]
        }


class TotpPolicyForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Require the TOTP second factor for",
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class NewUserForm(forms.Form):
    username = forms.RegexField(regex=r"^[\w.@+-]{3,150}$", max_length=150)
    role = forms.ChoiceField(choices=Role.choices)
    password = forms.CharField(widget=forms.PasswordInput, max_length=256)

    def clean_username(self) -> str:
        name: str = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=name).exists():
            raise forms.ValidationError("That user name is taken.")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password"):
            validate_password(data["password"])
        return data
