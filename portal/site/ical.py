"""iCalendar (RFC 5545) files for a campaign's events."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.site.model import Campaign


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 character."""
    out, cur, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > 75:
            out.append(cur)
            cur, size = " ", 1
        cur += ch
        size += n
    out.append(cur)
    return "\r\n".join(out)


def _utc(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def campaign_ics(c: Campaign, lang: str, host: str, stamp: datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//owner-portal//campaigns//" + ("EN" if lang == "en" else "ZH"),
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + _escape(c.title.get(lang)),
    ]
    for i, ev in enumerate(c.events):
        lines += [
            "BEGIN:VEVENT",
            f"UID:campaign-{c.key}-{i + 1}@{host}",
            "DTSTAMP:" + _utc(stamp),
            "DTSTART:" + _utc(ev.start),
            "DTEND:" + _utc(ev.end),
            "SUMMARY:" + _escape(ev.title.get(lang)),
        ]
        if ev.location.get(lang):
            lines.append("LOCATION:" + _escape(ev.location.get(lang)))
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
