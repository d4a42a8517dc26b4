"""Shared fixtures: the bundled config, a writable copy of it, and real databases."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from opslag.database import SessionFactory, make_engine, make_sessions, upgrade
from regels.gemeente import Municipality
from regels.laden import bundled_example, load_municipality

AMS = ZoneInfo("Europe/Amsterdam")
PG_URL = os.environ.get("WIJKSIGNAAL_TEST_DATABASE_URL")


def local(*args: int) -> datetime:
    """An aware Amsterdam datetime: local(2026, 4, 27, 9, 30)."""
    return datetime(*args, tzinfo=AMS)  # type: ignore[misc]


@pytest.fixture(scope="session")
def deventer() -> Municipality:
    return load_municipality()


@pytest.fixture
def config_copy(tmp_path: Path) -> Callable[..., Path]:
    """Copy the bundled config and apply text edits: edit(file, old, new) pairs."""

    def make(*edits: tuple[str, str, str]) -> Path:
        target = tmp_path / "config"
        shutil.copytree(bundled_example(), target, dirs_exist_ok=True)
        for file, old, new in edits:
            path = target / file
            content = path.read_text(encoding="utf-8")
            assert old in content, f"test edit not applicable: {old!r} not in {file}"
            path.write_text(content.replace(old, new, 1), encoding="utf-8")
        return target

    return make


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(params=DATABASES)
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated, empty database: a SQLite file, or the configured PostgreSQL reset to empty."""
    if request.param == "sqlite":
        db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
    else:
        if not PG_URL:
            pytest.skip("WIJKSIGNAAL_TEST_DATABASE_URL not set (CI sets it)")
        db = make_engine(PG_URL)
        async with db.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(db)
    yield db
    await db.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> SessionFactory:
    return make_sessions(engine)
