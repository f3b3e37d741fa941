"""`python -m service`: serve, migrate, create-user, seed-demo, the API keys, and backup."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence

from service import db
from service.config import ConfigError, Settings, load_settings, unknown_variables
from service.errors import DomainError
from service.models import Role


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


async def _with_database(settings: Settings, work: Callable[[], Awaitable[None]]) -> None:
    await db.start(settings.database_url)
    try:
        await work()
    finally:
        await db.stop()


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from web.serving import listening_socket, serve

    host, port = args.host or settings.host, args.port or settings.port
    try:
        sock = listening_socket(host, port)
    except OSError as exc:
        return _fail(f"cannot listen on {host}:{port} (BTL_HOST, BTL_PORT): {exc.strerror}")
    workers = args.workers or settings.workers
    print(f"btl serving on http://{host}:{port} ({workers} worker{'s' * (workers > 1)})")
    serve(settings, sock, workers=workers)
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    asyncio.run(db.migrate(settings.database_url))
    print("migrations applied")
    return 0


def _create_user(settings: Settings, args: argparse.Namespace) -> int:
    from service import accounts

    try:
        role = Role(args.role.upper())
    except ValueError:
        return _fail(f"unknown role {args.role!r}: expected READER, MODERATOR or ADMIN")

    async def work() -> None:
        user = await accounts.create_user(
            email=args.email, password=args.password, display_name=args.display_name, role=role
        )
        print(f"created {user.role} {user.email} (id {user.id})")

    asyncio.run(_with_database(settings, work))
    return 0


def _seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    from service.demo import seed

    asyncio.run(_with_database(settings, seed))
    return 0


def _create_api_key(settings: Settings, args: argparse.Namespace) -> int:
    from service import api_keys

    scopes = api_keys.parse_scopes(args.scope)

    async def work() -> None:
        key, token = await api_keys.create(args.name, scopes)
        print(f"created API key {key.name!r} with scopes {key.scopes}")
        print("It is shown only this once: keep it in the caller's secret store now.")
        print(token)  # alone on the last line, for scripts

    asyncio.run(_with_database(settings, work))
    return 0


def _list_api_keys(settings: Settings, args: argparse.Namespace) -> int:
    from service import api_keys

    async def work() -> None:
        keys = await api_keys.all_keys()
        if not keys:
            print("no API keys")
        for key in keys:
            state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
            print(f"{key.name}\t{key.scopes}\tcreated {key.created_at:%Y-%m-%d %H:%M}\t{state}")

    asyncio.run(_with_database(settings, work))
    return 0


def _revoke_api_key(settings: Settings, args: argparse.Namespace) -> int:
    from service import api_keys

    async def work() -> None:
        key = await api_keys.revoke(args.name)
        print(f"revoked API key {key.name!r}: requests with it are refused from now on")

    asyncio.run(_with_database(settings, work))
    return 0


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from service.backup import BackupError, backup

    try:
        done = backup(settings.database_url, Path(args.path))
    except BackupError as exc:
        return _fail(str(exc))
    print(f"backed up {done.source} to {done.target} ({done.pages} pages, checked)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service", description="btl commenting service")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve /graphql over HTTP")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    commands.add_parser("migrate", help="apply database migrations")
    create = commands.add_parser("create-user", help="create an account (e.g. the first admin)")
    create.add_argument("--email", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--display-name", required=True)
    create.add_argument("--role", default="READER", help="READER, MODERATOR or ADMIN")
    commands.add_parser("seed-demo", help="fill the database with a demo thread")
    create_key = commands.add_parser(
        "create-api-key", help="a key for a machine caller (prints it once)"
    )
    create_key.add_argument("--name", required=True, help="who uses it, e.g. subscriptions")
    create_key.add_argument("--scope", required=True, help="entitlements, articles, or both")
    commands.add_parser("list-api-keys", help="every API key, active or revoked")
    revoke_key = commands.add_parser("revoke-api-key", help="refuse a key from now on")
    revoke_key.add_argument("--name", required=True)
    backup = commands.add_parser(
        "backup", help="copy the SQLite database to PATH while it serves (PostgreSQL: pg_dump)"
    )
    backup.add_argument("path", metavar="PATH")
    args = parser.parse_args(argv)

    handlers = {
        "serve": _serve,
        "migrate": _migrate,
        "create-user": _create_user,
        "seed-demo": _seed_demo,
        "create-api-key": _create_api_key,
        "list-api-keys": _list_api_keys,
        "revoke-api-key": _revoke_api_key,
        "backup": _backup,
    }
    try:
        settings = load_settings()
        for warning in unknown_variables():
            print(f"warning: {warning}", file=sys.stderr)
        return handlers[args.command](settings, args)
    except ConfigError as exc:
        return _fail(str(exc))
    except DomainError as exc:
        return _fail(exc.message)
    except (OSError, ConnectionError) as exc:
        return _fail(f"cannot reach the database: {exc}")
    except Exception as exc:  # a CLI prints one line, never a traceback
        return _fail(f"{type(exc).__name__}: {exc}")


if __name__ == "__main__":
    sys.exit(main())
