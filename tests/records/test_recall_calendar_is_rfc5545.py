"""The .ics file of the recall list parses as iCalendar, one all-day event per recall with a stable UID."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from facebalance.records.ical import fold, recall_calendar
from facebalance.records.recall import RecallEntry

STAMP = datetime(2025, 12, 1, 9, 30, tzinfo=UTC)
ENTRIES = [
    RecallEntry(
        "p1:toxin:2025-09-08",
        "p1",
        "Dana Reed",
        "toxin",
        "Toxin (glabella)",
        date(2025, 12, 22),
        date(2026, 1, 19),
        "Toxin due from 2025-12-22; movement returned at 10, 11, 12 weeks. " * 3,
    ),
    RecallEntry(
        "p2:ha:lips:2025-05-20",
        "p2",
        'Zoë Ng, Jr; "Q"',
        "filler_maintenance",
        "Review Lip filler",
        date(2026, 2, 1),
        date(2026, 5, 20),
        "Lips: review, touch up only what faded.",
    ),
]


def test_it_parses_with_an_independent_reader() -> None:
    icalendar = pytest.importorskip("icalendar", reason="the icalendar package checks the file independently")
    data = recall_calendar(ENTRIES, clinic="Harbour Clinic", stamp=STAMP)
    cal = icalendar.Calendar.from_ical(data)
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == 2
    first = events[0]
    assert first.decoded("DTSTART") == date(2025, 12, 22)
    assert first.decoded("DTEND") == date(2026, 1, 20)  # exclusive end: the day after the window
    assert str(first["SUMMARY"]) == "Dana Reed: Toxin (glabella)"
    assert str(events[1]["SUMMARY"]) == 'Zoë Ng, Jr; "Q": Review Lip filler'
    assert str(first["DESCRIPTION"]) == ENTRIES[0].sentence


def test_its_lines_end_in_crlf_and_fold_at_75_octets() -> None:
    data = recall_calendar(ENTRIES, clinic="Harbour Clinic", stamp=STAMP)
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
    assert fold("é" * 80).split("\r\n")[0].encode("utf-8").__len__() <= 75


def test_the_same_recall_keeps_its_uid_across_exports() -> None:
    a = recall_calendar(ENTRIES, clinic="C", stamp=STAMP)
    b = recall_calendar(ENTRIES[:1], clinic="C", stamp=STAMP + timedelta(days=3))
    uid = next(line for line in a.split(b"\r\n") if line.startswith(b"UID:"))
    assert uid in b.split(b"\r\n")
