"""Remembered consent (OIDC Core 3.1.2.4): a user who allowed a third-party client some scopes
is not asked again while the client asks for no more than those. First-party clients never ask.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.contract.models import Action
from janua_server.core import audit
from janua_server.core.audit import Origin
from janua_server.core.db import utcnow
from janua_server.oidc.authorize.tables import oauth_consents

# What the consent page says each standard scope gives away; other scopes show their name.
SCOPE_DESCRIPTIONS = {
    "openid": "Know who you are (your Janua account identifier)",
    "profile": "See your name and profile details",
    "email": "See your email address and whether it is verified",
    "offline_access": "Keep access when you are not using it (refresh tokens)",
    "organization": "See your active organization, your role and permissions in it",
}


def describe(scopes: Iterable[str]) -> list[tuple[str, str]]:
    return [(scope, SCOPE_DESCRIPTIONS.get(scope, f"Use the “{scope}” scope")) for scope in scopes]


async def granted_scopes(conn: AsyncConnection, user_id: uuid.UUID, client_id: str) -> set[str]:
    scope = (
        await conn.execute(
            select(oauth_consents.c.scope).where(
                oauth_consents.c.user_id == user_id, oauth_consents.c.client_id == client_id
            )
        )
    ).scalar_one_or_none()
    return set(scope.split()) if scope else set()


async def covers(
    conn: AsyncConnection, user_id: uuid.UUID, client_id: str, scopes: Iterable[str]
) -> bool:
    """Whether the user already allowed the client every one of `scopes`."""
    return set(scopes) <= await granted_scopes(conn, user_id, client_id)


async def remember(
    conn: AsyncConnection,
    user_id: uuid.UUID,
    client_id: str,
    scopes: Iterable[str],
    *,
    origin: Origin,
) -> None:
    """Record that the user allowed `scopes` (added to what they allowed before), audited."""
    now = utcnow()
    before = await granted_scopes(conn, user_id, client_id)
    merged = " ".join(sorted(before | set(scopes)))
    changed = (
        await conn.execute(
            update(oauth_consents)
            .where(oauth_consents.c.user_id == user_id, oauth_consents.c.client_id == client_id)
            .values(scope=merged, updated_at=now)
            .returning(oauth_consents.c.id)
        )
    ).first()
    if changed is None:
        await conn.execute(
            insert(oauth_consents).values(
                id=uuid.uuid4(),
                user_id=user_id,
                client_id=client_id,
                scope=merged,
                created_at=now,
                updated_at=now,
            )
        )
    await audit.record(
        conn,
        Action.oauth_consent_granted,
        user_id=user_id,
        origin=origin,
        target=f"oauth_client:{client_id}",
        details={"client_id": client_id, "scope": " ".join(sorted(set(scopes)))},
    )
