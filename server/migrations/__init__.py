"""Alembic migrations: `upgrade` brings a database to the latest schema; `revision` writes a new migration."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from server.db import Database, is_sqlite

HERE = Path(__file__).parent


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("path_separator", "os")
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade(db: Database, revision: str = "head") -> None:
    """Applies the migrations up to `revision` on `db`, in one transaction."""

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with db.engine.connect() as conn:
        if is_sqlite(db.url):
            # SQLite ignores this pragma inside a transaction, and batch migrations recreate tables.
            raw = await conn.get_raw_connection()
            await raw.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            async with conn.begin():
                await conn.run_sync(run)
                if is_sqlite(db.url):
                    problems = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
                    if problems:
                        raise RuntimeError(f"Migration left broken foreign keys: {problems[:5]}")
        finally:
            if is_sqlite(db.url):
                raw = await conn.get_raw_connection()
                await raw.driver_connection.execute("PRAGMA foreign_keys=ON")


def revision(database_url: str, message: str) -> None:
    """Autogenerates a migration from the difference between the models and `database_url`."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
