"""The provider's browser sign-in session: what lets a second authorization request (from this
or another relying party) go through without signing in again (single sign-on).

A hosted sign-in opens an ordinary first-party session (`sessions.service`), so the sign-in shows
in the user's session list with its device, and every way of ending a session ends this one
too. The browser holds `__Host-janua_session`, an opaque 256-bit token whose SHA-256 names a
`provider_sessions` row pointing at that session. The session's `created_at` is the OIDC
`auth_time`, its `amr` how the user signed in (RFC 8176).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from janua_server.contract.models import TokenPair
from janua_server.core import secret_tokens
from janua_server.core.db import utcnow
from janua_server.core.runtime import Runtime
from janua_server.oidc.authorize.tables import provider_sessions
from janua_server.sessions import service as sessions


@dataclass(frozen=True)
class ProviderSession:
    user_id: uuid.UUID
    session_id: uuid.UUID
    auth_time: dt.datetime
    amr: tuple[str, ...]
    organization_id: uuid.UUID | None

    def age_seconds(self, now: dt.datetime | None = None) -> float:
        return ((now or utcnow()) - self.auth_time).total_seconds()


async def current(rt: Runtime, token: str | None) -> ProviderSession | None:
    """The live sign-in the cookie names, or None (no cookie, unknown, or its session ended)."""
    if not token:
        return None
    async with rt.db.connection() as conn:
        session_id = (
            await conn.execute(
                select(provider_sessions.c.session_id).where(
                    provider_sessions.c.token_hash == secret_tokens.digest(token)
                )
            )
        ).scalar_one_or_none()
        if session_id is None:
            return None
        facts = await sessions.live_session(conn, session_id)
    if facts is None:
        return None
    return ProviderSession(
        user_id=facts.user_id,
        session_id=facts.session_id,
        auth_time=facts.auth_time,
        amr=facts.amr,
        organization_id=facts.organization_id,
    )


async def open_for(rt: Runtime, tokens: TokenPair) -> tuple[str, int, uuid.UUID]:
    """Attach a browser to the first-party session a sign-in just opened (named by the `sid` of
    its access token). Returns the cookie value, its lifetime in seconds, and the session id."""
    claims = rt.tokens.verify_access_token(tokens.access_token)
    session_id = uuid.UUID(claims.sid)
    token = secret_tokens.new_token()
    async with rt.db.transaction() as conn:
        await conn.execute(
            insert(provider_sessions).values(
                id=uuid.uuid4(),
                token_hash=secret_tokens.digest(token),
                session_id=session_id,
                created_at=utcnow(),
            )
        )
    lifetime = tokens.refresh_token_expires_in or rt.settings.refresh_token_expire_days * 86400
    return token, lifetime, session_id


async def end(
    rt: Runtime, token: str | None, client: sessions.ClientInfo | None = None
) -> ProviderSession | None:
    """Sign the browser out: forget its cookie's row and end the first-party session behind it
    (revoked and audited like any sign-out, so its access tokens stop at once)."""
    found = await current(rt, token)
    if token:
        async with rt.db.transaction() as conn:
            await conn.execute(
                delete(provider_sessions).where(
                    provider_sessions.c.token_hash == secret_tokens.digest(token)
                )
            )
    if found is not None:
        principal = sessions.Principal(found.user_id, found.session_id)
        await sessions.logout(rt, principal, client)
    return found
