"""Who is who on Telegram: contact registrations, invitations, group links, languages."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import case, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from opslag.tabellen import (
    ContactRegistration,
    GroupLink,
    InviteRow,
    PublicChannelLink,
    SignalRow,
    UserPreference,
)
from signalen.workflow import CLOSED_STATUSES

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


async def create_invite(
    session: AsyncSession, *, purpose: str, target: str, at: datetime, valid_for: timedelta
) -> str:
    """Make a single-use code; returns the token for the deep link or /koppel."""
    if purpose in ("group", "channel"):  # typed after /koppel: short, no look-alike characters
        token = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    else:
        token = secrets.token_urlsafe(16)
    session.add(InviteRow(token=token, purpose=purpose, target=target, expires_at=at + valid_for))
    return token


async def redeem_invite(
    session: AsyncSession, *, token: str, purpose: str, at: datetime
) -> str | None:
    """Use a code once; return its target (contact or district id) or None when not valid."""
    statement = select(InviteRow).where(col(InviteRow.token) == token).with_for_update()
    invite = (await session.scalars(statement)).first()
    if invite is None or invite.purpose != purpose or invite.used_at is not None:
        return None
    if invite.expires_at <= at:
        return None
    invite.used_at = at
    session.add(invite)
    return invite.target


async def register_contact(
    session: AsyncSession,
    *,
    contact_id: str,
    telegram_user_id: int,
    chat_id: int,
    language: str,
    at: datetime,
) -> None:
    """Link a Telegram account to a contact, replacing earlier links of either side."""
    for stale in await session.scalars(
        select(ContactRegistration).where(
            (col(ContactRegistration.contact_id) == contact_id)
            | (col(ContactRegistration.telegram_user_id) == telegram_user_id)
        )
    ):
        await session.delete(stale)
    await session.flush()
    session.add(
        ContactRegistration(
            contact_id=contact_id,
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            language=language,
            registered_at=at,
        )
    )


async def contact_of_user(
    session: AsyncSession, *, telegram_user_id: int
) -> ContactRegistration | None:
    statement = select(ContactRegistration).where(
        col(ContactRegistration.telegram_user_id) == telegram_user_id
    )
    return (await session.scalars(statement)).first()


async def registration(session: AsyncSession, *, contact_id: str) -> ContactRegistration | None:
    return await session.get(ContactRegistration, contact_id)


async def linked_contacts(session: AsyncSession) -> dict[str, datetime]:
    """Return every contact linked to a Telegram account, with when it was linked."""
    statement = select(ContactRegistration.contact_id, ContactRegistration.registered_at)
    return {contact_id: at for contact_id, at in (await session.execute(statement)).tuples()}


async def open_signal_counts(session: AsyncSession, *, now: datetime) -> dict[str, tuple[int, int]]:
    """Return per owner (contact id) their open signals and how many are past the deadline."""
    overdue = func.sum(case((col(SignalRow.deadline) < now, 1), else_=0))
    statement = (
        select(SignalRow.contact_id, func.count(), overdue)
        .where(col(SignalRow.status).not_in([s.value for s in CLOSED_STATUSES]))
        .group_by(col(SignalRow.contact_id))
    )
    rows = (await session.execute(statement)).tuples()
    return {contact_id: (count, int(late or 0)) for contact_id, count, late in rows}


ChatLink = type[GroupLink] | type[PublicChannelLink]


async def _link(
    session: AsyncSession, table: ChatLink, *, chat_id: int, district: str, at: datetime
) -> None:
    link = await session.get(table, chat_id)
    if link is None:
        link = table(chat_id=chat_id, district=district, linked_at=at)
    link.district, link.linked_at = district, at
    session.add(link)


async def _chats(session: AsyncSession, table: ChatLink, *, district: str) -> list[int]:
    statement = select(table.chat_id).where(col(table.district) == district)
    return list(await session.scalars(statement))


async def link_group(session: AsyncSession, *, chat_id: int, district: str, at: datetime) -> None:
    await _link(session, GroupLink, chat_id=chat_id, district=district, at=at)


async def groups_of_district(session: AsyncSession, *, district: str) -> list[int]:
    return await _chats(session, GroupLink, district=district)


async def link_channel(session: AsyncSession, *, chat_id: int, district: str, at: datetime) -> None:
    """A district's public channel (residents read what was solved, anonymously)."""
    await _link(session, PublicChannelLink, chat_id=chat_id, district=district, at=at)


async def channels_of_district(session: AsyncSession, *, district: str) -> list[int]:
    return await _chats(session, PublicChannelLink, district=district)


async def language(session: AsyncSession, *, user_id: int) -> str | None:
    preference = await session.get(UserPreference, user_id)
    return preference.language if preference else None


async def set_language(session: AsyncSession, *, user_id: int, language: str) -> None:
    preference = await session.get(UserPreference, user_id)
    if preference is None:
        preference = UserPreference(user_id=user_id, language=language)
    preference.language = language
    session.add(preference)


async def linked_among(session: AsyncSession, *, contact_ids: list[str]) -> set[str]:
    """Which of these contacts have linked a Telegram account."""
    statement = select(ContactRegistration.contact_id).where(
        col(ContactRegistration.contact_id).in_(contact_ids)
    )
    return set(await session.scalars(statement))
