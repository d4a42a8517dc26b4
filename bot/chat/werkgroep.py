"""The working group's own command: /overzicht shows the district's digest right now."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.chat.turn import Turn, in_turn
from kern.digests import queue_digest_now
from kern.services import Services
from opslag import concepten, contacten, outbox, overzicht

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


async def link_channel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/koppel CODE posted in a channel the bot administers: it becomes the district's public
    channel, with one anonymous line per solved incident of the themes the config names.

    A channel post has no sender, so this is not a Turn; it is still handled once per update,
    and its answer goes through the outbox in the same transaction as the link.
    """
    services: Services = context.bot_data["services"]
    post = update.channel_post
    if post is None or not post.text:
        return
    words = post.text.split()
    code = (words[1] if len(words) > 1 else "").strip().upper()[:16]
    now = services.clock()
    async with services.transaction() as session:
        if not await concepten.first_delivery(session, update_id=update.update_id, at=now):
            return
        district = await contacten.redeem_invite(session, token=code, purpose="channel", at=now)
        known = services.municipality.districts.get(district or "")
        if known is not None and known.public_channel is not None:
            await contacten.link_channel(session, chat_id=post.chat.id, district=known.id, at=now)
            text = services.texts("overzicht.kanaal_gekoppeld", "nl", wijk=known.name)
            log.info("channel %s linked to district %s", post.chat.id, known.id)
        else:
            text = services.texts("overzicht.kanaal_code_fout", "nl")
        await outbox.enqueue(
            session,
            dedupe_key=f"u{update.update_id}:reply0",
            chat_id=post.chat.id,
            payload={"text": text, "parse_mode": "HTML"},
            at=now,
        )
    services.outbox_ready.set()
