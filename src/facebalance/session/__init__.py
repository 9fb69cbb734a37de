"""The standardized photo session: view protocol and per-photo quality checks (before/after comparison:
:mod:`facebalance.beforeafter`)."""
