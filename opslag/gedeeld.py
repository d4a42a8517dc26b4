"""Small SQL helpers that both SQLite and PostgreSQL understand."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect(session: AsyncSession) -> str:
    bind = session.get_bind()
    return bind.dialect.name


async def insert_ignore(session: AsyncSession, table: Any, values: dict[str, Any]) -> bool:
    """Insert a row unless a unique key already holds it; tell whether it was new."""
    insert = postgresql.insert if dialect(session) == "postgresql" else sqlite.insert
    # RETURNING, not rowcount: psycopg reports -1 for a skipped row in some modes.
    key = next(iter(table.__table__.primary_key.columns))
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(key)
    result = await session.execute(statement)
    return result.first() is not None
