from datetime import datetime

import pytest

from signalen.tijdbeleid import TimePolicy, plan_timers, still_relevant
from signalen.werkdagen import WorkingCalendar
from tests.conftest import local

CAL = WorkingCalendar()


def _plan(
    status: str, deadline: datetime, days: int, changed: datetime, **policy
) -> dict[str, datetime]:
    timers = plan_timers(
        signal_id=7,
        status=status,
        deadline=deadline,
        deadline_days=days,
        changed_at=changed,
        calendar=CAL,
        policy=TimePolicy(**policy),
    )
    return {t.kind: t.due_at for t in timers}


@pytest.mark.parametrize(
    ("deadline", "days", "before", "escalation", "why"),
    [
        (
            local(2026, 11, 25, 17),
            2,
            local(2026, 11, 24, 17),
            local(2026, 11, 27, 17),
            "plain week",
        ),
        (
            local(2026, 11, 30, 17),
            2,
            local(2026, 11, 27, 17),
            local(2026, 12, 2, 17),
            "over a weekend",
        ),
        (
            local(2026, 4, 28, 17),
            2,
            local(2026, 4, 24, 17),
            local(2026, 4, 30, 17),
            "over Koningsdag",
        ),
        (
            local(2026, 12, 28, 17),
            3,
            local(2026, 12, 24, 17),
            local(2026, 12, 31, 17),
            "over Christmas",
        ),
    ],
)
def test_reminders_and_escalation_in_working_days(deadline, days, before, escalation, why) -> None:
    plan = _plan("toegewezen", deadline, days, local(2026, 1, 1, 9))
    assert plan["reminder_before"] == before, why
    assert plan["reminder_due"] == deadline, why
    assert plan["escalation"] == escalation, why


def test_accepted_signal_gets_no_reminders_but_still_escalates() -> None:
    plan = _plan("in_behandeling", local(2026, 11, 25, 17), 2, local(2026, 11, 23, 11))
    assert set(plan) == {"escalation", "progress"}


@pytest.mark.parametrize("status", ["afgehandeld", "geannuleerd"])
def test_closed_signal_needs_no_timers(status: str) -> None:
    assert _plan(status, local(2026, 11, 25, 17), 2, local(2026, 11, 23, 11)) == {}


def test_same_day_deadline_has_no_reminder_before_and_escalates_next_day() -> None:
    plan = _plan("toegewezen", local(2026, 11, 23, 17), 0, local(2026, 11, 23, 10))
    assert "reminder_before" not in plan
    assert plan["escalation"] == local(2026, 11, 24, 17)


def test_progress_message_after_n_quiet_working_days() -> None:
    plan = _plan(
        "in_behandeling",
        local(2026, 12, 11, 17),
        10,
        local(2026, 11, 27, 11),
        progress_every_days=5,
    )
    assert plan["progress"] == local(2026, 12, 4, 17)


@pytest.mark.parametrize(
    ("kind", "status", "acts"),
    [
        ("reminder_due", "toegewezen", True),
        ("reminder_due", "in_behandeling", False),
        ("reminder_before", "heropend", True),
        ("escalation", "in_behandeling", True),
        ("escalation", "afgehandeld", False),
        ("progress", "doorgezet", True),
    ],
)
def test_a_due_timer_acts_only_while_relevant(kind: str, status: str, acts: bool) -> None:
    assert still_relevant(kind, status) is acts
