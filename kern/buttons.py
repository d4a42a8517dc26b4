"""Button data, one codec: what a button does, for which draft or signal, at which version.

Telegram gives callback data back verbatim, but anyone can forge it, so decoding is strict:
ASCII digits only, bounded lengths, known kinds and actions; anything else is None.
"""

from __future__ import annotations

from dataclasses import dataclass

from signalen.model import parse_small_int

MAX_ID = 2**31  # draft and signal ids fit a PostgreSQL integer
MAX_VERSION = 10**6
MAX_ARG = 100

# What an owner or a reporter can do with a signal's buttons.
SIGNAL_ACTIONS = frozenset(
    {
        "ok",  # accept (oppakken)
        "done",  # close: asks for a note
        "nonote",  # close without a note
        "fwd",  # hand over: shows the list of contacts
        "to",  # hand over to the contact at position `arg` of that list
        "nm",  # not mine: back to the wijkmanager, asks for a reason
        "show",  # show the whole card again
        "back",  # close a choice list without choosing
        "yes",  # reporter: solved
        "no",  # reporter: not solved, reopen
    }
)
# Draft fields a button may answer; each belongs to one step of the conversation.
DRAFT_FIELDS = frozenset(
    {"sug", "theme", "street", "place", "photo", "urg", "contact", "sum", "edit", "resume"}
)
_VALUE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(frozen=True, slots=True)
class SignalButton:
    signal_id: int
    version: int
    action: str
    arg: int | None = None


@dataclass(frozen=True, slots=True)
class DraftButton:
    draft_id: int
    field: str
    value: str


@dataclass(frozen=True, slots=True)
class LanguageButton:
    language: str


Button = SignalButton | DraftButton | LanguageButton


def encode(button: Button) -> str:
    """Write a button as callback data (always well under Telegram's 64 bytes)."""
    if isinstance(button, SignalButton):
        tail = "" if button.arg is None else f":{button.arg}"
        return f"s:{button.signal_id}.{button.version}:{button.action}{tail}"
    if isinstance(button, DraftButton):
        return f"d:{button.draft_id}:{button.field}:{button.value}"
    return f"l:{button.language}"


def decode(data: str | None, *, languages: tuple[str, ...] = ("nl", "en")) -> Button | None:
    """Read callback data; None for anything not made by `encode` (old, forged, garbled)."""
    if not data or len(data) > 64 or not data.isascii():
        return None
    kind, _, rest = data.partition(":")
    if kind == "l":
        return LanguageButton(rest) if rest in languages else None
    parts = rest.split(":")
    if kind == "s" and len(parts) in (2, 3):
        ident, _, version = parts[0].partition(".")
        signal_id = parse_small_int(ident, upper=MAX_ID)
        number = parse_small_int(version, upper=MAX_VERSION)
        if signal_id is None or number is None or parts[1] not in SIGNAL_ACTIONS:
            return None
        arg = parse_small_int(parts[2], upper=MAX_ARG) if len(parts) == 3 else None
        if len(parts) == 3 and arg is None:
            return None
        return SignalButton(signal_id, number, parts[1], arg)
    if kind == "d" and len(parts) == 3:
        draft_id = parse_small_int(parts[0], upper=MAX_ID)
        field, value = parts[1], parts[2]
        if draft_id is None or field not in DRAFT_FIELDS or not 0 < len(value) <= 20:
            return None
        if not set(value) <= _VALUE_CHARS:
            return None
        return DraftButton(draft_id, field, value)
    return None
