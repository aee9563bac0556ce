"""Simulated clocks and the API's datetime format."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    # OVHcloud's task guide shows EU datetimes with +01:00 in January, which is Paris time.
    API_TIMEZONE = ZoneInfo("Europe/Paris")
except (ImportError, ZoneInfoNotFoundError):  # pragma: no cover - systems without tz data
    API_TIMEZONE = timezone(timedelta(hours=1))


class SimClock:
    """Server clocks of one scenario run.

    Two clocks exist because clients cache the server time only once:
    - ``server_timestamp()`` is real time plus the scenario's ``clock_offset``. It
      serves ``/auth/time`` and the timestamp window of signed requests.
    - ``now()`` also adds the seconds moved forward through the control API. Task
      progression and every datetime in API objects use it, so advancing it never
      makes a client's cached time delta stale.
    """

    def __init__(self, offset_seconds: float = 0.0):
        self._offset = float(offset_seconds)
        self._wall_start = time.time()
        self._monotonic_start = time.monotonic()
        self._advanced = 0.0
        self._lock = threading.Lock()

    @property
    def advanced_seconds(self) -> float:
        with self._lock:
            return self._advanced

    def server_timestamp(self) -> int:
        return int(time.time() + self._offset)

    def now(self) -> datetime:
        elapsed = time.monotonic() - self._monotonic_start
        with self._lock:
            advanced = self._advanced
        seconds = self._wall_start + elapsed + self._offset + advanced
        return datetime.fromtimestamp(seconds, API_TIMEZONE)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the simulated clock only moves forward")
        with self._lock:
            self._advanced += seconds


def format_datetime(value: datetime | None) -> str | None:
    """Format like the API: ISO 8601 to the second, with the UTC offset."""
    if value is None:
        return None
    return value.isoformat(timespec="seconds")


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 datetime that carries a UTC offset.

    Raises ValueError when the text is not ISO 8601 or has no offset.
    """
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset (write it like 2022-01-01T12:00:00+01:00)")
    return value
