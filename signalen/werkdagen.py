"""Deadlines in working days: Dutch public holidays, municipal closing days, local dates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # as configs write them
START_OF_WORKING_DAY = time(8, 30)
END_OF_WORKING_DAY = time(17, 0)


@lru_cache(maxsize=8)
def _public_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("NL", years=year, language="nl"))


class WorkingCalendar:
    """Which local dates are working days, and what a deadline of N working days means.

    A report made after 17:00 or on a non-working day starts on the next working day;
    the deadline is 17:00 local time on the Nth working day after the start day (0 means the
    start day itself).
    """

    def __init__(
        self,
        closing_days: Iterable[date] = (),
        *,
        start_of_day: time = START_OF_WORKING_DAY,
        end_of_day: time = END_OF_WORKING_DAY,
        tz: ZoneInfo = AMSTERDAM,
    ) -> None:
        self.closing_days = frozenset(closing_days)
        self.start_of_day = start_of_day
        self.end_of_day = end_of_day
        self.tz = tz
        self._reasons: dict[date, str | None] = {}  # digests ask about the same days often

    @classmethod
    def for_hours(cls, hours: str, closing_days: Iterable[date] = ()) -> WorkingCalendar:
        """A calendar open `hours` ("08:30-17:00") on working days."""
        opens, closes = (time.fromisoformat(t) for t in hours.split("-"))
        return cls(closing_days, start_of_day=opens, end_of_day=closes)

    def non_working_reason(self, day: date) -> str | None:
        """Return why a date is not a working day (weekend, holiday name, closing day) or None."""
        try:
            return self._reasons[day]
        except KeyError:
            reason = self._reasons[day] = self._reason(day)
            return reason

    def _reason(self, day: date) -> str | None:
        if day.weekday() >= 5:
            return "weekend"
        name = _public_holidays(day.year).get(day)
        if name:
            return name
        if day in self.closing_days:
            return "sluitingsdag"
        return None

    def is_working_day(self, day: date) -> bool:
        return self.non_working_reason(day) is None

    def next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """Return the working day `count` working days after the working day `day`."""
        if count < 0:
            raise ValueError("a deadline cannot be negative")
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def start_day(self, at: datetime) -> date:
        """Return the working day on which the clock starts for something reported at `at`."""
        local = _aware(at).astimezone(self.tz)
        day = local.date()
        if not self.is_working_day(day) or local.time() >= self.end_of_day:
            return self.next_working_day(day)
        return day

    def deadline(self, reported_at: datetime, working_days: int) -> datetime:
        """Return the aware local datetime by which something reported at `reported_at` is due."""
        due = self.add_working_days(self.start_day(reported_at), working_days)
        return datetime.combine(due, self.end_of_day, tzinfo=self.tz)

    def is_holiday(self, day: date) -> bool:
        """A Dutch public holiday or one of the municipality's closing days."""
        return day in self.closing_days or day in _public_holidays(day.year)

    def in_working_hours(self, at: datetime) -> bool:
        """Whether `at` falls on a working day between the start and the close of the day."""
        local = _aware(at).astimezone(self.tz)
        return (
            self.is_working_day(local.date())
            and self.start_of_day <= local.time().replace(tzinfo=None) < self.end_of_day
        )

    def deadline_in_hours(self, reported_at: datetime, hours: int) -> datetime:
        """Count `hours` of working time (working days, start to close) from `reported_at`."""
        local = _aware(reported_at).astimezone(self.tz)
        left = timedelta(hours=hours)
        day = local.date()
        start = local.replace(tzinfo=None)
        while True:
            if self.is_working_day(day):
                opens = datetime.combine(day, self.start_of_day)
                closes = datetime.combine(day, self.end_of_day)
                begin = max(start, opens)
                if begin < closes:
                    if begin + left <= closes:
                        return (begin + left).replace(tzinfo=self.tz)
                    left -= closes - begin
            day += timedelta(days=1)
            start = datetime.combine(day, time(0))

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Count working days from the start day of `start` up to the local date of `end`."""
        first = self.start_day(start)
        last = _aware(end).astimezone(self.tz).date()
        count, day = 0, first
        while day < last:
            day = self.next_working_day(day)
            if day <= last:
                count += 1
        return count


class AroundTheClock(WorkingCalendar):
    """A 24/7 desk's calendar: every day is a working day and every hour a working hour, so
    a deadline of N hours is N clock hours and one of N days is N times 24 hours."""

    def _reason(self, day: date) -> str | None:
        return None

    def in_working_hours(self, at: datetime) -> bool:
        return True

    def start_day(self, at: datetime) -> date:
        return _aware(at).astimezone(self.tz).date()

    def deadline(self, reported_at: datetime, working_days: int) -> datetime:
        if working_days < 0:
            raise ValueError("a deadline cannot be negative")
        return _aware(reported_at).astimezone(self.tz) + timedelta(days=max(1, working_days))

    def deadline_in_hours(self, reported_at: datetime, hours: int) -> datetime:
        """Real hours, also across a change to or from summer time (counted in UTC)."""
        return (_aware(reported_at).astimezone(UTC) + timedelta(hours=hours)).astimezone(self.tz)


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("times must be timezone-aware (naive datetime given)")
    return at
