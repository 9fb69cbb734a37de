"""The recall list as an iCalendar file (RFC 5545) for the clinic's calendar.

Written by hand (no dependency): one all-day ``VEVENT`` per recall spanning its window, a stable ``UID``
from the recall's key (so re-importing updates events instead of doubling them), text escaped per
RFC 5545 3.3.11 and lines folded at 75 octets (3.1), CRLF line ends. The summary carries the patient's
name because a clinic calendar is where staff need it; the file is exported behind the same permission
as the recall page and its download is audited.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from facebalance.records.recall import RecallEntry

PRODID = "-//facebalance//recall list//EN"


def escape_text(text: str) -> str:
    r"""Escape a TEXT value (RFC 5545 3.3.11).

    >>> escape_text("a, b; c\\d\ne")
    'a\\, b\\; c\\\\d\\ne'
    """
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545 3.1)."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


def recall_calendar(
    entries: Iterable[RecallEntry], *, clinic: str, stamp: datetime, domain: str = "facebalance"
) -> bytes:
    """The iCalendar bytes of ``entries``; ``stamp`` (UTC) is the ``DTSTAMP`` of every event."""
    stamp_text = stamp.strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(f'{clinic} recalls')}",
    ]
    for e in entries:
        uid = hashlib.sha256(e.key.encode("utf-8")).hexdigest()[:32]
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}@{domain}",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART;VALUE=DATE:{e.due_from.strftime('%Y%m%d')}",
            # DTEND of an all-day event is exclusive: the day after the window's last day.
            f"DTEND;VALUE=DATE:{(e.due_until + timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{escape_text(f'{e.patient_name}: {e.label}')}",
            f"DESCRIPTION:{escape_text(e.sentence)}",
            f"CATEGORIES:{escape_text(e.kind)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
