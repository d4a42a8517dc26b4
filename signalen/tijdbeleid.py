"""When to remind, escalate and reassure: the timer plan of an open signal (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from signalen.werkdagen import WorkingCalendar
from signalen.workflow import OPEN_STATUSES, Status

ACCEPTED = frozenset({Status.IN_BEHANDELING})


@dataclass(frozen=True, slots=True)
class TimePolicy:
    """From the municipality's config; the defaults follow the issue and the Buurtmakerij plans."""

    remind_days_before: int = 1
    escalate_factor: float = 2.0
    progress_every_days: int = 5


@dataclass(frozen=True, slots=True)
class PlannedTimer:
    kind: str  # reminder_before, reminder_due, escalation, progress, promise
    due_at: datetime
    key: str


def plan_timers(
    *,
    signal_id: int,
    status: Status | str,
    deadline: datetime,
    deadline_days: int,
    changed_at: datetime,
    calendar: WorkingCalendar,
    policy: TimePolicy,
    expected_at: datetime | None = None,
    deadline_hours: int | None = None,
    reporter_calendar: WorkingCalendar | None = None,
    escalated_at: datetime | None = None,
    links_left: int = 0,
) -> list[PlannedTimer]:
    """Return the timers an open signal needs now; a closed signal needs none.

    Reminders go to an owner who has not accepted yet: one working day before the deadline
    and at it. Escalation comes when the signal is overdue by its own deadline again (2x),
    accepted or not. The reporter hears "still in progress" after N quiet working days, and
    on the date they were promised (`expected_at`) hears that it takes longer, if it does.
    Keys carry the deadline (or the promised date), so a new term gets new timers and a
    timer that fired is never planned again for the same term.

    `calendar` is the owner's (a 24/7 desk's counts every hour); a term in hours escalates
    after that many hours again (2x) and has no reminder the day before. "Still in progress"
    is counted on `reporter_calendar` (the municipality's working days; default `calendar`).
    With an escalation chain and `links_left`, the next link is asked the same extra term
    after the last escalation (`escalated_at`).
    """
    status = Status(status)
    if status not in OPEN_STATUSES:
        return []
    stamp = f"{deadline.astimezone(UTC):%Y%m%d%H%M}"  # keys must not depend on a zone
    timers: list[PlannedTimer] = []
    if status not in ACCEPTED:
        ahead = 0 if deadline_hours else policy.remind_days_before
        before = _working_days_before(deadline, ahead, calendar)
        if before is not None and before > changed_at:
            timers.append(PlannedTimer("reminder_before", before, f"s{signal_id}:before:{stamp}"))
        timers.append(PlannedTimer("reminder_due", deadline, f"s{signal_id}:due:{stamp}"))

    def after_extra(moment: datetime) -> datetime:
        if deadline_hours:
            hours = max(1, round(deadline_hours * (policy.escalate_factor - 1)))
            return calendar.deadline_in_hours(moment, hours)
        extra = max(1, round(deadline_days * (policy.escalate_factor - 1)))
        day = calendar.add_working_days(moment.astimezone(calendar.tz).date(), extra)
        return datetime.combine(day, moment.astimezone(calendar.tz).timetz())

    timers.append(
        PlannedTimer("escalation", after_extra(deadline), f"s{signal_id}:escalation:{stamp}")
    )
    if escalated_at is not None and links_left > 0:
        asked = f"{escalated_at.astimezone(UTC):%Y%m%d%H%M}"
        key = f"s{signal_id}:escalation:{stamp}:after:{asked}"
        timers.append(PlannedTimer("escalation", after_extra(escalated_at), key))
    if expected_at is not None:
        promised = f"{expected_at.astimezone(UTC):%Y%m%d%H%M}"
        timers.append(PlannedTimer("promise", expected_at, f"s{signal_id}:promise:{promised}"))
    if policy.progress_every_days > 0:
        progress_at = (reporter_calendar or calendar).deadline(
            changed_at, policy.progress_every_days
        )
        key = f"s{signal_id}:progress:{changed_at.astimezone(UTC):%Y%m%d%H%M%S%f}"
        timers.append(PlannedTimer("progress", progress_at, key))
    return timers


def still_relevant(kind: str, status: Status | str) -> bool:
    """Tell whether a timer of `kind` should still act on a signal now in `status`."""
    status = Status(status)
    if status not in OPEN_STATUSES:
        return False
    if kind.startswith("reminder"):
        return status not in ACCEPTED
    return True


def _working_days_before(moment: datetime, days: int, calendar: WorkingCalendar) -> datetime | None:
    if days <= 0:
        return None
    local = moment.astimezone(calendar.tz)
    day = local.date()
    for _ in range(days):
        day -= timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
    return datetime.combine(day, local.timetz())
