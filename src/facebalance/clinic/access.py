"""Who may do what, and on which rows: deny by default.

Every page view is wrapped by :func:`clinic_view` with the permission it needs;
:class:`~facebalance.clinic.middleware.DenyByDefaultMiddleware` refuses any view that is not (so a new
view without a declared permission is unreachable rather than open). Every object is fetched through
:func:`scoped`, which filters by the user's clinic in the query itself: an id from another clinic is
"not found", never "forbidden", so ids do not even confirm that a record exists. The JSON API uses the
same two functions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from facebalance.clinic import plans
from facebalance.clinic.models import (
    Assessment,
    AssessmentImage,
    AssessmentRun,
    Comparison,
    DynamicsRecording,
    Intake,
    Membership,
    Patient,
    Photo,
    PhotoSession,
    Plan,
    Role,
)
from facebalance.planning.documents import PlanDocument

P, FD, A = Role.PROVIDER, Role.FRONT_DESK, Role.CLINIC_ADMIN

#: Permission -> roles holding it. Anything not listed is refused.
PERMISSIONS: dict[str, frozenset[str]] = {
    "patient.view": frozenset({P, FD, A}),
    "patient.create": frozenset({P, FD}),
    "patient.edit": frozenset({P, FD}),
    "intake.view": frozenset({P, FD}),
    "intake.edit": frozenset({P, FD}),
    "photo.view": frozenset({P, FD}),
    "photo.upload": frozenset({P, FD}),
    "photo.accept_warning": frozenset({P}),
    "photo.skip": frozenset({P}),
    "assessment.view": frozenset({P}),
    "assessment.run": frozenset({P}),
    "assessment.review": frozenset({P}),
    "plan.view": frozenset({P, FD}),
    "plan.edit": frozenset({P}),
    "plan.accept": frozenset({P}),
    "record.import": frozenset({P, A}),
    "recall.send": frozenset({P, FD}),
    "inventory.view": frozenset({P, FD, A}),
    "inventory.manage": frozenset({P, A}),
    "settings.manage": frozenset({A}),
    "users.manage": frozenset({A}),
    "audit.view": frozenset({A}),
    "account.self": frozenset({P, FD, A}),
}

#: How each model reaches its clinic; :func:`scoped` filters on it.
CLINIC_PATH: dict[type[Model], str] = {
    Patient: "clinic",
    Intake: "patient__clinic",
    PhotoSession: "patient__clinic",
    Photo: "session__patient__clinic",
    Assessment: "session__patient__clinic",
    AssessmentImage: "assessment__session__patient__clinic",
    AssessmentRun: "session__patient__clinic",
    Plan: "patient__clinic",
    Comparison: "patient__clinic",
    DynamicsRecording: "session__patient__clinic",
}

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponse]


class ClinicBackend(ModelBackend):
    """Django's model backend, loading each request's user with its membership and clinic in one query."""

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            user = model._default_manager.select_related("membership__clinic").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def membership_of(user: Any) -> Membership | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if get_user_model().membership.related.is_cached(user):  # loaded with the user (ClinicBackend.get_user)
        try:
            membership: Membership = user.membership
        except Membership.DoesNotExist:
            return None
        return membership
    try:
        return Membership.objects.select_related("clinic").get(user=user)
    except Membership.DoesNotExist:
        return None


def allowed(membership: Membership | None, permission: str) -> bool:
    if membership is None:
        return False
    return membership.role in PERMISSIONS.get(permission, frozenset())


def require(user: Any, permission: str) -> Membership:
    """The user's membership when it holds ``permission``; :class:`PermissionDenied` otherwise."""
    membership = membership_of(user)
    if not allowed(membership, permission):
        raise PermissionDenied(f"needs {permission}")
    assert membership is not None
    return membership


def scoped_queryset(model: type[M], membership: Membership) -> QuerySet[M]:
    """Every row of ``model`` in the member's clinic (and nothing else)."""
    path = CLINIC_PATH.get(model)
    if path is None:
        raise TypeError(f"{model.__name__} has no clinic scope")
    return model._default_manager.filter(**{path: membership.clinic})


def scoped(model: type[M], pk: Any, membership: Membership, *related: str) -> M:
    """One row of the member's clinic, or :class:`Http404` (also for rows of other clinics); ``related``
    names foreign keys fetched in the same query (``select_related``)."""
    try:
        queryset = scoped_queryset(model, membership)
        return (queryset.select_related(*related) if related else queryset).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404(f"No {model.__name__.lower()} with that id.") from None


def totp_setup_needed(membership: Membership | None) -> bool:
    """The member's role must use TOTP in this clinic and the member has not set it up yet."""
    if membership is None or membership.totp_secret:
        return False
    return membership.role in (membership.clinic.totp_required_roles or [])


def clinic_view(permission: str, *, before_totp_setup: bool = False) -> Callable[[View], View]:
    """Declare the permission a page needs; sets ``request.membership`` for the view.

    A member whose role must use TOTP and who has not set it up is sent to the account page first, from
    every page except those declared ``before_totp_setup`` (the account page itself, logging out)."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_of(request.user)
            if not before_totp_setup and totp_setup_needed(membership):
                return redirect("clinic:account")
            if not allowed(membership, permission):
                raise PermissionDenied(f"needs {permission}")
            request.membership = membership  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        wrapper.clinic_permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorate


def public_view(view: View) -> View:
    """Mark a view that anyone may reach (the login pages)."""
    view.clinic_public = True  # type: ignore[attr-defined]
    return view


def sees_assessment(membership: Membership) -> bool:
    """Whether the member may see what the assessment found (the permission of the assessment page)."""
    return allowed(membership, "assessment.view")


def visible_document(plan: Plan, membership: Membership) -> PlanDocument:
    """The plan document as this member may see it: whole, or without the assessment (``plans.without_assessment``)."""
    return plan.document if sees_assessment(membership) else plans.without_assessment(plan.document)


def membership_context(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    perms = set() if membership is None else {p for p, roles in PERMISSIONS.items() if membership.role in roles}
    return {"membership": membership, "perms_held": perms}
