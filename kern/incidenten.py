"""The incident list a working group may ask for in its digest: every incident of the period
with its owner, status and the approach chosen (the closing note). Care signals stay counts.

Almelo's wijkaanpak (3.4.2.3): "Elk incident/elke klacht moet met de gekozen aanpak worden
gerapporteerd aan de regiegroep". A municipality turns it on with `digest.list_incidents`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kern.notices import place_of, theme_label
from kern.services import Services
from opslag import opvragen
from opslag import overzicht as store

# A Telegram message holds 4,096 characters; a line is about 120. The rest: `export`.
MAX_LINES = 25


async def incident_list(
    session: AsyncSession,
    services: Services,
    district: str,
    start: datetime,
    end: datetime,
    periode: str,
    taal: str,
) -> str | None:
    """The list as one message (HTML), or None when nothing happened in the period."""
    municipality = services.municipality
    signals = await store.period_incidents(session, district=district, start=start, end=end)
    if not signals:
        return None
    care = [s for s in signals if s.theme and municipality.themes[s.theme].sensitive]
    public = [s for s in signals if s not in care]
    notes = await opvragen.closing_notes(session, [s.id for s in public if s.id is not None])
    lines = [
        {
            "referentie": s.reference,
            "thema": theme_label(services, s.theme, taal),
            "plek": s.street or place_of(s, services),
            "eigenaar": municipality.role_label(municipality.contacts[s.contact_id].role, taal)
            if s.contact_id in municipality.contacts
            else s.contact_id,
            "status": services.texts("knoppen.status", taal, waarde=s.status),
            "aanpak": notes.get(s.id or 0, ""),
        }
        for s in public[:MAX_LINES]
    ]
    return services.texts(
        "overzicht.incidenten",
        taal,
        periode=periode,
        regels=lines,
        meer=max(0, len(public) - MAX_LINES),
        zorg=len(care),
    )
