"""An iCalendar (RFC 5545) file for one meeting, attached to the confirmation, offer and
reminder mails.

A small writer of its own for now: the `icalendar` package is not in requirements/*.txt (the
report of issue #15 asks for it). It writes one VEVENT with times in UTC (no VTIMEZONE needed),
escapes text (backslash, semicolon, comma, newline) and folds lines at 75 octets without
splitting a UTF-8 character, as RFC 5545 §3.1 and §3.3.11 ask.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Amsterdam")
PRODID = "-//Wijkwerk//Netwerk Werk in de wijk//NL"


def escape(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold(line: str) -> str:
    """One content line folded at 75 octets (continuations start with a space)."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not out else 74  # a continuation's leading space counts
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def local_moment(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL)


def event_file(*, uid: str, title: str, day: date, starts_at: time, ends_at: time,
               place: str, description: str, url: str | None, now: datetime,
               sequence: int = 0) -> bytes:
    """The .ics file (bytes, CRLF line ends) of one event."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{utc_stamp(now)}",
        f"DTSTART:{utc_stamp(local_moment(day, starts_at))}",
        f"DTEND:{utc_stamp(local_moment(day, ends_at))}",
        f"SEQUENCE:{sequence}",
        f"SUMMARY:{escape(title)}",
        f"LOCATION:{escape(place)}",
        f"DESCRIPTION:{escape(description)}",
    ]
    if url:
        lines.append(f"URL:{url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
