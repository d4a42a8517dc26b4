"""A report being written, typed: its answers so far, the next step, and owner text awaited.

The draft lives in the database (one per chat) so a restart or another worker continues it.
Each step is answered by a field; the next question is the first step still unanswered.
"""

from __future__ import annotations

import secrets
from enum import StrEnum

from pydantic import BaseModel, Field

from kern.buttons import MAX_ID
from signalen.model import Place, ReporterRole, Urgency

MAX_DESCRIPTION, MAX_PHOTOS, MAX_CONTACT_DETAIL = 1000, 5, 200


class Step(StrEnum):
    THEME = "theme"
    DESCRIPTION = "description"
    PLACE = "place"
    PHOTOS = "photos"
    URGENCY = "urgency"
    CONTACT = "contact"
    SUMMARY = "summary"
    IDLE = "idle"  # no report being written (the row may still hold an awaited owner text)


# The buttons that may answer each step; a button of another step belongs to an old question.
FIELDS_OF_STEP: dict[Step, frozenset[str]] = {
    Step.THEME: frozenset({"sug", "theme", "sum"}),
    Step.DESCRIPTION: frozenset({"sum"}),
    Step.PLACE: frozenset({"street", "place", "sum"}),
    Step.PHOTOS: frozenset({"photo", "sum"}),
    Step.URGENCY: frozenset({"urg", "sum"}),
    Step.CONTACT: frozenset({"contact", "sum"}),
    Step.SUMMARY: frozenset({"sum", "edit"}),
}
# Steps where typed text is the answer; elsewhere typed text interrupts the report.
TEXT_STEPS = frozenset({Step.DESCRIPTION, Step.PLACE, Step.CONTACT})


class Awaiting(BaseModel):
    """An owner's action that waits for typed text: a closing note or a handover reason."""

    action: str  # "close" or "handover"
    signal_id: int
    version: int
    to: str | None = None


class Draft(BaseModel):
    """Everything a resident or professional has answered so far."""

    id: int = Field(default_factory=lambda: secrets.randbelow(MAX_ID - 1) + 1)
    role: ReporterRole | None = None  # None: no report being written
    theme: str | None = None
    theme_suggested: bool = False
    suggested: str | None = None
    # When the suggestion is unsure: the second most likely theme, offered beside it.
    also_suggested: str | None = None
    description: str | None = None
    place_known: bool = False  # answered, possibly with "I don't know"
    street: str | None = None
    house_number: str | None = None
    neighbourhood: str | None = None
    lat: float | None = None
    lon: float | None = None
    street_suggestions: list[str] = []
    typed_number: str | None = None
    photos: list[str] = []  # Telegram file ids; "doc:<id>" for a photo sent as a file
    photos_done: bool = False
    urgency: Urgency | None = None
    contact_chosen: bool = False
    anonymous: bool = True
    name: str | None = None
    contact_detail: str | None = None
    start_neighbourhood: str | None = None  # from a deep link; used when the place is unknown
    interrupted_by: str | None = None  # typed text that came in the middle, kept for "restart"
    awaiting: Awaiting | None = None

    @property
    def active(self) -> bool:
        return self.role is not None

    @property
    def step(self) -> Step:
        """The first step whose answer is missing; all answered means the summary."""
        if not self.active:
            return Step.IDLE
        answered = {
            Step.THEME: self.theme is not None,
            Step.DESCRIPTION: self.description is not None,
            Step.PLACE: self.place_known,
            Step.PHOTOS: self.photos_done,
            Step.URGENCY: self.urgency is not None,
            Step.CONTACT: self.contact_chosen,
        }
        return next((step for step, done in answered.items() if not done), Step.SUMMARY)

    def place(self, municipality_name: str | None = None) -> Place:
        return Place(
            street=self.street,
            house_number=self.house_number,
            neighbourhood=municipality_name,
            lat=self.lat,
            lon=self.lon,
        )

    def set_place(
        self,
        *,
        street: str | None = None,
        house_number: str | None = None,
        neighbourhood: str | None = None,
        lat: float | None = None,
        lon: float | None = None,
    ) -> None:
        """Answer the place step; an unknown place falls back to the deep link's neighbourhood."""
        self.street, self.house_number, self.lat, self.lon = street, house_number, lat, lon
        self.neighbourhood = neighbourhood or self.start_neighbourhood
        self.street_suggestions, self.typed_number = [], None
        self.place_known = True

    def reopen(self, step: Step) -> None:
        """Ask one step again (from "Wijzigen"); every other answer stays."""
        if step is Step.THEME:
            self.theme, self.suggested, self.theme_suggested = None, None, False
            self.also_suggested = None
        elif step is Step.DESCRIPTION:
            self.description = None
        elif step is Step.PLACE:
            self.place_known = False
        elif step is Step.PHOTOS:
            self.photos, self.photos_done = [], False
        elif step is Step.URGENCY:
            self.urgency = None
        elif step is Step.CONTACT:
            self.contact_chosen = False

    def fresh(self, role: ReporterRole) -> Draft:
        """A new report in this chat: a new id (old buttons die), the deep link kept."""
        return Draft(role=role, start_neighbourhood=self.start_neighbourhood)
