"""The municipality config as pydantic models: one model per YAML file, unknown keys rejected."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from signalen.model import ReporterRole, Urgency

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
TIME_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


AROUND_THE_CLOCK = "24/7"


def _as_list(value: Any) -> Any:
    """Let a coordinator write one value where a list is expected."""
    if value is None or isinstance(value, list):
        return value
    return [value]


Id = Annotated[str, Field(pattern=ID_PATTERN)]
IdList = Annotated[list[Id] | None, BeforeValidator(_as_list)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Timing(Strict):
    """Reminders, escalation and reassurance, in working days."""

    remind_days_before: int = Field(default=1, ge=0, le=10)
    escalate_factor: float = Field(default=2.0, ge=1.0, le=10.0)
    progress_every_days: int = Field(default=5, ge=0, le=60)


class Digest(Strict):
    """When working groups get their digest (local time, Europe/Amsterdam)."""

    weekly: str = Field(
        default="mon 08:30", pattern=r"^(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):[0-5]\d$"
    )
    monthly: bool = True
    list_incidents: bool = Field(
        default=False,
        description="list every incident of the period with owner, status and approach",
    )


def _time_window(value: str | None) -> str | None:
    if value is not None and not TIME_WINDOW.match(value):
        raise ValueError("write a time window as HH:MM-HH:MM, for example 17:00-08:00")
    return value


TimeWindow = Annotated[str, AfterValidator(_time_window)]


class Retention(Strict):
    """How long personal data stays after a signal is closed (AVG)."""

    reporter_days: int = Field(default=365, ge=1)
    care_days: int = Field(default=90, ge=1)


class MunicipalityFile(Strict):
    """municipality.yaml: the name, the owner of last resort, and closing days."""

    name: str
    fallback_contact: Id = Field(description="owner when the place of a report is unknown")
    closing_days: list[date] = []
    default_deadline_days: int = Field(default=5, ge=0, le=60)
    timing: Timing = Timing()
    alert_themes: list[Id] | None = Field(
        default=None,
        description="urgent reports on these alert the core group; default veiligheid and zorg",
    )
    digest: Digest = Digest()
    retention: Retention = Retention()
    coordinators: list[Id] = Field(default=[], description="contacts who may act on any signal")
    working_hours: TimeWindow = Field(
        default="08:30-17:00",
        description="working days' hours: deadlines in working days end at the close",
    )

    @field_validator("working_hours")
    @classmethod
    def _day_window(cls, value: str) -> str:
        start, end = value.split("-")
        if start >= end:
            raise ValueError("working hours start before they end, for example 08:30-17:00")
        return value


class Neighbourhood(Strict):
    id: Id
    name: str
    streets: list[str] = []
    homes: int | None = None


class PublicChannel(Strict):
    """A district's public Telegram channel: one anonymous line per closed incident."""

    themes: list[Id] = Field(
        min_length=1, description="themes whose closed incidents are posted (never care)"
    )
    with_note: bool = Field(
        default=False,
        description="add the owner's closing note (digits and e-mail addresses removed)",
    )


class District(Strict):
    id: Id
    name: str
    fallback_contact: Id = Field(description="the wijkmanager: owner when no rule matches")
    core_group: list[Id] = Field(default=[], description="kerngroep: told of serious incidents")
    groups: dict[Id, list[Id]] = Field(
        default={}, description="named groups (e.g. regiegroep): an escalation may go to one"
    )
    neighbourhoods: list[Neighbourhood] = Field(min_length=1)
    public_channel: PublicChannel | None = Field(
        default=None, description="residents informed per wijk: a channel linked with /koppel"
    )


class DistrictsFile(Strict):
    districts: list[District] = Field(min_length=1)


class Label(Strict):
    """A name in the residents' languages. Dutch and English are required; a Turkish or
    Arabic reader gets the Dutch name where the municipality gives none in their language."""

    nl: str
    en: str
    tr: str | None = None
    ar: str | None = None

    def get(self, taal: str) -> str:
        return getattr(self, taal, None) or self.nl


