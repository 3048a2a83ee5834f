"""`janua serve | migrate | users unlock | create-admin | keys rotate | keys list`: the
server's command line."""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
from typing import TYPE_CHECKING

import uvicorn

from janua_server import __version__
from janua_server.settings import Settings

if TYPE_CHECKING:
    from janua_server.core.keys import Rotation


def _prepare_shared_state() -> None:
    """What the workers of one server share, made once before they start: the database at
    head (so they do not race each other to migrate) and the signing and encryption keys (so
    they all sign with one key)."""
    from janua_server.app import build_runtime
    from janua_server.migrations import upgrade_to_head

    settings = Settings()
    if settings.should_auto_migrate:
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        upgrade_to_head(settings.database_url)
    build_runtime(settings)


def _serve(args: argparse.Namespace) -> int:
    settings = Settings()
    host = args.host or settings.host
    port = args.port or settings.port
    if args.workers > 1:
        # In a child process: importing the app costs about 55 MiB that the supervisor, which
        # only watches the workers, would otherwise keep for its whole life.
        prepare = multiprocessing.get_context("spawn").Process(target=_prepare_shared_state)
        prepare.start()
        prepare.join()
        if prepare.exitcode != 0:
            print("janua: could not prepare the database and keys (see above)", file=sys.stderr)
            return 1
        os.environ["AUTO_MIGRATE"] = "false"
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
    from janua_server.migrations import upgrade_to_head

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


# The password of `janua create-admin`, when not typed at the prompt (scripts, containers).
ADMIN_PASSWORD_ENV = "JANUA_ADMIN_PASSWORD"  # noqa: S105 - a variable name, not a secret


def _admin_password() -> str | None:
    """From JANUA_ADMIN_PASSWORD, else typed twice at a prompt; never from argv, where `ps`
    and shell history would show it."""
    from_env = os.environ.get(ADMIN_PASSWORD_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        print(f"janua: set {ADMIN_PASSWORD_ENV} or run in a terminal", file=sys.stderr)
        return None
    import getpass

    password = getpass.getpass("Password for the new admin: ")
    if getpass.getpass("Repeat it: ") != password:
        print("janua: the passwords differ", file=sys.stderr)
        return None
    return password


def _create_admin(args: argparse.Namespace) -> int:
    from janua_server.admin import service as admin

    settings = Settings()
    if args.promote:
        user_id = asyncio.run(_with_database(settings, admin.promote, email=args.email, via="cli"))
        if user_id is None:
            print(f"janua: no account has the address {args.email}", file=sys.stderr)
            return 1
        print(f"janua: {args.email} is a platform admin now ({user_id})")
        return 0
    password = _admin_password()
    if password is None:
        return 1
    try:
        user_id = asyncio.run(
            _with_database(
                settings,
                admin.create_admin,
                settings=settings,
                email=args.email,
                password=password,
                name=args.name,
                via="cli",
            )
        )
    except admin.BootstrapRefused as exc:
        print(f"janua: {exc}", file=sys.stderr)
        return 1
    if user_id is None:
        print(f"janua: {args.email} is a platform admin already; nothing changed")
        return 0
    print(f"janua: created platform admin {args.email} ({user_id})")
    return 0


def _clients_create(args: argparse.Namespace) -> int:
    """Register an OAuth client and print its secret, the only time it is shown."""
    from pydantic import ValidationError

    from janua_server.contract.models import CreateOAuthClientRequest
    from janua_server.core.audit import Origin
    from janua_server.core.errors import ApiError
    from janua_server.oidc.clients import service as clients

    wanted = {
        "name": args.name,
        "token_endpoint_auth_method": "none" if args.public else args.auth_method,
        "redirect_uris": args.redirect_uri or [],
        "post_logout_redirect_uris": args.post_logout_redirect_uri or [],
        "first_party": args.first_party,
    }
    if args.grant_type:
        wanted["grant_types"] = args.grant_type
    if args.scope:
        wanted["scopes"] = args.scope
    try:
        body = CreateOAuthClientRequest.model_validate(wanted)
        created = asyncio.run(
            _with_database(
                Settings(),
                clients.register,
                body=body,
                actor_id=None,
                origin=Origin(user_agent="janua-cli"),
            )
        )
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            print(f"janua: {'.'.join(map(str, error['loc']))}: {error['msg']}", file=sys.stderr)
        return 1
    except ApiError as exc:
        for error in exc.errors or []:
            print(f"janua: {error.pointer}: {error.detail}", file=sys.stderr)
        if not exc.errors:
            print(f"janua: {exc.detail}", file=sys.stderr)
        return 1
    print(f"client_id:     {created.client_id}")
    if created.client_secret is not None:
        print(f"client_secret: {created.client_secret}")
        print("janua: the secret is shown this once; Janua keeps only its SHA-256 digest")
    return 0


async def _with_database(config: Settings, action, **kwargs):
    from janua_server.core.db import Database

    db = Database(config.database_url)
    try:
        return await action(db, **kwargs)
    finally:
        await db.close()


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

    create_admin = commands.add_parser(
        "create-admin",
        help=f"create a platform admin (password from {ADMIN_PASSWORD_ENV} or a prompt)",
    )
    create_admin.add_argument("--email", required=True, help="the admin's email address")
    create_admin.add_argument("--name", help="the admin's display name")
    create_admin.add_argument(
        "--promote",
        action="store_true",
        help="make the existing account of --email a platform admin instead (no password)",
    )
    create_admin.set_defaults(func=_create_admin)

    oauth_clients = commands.add_parser("clients", help="manage OAuth clients")
    clients_commands = oauth_clients.add_subparsers(dest="clients_command", required=True)
    clients_create = clients_commands.add_parser(
        "create", help="register an OAuth client and print its secret (shown once)"
    )
    clients_create.add_argument("--name", required=True, help="shown on the consent page")
    clients_create.add_argument(
        "--public", action="store_true", help="a public client (SPA, native app): no secret, PKCE"
    )
    clients_create.add_argument(
        "--auth-method",
        choices=["client_secret_basic", "client_secret_post"],
        default="client_secret_basic",
        help="how a confidential client authenticates (default client_secret_basic)",
    )
    clients_create.add_argument("--redirect-uri", action="append", help="repeat for several")
    clients_create.add_argument(
        "--post-logout-redirect-uri", action="append", help="repeat for several"
    )
    clients_create.add_argument(
        "--grant-type",
        action="append",
        choices=["authorization_code", "refresh_token", "client_credentials"],
        help="repeat for several (default authorization_code and refresh_token)",
    )
    clients_create.add_argument(
        "--scope",
        action="append",
        help="repeat for several (default openid profile email offline_access)",
    )
    clients_create.add_argument(
        "--first-party", action="store_true", help="skip the consent page for this client"
    )
    clients_create.set_defaults(func=_clients_create)

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
