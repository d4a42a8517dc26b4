"""The working group's own command: /overzicht shows the district's digest right now."""

from __future__ import annotations

import logging

from bot.chat.turn import Turn, in_turn
from kern.digests import queue_digest_now
from opslag import overzicht

log = logging.getLogger(__name__)


@in_turn
async def overview(turn: Turn) -> None:
    """/overzicht: in a linked group chat, the digest of this week so far (and its chart),
    queued in the outbox for that group only; elsewhere, how to link a group (/koppel).

    The digest is in the language of whoever asked (Dutch or English), like other answers.
    """
    if turn.private:
        turn.say(turn.t("overzicht.alleen_in_werkgroep"))
        return
    link = await overzicht.group_link(turn.session, chat_id=turn.chat_id)
    if link is None or link.district not in turn.services.municipality.districts:
        turn.say(turn.t("overzicht.groep_niet_gekoppeld"))
        return
    made = await queue_digest_now(
        turn.session,
        turn.services,
        link.district,
        turn.chat_id,
        taal=turn.taal,
        now=turn.now,
        key=f"u{turn.update.update_id}",
    )
    log.info(
        "overzicht of %s for group %s (%s chart)",
        link.district,
        turn.chat_id,
        "with" if made.png else "no",
    )
