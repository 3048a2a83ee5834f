"""Session rules: sign-in, refresh-token rotation with reuse detection, sign-out, and checking
an access token.

A session is one sign-in on one device. Its refresh tokens form a rotation family: each use
retires the token and issues its successor. Presenting a retired token again means two parties
hold the family (OAuth 2.0 Security BCP, RFC 9700 section 4.14.2), so the whole session ends.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.accounts import service as accounts
from janua_server.contract.models import Session, SessionList, TokenPair, User
from janua_server.core import passwords
from janua_server.core.db import utcnow
from janua_server.core.errors import authentication_error, not_found, token_error
from janua_server.core.jwt import InvalidToken
from janua_server.core.runtime import Runtime
from janua_server.sessions.tables import auth_sessions, refresh_tokens

log = logging.getLogger("janua.sessions")

REFRESH_TOKEN_BYTES = 32  # 256 bits


@dataclass(frozen=True)
class ClientInfo:
    ip: str | None
    user_agent: str | None


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    session_id: uuid.UUID


def _hash_refresh_token(token: str) -> str:
    # A 256-bit random token needs no slow hash: SHA-256 is preimage-resistant at that entropy.
    return hashlib.sha256(token.encode()).hexdigest()


def _revoked_key(session_id: uuid.UUID | str) -> str:
    return f"session-revoked:{session_id}"


async def start_session(
    rt: Runtime, conn: AsyncConnection, user_id: uuid.UUID, client: ClientInfo
) -> TokenPair:
    now = utcnow()
    session_id = uuid.uuid4()
    await conn.execute(
        insert(auth_sessions).values(
            id=session_id,
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + dt.timedelta(days=rt.settings.refresh_token_expire_days),
            ip=client.ip,
            user_agent=(client.user_agent or "")[:512] or None,
        )
    )
    return await _issue_pair(rt, conn, user_id, session_id, now)


async def _issue_pair(
    rt: Runtime, conn: AsyncConnection, user_id: uuid.UUID, session_id: uuid.UUID, now: dt.datetime
) -> TokenPair:
    refresh_ttl = dt.timedelta(days=rt.settings.refresh_token_expire_days)
    refresh_token = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    await conn.execute(
        insert(refresh_tokens).values(
            id=uuid.uuid4(),
            session_id=session_id,
            token_hash=_hash_refresh_token(refresh_token),
            created_at=now,
            expires_at=now + refresh_ttl,
        )
    )
    return TokenPair(
        access_token=rt.tokens.issue_access_token(subject=str(user_id), session_id=str(session_id)),
        token_type="Bearer",  # noqa: S106 - the RFC 6750 scheme name, not a secret
        expires_in=int(rt.tokens.ttl.total_seconds()),
        refresh_token=refresh_token,
        refresh_token_expires_in=int(refresh_ttl.total_seconds()),
    )


async def register(
    rt: Runtime, *, email: str, password: str, name: str | None, client: ClientInfo
) -> tuple[User, TokenPair]:
    async with rt.db.transaction() as conn:
        user_id = await accounts.create_account(conn, email=email, password=password, name=name)
        tokens = await start_session(rt, conn, user_id, client)
        user = await accounts.get_user(conn, user_id)
    assert user is not None
    return user, tokens


async def login(
    rt: Runtime, *, email: str, password: str, client: ClientInfo
) -> tuple[User, TokenPair]:
    async with rt.db.connection() as conn:
        account = await accounts.find_account(conn, email)
    # Unknown email still costs one hash (verify_password uses a dummy): same time, same answer.
    if not await passwords.verify_password(account.password_hash if account else None, password):
        raise authentication_error("Invalid email or password.")
    assert account is not None
    async with rt.db.transaction() as conn:
        if passwords.needs_rehash(account.password_hash):
            await accounts.update_password_hash(
                conn, account.id, await passwords.hash_password(password)
            )
        tokens = await start_session(rt, conn, account.id, client)
        user = await accounts.get_user(conn, account.id)
    assert user is not None
    return user, tokens


async def refresh(rt: Runtime, refresh_token: str) -> TokenPair:
    token_hash = _hash_refresh_token(refresh_token)
    now = utcnow()
    reused_session: uuid.UUID | None = None
    async with rt.db.transaction() as conn:
        # Retire the token first, conditionally: of two concurrent refreshes exactly one
        # changes the row, so at most one successor is ever issued.
        retired = (
            await conn.execute(
                update(refresh_tokens)
                .where(
                    refresh_tokens.c.token_hash == token_hash,
                    refresh_tokens.c.rotated_at.is_(None),
                    refresh_tokens.c.expires_at > now,
                )
                .values(rotated_at=now)
                .returning(refresh_tokens.c.session_id)
            )
        ).first()
        if retired is not None:
            session = (
                await conn.execute(
                    select(auth_sessions.c.user_id).where(
                        auth_sessions.c.id == retired.session_id,
                        auth_sessions.c.revoked_at.is_(None),
                        auth_sessions.c.expires_at > now,
                    )
                )
            ).first()
            if session is not None:
                await conn.execute(
                    update(auth_sessions)
                    .where(auth_sessions.c.id == retired.session_id)
                    .values(last_seen_at=now)
                )
                return await _issue_pair(rt, conn, session.user_id, retired.session_id, now)
        else:
            known = (
                await conn.execute(
                    select(refresh_tokens.c.session_id, refresh_tokens.c.rotated_at).where(
                        refresh_tokens.c.token_hash == token_hash
                    )
                )
            ).first()
            if known is not None and known.rotated_at is not None:
                reused_session = known.session_id
                await _revoke_session_row(conn, known.session_id, now)
    if reused_session is not None:
        log.warning("refresh token reuse detected; session %s revoked", reused_session)
        await _mark_revoked(rt, reused_session)
    raise token_error("The refresh token is invalid or expired.", bearer=False)


async def logout(rt: Runtime, principal: Principal) -> None:
    async with rt.db.transaction() as conn:
        await _revoke_session_row(conn, principal.session_id, utcnow())
    await _mark_revoked(rt, principal.session_id)


async def _revoke_session_row(
    conn: AsyncConnection, session_id: uuid.UUID, now: dt.datetime
) -> None:
    await conn.execute(
        update(auth_sessions)
        .where(auth_sessions.c.id == session_id, auth_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def _mark_revoked(rt: Runtime, session_id: uuid.UUID) -> None:
    # Access tokens are self-contained; this mark makes them fail before they expire. It only
    # has to outlive the longest-lived access token.
    ttl = int(rt.tokens.ttl.total_seconds()) + 60
    await rt.store.set(_revoked_key(session_id), b"1", ttl)


async def authenticate(rt: Runtime, access_token: str) -> Principal:
    try:
        claims = rt.tokens.verify_access_token(access_token)
        principal = Principal(uuid.UUID(claims.sub), uuid.UUID(claims.sid))
    except (InvalidToken, ValueError):
        raise token_error("The access token is invalid or expired.") from None
    if await rt.store.exists(_revoked_key(principal.session_id)):
        raise token_error("The session of this access token has ended.")
    return principal


async def current_user(rt: Runtime, principal: Principal) -> User:
    """The user behind an access token, if its session is still live in the database (the
    source of truth even when the store lost its revocation marks, e.g. after a restart)."""
    async with rt.db.connection() as conn:
        live = (
            await conn.execute(
                select(auth_sessions.c.id).where(
                    auth_sessions.c.id == principal.session_id,
                    auth_sessions.c.user_id == principal.user_id,
                    auth_sessions.c.revoked_at.is_(None),
                )
            )
        ).first()
        user = await accounts.get_user(conn, principal.user_id) if live else None
    if user is None:
        raise token_error("The session of this access token has ended.")
    return user


async def list_sessions(
    rt: Runtime, principal: Principal, *, limit: int, cursor: uuid.UUID | None
) -> SessionList:
    """The caller's live sessions, newest first, keyset-paginated on (created_at, id)."""
    now = utcnow()
    query = (
        select(auth_sessions)
        .where(
            auth_sessions.c.user_id == principal.user_id,
            auth_sessions.c.revoked_at.is_(None),
            auth_sessions.c.expires_at > now,
        )
        .order_by(auth_sessions.c.created_at.desc(), auth_sessions.c.id.desc())
        .limit(limit + 1)
    )
    async with rt.db.connection() as conn:
        if cursor is not None:
            # The cursor is the last id of the previous page; only the caller's own sessions
            # can anchor a page, anyone else's id is as unknown as a random one.
            anchor = (
                await conn.execute(
                    select(auth_sessions.c.created_at).where(
                        auth_sessions.c.id == cursor, auth_sessions.c.user_id == principal.user_id
                    )
                )
            ).first()
            if anchor is None:
                raise not_found("The cursor names no session of yours.")
            query = query.where(
                tuple_(auth_sessions.c.created_at, auth_sessions.c.id)
                < tuple_(anchor.created_at, cursor)
            )
        rows = (await conn.execute(query)).all()
    page, more = rows[:limit], len(rows) > limit
    return SessionList(
        data=[
            Session(
                id=row.id,
                current=row.id == principal.session_id,
                device_label=row.device_label,
                created_at=row.created_at,
                last_seen_at=row.last_seen_at,
                expires_at=row.expires_at,
                ip=row.ip,
                user_agent=row.user_agent,
            )
            for row in page
        ],
        next_cursor=page[-1].id if more else None,
    )


async def revoke_session(rt: Runtime, principal: Principal, session_id: uuid.UUID) -> None:
    async with rt.db.transaction() as conn:
        revoked = (
            await conn.execute(
                update(auth_sessions)
                .where(
                    auth_sessions.c.id == session_id,
                    # Another user's session id is answered exactly like an unknown one.
                    auth_sessions.c.user_id == principal.user_id,
                    auth_sessions.c.revoked_at.is_(None),
                )
                .values(revoked_at=utcnow())
                .returning(auth_sessions.c.id)
            )
        ).first()
    if revoked is None:
        raise not_found("No active session with this id.")
    await _mark_revoked(rt, session_id)


async def revoke_other_sessions(rt: Runtime, principal: Principal) -> None:
    async with rt.db.transaction() as conn:
        revoked = (
            await conn.execute(
                update(auth_sessions)
                .where(
                    auth_sessions.c.user_id == principal.user_id,
                    auth_sessions.c.id != principal.session_id,
                    auth_sessions.c.revoked_at.is_(None),
                )
                .values(revoked_at=utcnow())
                .returning(auth_sessions.c.id)
            )
        ).all()
    for row in revoked:
        await _mark_revoked(rt, row.id)
