"""Session rules: sign-in, refresh-token rotation with reuse detection, sign-out, and checking
an access token.

A session is one sign-in on one device. Its refresh tokens form a rotation family: each use
retires the token and issues its successor. Presenting a retired token again means two parties
hold the family (OAuth 2.0 Security BCP, RFC 9700 section 4.14.2), so the whole session ends.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from types import EllipsisType
from typing import Any

from sqlalchemy import ColumnElement, exists, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.accounts import directory, links
from janua_server.accounts import policy as password_policy
from janua_server.accounts import service as accounts
from janua_server.contract.models import Action, Session, SessionList, TokenPair, User
from janua_server.core import audit, pagination, passwords, secret_tokens
from janua_server.core.audit import Origin
from janua_server.core.db import utcnow
from janua_server.core.errors import authentication_error, mfa_required, not_found, token_error
from janua_server.core.jwt import InvalidToken
from janua_server.core.mailer import send_in_background
from janua_server.core.runtime import Runtime
from janua_server.mfa import factors
from janua_server.organizations import service as organizations
from janua_server.sessions import lockout, pending
from janua_server.sessions.tables import auth_sessions, refresh_tokens

log = logging.getLogger("janua.sessions")


@dataclass(frozen=True)
class ClientInfo:
    ip: str | None
    user_agent: str | None
    device_label: str | None = None


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    session_id: uuid.UUID
    # The cached profile fetched in the same store round trip as the revocation check, so
    # `GET /me` costs one store call and no database call.
    cached_profile: bytes | None = field(default=None, compare=False, repr=False)


def origin_of(client: ClientInfo | None) -> Origin:
    """Where a sign-in or session change came from, as audit events record it."""
    return Origin(client.ip, client.user_agent) if client is not None else Origin()


def _revoked_key(session_id: uuid.UUID | str) -> str:
    return f"session-revoked:{session_id}"


# The columns `SessionFacts.of_row` reads, for RETURNING clauses.
_SESSION_FACTS = (
    auth_sessions.c.id.label("session_id"),
    auth_sessions.c.user_id,
    auth_sessions.c.created_at,
    auth_sessions.c.amr,
    auth_sessions.c.organization_id,
)


@dataclass(frozen=True)
class SessionFacts:
    """What every access token of a session says about it."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    amr: tuple[str, ...]
    auth_time: dt.datetime
    organization_id: uuid.UUID | None = None

    @classmethod
    def of_row(cls, row: Any) -> SessionFacts:
        return cls(
            user_id=row.user_id,
            session_id=row.session_id,
            amr=tuple(row.amr.split()),
            auth_time=row.created_at,
            organization_id=row.organization_id,
        )


async def start_session(
    rt: Runtime,
    conn: AsyncConnection,
    user_id: uuid.UUID,
    client: ClientInfo,
    *,
    amr: Sequence[str] = ("pwd",),
) -> TokenPair:
    """A new sign-in. `amr` lists how the user proved who they are (RFC 8176: `pwd`, `otp`,
    `sms`, `hwk`, `swk`, `mfa`)."""
    # Every way of signing in passes here, so a disabled account gets no session by any of
    # them (password, second factor, passkey). The row lock keeps a concurrent disable from
    # missing the session being opened.
    if await directory.is_disabled(conn, user_id, lock=True):
        raise directory.account_disabled()
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
            device_label=client.device_label,
            amr=" ".join(amr),
        )
    )
    facts = SessionFacts(user_id=user_id, session_id=session_id, amr=tuple(amr), auth_time=now)
    return await _issue_pair(rt, conn, facts, now)


async def _issue_pair(
    rt: Runtime, conn: AsyncConnection, session: SessionFacts, now: dt.datetime
) -> TokenPair:
    refresh_ttl = dt.timedelta(days=rt.settings.refresh_token_expire_days)
    refresh_token = secret_tokens.new_token()
    await conn.execute(
        insert(refresh_tokens).values(
            id=uuid.uuid4(),
            session_id=session.session_id,
            token_hash=secret_tokens.digest(refresh_token),
            created_at=now,
            expires_at=now + refresh_ttl,
        )
    )
    return await _token_pair(rt, conn, session, refresh_token, refresh_ttl)


