"""The first platform admin: ADMIN_BOOTSTRAP_* at start-up (once, race-safe, never resetting
the password, never promoting someone else's account) and `janua create-admin`."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from janua_server import cli
from janua_server.accounts import service as accounts
from janua_server.accounts.tables import users
from janua_server.admin.service import BootstrapRefused
from janua_server.core.audit import audit_events
from janua_server.core.db import Database
from janua_server.migrations import upgrade_to_head
from janua_server.settings import Settings
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine
from support.admins import sign_in
from support.users import PASSWORD, register, unique_email

ADMIN_PASSWORD = "bootstrap admin password 2026"
OTHER_PASSWORD = "a different long password"


@pytest.fixture
def fresh(backend: str, make_settings, request: pytest.FixtureRequest) -> Iterator[dict]:
    """Settings overrides for a database without any admin: a new SQLite file (the test's own
    DATA_DIR) or a new PostgreSQL database, migrated here, outside the test's event loop."""
    if backend == "embedded":
        settings = make_settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade_to_head(settings.database_url)
        yield {}
        return
    shared = make_settings().database_url
    name = f"janua_boot_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin_sql(shared, f'CREATE DATABASE "{name}"'))
    url = shared.rsplit("/", 1)[0] + f"/{name}"
    upgrade_to_head(url)
    yield {"DATABASE_URL": url}
    asyncio.run(_admin_sql(shared, f'DROP DATABASE "{name}" WITH (FORCE)'))


