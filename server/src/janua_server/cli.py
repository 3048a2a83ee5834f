"""`janua serve | migrate | users unlock | keys rotate | keys list`: the server's command line."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import TYPE_CHECKING

import uvicorn

from janua_server import __version__
from janua_server.migrations import upgrade_to_head
from janua_server.settings import Settings

if TYPE_CHECKING:
    from janua_server.core.keys import Rotation


def _serve(args: argparse.Namespace) -> int:
    settings = Settings()
    host = args.host or settings.host
    port = args.port or settings.port
    if args.workers > 1:
        if settings.should_auto_migrate:
            # Migrate once here, so the workers do not race each other to do it.
            settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            upgrade_to_head(settings.database_url)
            os.environ["AUTO_MIGRATE"] = "false"
        # Generate the signing key before the workers start, so they all share one.
        from janua_server.app import build_runtime

        build_runtime(settings)
    uvicorn.run(
        "janua_server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        log_level=settings.log_level,
        proxy_headers=False,
        server_header=False,
    )
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    upgrade_to_head(settings.database_url)
    print(f"janua: database at head ({settings.database_backend})")
    return 0


def _users_unlock(args: argparse.Namespace) -> int:
    settings = Settings()
    if not settings.redis_url:
        # Embedded mode keeps locks in the server process's memory, out of this process's reach.
        print(
            "janua: no REDIS_URL, so sign-in locks live inside the running server; they expire "
            f"by themselves within LOCKOUT_MAX_SECONDS ({settings.lockout_max_seconds} s) and "
            "are cleared by a restart or a password reset",
            file=sys.stderr,
        )
        return 1
    asyncio.run(_unlock(settings.redis_url, args.email))
    print("janua: sign-in lock and failure count cleared")
    return 0


async def _unlock(redis_url: str, email: str) -> None:
    from janua_server.core.store import create_store
    from janua_server.sessions import lockout

    store = create_store(redis_url)
    try:
        await lockout.unlock(store, email)
    finally:
        await store.close()


def _keys_rotate(_args: argparse.Namespace) -> int:
    from janua_server.core import keys

    settings = Settings()
    rotation = keys.rotate(
        settings.private_key_path,
        publish_ahead_seconds=settings.key_publish_ahead_seconds,
        alg=settings.jwt_algorithm,
    )
    new = rotation.new.to_json()
    print(f"janua: new signing key {new['kid']}, published now, signs from {new['signs_from']}")
    if rotation.previous is not None:
        print(f"janua: key {rotation.previous.kid} stops signing then")
    try:
        asyncio.run(_audit_rotation(settings, rotation))
    except Exception as exc:  # the rotation stands; only its record failed
        print(f"janua: rotated, but the audit record failed: {exc!r}", file=sys.stderr)
    return 0


async def _audit_rotation(settings: Settings, rotation: Rotation) -> None:
    from janua_server.core import audit
    from janua_server.core.db import Database

    db = Database(settings.database_url)
    try:
        async with db.transaction() as conn:
            await audit.record(
                conn,
                "signing_key.rotated",
                user_id=None,
                origin=audit.Origin(),
                details={
                    "kid": rotation.new.kid,
                    "signs_from": rotation.new.to_json()["signs_from"],
                    "previous_kid": rotation.previous.kid if rotation.previous else None,
                },
            )
    finally:
        await db.close()


def _keys_list(_args: argparse.Namespace) -> int:
    from janua_server.app import build_keystore

    store = build_keystore(Settings())
    now, lifetime = store.clock(), store.token_lifetime
    signer = store.ring().current.kid
    print(f"{'KID':<44} {'STATE':<8} {'CREATED':<20} {'SIGNS FROM':<20} {'PUBLISHED UNTIL':<20}")
    for record in sorted(store.records, key=lambda r: r.signs_from):
        until = record.published_until(lifetime)
        state = "signing" if record.kid == signer else record.state(now, lifetime)
        print(
            f"{record.kid:<44} {state:<8} {_when(record.created_at):<20} "
            f"{_when(record.signs_from):<20} {'-' if until == float('inf') else _when(until):<20}"
        )
    return 0


def _when(timestamp: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="janua", description="Janua identity server")
    parser.add_argument("--version", action="version", version=f"janua {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the API server (settings from the environment)")
    serve.add_argument("--host", help="bind address (default HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default PORT or 4100)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.set_defaults(func=_serve)

    migrate = commands.add_parser("migrate", help="upgrade the database schema to the latest")
    migrate.set_defaults(func=_migrate)

    users = commands.add_parser("users", help="manage user accounts")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    unlock = users_commands.add_parser(
        "unlock", help="clear the sign-in lockout of an email address (needs REDIS_URL)"
    )
    unlock.add_argument("email", help="the address, in any case or Unicode form")
    unlock.set_defaults(func=_users_unlock)

    keys = commands.add_parser("keys", help="manage the token signing keys")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    rotate = keys_commands.add_parser(
        "rotate",
        help="add a signing key: published now, signing after KEY_PUBLISH_AHEAD_SECONDS",
    )
    rotate.set_defaults(func=_keys_rotate)
    keys_list = keys_commands.add_parser("list", help="show the keys, their state and dates")
    keys_list.set_defaults(func=_keys_list)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