async def _token_pair(
    rt: Runtime,
    conn: AsyncConnection,
    session: SessionFacts,
    refresh_token: str,
    refresh_ttl: dt.timedelta,
) -> TokenPair:
    access_token = rt.tokens.issue_access_token(
        subject=str(session.user_id),
        session_id=str(session.session_id),
        amr=session.amr,
        auth_time=int(session.auth_time.timestamp()),
        extra_claims=await _domain_claims(conn, session),
    )
    return TokenPair(
        access_token=access_token,
        token_type="Bearer",  # noqa: S106 - the RFC 6750 scheme name, not a secret
        expires_in=int(rt.tokens.ttl.total_seconds()),
        refresh_token=refresh_token,
        refresh_token_expires_in=int(refresh_ttl.total_seconds()),
    )


async def _domain_claims(conn: AsyncConnection, session: SessionFacts) -> dict[str, Any]:
    """Claims other domains add to a session's tokens, recomputed at every issue so a change
    (a demotion, a removal) shows at the next refresh."""
    if session.organization_id is None:
        return {}
    # The active organization's `org_id`, `org_role`, `org_permissions`, read from the
    # membership now: a demoted member's next token says so.
    claims = await organizations.token_claims(conn, session.organization_id, session.user_id)
    if claims is None:
        # No longer a member (removed, left, organization deleted): the session stops acting
        # in it, so the claims do not come back by themselves if the user is re-added.
        await conn.execute(
            update(auth_sessions)
            .where(
                auth_sessions.c.id == session.session_id,
                auth_sessions.c.organization_id == session.organization_id,
            )
            .values(organization_id=None)
        )
        return {}
    return claims


# `refresh(..., organization=KEEP_ORGANIZATION)`: the session keeps its active organization.
KEEP_ORGANIZATION = ...
OrganizationChoice = uuid.UUID | None | EllipsisType


async def _choose_organization(
    conn: AsyncConnection,
    session: SessionFacts,
    choice: OrganizationChoice,
    client: ClientInfo | None,
) -> SessionFacts:
    """Make `choice` the session's active organization (None: none) before its tokens are
    issued; 404 unless the user is a member, exactly as for an unknown organization."""
    if choice is KEEP_ORGANIZATION or choice == session.organization_id:
        return session
    assert not isinstance(choice, EllipsisType)
    if choice is not None and not await organizations.is_member(conn, choice, session.user_id):
        raise not_found("No such organization.")
    await conn.execute(
        update(auth_sessions)
        .where(auth_sessions.c.id == session.session_id)
        .values(organization_id=choice)
    )
    await audit.record(
        conn,
        Action.organization_switched,
        user_id=session.user_id,
        origin=origin_of(client),
        # Switching away from an organization is its event too (None: the one left).
        organization_id=choice or session.organization_id,
        target=f"session:{session.session_id}",
        details={"from": str(session.organization_id) if session.organization_id else None},
    )
    return replace(session, organization_id=choice)


async def switch_organization(
    rt: Runtime,
    principal: Principal,
    organization_id: uuid.UUID | None,
    client: ClientInfo | None = None,
) -> TokenPair:
    """Set the session's active organization and issue a fresh pair carrying its claims. The
    session's live refresh token is retired, exactly as a refresh would: the new one replaces
    it (presenting the old one afterwards is reuse, RFC 9700 section 4.14.2)."""
    now = utcnow()
    async with rt.db.transaction() as conn:
        row = (
            await conn.execute(
                update(auth_sessions)
                .where(
                    auth_sessions.c.id == principal.session_id,
                    auth_sessions.c.user_id == principal.user_id,
                    auth_sessions.c.revoked_at.is_(None),
                    auth_sessions.c.expires_at > now,
                )
                .values(last_seen_at=now)
                .returning(*_SESSION_FACTS)
            )
        ).first()
        if row is None:
            raise token_error("The session of this access token has ended.")
        facts = await _choose_organization(conn, SessionFacts.of_row(row), organization_id, client)
        await conn.execute(
            update(refresh_tokens)
            .where(
                refresh_tokens.c.session_id == principal.session_id,
                refresh_tokens.c.rotated_at.is_(None),
            )
            .values(rotated_at=now)
        )
        return await _issue_pair(rt, conn, facts, now)


