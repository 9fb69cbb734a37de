"""Test set-up shared by ``tests/clinic`` and the doctest collection of this package.

Settings are read once per process, so the environment is fixed here before Django starts: a fresh data
folder (its own SQLite file and photo store), a test secret key and audit key. ``DATABASE_URL``, when set, points
the same tests at PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
import tempfile


def configure() -> None:
    """Configure Django for tests (idempotent)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facebalance.clinic.settings")
    os.environ.setdefault("FACEBALANCE_DATA_DIR", tempfile.mkdtemp(prefix="facebalance-clinic-test-"))
    os.environ.setdefault("FACEBALANCE_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("FACEBALANCE_AUDIT_KEY", secrets.token_urlsafe(50))
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def fast_argon2_hasher() -> str:
    """Dotted path of an Argon2 hasher with minimal cost, for tests only (same ``argon2$`` format)."""
    return "facebalance.clinic.testing.FastArgon2PasswordHasher"


try:
    from django.contrib.auth.hashers import Argon2PasswordHasher
except ImportError:  # pragma: no cover - Django absent: nothing to configure
    pass
else:

    class FastArgon2PasswordHasher(Argon2PasswordHasher):
        """Argon2id with the lowest cost: the hash is as real as in production, only cheaper to compute."""

        time_cost = 1
        memory_cost = 64
        parallelism = 1
