from datetime import datetime

import pytest

from signalen.workflow import (
    TRANSITIONS,
    Status,
    TransitionNotAllowed,
    created,
    transition,
)
from tests.conftest import local

S = Status
AT = local(2026, 11, 23, 10, 0)

ALLOWED = [
    (S.GEMELD, S.TOEGEWEZEN),
    (S.TOEGEWEZEN, S.IN_BEHANDELING),
    (S.TOEGEWEZEN, S.DOORGEZET),
    (S.TOEGEWEZEN, S.AFGEHANDELD),
    (S.IN_BEHANDELING, S.AFGEHANDELD),
    (S.IN_BEHANDELING, S.DOORGEZET),
    (S.DOORGEZET, S.IN_BEHANDELING),
    (S.DOORGEZET, S.DOORGEZET),
    (S.AFGEHANDELD, S.HEROPEND),
    (S.HEROPEND, S.IN_BEHANDELING),
    (S.HEROPEND, S.AFGEHANDELD),
    (S.GEMELD, S.GEANNULEERD),
]

FORBIDDEN = [
    (S.GEMELD, S.AFGEHANDELD),
    (S.AFGEHANDELD, S.IN_BEHANDELING),
    (S.AFGEHANDELD, S.AFGEHANDELD),
    (S.GEANNULEERD, S.HEROPEND),
    (S.GEANNULEERD, S.TOEGEWEZEN),
    (S.IN_BEHANDELING, S.TOEGEWEZEN),
    (S.HEROPEND, S.HEROPEND),
]


@pytest.mark.parametrize(("current", "requested"), ALLOWED)
def test_allowed_step_becomes_an_audit_event(current: Status, requested: Status) -> None:
    event = transition(current, requested, actor="wa-voorstad", at=AT, note="gezien")
    assert (event.from_status, event.to_status, event.actor, event.at, event.note) == (
        current,
        requested,
        "wa-voorstad",
        AT,
        "gezien",
    )


@pytest.mark.parametrize(("current", "requested"), FORBIDDEN)
def test_forbidden_step_is_refused(current: Status, requested: Status) -> None:
    with pytest.raises(TransitionNotAllowed) as info:
        transition(current, requested, actor="x", at=AT)
    assert info.value.current is current and info.value.requested is requested


def test_every_status_has_a_row_in_the_table() -> None:
    assert set(TRANSITIONS) == set(Status)
    assert TRANSITIONS[S.GEANNULEERD] == frozenset()


def test_statuses_accept_their_stored_strings() -> None:
    event = transition("afgehandeld", "heropend", actor="bewoner:1", at=AT)
    assert event.to_status is S.HEROPEND


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        transition(S.GEMELD, S.TOEGEWEZEN, actor="x", at=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        created(actor="x", at=datetime(2026, 1, 1))


def test_a_new_signal_starts_as_gemeld() -> None:
    event = created(actor="bewoner:42", at=AT)
    assert event.from_status is None and event.to_status is S.GEMELD