async def register(
    rt: Runtime, *, email: str, password: str, name: str | None, client: ClientInfo
) -> tuple[User, TokenPair]:
    password_policy.check_password(
        password, email=email, min_length=rt.settings.password_min_length, pointer="#/password"
    )
    async with rt.db.transaction() as conn:
        user_id = await accounts.create_account(conn, email=email, password=password, name=name)
        tokens = await start_session(rt, conn, user_id, client)
        await audit.record(conn, Action.user_registered, user_id=user_id, origin=origin_of(client))
        user = await accounts.get_user(conn, user_id)
        assert user is not None
        verification = await links.start_email_verification(
            rt.settings,
            conn,
            user_id=user_id,
            email=user.email,
            name=user.name,
            origin=origin_of(client),
        )
    # After the commit, without waiting: a slow mail server must not slow down sign-up, and a
    # failed mail is re-sent on request (POST /auth/email/verify/resend).
    send_in_background(rt.mailer, verification)
    return user, tokens


async def login(
    rt: Runtime,
    *,
    email: str,
    password: str,
    client: ClientInfo,
    token_transport: str = "body",  # noqa: S107 - a delivery mode, not a secret
) -> tuple[User, TokenPair]:
    """Sign in with a password. With a second factor enrolled, raise 403 `MFA_REQUIRED` carrying
    a pending sign-in (`pending.begin`) instead; `finish_pending_login` completes it."""
    policy = lockout.Policy.of(rt.settings)
    # A locked address is refused before its password is looked at, whether it has an account
    # or not: the answer reveals neither the password nor the account.
    await lockout.check(rt.store, email, policy)
    async with rt.db.connection() as conn:
        account = await accounts.find_account(conn, email)
    # Unknown email still costs one hash (verify_password uses a dummy): same time, same answer.
    if not await passwords.verify_password(account.password_hash if account else None, password):
        locked_seconds = await lockout.record_failure(rt.store, email, policy)
        user_id = account.id if account is not None else None
        # Recorded for unknown emails too (with no user): the same database write on both
        # paths keeps the failure's timing from telling whether the account exists.
        async with rt.db.transaction() as conn:
            origin = origin_of(client)
            await audit.record(
                conn, Action.login_failed, user_id=user_id, origin=origin, outcome="failure"
            )
            if locked_seconds and user_id is not None:
                await audit.record(
                    conn,
                    Action.account_locked,
                    user_id=user_id,
                    origin=origin,
                    outcome="failure",
                    details={"seconds": locked_seconds},
                )
        raise authentication_error("Invalid email or password.")
    assert account is not None
    # Only the right password learns that the account is disabled (a wrong one got the usual
    # answer above), as Auth0 and Keycloak do; it is not a failed guess, so no lockout count.
    await _refuse_disabled(rt, account.id, client)
    # The password was right: its failure count ends here, whatever the second factor does
    # (wrong second-factor guesses have their own throttle).
    await lockout.unlock(rt.store, email)
    async with rt.db.connection() as conn:
        methods = await factors.enrolled_methods(conn, account.id)
    if methods:
        if passwords.needs_rehash(account.password_hash):
            async with rt.db.transaction() as conn:
                await accounts.update_password_hash(
                    conn, account.id, await passwords.hash_password(password)
                )
        mfa_token = await pending.begin(
            rt,
            account.id,
            methods,
            token_transport=token_transport,
            device_label=client.device_label,
        )
        raise mfa_required(mfa_token, pending.PENDING_TTL_SECONDS, methods)
    async with rt.db.transaction() as conn:
        if passwords.needs_rehash(account.password_hash):
            await accounts.update_password_hash(
                conn, account.id, await passwords.hash_password(password)
            )
        tokens = await start_session(rt, conn, account.id, client)
        await audit.record(
            conn, Action.login_succeeded, user_id=account.id, origin=origin_of(client)
        )
        user = await accounts.get_user(conn, account.id)
    assert user is not None
    return user, tokens


async def _refuse_disabled(rt: Runtime, user_id: uuid.UUID, client: ClientInfo) -> None:
    async with rt.db.connection() as conn:
        disabled = await directory.is_disabled(conn, user_id)
    if not disabled:
        return
    async with rt.db.transaction() as conn:
        await audit.record(
            conn,
            Action.login_failed,
            user_id=user_id,
            origin=origin_of(client),
            outcome="failure",
            details={"reason": "account_disabled"},
        )
    raise directory.account_disabled()


