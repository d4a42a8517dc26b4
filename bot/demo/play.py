"""`wijksignaal demo`: a short day in any municipality, played through the simulator by the real
bot. The scenes (places, themes, owners) come from the config: see `bot.demo.scenes`."""

from __future__ import annotations

import asyncio
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlmodel import col, select

from bot.chat.app import running
from bot.demo.scenes import DemoPlan, PlannedReport, plan_day
from bot.simulator.people import SimGroup, SimUser
from bot.simulator.server import BotApiSimulator, ChatMessage
from kern.notices import theme_label
from kern.services import Services
from kern.texts import Texts, say_date
from kern.ticker import tick
from opslag import contacten
from opslag.database import make_engine, make_sessions, upgrade
from opslag.tabellen import SignalRow
from regels.gemeente import Municipality
from signalen.werkdagen import AMSTERDAM

_TAG = re.compile(r"<[^>]+>")
_REFERENCE = re.compile(r"Nummer: (\S+)")


class DemoClock:
    """The demo's day: starts at 09:00 on the next working day and can jump ahead."""

    def __init__(self, municipality: Municipality, today: datetime) -> None:
        day = municipality.calendar.next_working_day(today.astimezone(AMSTERDAM).date())
        self.start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=AMSTERDAM)
        self.offset = timedelta()
        self._t0 = asyncio.get_running_loop().time()

    def __call__(self) -> datetime:
        return (
            self.start
            + self.offset
            + timedelta(seconds=asyncio.get_running_loop().time() - self._t0)
        )

    def jump_to(self, hour: int, minute: int = 0, *, days: int = 0) -> None:
        target = (self.start + timedelta(days=days)).replace(hour=hour, minute=minute)
        self.offset += max(timedelta(), target - self())


class Transcript:
    """Prints who said what, as it happens."""

    def __init__(self, console: Console, clock: DemoClock, names: dict[int, str]) -> None:
        self.console, self.clock, self.names = console, clock, names

    def scene(self, title: str) -> None:
        self.console.rule(f"[bold]{escape(title)}[/bold]  {self.clock():%H:%M}")

    def person(self, user: SimUser, action: str) -> None:
        self.console.print(f"[cyan]{escape(self.names[user.id]):>22}[/cyan] ▸ {escape(action)}")

    def bot_message(self, message: ChatMessage) -> None:
        to = self.names.get(message.chat_id, str(message.chat_id))
        if message.photo:
            body = f"[foto] {message.caption or ''}"
        elif message.location:
            body = f"[locatie] {message.location[0]:.5f}, {message.location[1]:.5f}"
        else:
            body = _TAG.sub("", message.body)
        buttons = "  ".join(f"[{label}]" for label, _ in message.buttons())
        text = escape(body.replace("\n", "\n" + " " * 25))
        self.console.print(
            f"[green]{'bot → ' + escape(to):>22}[/green] ◂ {text}"
            + (f"\n{'':25}[magenta]{escape(buttons)}[/magenta]" if buttons else "")
        )


async def play(
    console: Console, municipality: Municipality, *, webhook: bool = False
) -> list[SignalRow]:
    """Run the demo day, print the transcript and a summary table; return the signals."""
    sim = BotApiSimulator(username="wijksignaal_demo_bot")
    await sim.start()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}")
        await upgrade(engine)
        clock = DemoClock(municipality, datetime.now(AMSTERDAM))
        services = Services(
            municipality=municipality, sessions=make_sessions(engine), texts=Texts(), clock=clock
        )
        plan = plan_day(municipality, clock.start)
        cast = _cast(sim, municipality, plan)
        group = SimGroup(sim, -1001, plan.group_title)
        cast.names[group.id] = group.title
        log = Transcript(console, clock, cast.names)
        sim.listeners.append(log.bot_message)
        for note in plan.notes:
            console.print(f"[yellow]Note:[/yellow] {escape(note)}")
        try:
            async with _bot(sim, services, webhook=webhook):
                await _day(log, clock, services, plan, cast, group)
                await services.sender.drain(timeout=20)
                await sim.quiet(0.5)
                await _monday(log, clock, services, group)
            signals = await _signals(services)
            _summary(console, services, signals)
            return signals
        finally:
            await engine.dispose()
            await sim.stop()


@dataclass
class Cast:
    """The simulated people: residents by first name, professionals by contact id."""

    residents: dict[str, SimUser]
    owners: dict[str, SimUser]
    names: dict[int, str]


def _cast(sim: BotApiSimulator, municipality: Municipality, plan: DemoPlan) -> Cast:
    residents = {name: SimUser(sim, 101 + n, name) for n, name in enumerate(plan.residents)}
    owners: dict[str, SimUser] = {}
    names = {user.id: f"{name} (bewoner)" for name, user in residents.items()}
    for n, contact_id in enumerate(plan.owners):
        contact = municipality.contacts[contact_id]
        first = (contact.name.split() or [contact_id])[0]
        owners[contact_id] = SimUser(sim, 201 + n, first)
        role = str(contact.role) if contact.role else contact.title or contact.organisation
        names[owners[contact_id].id] = f"{first} ({role})"
    return Cast(residents, owners, names)


