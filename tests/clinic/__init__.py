"""Tests of the clinic web app (a package, so its conftest does not clash with tests/conftest.py)."""