@dataclass(frozen=True)
class SignedIn:
    """A finished sign-in, as the second-factor and passkey endpoints answer it."""

    user: User
    tokens: TokenPair
    token_transport: str


async def finish_pending_login(
    rt: Runtime, mfa_token: str, *, factor_amr: str, method: str, client: ClientInfo
) -> tuple[User, TokenPair, pending.PendingLogin]:
    """Open the session a pending sign-in was waiting for, once its second factor (`method`,
    recorded in `amr` as `factor_amr`) has been verified by the caller. Single-use."""
    claimed = await pending.take(rt, mfa_token)
    client = replace(client, device_label=client.device_label or claimed.device_label)
    async with rt.db.transaction() as conn:
        tokens = await start_session(
            rt, conn, claimed.user_id, client, amr=("pwd", factor_amr, "mfa")
        )
        await audit.record(
            conn,
            Action.login_succeeded,
            user_id=claimed.user_id,
            origin=origin_of(client),
            details={"second_factor": method},
        )
        user = await accounts.get_user(conn, claimed.user_id)
    if user is None:  # deleted between the two steps
        raise authentication_error("The account no longer exists.")
    return user, tokens, claimed


async def refresh(
    rt: Runtime,
    refresh_token: str,
    client: ClientInfo | None = None,
    *,
    organization: OrganizationChoice = KEEP_ORGANIZATION,
) -> TokenPair:
    """Rotate the refresh token; `organization` (an id, or None for none) switches the
    session's active organization in the same step."""
    token_hash = secret_tokens.digest(refresh_token)
    now = utcnow()
    reused_session: uuid.UUID | None = None
    async with rt.db.transaction() as conn:
        # Retire the token first, conditionally: of two concurrent refreshes exactly one
        # changes the row, so at most one successor is ever issued.
        rotate = _rotate_in_one_statement if rt.db.backend == "postgresql" else _rotate_stepwise
        retired, pair = await rotate(rt, conn, token_hash, now, (organization, client))
        if pair is not None:
            return pair
        if not retired:
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
                owner = (
                    await conn.execute(
                        select(auth_sessions.c.user_id).where(auth_sessions.c.id == reused_session)
                    )
                ).scalar_one()
                await audit.record(
                    conn,
                    Action.refresh_token_reused,
                    user_id=owner,
                    origin=origin_of(client),
                    outcome="failure",
                    details={"session_id": str(reused_session)},
                )
    if reused_session is not None:
        log.warning("refresh token reuse detected; session %s revoked", reused_session)
        await _mark_revoked(rt, reused_session)
    raise token_error("The refresh token is invalid or expired.", bearer=False)


async def _rotate_stepwise(
    rt: Runtime,
    conn: AsyncConnection,
    token_hash: str,
    now: dt.datetime,
    choice: tuple[OrganizationChoice, ClientInfo | None] = (KEEP_ORGANIZATION, None),
) -> tuple[bool, TokenPair | None]:
    """(whether the token was retired now, the successor pair if its session is live)."""
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
    if retired is None:
        return False, None
    # Touch the session only if it is live: one statement checks and records use.
    session = (
        await conn.execute(
            update(auth_sessions)
            .where(
                auth_sessions.c.id == retired.session_id,
                auth_sessions.c.revoked_at.is_(None),
                auth_sessions.c.expires_at > now,
            )
            .values(last_seen_at=now)
            .returning(*_SESSION_FACTS)
        )
    ).first()
    if session is None:
        return True, None
    facts = await _choose_organization(conn, SessionFacts.of_row(session), *choice)
    return True, await _issue_pair(rt, conn, facts, now)


# The same three steps as `_rotate_stepwise` in one PostgreSQL statement: one round trip
# instead of three on the hottest write path. Data-modifying CTEs always run to completion.
_ROTATE_POSTGRES = text(
    """
    WITH retired AS (
        UPDATE refresh_tokens SET rotated_at = :now
        WHERE token_hash = :old_hash AND rotated_at IS NULL AND expires_at > :now
        RETURNING session_id
    ), live AS (
        UPDATE auth_sessions SET last_seen_at = :now
        FROM retired
        WHERE auth_sessions.id = retired.session_id
          AND auth_sessions.revoked_at IS NULL
          AND auth_sessions.expires_at > :now
        RETURNING auth_sessions.id AS session_id, auth_sessions.user_id,
                  auth_sessions.created_at, auth_sessions.amr, auth_sessions.organization_id
    ), issued AS (
        INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at)
        SELECT :new_id, live.session_id, :new_hash, :now, :new_expires_at FROM live
        RETURNING session_id
    )
    SELECT retired.session_id, live.user_id, live.created_at, live.amr, live.organization_id
    FROM retired LEFT JOIN live ON live.session_id = retired.session_id
    """
)


