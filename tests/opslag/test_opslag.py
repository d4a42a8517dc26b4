"""Storage on real SQLite and (when configured) PostgreSQL."""

import asyncio
from datetime import UTC, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from opslag import concepten, meldingen, outbox, timers
from opslag.database import SessionFactory, downgrade, upgrade
from opslag.tabellen import AuditEventRow, OutboxMessage, SignalRow
from signalen.model import Place, Reporter, Urgency
from signalen.workflow import Status, TransitionNotAllowed
from tests.conftest import local

AT = local(2026, 11, 23, 10, 0)
ROUTING = meldingen.Routing(
    contact_id="wb-rivierenwijk",
    escalation_contact_id="wm-rivierenwijk",
    rule_id="afval-wijkbeheer",
    explanation="rule afval-wijkbeheer (#3)",
    priority=Urgency.NORMAAL,
    deadline=local(2026, 11, 25, 17),
)


async def _add(session, *, at=AT, reporter=None, photos=()) -> SignalRow:
    return await meldingen.add_signal(
        session,
        theme="afval",
        description="Zakken naast de container",
        photos=photos,
        place=Place(
            street="Rijnstraat",
            house_number="12",
            neighbourhood="deltabuurt",
            district="rivierenwijk",
        ),
        urgency=Urgency.NORMAAL,
        reporter=reporter or Reporter(telegram_user_id=1001, anonymous=True),
        routing=ROUTING,
        reported_at=at,
    )


async def test_signal_is_stored_with_reference_and_first_audit_events(
    sessions: SessionFactory,
) -> None:
    async with sessions.begin() as session:
        row = await _add(session, photos=["file-a", "file-b"])
    async with sessions() as session:
        stored = await meldingen.get_signal_by_reference(session, reference="ws-2026-000001")
        assert stored is not None and stored.id == row.id
        assert (stored.status, stored.contact_id, stored.rule_id) == (
            "toegewezen",
            "wb-rivierenwijk",
            "afval-wijkbeheer",
        )
        assert stored.reported_at == AT and stored.reported_at.tzinfo is not None
        assert stored.deadline == local(2026, 11, 25, 17)
        steps = [
            (e.from_status, e.to_status) for e in await meldingen.history(session, signal_id=row.id)
        ]
        assert steps == [(None, "gemeld"), ("gemeld", "toegewezen")]
        assert await meldingen.photos(session, signal_id=row.id) == ["file-a", "file-b"]


