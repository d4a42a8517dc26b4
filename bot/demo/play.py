"""`wijksignaal demo`: a short day in Deventer, played through the simulator by the real bot."""

from __future__ import annotations

import asyncio
import re
import secrets
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlmodel import col, select

from bot.chat.app import running
from bot.simulator.people import SimGroup, SimUser
from bot.simulator.server import BotApiSimulator, ChatMessage
from kern.services import Services
from kern.texts import Texts, say_date
from kern.ticker import tick
from opslag import contacten
from opslag.database import make_engine, make_sessions, upgrade
from opslag.tabellen import SignalRow
from regels.gemeente import Municipality
from signalen.werkdagen import AMSTERDAM

_TAG = re.compile(r"<[^>]+>")


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


async def play(console: Console, municipality: Municipality, *, webhook: bool = False) -> None:
    """Run the demo day and print the transcript and a summary table."""
    sim = BotApiSimulator(username="wijksignaal_demo_bot")
    await sim.start()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}")
        await upgrade(engine)
        clock = DemoClock(municipality, datetime.now(AMSTERDAM))
        services = Services(
            municipality=municipality, sessions=make_sessions(engine), texts=Texts(), clock=clock
        )
        owners = {"olaf": "wb-rivierenwijk", "bram": "wa-voorstad", "hatice": "st-keizerslanden"}
        people = {
            "fatima": SimUser(sim, 101, "Fatima"),
            "kees": SimUser(sim, 102, "Kees"),
            "ans": SimUser(sim, 103, "Ans"),
            "dirk": SimUser(sim, 104, "Dirk"),
            "noor": SimUser(sim, 105, "Noor"),
        }
        for n, (key, contact_id) in enumerate(owners.items()):
            people[key] = SimUser(sim, 201 + n, municipality.contacts[contact_id].name.split()[0])
        names = {
            p.id: p.first_name
            + (f" ({municipality.contacts[owners[k]].role.value})" if k in owners else " (bewoner)")
            for k, p in people.items()
        }
        group = SimGroup(sim, -1001, "Wijkwerkgroep Rivierenwijk")
        names[group.id] = group.title
        log = Transcript(console, clock, names)
        sim.listeners.append(log.bot_message)
        try:
            async with _bot(sim, services, webhook=webhook):
                await _day(log, clock, services, people, owners, group)
                await services.sender.drain(timeout=20)
                await sim.quiet(0.5)
                await _monday(log, clock, services, group)
            _summary(console, services, await _signals(services))
        finally:
            await engine.dispose()
            await sim.stop()


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
    p: dict[str, SimUser],
    owners: dict[str, str],
    group: SimGroup,
) -> None:
    log.scene("The coordinator links three professionals with invitation links")
    for key, contact_id in owners.items():
        async with services.sessions.begin() as session:
            token = await contacten.create_invite(
                session,
                purpose="contact",
                target=contact_id,
                at=clock(),
                valid_for=timedelta(days=7),
            )
        await _do(log, p[key], f"/start inv_{token[:6]}…", p[key].says(f"/start inv_{token}"))
        await p[key].expect("Welkom")
    async with services.sessions.begin() as session:
        code = await contacten.create_invite(
            session, purpose="group", target="rivierenwijk", at=clock(), valid_for=timedelta(days=7)
        )
    log.person(p["olaf"], f"in {group.title}: /koppel {code}")
    await group.member_says(p["olaf"], f"/koppel {code}")
    await group.sim.wait_for(group.id, lambda m: "overzicht" in m.body)

    await _settle(services)
    log.scene("Fatima reports rubbish dumped beside the containers in the Deltabuurt")
    fatima = p["fatima"]
    await _do(log, fatima, "/start", fatima.says("/start"))
    await fatima.expect("Typ gewoon")
    await _report(
        log,
        fatima,
        "Weer vuilniszakken en een matras naast de ondergrondse container",
        "Rijnstraat 12",
        photo=True,
        contact="Anoniem",
    )

    await _settle(services)
    clock.jump_to(9, 10)
    log.scene("Two neighbours report more bags on the same street: a hotspot")
    for key, number in (("dirk", "14"), ("noor", "20")):
        await _report(
            log,
            p[key],
            "Alweer zakken bij de container",
            f"Rijnstraat {number}",
            photo=False,
            contact="Anoniem",
        )
    await p["olaf"].expect("hoort bij een plek met veel meldingen")

    await _settle(services)
    clock.jump_to(9, 20)
    log.scene("Kees reports nuisance in a stairwell in Sluiswijk")
    await _report(
        log,
        p["kees"],
        "Elke avond overlast van jongeren met scooters in ons portiek",
        "Randerstraat 3",
        photo=False,
        contact="Ja, via Telegram",
    )

    await _settle(services)
    clock.jump_to(9, 40)
    log.scene("Ans opens the Keizerslanden link and worries about a lonely neighbour")
    ans = p["ans"]
    await _do(log, ans, "/start keizerslanden", ans.says("/start keizerslanden"))
    await ans.expect("U meldt voor Keizerslanden")
    await _report(
        log,
        ans,
        "Mijn buurvrouw is sinds de dood van haar man erg eenzaam en eet slecht",
        "Weet ik niet",
        photo=False,
        contact="Anoniem",
    )

    await _settle(services)
    clock.jump_to(11, 0)
    log.scene("The owners take their reports on")
    for key, reference in (("olaf", "000001"), ("bram", "000004"), ("hatice", "000005")):
        await _tap(log, p[key], "Oppakken", reference)
    await ans.expect("is met uw melding")

    await _settle(services)
    clock.jump_to(15, 30)
    log.scene("Done: the owners close with a note; the reporters answer")
    for key, note in (
        ("olaf", "Opgehaald door de wijkbeheerploeg; bewoners met een brief aangesproken."),
        ("bram", "Met de jongeren en hun ouders gesproken; ik loop vanavond langs."),
        ("hatice", "Er is contact gelegd; wij houden een oogje in het zeil."),
    ):
        await _tap(log, p[key], "Afgerond", "Melding WS")
        await p[key].expect("Wat is er gedaan")
        await _say(log, p[key], note)
        await p[key].expect("is afgerond")
    await _tap(log, fatima, "Ja, opgelost", "Is het probleem opgelost?")
    await fatima.expect("Fijn om te horen")
    await _tap(log, p["kees"], "Nee, niet opgelost", "Is het probleem opgelost?")
    await p["kees"].expect("Jammer")
    await p["bram"].expect("Heropende melding")
    await _tap(log, ans, "Ja, opgelost", "Is het probleem opgelost?")
    await ans.expect("Fijn om te horen")


