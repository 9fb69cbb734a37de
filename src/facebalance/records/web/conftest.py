"""pytest collects this package's doctests: Django is configured first (or the package is skipped when
Django is not installed)."""

from __future__ import annotations

import importlib.util

if importlib.util.find_spec("django") is None:
    collect_ignore_glob = ["*.py", "*/*.py"]
else:
    from facebalance.clinic.testing import configure

    configure()