async def test_references_are_sequential_per_amsterdam_year(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        first = await _add(session, at=local(2026, 12, 31, 23, 30))
        second = await _add(session, at=local(2026, 12, 31, 23, 45))
        # 23:30 UTC on 31 December is already 2027 in Amsterdam.
        third = await _add(
            session, at=local(2026, 12, 31, 23, 59).astimezone(UTC) + timedelta(minutes=5)
        )
    assert [first.reference, second.reference, third.reference] == [
        "WS-2026-000001",
        "WS-2026-000002",
        "WS-2027-000001",
    ]


async def test_concurrent_reports_never_share_a_reference(sessions: SessionFactory) -> None:
    async def one() -> str:
        async with sessions.begin() as session:
            return (await _add(session)).reference

    references = await asyncio.gather(*(one() for _ in range(12)))
    assert sorted(references) == [f"WS-2026-{n:06d}" for n in range(1, 13)]


async def test_anonymous_reporter_keeps_no_name_or_contact(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        row = await _add(
            session,
            reporter=Reporter(anonymous=True, telegram_user_id=5, name="Piet", contact="06-1"),
        )
    assert (row.reporter_name, row.reporter_contact, row.reporter_telegram_id) == (None, None, 5)


async def test_status_change_is_audited_with_who_when_and_note(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        row = await _add(session)
    later = AT + timedelta(hours=2)
    async with sessions.begin() as session:
        signal = await meldingen.get_signal(session, signal_id=row.id, for_update=True)
        await meldingen.change_status(
            session, signal=signal, to=Status.IN_BEHANDELING, actor="wb-rivierenwijk", at=later
        )
        await meldingen.change_status(
            session,
            signal=signal,
            to=Status.AFGEHANDELD,
            actor="wb-rivierenwijk",
            at=later,
            note="Opgehaald",
        )
    async with sessions() as session:
        signal = await meldingen.get_signal(session, signal_id=row.id)
        assert (signal.status, signal.closed_at) == ("afgehandeld", later)
        last = (await meldingen.history(session, signal_id=row.id))[-1]
        assert (last.actor, last.from_status, last.to_status, last.note, last.at) == (
            "wb-rivierenwijk",
            "in_behandeling",
            "afgehandeld",
            "Opgehaald",
            later,
        )


async def test_refused_transition_changes_nothing(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        row = await _add(session)
    with pytest.raises(TransitionNotAllowed):
        async with sessions.begin() as session:
            signal = await meldingen.get_signal(session, signal_id=row.id)
            await meldingen.change_status(
                session, signal=signal, to=Status.HEROPEND, actor="x", at=AT
            )
    async with sessions() as session:
        assert (await meldingen.get_signal(session, signal_id=row.id)).status == "toegewezen"
        assert len(await meldingen.history(session, signal_id=row.id)) == 2


async def test_handover_changes_the_owner(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        row = await _add(session)
        await meldingen.change_status(
            session,
            signal=row,
            to=Status.DOORGEZET,
            actor="wb-rivierenwijk",
            at=AT,
            note="is handhaving",
            contact_id="hh-rivierenwijk",
        )
    async with sessions() as session:
        mine = await meldingen.open_signals_of_contact(session, contact_id="hh-rivierenwijk")
        assert [s.id for s in mine] == [row.id]
        assert await meldingen.open_signals_of_contact(session, contact_id="wb-rivierenwijk") == []


async def test_reporter_sees_only_own_signals(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        mine = await _add(session, reporter=Reporter(telegram_user_id=1))
        await _add(session, reporter=Reporter(telegram_user_id=2))
    async with sessions() as session:
        assert [s.id for s in await meldingen.signals_of_reporter(session, telegram_user_id=1)] == [
            mine.id
        ]


async def test_outbox_ignores_a_second_message_with_the_same_key(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        assert await outbox.enqueue(
            session, dedupe_key="s1:created:reporter", chat_id=1, payload={"text": "a"}, at=AT
        )
        assert not await outbox.enqueue(
            session, dedupe_key="s1:created:reporter", chat_id=1, payload={"text": "b"}, at=AT
        )
    async with sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
        assert [(r.chat_id, r.payload) for r in rows] == [(1, {"text": "a"})]


async def test_outbox_claims_each_chats_oldest_due_message_and_keeps_order(
    sessions: SessionFactory,
) -> None:
    async with sessions.begin() as session:
        for n in range(3):
            await outbox.enqueue(
                session, dedupe_key=f"a{n}", chat_id=7, payload={"text": f"a{n}"}, at=AT
            )
        await outbox.enqueue(session, dedupe_key="b0", chat_id=8, payload={"text": "b0"}, at=AT)
    async with sessions.begin() as session:
        claimed = await outbox.claim_pending(session, now=AT)
        assert [m.payload["text"] for m in claimed] == ["a0", "b0"]
        outbox.mark_sent(claimed[0], at=AT)
        outbox.mark_retry(claimed[1], error="429", not_before=AT + timedelta(seconds=30))
    async with sessions.begin() as session:
        # b0 waits out its retry_after; chat 7 goes on with its next message meanwhile.
        assert [m.payload["text"] for m in await outbox.claim_pending(session, now=AT)] == ["a1"]
        later = await outbox.claim_pending(session, now=AT + timedelta(seconds=31))
        assert [m.payload["text"] for m in later] == ["a1", "b0"]
        assert await outbox.pending_count(session) == 3


def test_a_message_gives_up_after_repeated_failures() -> None:
    message = OutboxMessage(dedupe_key="x", chat_id=1, payload={}, created_at=AT, not_before=AT)
    for _ in range(8):
        outbox.mark_retry(message, error="500", not_before=AT, give_up_after=8)
    assert message.failed and message.attempts == 8 and message.last_error == "500"


async def test_timers_are_unique_by_key_claimed_when_due_and_cancellable(
    sessions: SessionFactory,
) -> None:
    async with sessions.begin() as session:
        row = await _add(session)
        assert await timers.schedule(
            session,
            key=f"{row.id}:reminder:1",
            kind="reminder",
            due_at=AT + timedelta(days=1),
            signal_id=row.id,
        )
        assert not await timers.schedule(
            session, key=f"{row.id}:reminder:1", kind="reminder", due_at=AT, signal_id=row.id
        )
        await timers.schedule(
            session,
            key=f"{row.id}:escalation",
            kind="escalation",
            due_at=AT + timedelta(days=3),
            signal_id=row.id,
        )
        await timers.schedule(session, key="digest:voorstad:2026-W48", kind="digest", due_at=AT)
    async with sessions.begin() as session:
        due = await timers.claim_due(session, now=AT + timedelta(days=1))
        assert [t.kind for t in due] == ["digest", "reminder"]
        timers.mark_done(due[0], at=AT)
        pending = await timers.pending_for_signal(session, signal_id=row.id)
        assert sorted(t.kind for t in pending) == ["escalation", "reminder"]
        timers.cancel(next(t for t in pending if t.kind == "reminder"), at=AT)
    async with sessions() as session:
        remaining = await timers.claim_due(session, now=AT + timedelta(days=10))
        assert [t.kind for t in remaining] == ["escalation"]


async def test_draft_survives_and_is_replaced(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        await concepten.save_draft(
            session, chat_id=9, user_id=9, step="theme", data={"text": "x"}, at=AT
        )
    async with sessions.begin() as session:
        await concepten.save_draft(
            session, chat_id=9, user_id=9, step="place", data={"text": "x", "theme": "afval"}, at=AT
        )
    async with sessions() as session:
        draft = await concepten.load_draft(session, chat_id=9)
        assert (draft.step, draft.data) == ("place", {"text": "x", "theme": "afval"})
    async with sessions.begin() as session:
        await concepten.delete_draft(session, chat_id=9)
    async with sessions() as session:
        assert await concepten.load_draft(session, chat_id=9) is None


async def test_update_is_processed_once(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        assert await concepten.first_delivery(session, update_id=123456789012, at=AT)
    async with sessions.begin() as session:
        assert not await concepten.first_delivery(session, update_id=123456789012, at=AT)


async def test_naive_datetimes_never_reach_the_database(sessions: SessionFactory) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        async with sessions.begin() as session:
            await _add(session, at=AT.replace(tzinfo=None))


async def test_migrations_go_down_and_up_again(
    engine: AsyncEngine, sessions: SessionFactory
) -> None:
    await downgrade(engine, "base")
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda c: c.dialect.get_table_names(c))
    assert "signal" not in names
    await upgrade(engine)
    async with sessions.begin() as session:
        await _add(session)
        await session.flush()
        count = (await session.execute(text("select count(*) from audit_event"))).scalar_one()
    assert count == 2
    assert AuditEventRow.__tablename__ == "audit_event"


async def test_migrations_build_exactly_the_tables_the_code_declares(engine: AsyncEngine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    def differences(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []
