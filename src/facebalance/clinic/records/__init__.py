"""The clinic's charting pages: treatment visits on a face diagram, follow-ups, the recall list, the
written documents and the FHIR/CSV exports. Built on :mod:`facebalance.clinic` (its patients, plans,
permission helper and audit log); installed as the ``records`` Django app."""
