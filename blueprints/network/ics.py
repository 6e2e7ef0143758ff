"""An iCalendar (RFC 5545) file for one meeting, attached to the confirmation, offer and
reminder mails, written with the `icalendar` package (it escapes text, folds lines at 75
octets and writes CRLF line ends). One VEVENT; times in UTC, so no VTIMEZONE is needed."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

LOCAL = ZoneInfo("Europe/Amsterdam")
PRODID = "-//Wijkwerk//Netwerk Werk in de wijk//NL"


def local_moment(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL)


def event_file(*, uid: str, title: str, day: date, starts_at: time, ends_at: time,
               place: str, description: str, url: str | None, now: datetime,
               sequence: int = 0) -> bytes:
    """The .ics file (bytes, CRLF line ends) of one event."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(timezone.utc) if now.tzinfo else
              now.replace(tzinfo=timezone.utc))
    event.add("dtstart", local_moment(day, starts_at).astimezone(timezone.utc))
    event.add("dtend", local_moment(day, ends_at).astimezone(timezone.utc))
    event.add("sequence", sequence)
    event.add("summary", title)
    event.add("location", place)
    event.add("description", description)
    if url:
        event.add("url", url)
    calendar.add_component(event)
    return calendar.to_ical()
