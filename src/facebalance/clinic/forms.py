"""Forms of the clinic pages (Django forms: validation, CSRF and escaping come from Django)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.forms import inlineformset_factory

from facebalance.clinic.models import Clinic, Decision, Intake, Patient, PriorTreatment, Role

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


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = ("given_name", "family_name", "date_of_birth", "sex", "ethnicity")
        widgets: ClassVar[dict[str, forms.Widget]] = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}


class SearchForm(forms.Form):
    q = forms.CharField(max_length=120, required=False)


def _tristate(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=_YES_NO, required=False, empty_value=None, coerce=lambda v: v == "true"
    )


def _likert(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=_LIKERT, required=False, empty_value=None, coerce=int)


class IntakeForm(forms.ModelForm):
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

    class Meta:
        model = Intake
        fields = (
            "goals",
            "history",
            "allergies",
            "medications",
            "conditions",
            "pregnancy",
            "breastfeeding",
            "anticoagulants",
            "keloid_history",
            "herpes_labialis_history",
            "bddq_q1_concerned",
            "bddq_q2_preoccupied",
            "bddq_q3_distress",
            "bddq_q4_social",
            "bddq_q5_work_school",
            "bddq_q6_avoidance",
            "bddq_q7_impairment",
        )
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "goals": forms.Textarea(attrs={"rows": 3}),
            **{f: forms.Textarea(attrs={"rows": 2}) for f in ("history", "allergies", "medications", "conditions")},
        }


PriorTreatmentFormSet = inlineformset_factory(
    Intake,
    PriorTreatment,
    fields=["date", "clinic_name", "modality", "product", "area", "amount", "satisfied"],
    widgets={
        "date": forms.DateInput(attrs={"type": "date"}),
        "satisfied": forms.Select(choices=[("", "—"), ("true", "Yes"), ("false", "No")]),
    },
    extra=2,
    can_delete=False,
    max_num=20,
    validate_max=True,
)


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