async def _rotate_in_one_statement(
    rt: Runtime,
    conn: AsyncConnection,
    token_hash: str,
    now: dt.datetime,
    choice: tuple[OrganizationChoice, ClientInfo | None] = (KEEP_ORGANIZATION, None),
) -> tuple[bool, TokenPair | None]:
    refresh_ttl = dt.timedelta(days=rt.settings.refresh_token_expire_days)
    successor = secret_tokens.new_token()
    row = (
        await conn.execute(
            _ROTATE_POSTGRES,
            {
                "now": now,
                "old_hash": token_hash,
                "new_id": uuid.uuid4(),
                "new_hash": secret_tokens.digest(successor),
                "new_expires_at": now + refresh_ttl,
            },
        )
    ).first()
    if row is None:
        return False, None
    if row.user_id is None:
        return True, None
    facts = await _choose_organization(conn, SessionFacts.of_row(row), *choice)
    return True, await _token_pair(rt, conn, facts, successor, refresh_ttl)


async def logout(rt: Runtime, principal: Principal, client: ClientInfo | None = None) -> None:
    async with rt.db.transaction() as conn:
        await _revoke_session_row(conn, principal.session_id, utcnow())
        await _record_revoked(conn, principal, principal.session_id, client, "logout")
    await _mark_revoked(rt, principal.session_id)


