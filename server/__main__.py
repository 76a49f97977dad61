"""The Caseway command line: `python -m server COMMAND` (or `caseway COMMAND`). `--help` lists the commands."""

import argparse
import asyncio
import getpass
import os
import sys

from server.config import Settings


def _database(settings: Settings):
    from server.db import Database

    return Database(settings.database_url)


async def _migrate(settings: Settings) -> None:
    from server.migrations import upgrade

    db = _database(settings)
    try:
        await upgrade(db)
    finally:
        await db.dispose()


async def _demo(settings: Settings) -> None:
    from server.demo import DEMO_PASSWORD, load_demo
    from server.migrations import upgrade

    db = _database(settings)
    try:
        await upgrade(db)
        result = await load_demo(db, hash_profile=settings.password_hash_profile)
    finally:
        await db.dispose()
    print("Loaded the City of Cosville demo." if result.created else "The Cosville demo is already loaded.")
    print(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
    for user in result.users:
        print(f"  {user.email:<32} {user.name:<16} {user.role.value.lower().replace('_', ' ')}")


async def _create_user(settings: Settings, args: argparse.Namespace) -> None:
    from sqlmodel import select

    from server.domain.agencies import get_or_create_agency
    from server.domain.errors import DomainError
    from server.domain.network.models import Provider
    from server.domain.principal import Role
    from server.domain.users import create_user

    password = args.password or os.environ.get("CASEWAY_PASSWORD") or getpass.getpass("Password: ")
    role = Role(args.role.upper().replace("-", "_"))
    db = _database(settings)
    try:
        async with db.write() as session:
            agency_id = provider_id = None
            if args.agency:
                agency_id = (await get_or_create_agency(session, name=args.agency, time_zone=args.time_zone)).id
            if args.provider:
                provider = (await session.exec(select(Provider).where(Provider.name == args.provider))).first()
                if provider is None:
                    raise SystemExit(f"No provider named {args.provider!r}.")
                provider_id = provider.id
            await create_user(
                session,
                email=args.email,
                full_name=args.name,
                role=role,
                password=password,
                agency_id=agency_id,
                provider_id=provider_id,
                hash_profile=settings.password_hash_profile,
                phone=args.phone,
            )
    except DomainError as error:
        raise SystemExit(f"{error.field}: {error.message}") from None
    finally:
        await db.dispose()
    print(f"Created {args.email} ({role.value.lower()}).")


async def _token(settings: Settings, email: str) -> None:
    from server.core.tokens import issue_token
    from server.domain.users import find_user

    db = _database(settings)
    try:
        async with db.read() as session:
            user = await find_user(session, email)
    finally:
        await db.dispose()
    if user is None or not user.active:
        raise SystemExit(f"No active user {email}.")
    token = issue_token(
        settings.secret_key, user_id=user.id, ttl_seconds=settings.token_ttl_seconds, generation=user.token_generation
    )
    print(f"Authorization: Bearer {token}")


def server_options(settings: Settings) -> dict:
    """uvicorn's options for `serve`: no `Server` header; forwarded headers are the app's to judge (TRUSTED_PROXIES),
    not uvicorn's (which would trust 127.0.0.1 by default)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        "server_header": False,
        "proxy_headers": False,
    }


def _serve(settings: Settings, workers: int = 1) -> None:
    """One process, or `workers` processes sharing the port. Each worker builds its own app (and database pool)
    from the same environment, so uvicorn is given the factory's import string rather than an app."""
    import uvicorn

    from server.app import create_app
    from server.db import is_sqlite

    processes = "" if workers == 1 else f" in {workers} worker processes"
    print(f"Caseway at http://{settings.host}:{settings.port}/graphql (portal: /portal/){processes}. Ctrl+C stops it.")
    if workers > 1 and is_sqlite(settings.database_url):
        print("SQLite takes one writer at a time: with several workers, prefer PostgreSQL (see README, Deploying).")
    if workers == 1:
        uvicorn.run(create_app(settings), **server_options(settings))
    else:
        uvicorn.run("server.app:create_app", factory=True, workers=workers, **server_options(settings))


def worker_count(value: str) -> int:
    """`--workers N`: a whole number, 1 or more."""
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of processes, 1 or more (not {value!r})")
    return count


WORKERS_HELP = (
    "worker processes sharing the port (default 1); use PostgreSQL for more than one: SQLite takes one writer at a time"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m server", description="Caseway: run and manage the service.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API, GraphiQL and the portal")
    serve.add_argument("--workers", type=worker_count, default=1, metavar="N", help=WORKERS_HELP)
    demo = commands.add_parser("demo", help="migrate and load the City of Cosville demo (once)")
    demo.add_argument("--serve", action="store_true", help="then serve")
    demo.add_argument("--workers", type=worker_count, default=1, metavar="N", help=f"with --serve: {WORKERS_HELP}")
    commands.add_parser("migrate", help="bring the database to the latest schema")
    user = commands.add_parser("create-user", help="add a user to an agency or a provider")
    user.add_argument("--email", required=True)
    user.add_argument("--name", required=True)
    user.add_argument(
        "--role", required=True, help="caseworker, supervisor, agency-admin, provider-staff, provider-admin"
    )
    employer = user.add_mutually_exclusive_group(required=True)
    employer.add_argument("--agency", help="agency name (created if new)")
    employer.add_argument("--provider", help="provider name (must exist)")
    user.add_argument("--phone", help="work phone; agency staff's shows, with their email, on the referrals they send")
    user.add_argument("--time-zone", default="America/Chicago", help="IANA time zone of a new agency")
    user.add_argument(
        "--password", help="at least 12 characters, not the email; else $CASEWAY_PASSWORD, else asked for"
    )
    token = commands.add_parser("token", help="print an Authorization header for a user, for GraphiQL")
    token.add_argument("email")
    commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    revision = commands.add_parser("revision", help="(developers) autogenerate a migration")
    revision.add_argument("message")

    args = parser.parse_args(argv)
    if args.command == "demo" and args.workers != 1 and not args.serve:
        parser.error("demo: --workers goes with --serve")
    settings = Settings.from_env()
    if args.command == "serve":
        _serve(settings, args.workers)
    elif args.command == "demo":
        asyncio.run(_demo(settings))
        if args.serve:
            _serve(settings, args.workers)
    elif args.command == "migrate":
        asyncio.run(_migrate(settings))
        print("The database is up to date.")
    elif args.command == "create-user":
        asyncio.run(_create_user(settings, args))
    elif args.command == "token":
        asyncio.run(_token(settings, args.email))
    elif args.command == "export-schema":
        from strawberry.printer import print_schema

        from server.graphql.schema import build_schema

        sys.stdout.write(print_schema(build_schema(settings)) + "\n")
    elif args.command == "revision":
        from server.migrations import revision as make_revision

        make_revision(settings.database_url, args.message)


if __name__ == "__main__":
    main()
