"""Records a clinic lives by: charted treatments and their ledger, recalls, written documents and exports.

Pure builders over plain data (analysis and plan documents, :class:`TreatmentRecord` dataclasses):
the treatment ledger in the planner's input types (:mod:`.ledger`), the recall list (:mod:`.recall`) and
its iCalendar file (:mod:`.ical`), the FHIR Bundle and its import (:mod:`.fhir`), CSV of measurements
(:mod:`.csvexport`), the written plan and assessment report PDFs (:mod:`.pdf`), and database + photo
backups (:mod:`.backup`). Nothing here imports Django or the clinic: the Django app that charts treatments
is part of the clinic app, :mod:`facebalance.clinic.records` (app label ``records``). See docs/records.md.
"""

from facebalance.records.treatments import (
    SITES,
    AdverseEvent,
    FaceSite,
    FollowUp,
    InjectionSite,
    TreatmentRecord,
)

__all__ = ["SITES", "AdverseEvent", "FaceSite", "FollowUp", "InjectionSite", "TreatmentRecord"]