def _bot(sim: BotApiSimulator, services: Services, *, webhook: bool) -> Any:
    """The bot polling the simulator, or `serve`'s app receiving it by webhook."""
    token, api_url, file_url = sim.token, sim.api_url, sim.file_url
    if not webhook:
        return running(services, token=token, api_url=api_url, file_url=file_url, poll_timeout=1)
    from bot.web.inprocess import free_port, serving, webhook_settings

    port = free_port()
    settings = webhook_settings(
        token=token,
        api_url=api_url,
        file_url=file_url,
        port=port,
        secret=secrets.token_urlsafe(24),
    )
    return serving(settings, services, port)


async def _day(
    log: Transcript,
    clock: DemoClock,
    services: Services,
    plan: DemoPlan,
    cast: Cast,
    group: SimGroup,
) -> None:
    owners, residents = cast.owners, cast.residents
    count = len(owners)
    log.scene(
        f"The coordinator links {count} professional{'s' if count != 1 else ''}"
        " with invitation links"
    )
    for contact_id, person in owners.items():
        async with services.sessions.begin() as session:
            token = await contacten.create_invite(
                session,
                purpose="contact",
                target=contact_id,
                at=clock(),
                valid_for=timedelta(days=7),
            )
        await _do(log, person, f"/start inv_{token[:6]}…", person.says(f"/start inv_{token}"))
        await person.expect("Welkom")
    async with services.sessions.begin() as session:
        code = await contacten.create_invite(
            session,
            purpose="group",
            target=plan.district.id,
            at=clock(),
            valid_for=timedelta(days=7),
        )
    first = owners[plan.owners[0]]
    log.person(first, f"in {group.title}: /koppel {code}")
    await group.member_says(first, f"/koppel {code}")
    await group.sim.wait_for(group.id, lambda m: "overzicht" in m.body)

    references: dict[PlannedReport, str] = {}
    for number, scene in enumerate(plan.scenes):
        await _settle(services)
        clock.jump_to(*scene.at)
        log.scene(scene.title)
        for report in scene.reports:
            user = residents[report.reporter]
            if report.deep_link:
                link = f"/start {report.deep_link}"
                await _do(log, user, link, user.says(link))
                where = services.municipality.neighbourhoods[report.deep_link].name
                await user.expect(f"U meldt voor {where}")  # the name as the bot shows it
            elif number == 0:
                await _do(log, user, "/start", user.says("/start"))
                await user.expect("Typ gewoon")
            references[report] = await _report(log, services, user, report)
        if scene.kind == "hotspot":
            await owners[scene.reports[-1].owner].expect("hoort bij een plek met veel meldingen")

    await _settle(services)
    clock.jump_to(11, 0)
    log.scene("The owners take their reports on")
    for report in plan.closed:
        await _tap(log, owners[report.owner], "Oppakken", references[report])
    for report in plan.closed:
        await residents[report.reporter].expect("is met uw melding")

    await _settle(services)
    clock.jump_to(15, 30)
    log.scene("Done: the owners close with a note; the reporters answer")
    for report in plan.closed:
        owner, reference = owners[report.owner], references[report]
        await _tap(log, owner, "Afgerond", reference)
        await owner.expect("Wat is er gedaan")
        await _say(log, owner, report.note or "")
        await owner.expect(f"{reference} is afgerond")
    for report in plan.closed:
        user = residents[report.reporter]
        if report.solved:
            await _tap(log, user, "Ja, opgelost", "Is het probleem opgelost?")
            await user.expect("Fijn om te horen")
        else:
            await _tap(log, user, "Nee, niet opgelost", "Is het probleem opgelost?")
            await user.expect("Jammer")
            await owners[report.owner].expect("Heropende melding")


async def _monday(log: Transcript, clock: DemoClock, services: Services, group: SimGroup) -> None:
    """The next Monday morning: the working group gets its weekly digest; reminders go out."""
    days = 7 - clock().weekday()
    clock.jump_to(8, 31, days=days)
    log.scene(f"Next Monday 08:30: {group.title} gets its digest (care signals as counts)")
    before = len(group.inbox())
    report = await tick(services, clock())
    await _settle(services)
    try:
        await group.sim.wait_for(group.id, lambda m: True, after=before, timeout=20)
        # The chart follows its digest; a district without reports gets none.
        await group.sim.wait_for(group.id, lambda m: m.photo is not None, after=before, timeout=5)
    except TimeoutError:
        log.console.print(f"{'':25}(no chart arrived; {report.timers} timer(s) acted on)")
        return
    chart = next(m for m in reversed(group.inbox()) if m.photo)
    path = Path(tempfile.gettempdir()) / "wijksignaal-demo-digest.png"
    path.write_bytes(group.sim.files[chart.photo or ""])
    log.console.print(f"{'':25}(chart saved to {path}; {report.timers} timer(s) acted on)")


