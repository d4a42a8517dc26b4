"""A signal and its parts, as plain data shared by every layer."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

Clock = Callable[[], datetime]
"""Returns the current time as an aware datetime; injected so the domain never asks the OS."""


class Urgency(StrEnum):
    LAAG = "laag"
    NORMAAL = "normaal"
    HOOG = "hoog"


class ReporterRole(StrEnum):
    BEWONER = "bewoner"
    PROFESSIONAL = "professional"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a signal is: any of a street address, a neighbourhood, or a located point."""

    street: str | None = None
    house_number: str | None = None
    neighbourhood: str | None = None
    district: str | None = None
    lat: float | None = None
    lon: float | None = None

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None

    def describe(self) -> str:
        """Return the place the way a person would say it ("Randerstraat 12, Sluiswijk")."""
        parts = []
        if self.street:
            parts.append(
                f"{self.street} {self.house_number}".strip() if self.house_number else self.street
            )
        if self.neighbourhood:
            parts.append(self.neighbourhood)
        if not parts and self.located:
            parts.append(f"{self.lat:.5f}, {self.lon:.5f}")
        return ", ".join(parts) or "onbekende plek"


@dataclass(frozen=True, slots=True)
class Reporter:
    """Who reported; anonymous reporters keep only their role."""

    role: ReporterRole = ReporterRole.BEWONER
    anonymous: bool = True
    telegram_user_id: int | None = None
    name: str | None = None
    contact: str | None = None


@dataclass(slots=True)
class Signal:
    """A report about a neighbourhood problem and its current owner."""

    reference: str
    theme: str | None
    description: str
    place: Place
    urgency: Urgency
    reporter: Reporter
    reported_at: datetime
    status: str = "gemeld"
    contact_id: str | None = None
    deadline: datetime | None = None
    photos: list[str] = field(default_factory=list)
    id: int | None = None


def format_reference(year: int, sequence: int) -> str:
    """Return the public reference, sequential per year: ``WS-2026-000123``."""
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"WS-{year:04d}-{sequence:06d}"


# Longer input is never a reference; refusing it first keeps the regex's work bounded.
_REFERENCE_MAX_LENGTH = 40
# As people type it: any case, dashes or spaces (or neither) between the parts, sequence
# without its leading zeros. ASCII only, so neither '²' counts as a digit nor a long 'ſ' as an
# 's'. No quantifier is nested in another, so matching is linear in the (bounded) input.
_REFERENCE = re.compile(r"WS *-? *([0-9]{4}) *-? *([0-9]{1,6})", re.ASCII | re.IGNORECASE)


def parse_reference(text: str) -> tuple[int, int] | None:
    """Return (year, sequence) of a reference typed by a person, or None when it is not one."""
    if len(text) > _REFERENCE_MAX_LENGTH:
        return None
    match = _REFERENCE.fullmatch(text.strip())
    if match is None:
        return None
    year, sequence = int(match[1]), int(match[2])
    return (year, sequence) if sequence >= 1 else None


def canonical_reference(text: str) -> str | None:
    """Return a typed reference the way it is printed (``WS-2026-000001``), or None."""
    parsed = parse_reference(text)
    return format_reference(*parsed) if parsed else None


def parse_small_int(text: str, *, upper: int) -> int | None:
    """Return the number 0 <= n < upper written in ASCII digits in `text`, or None.

    For text that came from outside (callback data): the length is checked before converting,
    so no long string of digits is ever turned into an int.
    """
    if not text or len(text) > len(str(upper)) or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number < upper else None
