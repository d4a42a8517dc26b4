"""Who can really take a signal: the first contact in line who has linked Telegram.

A signal is given only to someone who hears about it. When the rule's contact (or a handover
or escalation target) has not linked an account, the next in line takes it: the rule's
`escalate_to`, the district's wijkmanager, the theme's intake, the municipal desk, the
coordinators. Only when nobody at all is linked does the first in line keep it, and the
signal then shows as unreachable in `contacts list`, `/taken alle` and the digest.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from opslag import contacten
from regels.gemeente import Municipality


@dataclass(frozen=True, slots=True)
class Reached:
    contact_id: str
    diverted_from: str | None  # the intended contact, when someone else had to take it
    reachable: bool


def line_of(
    municipality: Municipality,
    first: str,
    *,
    district: str | None,
    theme: str | None,
    escalate_to: str | None = None,
) -> list[str]:
    """Everyone in line for a signal, first the intended contact, without repeats."""
    candidates = [first, escalate_to]
    if district is not None:
        candidates.append(municipality.districts[district].fallback_contact)
    if theme is not None:
        candidates.append(municipality.themes[theme].fallback_contact)
    candidates.append(municipality.settings.fallback_contact)
    candidates.extend(municipality.settings.coordinators)
    line: list[str] = []
    for contact in candidates:
        if contact and contact in municipality.contacts and contact not in line:
            line.append(contact)
    return line


async def first_reachable(session: AsyncSession, line: list[str]) -> Reached:
    """The first contact of the line with a linked Telegram account."""
    linked = await contacten.linked_among(session, contact_ids=line)
    for contact in line:
        if contact in linked:
            return Reached(contact, line[0] if contact != line[0] else None, True)
    return Reached(line[0], None, False)
