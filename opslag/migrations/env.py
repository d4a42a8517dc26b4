"""Alembic environment: runs on the connection handed over by opslag.database."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import opslag.tabellen  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through `wijksignaal db upgrade` (opslag.database)")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
