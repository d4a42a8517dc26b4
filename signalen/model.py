"""A signal and its parts, as plain data shared by every layer."""

from __future__ import annotations

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


def parse_reference(text: str) -> tuple[int, int] | None:
    """Return (year, sequence) of a reference typed by a person, or None when it is not one."""
    cleaned = text.strip().upper().replace(" ", "")
    parts = cleaned.split("-")
    if len(parts) != 3 or parts[0] != "WS" or not (parts[1].isdigit() and parts[2].isdigit()):
        return None
    year, sequence = int(parts[1]), int(parts[2])
    if len(parts[1]) != 4 or sequence < 1:
        return None
    return year, sequence
