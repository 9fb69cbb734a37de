"""An upload process killed halfway (after the file is written, after the rename, before the commit) leaves
no row, and after the start-up sweep no file: the integrity check is clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from facebalance.clinic import photostore
from facebalance.clinic.models import Photo
from tests.clinic.clinic_records import LONDON, REPO, ClinicRecords

#: Runs an upload through the real pipeline in a second process, which SIGKILLs itself at one step.
CHILD = r"""
import os, signal, sys
from facebalance.clinic.testing import configure
configure()
from django.contrib.auth import get_user_model
from facebalance.clinic import photostore, services
from facebalance.clinic.models import PhotoSession
step = sys.argv[1]
session = PhotoSession.objects.get(pk=sys.argv[2])
user = get_user_model().objects.get(username="harbour.provider")
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
if step == "after_write":
    real = photostore.write_part
    photostore.write_part = lambda data: (real(data), die())[0]
elif step == "after_rename":
    real_replace = os.replace
    def replace_then_die(a, b):
        real_replace(a, b)
        die()
    photostore.os.replace = replace_then_die
services.add_photo(session, "frontal_smile", open(sys.argv[3], "rb").read(), user=user)
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("step", ["after_write", "after_rename"])
def test_a_killed_upload_leaves_nothing_behind(
    clinic_a: ClinicRecords, photo_store: Path, step: str, tmp_path: Path
) -> None:
    if connection.vendor == "sqlite":
        db_url = f"sqlite:///{connection.settings_dict['NAME']}"
    else:
        s: dict[str, Any] = connection.settings_dict
        db_url = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "FACEBALANCE_DATA_DIR": str(photo_store.parent),
        "PYTHONPATH": str(REPO / "tests"),
    }
    before = Photo.objects.count()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, step, str(clinic_a.session.pk), str(LONDON / "001_08.jpg")],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    assert Photo.objects.count() == before, "a row was committed by a killed upload"
    leftover = photostore.integrity_report()
    assert leftover.part_files or leftover.files_without_row, "the kill happened before anything was written"
    photostore.sweep(grace_s=0)
    report = photostore.integrity_report(check_hashes=False)
    assert report.clean, report.as_dict()
    assert settings.FACEBALANCE.photo_dir == photo_store
