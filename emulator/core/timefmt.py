"""Timestamps in the forms the gateways print, and Central European time without tz data.

Both gateways live in Central Europe. CET/CEST follows the EU rule (summer time from the last
Sunday of March to the last Sunday of October, switching at 01:00 UTC), computed here so that
slim containers without a time-zone database print the same times.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from functools import cache

CET = timezone(timedelta(hours=1), "CET")
CEST = timezone(timedelta(hours=2), "CEST")


def _last_sunday(year: int, month: int) -> datetime:
    day = datetime(year, month + 1, 1, 1, tzinfo=UTC) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


@cache
def _summer(year: int) -> tuple[datetime, datetime]:
    return _last_sunday(year, 3), _last_sunday(year, 10)


def central_zone(moment: datetime) -> timezone:
    """CET or CEST at an aware UTC moment."""
    start, end = _summer(moment.year)
    return CEST if start <= moment < end else CET


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def central(ts: float) -> datetime:
    moment = utc(ts)
    return moment.astimezone(central_zone(moment))


def iso_utc(ts: float) -> str:
    """``2025-01-21T13:46:28Z``"""
    return utc(ts).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_central(ts: float) -> str:
    """``2025-01-21T14:46:28+01:00``"""
    return central(ts).isoformat(timespec="seconds")


def ddmmyyyyhhmmss(ts: float) -> str:
    """The legacy ``ddmmyyyyhhmmss`` form, in Central European time."""
    return central(ts).strftime("%d%m%Y%H%M%S")


def local_datetime(ts: float) -> str:
    """``2014-10-16 16:49:05`` in Central European time (SerwerSMS dates)."""
    return central(ts).strftime("%Y-%m-%d %H:%M:%S")


def from_central(naive: datetime) -> float:
    """A wall-clock time in Central Europe (no zone given) as a timestamp."""
    guess = naive.replace(tzinfo=CET)
    zone = central_zone(guess.astimezone(UTC))
    return naive.replace(tzinfo=zone).timestamp()


def parse_local_datetime(text: str) -> float | None:
    """SerwerSMS dates: ``YYYY-MM-DD HH:MM[:SS]``, ``YYYY-MM-DDTHH:MM:SS[zone]`` or a date."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        return moment.timestamp()
    return from_central(moment)
