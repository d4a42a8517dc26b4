from datetime import UTC, date, datetime

import pytest

from signalen.werkdagen import WorkingCalendar
from tests.conftest import local

CAL = WorkingCalendar()


@pytest.mark.parametrize(
    ("reported", "days", "due", "why"),
    [
        (local(2026, 11, 23, 9, 30), 2, local(2026, 11, 25, 17), "plain week"),
        (local(2026, 11, 23, 16, 59), 0, local(2026, 11, 23, 17), "same day before 17:00"),
        (local(2026, 11, 23, 17, 0), 0, local(2026, 11, 24, 17), "17:00 counts as after hours"),
        (local(2026, 11, 27, 10, 0), 1, local(2026, 11, 30, 17), "friday skips the weekend"),
        (local(2026, 11, 28, 11, 0), 1, local(2026, 12, 1, 17), "saturday starts on monday"),
        (local(2026, 4, 24, 18, 0), 2, local(2026, 4, 30, 17), "Koningsdag on monday 27 April"),
        (local(2026, 4, 26, 12, 0), 0, local(2026, 4, 28, 17), "sunday before Koningsdag"),
        (
            local(2025, 4, 25, 10, 0),
            1,
            local(2025, 4, 28, 17),
            "Koningsdag 2025 falls on saturday 26th",
        ),
        (local(2026, 12, 24, 15, 0), 1, local(2026, 12, 28, 17), "Christmas and weekend"),
        (local(2026, 12, 23, 18, 0), 2, local(2026, 12, 29, 17), "after hours before Christmas"),
        (local(2026, 5, 13, 10, 0), 1, local(2026, 5, 15, 17), "Ascension Day 14 May"),
    ],
)
def test_deadline_counts_working_days(
    reported: datetime, days: int, due: datetime, why: str
) -> None:
    assert CAL.deadline(reported, days) == due, why


def test_municipal_closing_days_are_skipped() -> None:
    calendar = WorkingCalendar([date(2026, 5, 15)])
    assert calendar.deadline(local(2026, 5, 13, 10), 1) == local(2026, 5, 18, 17)
    assert calendar.non_working_reason(date(2026, 5, 15)) == "sluitingsdag"


@pytest.mark.parametrize(
    ("utc", "local_start"),
    [
        # 29 March 2026: clocks go forward at 02:00. 15:30 UTC is 17:30 CEST: after hours.
        (datetime(2026, 3, 30, 15, 30, tzinfo=UTC), date(2026, 3, 31)),
        # The same UTC time a day before the change would be 16:30 CET: still working hours.
        (datetime(2026, 3, 27, 15, 30, tzinfo=UTC), date(2026, 3, 27)),
        # 25 October 2026: clocks go back. 16:30 UTC on monday 26th is 17:30 CET.
        (datetime(2026, 10, 26, 16, 30, tzinfo=UTC), date(2026, 10, 27)),
        (datetime(2026, 10, 23, 14, 30, tzinfo=UTC), date(2026, 10, 23)),
    ],
)
def test_working_hours_follow_amsterdam_time_across_dst(utc: datetime, local_start: date) -> None:
    assert CAL.start_day(utc) == local_start


def test_deadline_is_17_00_local_in_summer_and_winter() -> None:
    summer = CAL.deadline(local(2026, 7, 1, 9), 0)
    winter = CAL.deadline(local(2026, 1, 7, 9), 0)
    assert summer.astimezone(UTC).hour == 15 and winter.astimezone(UTC).hour == 16


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 4, 27), "Koningsdag"),
        (date(2026, 12, 25), "Eerste kerstdag"),
        (date(2026, 12, 26), "weekend"),
        (date(2026, 1, 1), "Nieuwjaarsdag"),
        (date(2026, 11, 23), None),
    ],
)
def test_non_working_days_say_why(day: date, reason: str | None) -> None:
    assert CAL.non_working_reason(day) == reason


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        CAL.deadline(datetime(2026, 11, 23, 9), 1)


def test_negative_deadlines_are_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 11, 23), -1)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (local(2026, 11, 23, 9), local(2026, 11, 23, 15), 0),
        (local(2026, 11, 23, 9), local(2026, 11, 25, 12), 2),
        (local(2026, 11, 27, 9), local(2026, 11, 30, 12), 1),
        (local(2026, 12, 24, 9), local(2026, 12, 28, 9), 1),
    ],
)
def test_working_days_between_skips_weekends_and_holidays(
    start: datetime, end: datetime, days: int
) -> None:
    assert CAL.working_days_between(start, end) == days
