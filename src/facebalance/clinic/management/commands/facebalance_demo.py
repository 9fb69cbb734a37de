"""``facebalance_demo``: migrate, recover the photo store, and seed a demo clinic with a sample patient.

Prints the provider's (and the clinic admin's) user name and a new random password: the password is
reset on every run, so it is only ever known from the terminal that ran the command.
"""

from __future__ import annotations

import secrets
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from facebalance.clinic import audit, engine, photostore, services
from facebalance.clinic.models import Clinic, Membership, Patient, PhotoSession, Role

DEMO_CLINIC = "Demo clinic"
PROVIDER = "demo.provider"
FRONT_DESK = "demo.frontdesk"
ADMIN = "demo.admin"
#: The sample patient's photos: London set subject 001, neutral and smiling (CC BY 4.0).
SAMPLE_PHOTOS = {"frontal_rest": "001_03.jpg", "frontal_smile": "001_08.jpg"}


def default_photo_dir() -> Path:
    """tests/data/london of the source tree (the demo runs from a checkout)."""
    here = Path(str(resources.files("facebalance")))
    return here.parent.parent / "tests" / "data" / "london"


class Command(BaseCommand):
    help = "Migrate, recover the photo store and seed the demo clinic; prints the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--photos", type=Path, default=None, help="Folder with the London sample photos.")
        parser.add_argument("--no-migrate", action="store_true", help="Skip migrate (the tests migrate already).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        removed = photostore.sweep()
        if removed.part_files or removed.files_without_row:
            self.stdout.write(
                f"photo store: removed {len(removed.part_files)} partial and "
                f"{len(removed.files_without_row)} uncommitted file(s) left by an interrupted upload"
            )
        photo_dir: Path = options["photos"] or default_photo_dir()
        try:
            users = seed(photo_dir)
        finally:
            engine.shutdown()
        self.stdout.write(self.style.SUCCESS("Demo clinic ready."))
        for role, (name, password) in users.items():
            self.stdout.write(f"  {role:<13} user: {name}  password: {password}")


def _user(username: str, clinic: Clinic, role: str) -> tuple[Any, str]:
    password = secrets.token_urlsafe(12)
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.set_password(password)
    user.is_active = True
    user.save()
    Membership.objects.update_or_create(user=user, defaults={"clinic": clinic, "role": role})
    return user, password


def seed(photo_dir: Path) -> dict[str, tuple[str, str]]:
    """Create (or refresh) the demo clinic; returns role -> (user name, new password)."""
    with transaction.atomic():
        clinic, _ = Clinic.objects.get_or_create(name=DEMO_CLINIC)
        provider, provider_pw = _user(PROVIDER, clinic, Role.PROVIDER)
        _, desk_pw = _user(FRONT_DESK, clinic, Role.FRONT_DESK)
        _, admin_pw = _user(ADMIN, clinic, Role.CLINIC_ADMIN)
    attribution_file = photo_dir / "ATTRIBUTION.md"
    attribution = attribution_file.read_text("utf-8") if attribution_file.is_file() else ""
    if not Patient.objects.filter(clinic=clinic).exists():
        with transaction.atomic():
            patient = Patient.objects.create(
                clinic=clinic,
                given_name="Sample",
                family_name="Patient",
                date_of_birth=date(1994, 5, 17),
                sex="female",
                ethnicity="white",
                created_by=provider,
                photo_attribution="Photos: Face Research Lab London Set, subject 001 (DeBruine L, Jones B, 2017, "
                "doi:10.6084/m9.figshare.5047666), CC BY 4.0, https://creativecommons.org/licenses/by/4.0/.\n\n"
                + attribution,
            )
            audit.record("create", user=provider, clinic_id=clinic.pk, obj=patient, detail={"demo": True})
            protocol = engine.clinic_protocol(clinic)
            session = PhotoSession.objects.create(
                patient=patient, created_by=provider, protocol_name=protocol.name, protocol_version=protocol.version
            )
            audit.record("create", user=provider, clinic_id=clinic.pk, obj=session, detail={"demo": True})
        for view_id, name in SAMPLE_PHOTOS.items():
            path = photo_dir / name
            if path.is_file():
                services.add_photo(session, view_id, path.read_bytes(), user=provider)
    return {"provider": (PROVIDER, provider_pw), "front desk": (FRONT_DESK, desk_pw), "clinic admin": (ADMIN, admin_pw)}
