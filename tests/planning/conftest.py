"""Planning tests: hypothesis runs derandomized (same examples every run) and keeps no example database."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "facebalance-planning",
    database=None,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("facebalance-planning")
