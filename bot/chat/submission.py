"""Send a finished report into the core and answer with the receipt."""

from __future__ import annotations

from bot.chat.drafts import save
from bot.chat.turn import Turn
from kern.draft import Draft
from kern.intake import NewReport, submit
from kern.notices import signal_owner_phrase
from kern.texts import say_date
from signalen.model import ReporterRole, Urgency


async def send(turn: Turn, draft: Draft) -> None:
    """Store and route the report; the receipt names the real owner and the promised date."""
    assert draft.description is not None and draft.role is not None
    name = draft.name
    if draft.role is ReporterRole.PROFESSIONAL and turn.contact is not None:
        name = turn.services.municipality.contacts[turn.contact.contact_id].name
    submitted = await submit(
        turn.session,
        turn.services,
        NewReport(
            description=draft.description,
            reported_at=turn.now,
            theme=draft.theme,
            theme_suggested=draft.theme_suggested,
            street=draft.street,
            house_number=draft.house_number,
            neighbourhood=draft.neighbourhood,
            lat=draft.lat,
            lon=draft.lon,
            urgency=draft.urgency or Urgency.NORMAAL,
            role=draft.role,
            anonymous=draft.anonymous,
            name=name,
            contact_detail=draft.contact_detail,
            telegram_user_id=turn.user.id,
            language=turn.taal,
            photos=list(draft.photos),
        ),
    )
    await save(turn, Draft(start_neighbourhood=draft.start_neighbourhood))
    signal = submitted.signal
    turn.notify(submitted.notices)
    turn.say(
        turn.t(
            "melden.ontvangen",
            referentie=signal.reference,
            eigenaar=signal_owner_phrase(turn.services, signal, turn.taal),
            datum=say_date(signal.expected_at or signal.deadline, turn.taal),
        )
    )
