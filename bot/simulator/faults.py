"""Faults the simulator injects: one on request (`fail_next`, `delay_next`), or a share of
all calls at random from a seed (`inject_faults`)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

SENDING = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendLocation"})
FAULTABLE = frozenset(
    {*SENDING, "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery", "getUpdates"}
)
DROPPED = 0  # the status of a fault that drops the connection before anything is done


@dataclass
class Fault:
    method: str
    status: int
    description: str
    retry_after: int | None
    times: int
    chat_id: int | None = None
    delay: float = 0.0  # when set: do the call, then answer only after this many seconds


@dataclass
class Chaos:
    """Random faults on a share of the calls to `methods`, from a seed (a run replays).

    Each faulted call gets one of: 500, 502, 429 with a retry_after of 1-3 s, a dropped
    connection before Telegram does anything, or an answer held back `delay` seconds after
    the call took effect (the slow answer that makes an impatient client send twice).
    """

    rate: float
    rnd: random.Random
    methods: frozenset[str]
    delay: tuple[float, float] = (6.0, 12.0)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def draw(self, method: str) -> Fault | None:
        if method not in self.methods or self.rnd.random() >= self.rate:
            return None
        kind = self.rnd.choice(("500", "502", "429", "drop", "slow"))
        self.counts[kind] += 1
        if kind == "slow":
            return Fault(method, 200, "", None, 1, delay=self.rnd.uniform(*self.delay))
        if kind == "drop":
            return Fault(method, DROPPED, "dropped", None, 1)
        if kind == "429":
            wait = self.rnd.randint(1, 3)
            return Fault(method, 429, f"Too Many Requests: retry after {wait}", wait, 1)
        return Fault(
            method, int(kind), "Internal Server Error" if kind == "500" else "Bad Gateway", None, 1
        )
