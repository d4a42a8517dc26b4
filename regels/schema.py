"""The municipality config as pydantic models: one model per YAML file, unknown keys rejected."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
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


class ContactRole(StrEnum):
    WIJKBEHEERDER = "wijkbeheerder"
    WIJKAGENT = "wijkagent"
    HANDHAVING = "handhaving"
    SOCIAAL_TEAM = "sociaal_team"
    OPBOUWWERKER = "opbouwwerker"
    WOONCONSULENT = "woonconsulent"
    WIJKMANAGER = "wijkmanager"


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


class Neighbourhood(Strict):
    id: Id
    name: str
    streets: list[str] = []
    homes: int | None = None


class District(Strict):
    id: Id
    name: str
    fallback_contact: Id = Field(description="the wijkmanager: owner when no rule matches")
    core_group: list[Id] = Field(default=[], description="kerngroep: told of serious incidents")
    neighbourhoods: list[Neighbourhood] = Field(min_length=1)


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
    role: ContactRole
    organisation: str
    neighbourhoods: IdList = None
    districts: IdList = None


class ContactsFile(Strict):
    contacts: list[Contact] = Field(min_length=1)


class Conditions(Strict):
    theme: IdList = None
    neighbourhood: IdList = None
    district: IdList = None
    urgency: Annotated[list[Urgency] | None, BeforeValidator(_as_list)] = None
    reporter_role: Annotated[list[ReporterRole] | None, BeforeValidator(_as_list)] = None
    keywords: Annotated[list[str] | None, BeforeValidator(_as_list)] = None
    time: str | None = Field(default=None, description="local time window, e.g. 17:00-08:00")

    @field_validator("time")
    @classmethod
    def _time_window(cls, value: str | None) -> str | None:
        if value is not None and not TIME_WINDOW.match(value):
            raise ValueError("write a time window as HH:MM-HH:MM, for example 17:00-08:00")
        return value


class Outcome(Strict):
    contact: Id | None = None
    role: ContactRole | None = Field(
        default=None, description="the contact with this role who covers the neighbourhood"
    )
    priority: Urgency | None = None
    deadline_days: int | None = Field(default=None, ge=0, le=60)
    escalate_to: Id | None = None
    alert: bool = Field(default=False, description="a serious incident: tell the core group")

    @model_validator(mode="after")
    def _one_owner(self) -> Outcome:
        if (self.contact is None) == (self.role is None):
            raise ValueError("give exactly one of 'contact' or 'role'")
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
    "contacts.yaml": ContactsFile,
    "rules.yaml": RulesFile,
}
