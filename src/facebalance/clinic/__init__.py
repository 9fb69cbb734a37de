"""The clinic web application (Django): patients, intake, photo sessions, assessment, plans.

The core packages never import this one. Its settings come from :mod:`facebalance.clinic.config`; run it with
``python -m facebalance.clinic.manage facebalance_demo`` (``make run``). See docs/clinic.md.
"""
