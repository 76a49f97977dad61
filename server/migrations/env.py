"""Alembic's entry point. Runs on the connection `upgrade` hands it, or on its own engine for `revision`."""

import asyncio

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import server.domain.tables  # noqa: F401  (registers every table on SQLModel.metadata)
from server.db import create_engine

target_metadata = SQLModel.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_on_own_engine(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run)
    finally:
        await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    asyncio.run(run_on_own_engine(context.config.get_main_option("sqlalchemy.url")))