async def _revoke_session_row(
    conn: AsyncConnection, session_id: uuid.UUID, now: dt.datetime
) -> None:
    await conn.execute(
        update(auth_sessions)
        .where(auth_sessions.c.id == session_id, auth_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def _record_revoked(
    conn: AsyncConnection,
    principal: Principal,
    session_id: uuid.UUID,
    client: ClientInfo | None,
    reason: str,
) -> None:
    await audit.record(
        conn,
        Action.session_revoked,
        user_id=principal.user_id,
        origin=origin_of(client),
        details={"session_id": str(session_id), "reason": reason},
    )


async def _mark_revoked(rt: Runtime, session_id: uuid.UUID) -> None:
    # Access tokens are self-contained; this mark makes them fail before they expire. It only
    # has to outlive the longest-lived access token.
    ttl = int(rt.tokens.ttl.total_seconds()) + 60
    await rt.store.set(_revoked_key(session_id), b"1", ttl)


_VERIFIED_CAPACITY = 10_000


def _verify(rt: Runtime, access_token: str) -> Principal:
    """A signature check costs ~100 us of CPU; a token that verified once verifies again until
    it expires, so only expiry is re-checked. Revocation is checked in the store every time."""
    _verified = rt.verified_tokens
    cached = _verified.get(access_token)
    if cached is not None and cached[1] > time.time():
        return cached[0]
    try:
        claims = rt.tokens.verify_access_token(access_token)
        principal = Principal(uuid.UUID(claims.sub), uuid.UUID(claims.sid))
    except (InvalidToken, ValueError):
        raise token_error("The access token is invalid or expired.") from None
    if len(_verified) >= _VERIFIED_CAPACITY:
        _verified.clear()
    _verified[access_token] = (principal, claims.exp)
    return principal


async def authenticate(rt: Runtime, access_token: str) -> Principal:
    principal = _verify(rt, access_token)
    keys = [_revoked_key(principal.session_id)]
    if accounts.profiles_cached(rt.store):
        keys.append(accounts.user_cache_key(principal.user_id))
    revoked, *profile = await rt.store.get_many(keys)
    if revoked is not None:
        raise token_error("The session of this access token has ended.")
    if profile and profile[0] is not None:
        return replace(principal, cached_profile=profile[0])
    return principal


def session_is_live(principal: Principal) -> ColumnElement[bool]:
    """A condition for other domains' queries about the caller: true while the access token's
    session row is live (the source of truth, also after the store lost its revocation marks)."""
    return exists().where(
        auth_sessions.c.id == principal.session_id,
        auth_sessions.c.user_id == principal.user_id,
        auth_sessions.c.revoked_at.is_(None),
    )


async def count_live_sessions(conn: AsyncConnection) -> int:
    """Sessions neither revoked nor expired, platform-wide (admin statistics)."""
    return (
        await conn.execute(
            select(func.count())
            .select_from(auth_sessions)
            .where(auth_sessions.c.revoked_at.is_(None), auth_sessions.c.expires_at > utcnow())
        )
    ).scalar_one()


async def current_user(rt: Runtime, principal: Principal) -> User:
    """The user behind an access token: from the profile `authenticate` fetched with the
    revocation check, else from the database, only if the session row is still live."""
    if principal.cached_profile is not None:
        return User.model_validate_json(principal.cached_profile)
    async with rt.db.connection() as conn:
        # One round trip: the user row, only if the session is live.
        user = await accounts.get_user(conn, principal.user_id, provided=session_is_live(principal))
    if user is None:
        raise token_error("The session of this access token has ended.")
    await accounts.cache_user(rt.store, user)
    return user


async def list_sessions(
    rt: Runtime, principal: Principal, *, limit: int, cursor: uuid.UUID | None
) -> SessionList:
    """The caller's live sessions, newest first, keyset-paginated on (created_at, id)."""
    mine = auth_sessions.c.user_id == principal.user_id
    live = select(auth_sessions).where(
        mine, auth_sessions.c.revoked_at.is_(None), auth_sessions.c.expires_at > utcnow()
    )
    async with rt.db.connection() as conn:
        found = await pagination.newest_first(
            conn, live, table=auth_sessions, owner=mine, limit=limit, after=cursor
        )
    if found is None:
        raise not_found("The cursor names no session of yours.")
    page, more = found
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


async def revoke_session(
    rt: Runtime, principal: Principal, session_id: uuid.UUID, client: ClientInfo | None = None
) -> None:
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
        if revoked is not None:
            await _record_revoked(conn, principal, session_id, client, "revoked")
    if revoked is None:
        raise not_found("No active session with this id.")
    await _mark_revoked(rt, session_id)


async def revoke_all_sessions(rt: Runtime, user_id: uuid.UUID) -> None:
    """End every session of the user (after a password reset, which is audited itself)."""
    await _end_sessions(rt, user_id, keep=None, audited_as=None)


async def revoke_other_sessions(
    rt: Runtime, principal: Principal, client: ClientInfo | None = None
) -> None:
    await _end_sessions(
        rt, principal.user_id, keep=principal.session_id, audited_as=(principal, client)
    )


async def _end_sessions(
    rt: Runtime,
    user_id: uuid.UUID,
    *,
    keep: uuid.UUID | None,
    audited_as: tuple[Principal, ClientInfo | None] | None,
) -> None:
    """Revoke the user's live sessions but `keep`: rows in one statement, then the store marks
    that stop their access tokens at once."""
    condition = [auth_sessions.c.user_id == user_id, auth_sessions.c.revoked_at.is_(None)]
    if keep is not None:
        condition.append(auth_sessions.c.id != keep)
    async with rt.db.transaction() as conn:
        revoked = (
            await conn.execute(
                update(auth_sessions)
                .where(*condition)
                .values(revoked_at=utcnow())
                .returning(auth_sessions.c.id)
            )
        ).all()
        if audited_as is not None:
            principal, client = audited_as
            for row in revoked:
                await _record_revoked(conn, principal, row.id, client, "others_revoked")
    for row in revoked:
        await _mark_revoked(rt, row.id)


async def live_session(conn: AsyncConnection, session_id: uuid.UUID) -> SessionFacts | None:
    """The facts of a session if it is live (not revoked, not expired), else None. The OAuth
    provider's browser sign-in rests on a session: its `auth_time`, `amr` and revocation."""
    row = (
        await conn.execute(
            select(
                auth_sessions.c.id.label("session_id"),
                auth_sessions.c.user_id,
                auth_sessions.c.created_at,
                auth_sessions.c.amr,
                auth_sessions.c.organization_id,
            ).where(
                auth_sessions.c.id == session_id,
                auth_sessions.c.revoked_at.is_(None),
                auth_sessions.c.expires_at > utcnow(),
            )
        )
    ).first()
    return SessionFacts.of_row(row) if row is not None else None