class RoleDef(Strict):
    """A role the municipality declares: how residents read it, and whether it owns signals."""

    id: Id
    label: Label = Field(description="as used in a sentence, article included: 'de wijkagent'")
    owns: bool = Field(default=True, description="may own signals")


class RolesFile(Strict):
    roles: list[RoleDef] = Field(min_length=1)


class Theme(Strict):
    id: Id
    label: Label
    keywords: list[str] = []
    deadline_days: int = Field(ge=0, le=60)
    sensitive: bool = False
    fallback_contact: Id | None = Field(
        default=None,
        description="owner of this theme's reports whose place is unknown (e.g. a care intake)",
    )


class ThemesFile(Strict):
    themes: list[Theme] = Field(min_length=1)


class Contact(Strict):
    id: Id
    name: str
    role: Id | None = Field(
        default=None, description="a role from roles.yaml; none for an alert-only person"
    )
    title: str | None = Field(default=None, description="display title, e.g. 'Voorzitter'")
    organisation: str
    neighbourhoods: IdList = None
    districts: IdList = None
    hours: str = Field(
        default="office",
        description="office (the municipality's working hours), 24/7, or own hours 09:00-13:00",
    )
    streets: list[str] = Field(
        default=[], description="street representative: alerted on incidents in these streets"
    )

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        if value in ("office", AROUND_THE_CLOCK):
            return value
        if not TIME_WINDOW.match(value) or value.split("-")[0] >= value.split("-")[1]:
            raise ValueError("write office, 24/7, or the contact's own hours like 09:00-13:00")
        return value

    @property
    def around_the_clock(self) -> bool:
        return self.hours == AROUND_THE_CLOCK


class ContactsFile(Strict):
    contacts: list[Contact] = Field(min_length=1)


class Conditions(Strict):
    theme: IdList = None
    neighbourhood: IdList = None
    district: IdList = None
    urgency: Annotated[list[Urgency] | None, BeforeValidator(_as_list)] = None
    reporter_role: Annotated[list[ReporterRole] | None, BeforeValidator(_as_list)] = None
    keywords: Annotated[list[str] | None, BeforeValidator(_as_list)] = None
    time: TimeWindow | None = Field(default=None, description="local time window: 17:00-08:00")
    weekdays: Annotated[list[Weekday] | None, BeforeValidator(_as_list)] = None
    holiday: bool | None = Field(
        default=None, description="true: a public holiday or closing day; false: not one"
    )
    outside_hours: bool | None = Field(
        default=None,
        description="true: evenings, nights, weekends, holidays; false: working hours",
    )


class Outcome(Strict):
    contact: Id | None = None
    role: Id | None = Field(
        default=None, description="the contact with this role who covers the neighbourhood"
    )
    priority: Urgency | None = None
    deadline_days: int | None = Field(default=None, ge=0, le=60)
    deadline_hours: int | None = Field(
        default=None, ge=1, le=720, description="clock hours for a 24/7 owner, else working hours"
    )
    escalate_to: Id | list[Id] | None = Field(
        default=None,
        description="a contact, a group of the report's district (regiegroep), or a chain of "
        "contacts [a, b]: the next is asked when it is still open after another term",
    )
    alert: bool = Field(default=False, description="a serious incident: tell the core group")

    @model_validator(mode="after")
    def _one_owner(self) -> Outcome:
        if (self.contact is None) == (self.role is None):
            raise ValueError("give exactly one of 'contact' or 'role'")
        if self.deadline_days is not None and self.deadline_hours is not None:
            raise ValueError("give 'deadline_days' or 'deadline_hours', not both")
        if isinstance(self.escalate_to, list) and not 1 <= len(self.escalate_to) <= 4:
            raise ValueError("an escalation chain has 1 to 4 contacts")
        return self


class Rule(Strict):
    id: Id
    description: str = ""
    when: Conditions = Conditions()
    then: Outcome


class RulesFile(Strict):
    rules: list[Rule] = []


FILES: dict[str, type[Strict]] = {
    "municipality.yaml": MunicipalityFile,
    "districts.yaml": DistrictsFile,
    "themes.yaml": ThemesFile,
    "roles.yaml": RolesFile,
    "contacts.yaml": ContactsFile,
    "rules.yaml": RulesFile,
}
