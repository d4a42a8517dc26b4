"""Who hears of a serious incident, and what: professionals get the details, alert-only
people (a kerngroep chair, a street representative) only that it happened, and a street
representative never hears of a care signal in their street."""

from __future__ import annotations

from datetime import UTC, datetime

from kern.planning import alert_core_group
from kern.services import Services
from kern.texts import Texts
from opslag.tabellen import SignalRow
from regels.laden import load_municipality

CHAIR_AND_REPRESENTATIVE = (
    "contacts.yaml",
    "contacts:\n",
    "contacts:\n"
    "  - id: voorzitter\n    name: Ria Smit\n    organisation: Wijkraad Rivierenwijk\n"
    "    districts: [rivierenwijk]\n"
    "  - id: bewoner-rijnstraat\n    name: Henk Jansen\n    organisation: Bewoners\n"
    "    districts: [rivierenwijk]\n    streets: [Rijnstraat]\n"
    "  - id: bewoner-maasstraat\n    name: Els de Wit\n    organisation: Bewoners\n"
    "    districts: [rivierenwijk]\n    streets: [Maasstraat]\n",
)
IN_THE_KERNGROEP = (
    "districts.yaml",
    "core_group: [wa-rivierenwijk, wm-rivierenwijk, st-rivierenwijk]",
    "core_group: [voorzitter, wa-rivierenwijk, wm-rivierenwijk, st-rivierenwijk]",
)


def _signal(theme: str) -> SignalRow:
    now = datetime(2026, 11, 24, 10, tzinfo=UTC)
    return SignalRow(
        id=7,
        reference="WS-2026-000007",
        theme=theme,
        description="Vechtpartij voor nummer 12, de buurman van Fatima",
        street="Rijnstraat",
        house_number="12",
        neighbourhood="deltabuurt",
        district="rivierenwijk",
        urgency="hoog",
        priority="hoog",
        status="toegewezen",
        reporter_role="bewoner",
        contact_id="wa-rivierenwijk",
        escalation_contact_id="wm-rivierenwijk",
        rule_id="test",
        explanation="test",
        reported_at=now,
        deadline=now,
        updated_at=now,
    )


def test_details_go_to_professionals_only_and_care_never_to_the_street(config_copy, sessions):
    municipality = load_municipality(config_copy(CHAIR_AND_REPRESENTATIVE, IN_THE_KERNGROEP))
    services = Services(
        municipality=municipality, sessions=sessions, texts=Texts(), clock=lambda: datetime.now(UTC)
    )

    notices = {n.to.contact_id: n for n in alert_core_group(services, _signal("veiligheid"))}
    assert set(notices) == {
        "voorzitter",
        "wa-rivierenwijk",
        "wm-rivierenwijk",
        "st-rivierenwijk",
        "bewoner-rijnstraat",  # the representative of this street, not of the Maasstraat
    }
    assert "Vechtpartij" in notices["wa-rivierenwijk"].values("nl")["details"]
    for alert_only in ("voorzitter", "bewoner-rijnstraat"):
        assert notices[alert_only].values("nl")["details"] == ""

    care = {n.to.contact_id: n for n in alert_core_group(services, _signal("zorg"))}
    assert "bewoner-rijnstraat" not in care
    assert all(n.values("nl")["details"] == "" for n in care.values())