async def _admin_sql(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def admins_and_events(settings: Settings) -> tuple[list, list]:
    db = Database(settings.database_url)
    try:
        async with db.connection() as conn:
            admins = list(await conn.execute(select(users).where(users.c.is_admin)))
            events = list(
                await conn.execute(
                    select(audit_events).where(audit_events.c.action == "admin.bootstrapped")
                )
            )
    finally:
        await db.close()
    return admins, events


async def test_the_first_start_creates_a_verified_admin_once(
    fresh, make_settings, open_client
) -> None:
    email = unique_email("root")
    settings = make_settings(
        **fresh, ADMIN_BOOTSTRAP_EMAIL=email, ADMIN_BOOTSTRAP_PASSWORD=ADMIN_PASSWORD
    )
    async with open_client(settings) as http:
        signed_in = await sign_in(http, email, ADMIN_PASSWORD)
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["user"]["email_verified"] is True
        auth = {"Authorization": f"Bearer {signed_in.json()['tokens']['access_token']}"}
        assert (await http.get("/api/v1/admin/stats", headers=auth)).status_code == 200

    # A later start with another password leaves the admin and its password alone.
    later = make_settings(
        **fresh, ADMIN_BOOTSTRAP_EMAIL=email, ADMIN_BOOTSTRAP_PASSWORD=OTHER_PASSWORD
    )
    async with open_client(later) as http:
        assert (await sign_in(http, email, ADMIN_PASSWORD)).status_code == 200
        assert (await sign_in(http, email, OTHER_PASSWORD)).status_code == 401

    admins, events = await admins_and_events(settings)
    assert [a.email for a in admins] == [email]
    assert [(e.user_id, e.actor_id, e.details) for e in events] == [
        (admins[0].id, admins[0].id, {"via": "startup"})
    ]


async def test_once_any_admin_exists_bootstrap_does_nothing(
    fresh, make_settings, open_client
) -> None:
    first, second = unique_email("first"), unique_email("second")
    async with open_client(
        make_settings(**fresh, ADMIN_BOOTSTRAP_EMAIL=first, ADMIN_BOOTSTRAP_PASSWORD=ADMIN_PASSWORD)
    ):
        pass
    settings = make_settings(
        **fresh, ADMIN_BOOTSTRAP_EMAIL=second, ADMIN_BOOTSTRAP_PASSWORD=ADMIN_PASSWORD
    )
    async with open_client(settings) as http:
        assert (await sign_in(http, second, ADMIN_PASSWORD)).status_code == 401
    admins, _ = await admins_and_events(settings)
    assert [a.email for a in admins] == [first]


async def test_two_processes_starting_together_create_one_admin(
    fresh, make_settings, open_client
) -> None:
    email = unique_email("race")
    settings = make_settings(
        **fresh,
        ADMIN_BOOTSTRAP_EMAIL=email,
        ADMIN_BOOTSTRAP_PASSWORD=ADMIN_PASSWORD,
        AUTO_MIGRATE="false",
    )
    apps = [open_client(settings) for _ in range(4)]
    await asyncio.gather(*(app.__aenter__() for app in apps))
    try:
        admins, events = await admins_and_events(settings)
        assert [a.email for a in admins] == [email]
        assert len(events) == 1
    finally:
        for app in apps:
            await app.__aexit__(None, None, None)


async def test_without_a_password_nobody_is_created(fresh, make_settings, open_client) -> None:
    settings = make_settings(**fresh, ADMIN_BOOTSTRAP_PASSWORD="")
    async with open_client(settings):
        pass
    assert await admins_and_events(settings) == ([], [])


async def test_a_weak_password_stops_the_start(fresh, make_settings, open_client) -> None:
    settings = make_settings(**fresh, ADMIN_BOOTSTRAP_PASSWORD="password")
    with pytest.raises(BootstrapRefused, match="admin password is refused"):
        async with open_client(settings):
            pass
    assert await admins_and_events(settings) == ([], [])


async def test_an_account_registered_first_is_never_promoted(
    fresh, make_settings, open_client
) -> None:
    email = unique_email("squatter")
    async with open_client(make_settings(**fresh)) as http:
        await register(http, email, PASSWORD)
    settings = make_settings(
        **fresh, ADMIN_BOOTSTRAP_EMAIL=email, ADMIN_BOOTSTRAP_PASSWORD=ADMIN_PASSWORD
    )
    async with open_client(settings) as http:  # starts (loudly logged), without an admin
        assert (await sign_in(http, email, ADMIN_PASSWORD)).status_code == 401
        assert (await sign_in(http, email, PASSWORD)).status_code == 200
    assert await admins_and_events(settings) == ([], [])


def test_create_admin_from_the_command_line(
    fresh, make_settings, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    settings = make_settings(**fresh)
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    email = unique_email("cli")

    monkeypatch.delenv(cli.ADMIN_PASSWORD_ENV, raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert cli.main(["create-admin", "--email", email]) == 1  # no password: none on argv
    assert cli.ADMIN_PASSWORD_ENV in capsys.readouterr().err

    monkeypatch.setenv(cli.ADMIN_PASSWORD_ENV, "short")
    assert cli.main(["create-admin", "--email", email]) == 1
    assert "refused" in capsys.readouterr().err

    monkeypatch.setenv(cli.ADMIN_PASSWORD_ENV, ADMIN_PASSWORD)
    assert cli.main(["create-admin", "--email", email, "--name", "Root"]) == 0
    assert "created platform admin" in capsys.readouterr().out
    assert cli.main(["create-admin", "--email", email]) == 0  # idempotent, password untouched
    assert "already" in capsys.readouterr().out

    other = unique_email("promoted")
    assert cli.main(["create-admin", "--promote", "--email", other]) == 1  # no such account
    asyncio.run(_register(settings, other))
    assert cli.main(["create-admin", "--email", other]) == 1  # someone else's account
    assert "--promote" in capsys.readouterr().err
    assert cli.main(["create-admin", "--promote", "--email", other]) == 0

    admins, events = asyncio.run(admins_and_events(settings))
    assert sorted(a.email for a in admins) == sorted([email, other])
    root = next(a for a in admins if a.email == email)
    assert (root.name, root.email_verified) == ("Root", True)
    assert [e.details for e in events] == [{"via": "cli"}]


async def _register(settings: Settings, email: str) -> None:
    db = Database(settings.database_url)
    try:
        async with db.transaction() as conn:
            await accounts.create_account(conn, email=email, password=PASSWORD, name=None)
    finally:
        await db.close()
