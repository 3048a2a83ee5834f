"""Grants: what one redeemed authorization code produced, as a family of tokens that live and
die together. A grant row holds who signed in, how, and what was allowed; its refresh tokens
rotate (RFC 9700 section 4.14.2); revoking it (code replay, refresh-token reuse, RFC 7009
revocation, client deletion) stops its refresh tokens at once and, through a store mark, makes
its access tokens inactive at introspection and userinfo."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.core import secret_tokens
from janua_server.core.db import utcnow
from janua_server.core.runtime import Runtime
from janua_server.oidc import tokens
from janua_server.oidc.clients.tables import oauth_grants, oauth_refresh_tokens
from janua_server.oidc.codes import CodeGrant


@dataclass(frozen=True)
class Grant:
    id: uuid.UUID
    client_id: str
    user_id: uuid.UUID
    scope: str
    provider_session_id: uuid.UUID | None
    auth_time: dt.datetime
    amr: tuple[str, ...]
    organization_id: uuid.UUID | None
    revoked: bool

    @classmethod
    def of_row(cls, row: Any) -> Grant:
        return cls(
            id=row.id,
            client_id=row.client_id,
            user_id=row.user_id,
            scope=row.scope,
            provider_session_id=row.provider_session_id,
            auth_time=row.auth_time,
            amr=tuple(row.amr.split()),
            organization_id=row.organization_id,
            revoked=row.revoked_at is not None,
        )

    @property
    def scopes(self) -> tuple[str, ...]:
        return tuple(self.scope.split())

    def subject(self) -> tokens.Subject:
        return tokens.Subject(
            user_id=self.user_id,
            auth_time=int(self.auth_time.timestamp()),
            amr=self.amr,
            session_id=self.provider_session_id,
            grant_id=self.id,
        )


def refresh_ttl(rt: Runtime) -> dt.timedelta:
    return dt.timedelta(days=rt.settings.oauth_refresh_token_expire_days)


async def create(
    rt: Runtime,
    conn: AsyncConnection,
    grant_id: uuid.UUID,
    code: CodeGrant,
    *,
    with_refresh: bool,
    now: dt.datetime,
) -> Grant:
    """The grant row of a redeemed code. It lives as long as its refresh tokens may, or as
    long as its access tokens when it has none."""
    lifetime = (
        refresh_ttl(rt)
        if with_refresh
        else dt.timedelta(seconds=rt.settings.oauth_access_token_ttl_seconds)
    )
    values = {
        "id": grant_id,
        "client_id": code.client_id,
        "user_id": code.user_id,
        "scope": code.scope,
        "provider_session_id": code.provider_session_id,
        "auth_time": tokens.utc(code.auth_time),
        "amr": " ".join(code.amr),
        "organization_id": code.organization_id,
        "created_at": now,
        "expires_at": now + lifetime,
    }
    await conn.execute(insert(oauth_grants).values(**values))
    return Grant(
        id=grant_id,
        client_id=code.client_id,
        user_id=code.user_id,
        scope=code.scope,
        provider_session_id=code.provider_session_id,
        auth_time=values["auth_time"],
        amr=code.amr,
        organization_id=code.organization_id,
        revoked=False,
    )


async def add_refresh_token(
    rt: Runtime, conn: AsyncConnection, grant_id: uuid.UUID, now: dt.datetime
) -> str:
    """A new refresh token of the grant; only its SHA-256 is stored."""
    token = secret_tokens.new_token()
    await conn.execute(
        insert(oauth_refresh_tokens).values(
            id=uuid.uuid4(),
            grant_id=grant_id,
            token_hash=secret_tokens.digest(token),
            created_at=now,
            expires_at=now + refresh_ttl(rt),
        )
    )
    return token


@dataclass(frozen=True)
class RefreshTokenRow:
    id: uuid.UUID
    grant: Grant
    expired: bool
    rotated: bool


async def find_refresh_token(conn: AsyncConnection, token: str) -> RefreshTokenRow | None:
    row = (
        await conn.execute(
            select(
                oauth_refresh_tokens.c.id.label("token_id"),
                oauth_refresh_tokens.c.expires_at.label("token_expires_at"),
                oauth_refresh_tokens.c.rotated_at,
                oauth_grants,
            )
            .join(oauth_grants, oauth_grants.c.id == oauth_refresh_tokens.c.grant_id)
            .where(oauth_refresh_tokens.c.token_hash == secret_tokens.digest(token))
        )
    ).first()
    if row is None:
        return None
    now = utcnow()
    return RefreshTokenRow(
        id=row.token_id,
        grant=Grant.of_row(row),
        # The grant's lifetime is absolute (from the sign-in): rotation never extends it.
        expired=row.token_expires_at <= now or row.expires_at <= now,
        rotated=row.rotated_at is not None,
    )


async def retire(conn: AsyncConnection, token_id: uuid.UUID, now: dt.datetime) -> bool:
    """Mark a refresh token used; False if another request did first (a reuse race)."""
    result = await conn.execute(
        update(oauth_refresh_tokens)
        .where(oauth_refresh_tokens.c.id == token_id, oauth_refresh_tokens.c.rotated_at.is_(None))
        .values(rotated_at=now)
    )
    return result.rowcount == 1


async def revoke(rt: Runtime, conn: AsyncConnection, grant_id: uuid.UUID) -> None:
    """End the grant: its refresh tokens fail from now on (the row), its access tokens are
    inactive (the store mark). Idempotent."""
    await conn.execute(
        update(oauth_grants)
        .where(oauth_grants.c.id == grant_id, oauth_grants.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    await tokens.mark_grant_revoked(rt, grant_id)


async def revoke_all_of_user(rt: Runtime, user_id: uuid.UUID) -> int:
    """End every live grant of a user (the account was disabled): no OAuth client keeps
    refreshing or presenting tokens for them. Returns how many ended."""
    async with rt.db.transaction() as conn:
        live = (
            (
                await conn.execute(
                    select(oauth_grants.c.id).where(
                        oauth_grants.c.user_id == user_id, oauth_grants.c.revoked_at.is_(None)
                    )
                )
            )
            .scalars()
            .all()
        )
        for grant_id in live:
            await revoke(rt, conn, grant_id)
    return len(live)


async def revoke_now(rt: Runtime, grant_id: uuid.UUID) -> None:
    """`revoke` in its own transaction (when the caller's request is failing anyway)."""
    async with rt.db.transaction() as conn:
        await revoke(rt, conn, grant_id)


async def is_revoked(conn: AsyncConnection, grant_id: uuid.UUID) -> bool:
    row = (
        await conn.execute(select(oauth_grants.c.revoked_at).where(oauth_grants.c.id == grant_id))
    ).first()
    return row is None or row.revoked_at is not None
