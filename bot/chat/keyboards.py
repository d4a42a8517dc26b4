"""The only place that builds Telegram keyboards: from neutral choices, or for the place step."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from kern.notices import Choice
from kern.texts import Texts


def inline(texts: Texts, taal: str, rows: Sequence[Sequence[Choice]]) -> InlineKeyboardMarkup:
    """Inline buttons, labels in the reader's language (or literal, e.g. a street name)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    c.label if c.literal else texts.label(c.label, taal), callback_data=c.data
                )
                for c in row
            ]
            for row in rows
            if row
        ]
    )


def share_location(texts: Texts, taal: str) -> ReplyKeyboardMarkup:
    """The place question: share a location with one tap, or say "I don't know"."""
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(texts.label("locatie", taal), request_location=True)],
            [KeyboardButton(texts.label("weet_niet", taal))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
