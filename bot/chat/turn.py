"""One update, one transaction: dedupe, load who is talking, collect replies, send after commit."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, Update, User
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from kern.notices import AnyNotice, queue_notices
from kern.services import Services
from kern.signal_manager import SignalManager
from kern.texts import language_of
from opslag import concepten, contacten, outbox
from opslag.tabellen import ContactRegistration

log = logging.getLogger(__name__)

Markup = Any  # InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


@dataclass(frozen=True)
class Send:
    chat_id: int
    text: str
    markup: Markup = None


@dataclass(frozen=True)
class Edit:
    chat_id: int
    message_id: int
    text: str
    markup: Markup = None


@dataclass(frozen=True)
class Answer:
    callback_query_id: str
    text: str | None = None
    alert: bool = False


Reply = Send | Edit | Answer


@dataclass
class Turn:
    """The handling of one update: its session, the speaker, their language, the replies."""

    update: Update
    session: AsyncSession
    services: Services
    now: datetime
    user: User
    chat_id: int
    taal: str
    contact: ContactRegistration | None
    replies: list[Reply] = field(default_factory=list)
    notices: list[AnyNotice] = field(default_factory=list)

    @property
    def private(self) -> bool:
        return self.chat_id > 0

    @property
    def actor(self) -> str:
        """Who acts, for the audit trail: the contact id, or the Telegram user."""
        return self.contact.contact_id if self.contact else f"telegram:{self.user.id}"

    @property
    def pressed(self) -> tuple[int, int] | None:
        """The (chat, message) whose button was pressed, if any."""
        query = self.update.callback_query
        message = query.message if query else None
        return (self.chat_id, message.message_id) if message is not None else None

    def manager(self) -> SignalManager:
        return SignalManager(self.services, self.session, self.now)

    def notify(self, notices: Sequence[AnyNotice]) -> None:
        """Queue these notices with this update's transaction."""
        self.notices.extend(notices)

    def t(self, name: str, **values: Any) -> str:
        return self.services.texts(name, self.taal, **values)

    def label(self, name: str) -> str:
        return self.services.texts.label(name, self.taal)

    def say(self, text: str, markup: Markup = None) -> None:
        self.replies.append(Send(self.chat_id, text, markup))

    def edit(self, message_id: int, text: str, markup: Markup = None) -> None:
        self.replies.append(Edit(self.chat_id, message_id, text, markup))

    def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        query = self.update.callback_query
        if query is not None:
            self.replies.append(Answer(query.id, text, alert))


TurnHandler = Callable[[Turn], Awaitable[None]]


def in_turn(
    handler: TurnHandler,
) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    """Run a handler in one transaction, once per update id; send its replies after commit."""

    @functools.wraps(handler)
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        services: Services = context.bot_data["services"]
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        now = services.clock()
        async with services.transaction() as session:
            if not await concepten.first_delivery(session, update_id=update.update_id, at=now):
                log.info("update %s delivered again; ignored", update.update_id)
                return
            chosen = await contacten.language(session, user_id=user.id)
            turn = Turn(
                update=update,
                session=session,
                services=services,
                now=now,
                user=user,
                chat_id=chat.id,
                taal=chosen or language_of(user.language_code),
                contact=await contacten.contact_of_user(session, telegram_user_id=user.id),
            )
            await handler(turn)
            await queue_notices(session, services, turn.notices)
            keys = await _keep_replies(session, services, turn.replies, update.update_id)
            queued = session.info.pop("outbox_queued", False)
        await perform(context.bot, turn.replies, services, keys)
        if queued:
            services.outbox_ready.set()

    return run


SEND_TIMEOUTS = {"read_timeout": 30.0, "write_timeout": 30.0, "connect_timeout": 10.0}
# Replies are kept in the outbox but sent straight away; the sender leaves them alone this
# long, and takes over after a crash (or when Telegram could not take them now).
DIRECT_GRACE = timedelta(seconds=30)


async def _keep_replies(
    session: AsyncSession, services: Services, replies: list[Reply], update_id: int
) -> list[str]:
    """Store the new messages of this turn with its effects, so a crash cannot lose them."""
    keys = []
    direct = services.direct_replies
    due = services.clock() + (DIRECT_GRACE if direct else timedelta(0))
    for n, send in enumerate(r for r in replies if isinstance(r, Send)):
        payload: dict[str, Any] = {"text": send.text, "parse_mode": "HTML"}
        if send.markup is not None:
            payload["reply_markup"] = send.markup.to_dict()
        key = f"u{update_id}:reply{n}"
        await outbox.enqueue(session, dedupe_key=key, chat_id=send.chat_id, payload=payload, at=due)
        keys.append(key)
    if not direct:
        return []  # the sending worker sends them; this worker only answers and edits
    session.info.pop("outbox_queued", None)  # nothing for the sender yet: they go directly
    return keys


async def perform(bot: Bot, replies: list[Reply], services: Services, keys: list[str]) -> None:
    """Send the replies straight after the commit; what Telegram cannot take now goes on.

    New messages go out in order. When one fails for a reason that passes (429, 5xx, a
    dropped connection, a timeout) it and the messages after it are left to the outbox,
    which retries them with its own rules for that chat: a resident always gets their
    reference. Answering the button and editing the old question do not depend on them.
    """
    aside = [r for r in replies if not isinstance(r, Send)]
    sends = [r for r in replies if isinstance(r, Send)] if keys else []

    async def in_order() -> None:
        done: list[str] = []
        wait: float | None = None
        for key, send in zip(keys, sends, strict=True):
            wait = await _send_directly(bot, send)
            if wait is not None:
                break
            done.append(key)
        rest = keys[len(done) :]
        if not keys:
            return
        now = services.clock()
        due = now + timedelta(seconds=wait or 0.0)
        async with services.transaction() as session:
            await outbox.settle_replies(session, sent=done, postponed=rest, at=now, due=due)
        if rest:
            services.outbox_ready.set()

    await asyncio.gather(in_order(), *(_perform_one(bot, r) for r in aside))


async def _send_directly(bot: Bot, send: Send) -> float | None:
    """Send one message; None when done (or refused for good), else seconds to wait."""
    try:
        await bot.send_message(
            send.chat_id,
            send.text,
            parse_mode=ParseMode.HTML,
            reply_markup=send.markup,
            **SEND_TIMEOUTS,  # type: ignore[arg-type]
        )
    except RetryAfter as exc:
        wait = exc.retry_after
        return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
    except (BadRequest, Forbidden) as exc:
        log.warning("reply refused by Telegram: %s", exc.message)
    except TelegramError as exc:  # 5xx, timeouts, dropped connections
        log.warning("reply failed (%s); the outbox takes it over", type(exc).__name__)
        return 0.0
    return None


async def _perform_one(bot: Bot, reply: Reply) -> None:
    try:
        if isinstance(reply, Send):
            await bot.send_message(
                reply.chat_id, reply.text, parse_mode=ParseMode.HTML, reply_markup=reply.markup
            )
        elif isinstance(reply, Edit):
            await bot.edit_message_text(
                reply.text,
                chat_id=reply.chat_id,
                message_id=reply.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=reply.markup,
            )
        else:
            await bot.answer_callback_query(
                reply.callback_query_id, text=reply.text, show_alert=reply.alert
            )
    except BadRequest as exc:
        if "not modified" not in exc.message:
            log.warning("reply %s refused: %s", type(reply).__name__, exc.message)
    except TelegramError as exc:
        log.warning("reply %s failed: %s", type(reply).__name__, exc)
