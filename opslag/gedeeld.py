"""Small SQL helpers that both SQLite and PostgreSQL understand."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert


def dialect(session: AsyncSession) -> str:
    bind = session.get_bind()
    return bind.dialect.name


async def insert_ignore(session: AsyncSession, table: Any, values: dict[str, Any]) -> bool:
    """Insert a row unless a unique key already holds it; tell whether it was new."""
    statement = _insert_ignore(dialect(session), table.__table__, tuple(values))
    result = await session.execute(statement, values)
    return result.first() is not None


@lru_cache(maxsize=64)
def _insert_ignore(dialect_name: str, table: Any, columns: tuple[str, ...]) -> Insert:
    """Built once per table and set of columns: every update of the bot runs one of these,
    and building the statement cost more than running it."""
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    # RETURNING, not rowcount: psycopg reports -1 for a skipped row in some modes.
    key = next(iter(table.primary_key.columns))
    return (
        insert(table)
        .values({name: bindparam(name) for name in columns})
        .on_conflict_do_nothing()
        .returning(key)
    )