async def _monday(log: Transcript, clock: DemoClock, services: Services, group: SimGroup) -> None:
    """The next Monday morning: the working group gets its weekly digest; reminders go out."""
    days = 7 - clock().weekday()
    clock.jump_to(8, 31, days=days)
    log.scene("Next Monday 08:30: the wijkwerkgroep gets its digest (care signals as counts)")
    report = await tick(services, clock())
    await _settle(services)
    await group.sim.wait_for(group.id, lambda m: m.photo is not None, timeout=20)
    chart = next(m for m in reversed(group.inbox()) if m.photo)
    path = Path(tempfile.gettempdir()) / "wijksignaal-demo-digest.png"
    path.write_bytes(group.sim.files[chart.photo or ""])
    log.console.print(f"{'':25}(chart saved to {path}; {report.timers} timer(s) acted on)")


async def _settle(services: Services) -> None:
    """Let the outbox deliver what the last scene caused before the clock moves on."""
    sender = services.sender
    if sender is not None:
        await sender.drain(timeout=10)


async def _report(
    log: Transcript, user: SimUser, text: str, place: str, *, photo: bool, contact: str
) -> None:
    """A resident's whole report: their words, the suggested theme, place, photo, contact."""
    await _say(log, user, text)
    await _tap(log, user, "Ja", "Gaat uw melding over")
    await user.expect("Waar is het?")
    await _say(log, user, place)
    await user.expect("Wilt u er een foto")
    if photo:
        await _do(log, user, "[stuurt een foto]", user.sends_photo())
        await _tap(log, user, "Klaar", "foto ontvangen")
    else:
        await _tap(log, user, "Geen foto", "Wilt u er een foto")
    await _tap(log, user, "Normaal", "Hoe dringend")
    await _tap(log, user, contact, "Mogen we contact")
    await _tap(log, user, "Versturen", "Klopt dit?")
    await user.expect("We hebben uw melding ontvangen")


async def _do(log: Transcript, user: SimUser, shown: str, action: object) -> None:
    log.person(user, shown)
    await action  # type: ignore[misc]


async def _say(log: Transcript, user: SimUser, text: str) -> None:
    await _do(log, user, text, user.says(text))


async def _tap(log: Transcript, user: SimUser, label: str, on: str) -> None:
    message = await user.sim.wait_for(user.id, lambda m: on in m.body and bool(m.buttons()))
    await _do(log, user, f"tikt op [{label}]", user.taps(label, message))


async def _signals(services: Services) -> list[SignalRow]:
    async with services.sessions() as session:
        return list(await session.scalars(select(SignalRow).order_by(col(SignalRow.id))))


def _owner(services: Services, signal: SignalRow) -> str:
    """The owner's role and place, short enough for a table column."""
    contact = services.municipality.contacts[signal.contact_id]
    neighbourhood = services.municipality.neighbourhoods.get(signal.neighbourhood or "")
    place = neighbourhood.name if neighbourhood else services.municipality.name
    return services.texts("knoppen.eigenaar", "nl", rol=contact.role.value, plek=place)


def _summary(console: Console, services: Services, signals: list[SignalRow]) -> None:
    table = Table(title="The day in figures: every report has exactly one owner")
    for column in ("reference", "theme", "owner", "rule (why)", "status", "solved", "due"):
        table.add_column(column, no_wrap=column in ("reference", "due"))
    for s in signals:
        table.add_row(
            s.reference,
            s.theme or "?",
            _owner(services, s),
            s.rule_id,
            services.texts("knoppen.status", "nl", waarde=s.status),
            {True: "ja", False: "nee", None: "–"}[s.solved],
            say_date(s.deadline, "nl", with_day=False),
        )
    console.print(table)
