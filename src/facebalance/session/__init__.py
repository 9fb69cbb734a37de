"""The standardized photo session: view protocol, per-photo quality checks, before/after comparison."""
