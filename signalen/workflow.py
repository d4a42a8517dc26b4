"""The life of a signal as data: statuses, the allowed transitions, and their audit events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    GEMELD = "gemeld"
    TOEGEWEZEN = "toegewezen"
    IN_BEHANDELING = "in_behandeling"
    DOORGEZET = "doorgezet"
    AFGEHANDELD = "afgehandeld"
    HEROPEND = "heropend"
    GEANNULEERD = "geannuleerd"


S = Status

# The one place that says which step may follow which.  "doorgezet" means handed to
# another owner, who then accepts it like a fresh assignment.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.GEMELD: frozenset({S.TOEGEWEZEN, S.GEANNULEERD}),
    S.TOEGEWEZEN: frozenset({S.IN_BEHANDELING, S.DOORGEZET, S.AFGEHANDELD, S.GEANNULEERD}),
    S.IN_BEHANDELING: frozenset({S.DOORGEZET, S.AFGEHANDELD, S.GEANNULEERD}),
    S.DOORGEZET: frozenset({S.IN_BEHANDELING, S.DOORGEZET, S.AFGEHANDELD, S.GEANNULEERD}),
    S.AFGEHANDELD: frozenset({S.HEROPEND}),
    S.HEROPEND: frozenset({S.IN_BEHANDELING, S.DOORGEZET, S.AFGEHANDELD, S.GEANNULEERD}),
    S.GEANNULEERD: frozenset(),
}

OPEN_STATUSES = frozenset(s for s in Status if s not in (S.AFGEHANDELD, S.GEANNULEERD))
CLOSED_STATUSES = frozenset({S.AFGEHANDELD, S.GEANNULEERD})
# Statuses in which the owner has visibly acted; reminders before the deadline stop here.
ACTED_STATUSES = frozenset({S.IN_BEHANDELING})


class TransitionNotAllowed(ValueError):
    """A step that the workflow does not allow from the current status."""

    def __init__(self, current: Status, requested: Status) -> None:
        super().__init__(f"cannot go from {current.value} to {requested.value}")
        self.current = current
        self.requested = requested


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One step in a signal's history: who moved it, when, from where to where, and why."""

    actor: str
    at: datetime
    from_status: Status | None
    to_status: Status
    note: str = ""


def can_transition(current: Status, requested: Status) -> bool:
    return requested in TRANSITIONS[current]


def transition(
    current: Status | str, requested: Status | str, *, actor: str, at: datetime, note: str = ""
) -> AuditEvent:
    """Check one step against the table and return its audit event, or raise."""
    if at.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    current, requested = Status(current), Status(requested)
    if not can_transition(current, requested):
        raise TransitionNotAllowed(current, requested)
    return AuditEvent(actor=actor, at=at, from_status=current, to_status=requested, note=note)


def created(*, actor: str, at: datetime, note: str = "") -> AuditEvent:
    """Return the first audit event of a new signal."""
    if at.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return AuditEvent(actor=actor, at=at, from_status=None, to_status=Status.GEMELD, note=note)