async def _settle(services: Services) -> None:
    """Let the outbox deliver what the last scene caused before the clock moves on."""
    sender = services.sender
    if sender is not None:
        await sender.drain(timeout=10)


async def _report(log: Transcript, services: Services, user: SimUser, report: PlannedReport) -> str:
    """A resident's whole report: their words, the theme, place, photo, contact; returns the
    reference the bot gives it."""
    await _say(log, user, report.text)
    label = services.municipality.themes[report.theme].label.get("nl")
    await _choose_theme(log, user, label)
    await user.expect("Waar is het?")
    await _say(log, user, report.place.typed)
    await user.expect("Wilt u er een foto")
    if report.photo:
        await _do(log, user, "[stuurt een foto]", user.sends_photo())
        await _tap(log, user, "Klaar", "1 foto ontvangen")
    else:
        await _tap(log, user, "Geen foto", "Wilt u er een foto")
    await _tap(log, user, "Normaal", "Hoe dringend")
    contact = "Ja, via Telegram" if report.named else "Nee, anoniem"
    await _tap(log, user, contact, "Mogen we contact")
    await _tap(log, user, "Versturen", "Klopt dit?")
    receipt = await user.expect("We hebben uw melding ontvangen")
    found = _REFERENCE.search(receipt.body)
    assert found is not None, receipt.body
    return found.group(1)


async def _choose_theme(log: Transcript, user: SimUser, label: str) -> None:
    """Answer the bot's theme question with the planned theme, whatever it suggested."""
    question = await user.expect("uw melding over")
    labels = [text for text, _ in question.buttons()]
    if label in labels:  # two likely themes, or every theme: tap it
        await _press(log, user, question, label)
    elif f"over {label}?" in question.body:  # "Gaat uw melding over <label>?"
        await _press(log, user, question, "Ja")
    else:
        other = next(t for t in labels if "anders" in t.lower())
        await _press(log, user, question, other)
        await _press(log, user, await user.expect("Waar gaat uw melding over?"), label)


async def _do(log: Transcript, user: SimUser, shown: str, action: object) -> None:
    log.person(user, shown)
    await action  # type: ignore[misc]


async def _say(log: Transcript, user: SimUser, text: str) -> None:
    await _do(log, user, text, user.says(text))


async def _press(log: Transcript, user: SimUser, message: ChatMessage, label: str) -> None:
    """Tap the button labelled exactly `label` (else the first that contains it)."""
    buttons = message.buttons()
    data = next((d for t, d in buttons if t == label), None)
    if data is None:
        data = next(d for t, d in buttons if label.lower() in t.lower())
    await _do(log, user, f"tikt op [{label}]", user.taps_data(data, message))


async def _tap(log: Transcript, user: SimUser, label: str, on: str) -> None:
    """Tap `label` on the latest message that says `on` and has that button."""

    def fits(m: ChatMessage) -> bool:
        return on in m.body and any(label.lower() in t.lower() for t, _ in m.buttons())

    await user.sim.wait_for(user.id, fits)
    await _press(log, user, next(m for m in reversed(user.inbox()) if fits(m)), label)


async def _signals(services: Services) -> list[SignalRow]:
    async with services.sessions() as session:
        return list(await session.scalars(select(SignalRow).order_by(col(SignalRow.id))))


def _owner(services: Services, signal: SignalRow) -> str:
    """The owner's role and place, short enough for a table column."""
    contact = services.municipality.contacts[signal.contact_id]
    neighbourhood = services.municipality.neighbourhoods.get(signal.neighbourhood or "")
    place = neighbourhood.name if neighbourhood else services.municipality.name
    role = services.municipality.role_label(contact.role, "nl") or str(contact.role)
    return services.texts("knoppen.eigenaar", "nl", rol=role, plek=place)


def _summary(console: Console, services: Services, signals: list[SignalRow]) -> None:
    table = Table(title="The day in figures: every report has exactly one owner")
    for column in ("reference", "theme", "owner", "rule (why)", "status", "solved", "due"):
        # An owner's long words ("stadsdeelcoördinator") are never cut off at 80 columns.
        wide = 22 if column == "owner" else None
        table.add_column(column, no_wrap=column in ("reference", "due"), min_width=wide)
    for s in signals:
        table.add_row(
            s.reference,
            theme_label(services, s.theme, "nl"),
            _owner(services, s),
            s.rule_id,
            services.texts("knoppen.status", "nl", waarde=s.status),
            {True: "ja", False: "nee", None: "–"}[s.solved],
            say_date(s.deadline, "nl", with_day=False),
        )
    console.print(table)
