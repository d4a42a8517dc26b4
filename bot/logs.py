"""Logging for every process: ours at the configured level, noisy libraries quieter."""

from __future__ import annotations

import logging


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs request URLs (with the bot token); aiosqlite and SQLAlchemy log SQL parameters
    # (with what people wrote). Our own logs carry ids only.
    for noisy in ("httpx", "aiosqlite", "sqlalchemy.engine"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
