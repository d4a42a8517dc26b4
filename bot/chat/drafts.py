"""A chat's draft in the database, read and written as the typed `Draft`."""

from __future__ import annotations

from bot.chat.turn import Turn
from kern.draft import Draft
from opslag import concepten


async def load(turn: Turn) -> Draft:
    row = await concepten.load_draft(turn.session, chat_id=turn.chat_id)
    if row is None:
        return Draft()
    try:
        return Draft.model_validate(row.data)
    except ValueError:  # a draft from an older version of the bot: start clean
        return Draft()


async def save(turn: Turn, draft: Draft) -> None:
    if not draft.active and draft.awaiting is None and draft.start_neighbourhood is None:
        await concepten.delete_draft(turn.session, chat_id=turn.chat_id)
        return
    await concepten.save_draft(
        turn.session,
        chat_id=turn.chat_id,
        user_id=turn.user.id,
        step=draft.step.value,
        data=draft.model_dump(mode="json"),
        at=turn.now,
    )
