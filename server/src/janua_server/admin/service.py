"""Platform administration: who is a platform admin, and what admins may do to accounts.

Every check reads the database, never a token claim, so a demoted or disabled admin loses the
admin API with their next request. Every change is audited with the admin as `actor_id` and
the account as `user_id` and `target`, in the transaction of the change. An admin cannot
disable, demote or delete themselves (409), and every change is conditional on the acting admin
still being one (`accounts.directory`), so the platform always keeps an enabled admin.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

import email_validator
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.accounts import directory
from janua_server.accounts import policy as password_policy
from janua_server.accounts import service as accounts
from janua_server.accounts.directory import UserFilter
from janua_server.audit import service as audit_log
from janua_server.contract.models import (
    Action,
    AdminStats,
    AdminUser,
    AdminUserList,
    FieldError,
    OrganizationList,
)
from janua_server.core import audit
from janua_server.core.audit import Origin
from janua_server.core.db import Database, utcnow
from janua_server.core.errors import (
    ApiError,
    authorization_error,
    conflict,
    not_found,
    token_error,
    validation_error,
)
from janua_server.core.runtime import Runtime
from janua_server.oidc.grants import family as oauth_grants
from janua_server.organizations import service as organizations
from janua_server.sessions import lockout
from janua_server.sessions import service as sessions
from janua_server.sessions.service import Principal
from janua_server.settings import Settings

log = logging.getLogger("janua.admin")


# --- who may administer ---------------------------------------------------------------------


def not_an_admin() -> ApiError:
    return authorization_error("This needs a platform admin.")


async def is_platform_admin(conn: AsyncConnection, principal: Principal) -> bool:
    """Whether the caller is an enabled platform admin now (for other domains, e.g. the audit
    log). 401 when the caller's session has ended or the account is gone."""
    found = await directory.standing(conn, principal.user_id, sessions.session_is_live(principal))
    if found is None or not found.session_live:
        raise token_error("The session of this access token has ended.")
    return found.may_administer


async def require_admin(rt: Runtime, principal: Principal) -> None:
    """403 `AUTHORIZATION_ERROR` unless the caller is an enabled platform admin."""
    async with rt.db.connection() as conn:
        if not await is_platform_admin(conn, principal):
            raise not_an_admin()


def _no_such_user() -> ApiError:
    return not_found("No such user.")


def _not_yourself(admin: Principal, user_id: uuid.UUID, what: str) -> None:
    if admin.user_id == user_id:
        raise conflict(f"You cannot {what} your own account; ask another admin.")


def _target(user_id: uuid.UUID) -> str:
    return f"user:{user_id}"


async def _record(
    conn: AsyncConnection,
    action: Action,
    admin: Principal,
    user_id: uuid.UUID,
    origin: Origin,
    details: dict[str, Any] | None = None,
) -> None:
    await audit.record(
        conn,
        action,
        user_id=user_id,
        actor_id=admin.user_id,
        origin=origin,
        target=_target(user_id),
        details=details,
    )


async def _locked_target(conn: AsyncConnection, admin: Principal, user_id: uuid.UUID) -> AdminUser:
    """The target user, with the admin's and the target's rows locked for this transaction
    (PostgreSQL): 403 when the caller stopped being an admin meanwhile, 404 without a target."""
    actor, target = await directory.lock_pair(conn, admin.user_id, user_id)
    if actor is None or not actor.is_admin or actor.disabled_at is not None:
        raise not_an_admin()
    if target is None:
        raise _no_such_user()
    return directory.to_admin_contract(target)


async def _change(
    conn: AsyncConnection, admin: Principal, user_id: uuid.UUID, values: dict[str, Any]
) -> AdminUser:
    changed = await directory.change(conn, user_id, values, actor_id=admin.user_id)
    if changed is None:
        # Only possible on SQLite, whose writers are serialised but whose reads lock nothing:
        # the target went, or the caller stopped being an admin, since `_locked_target`.
        raise _no_such_user() if await directory.get(conn, user_id) is None else not_an_admin()
    return changed


# --- reading --------------------------------------------------------------------------------


async def list_users(
    rt: Runtime, found: UserFilter, *, limit: int, cursor: uuid.UUID | None
) -> AdminUserList:
    async with rt.db.connection() as conn:
        page = await directory.search(conn, found, limit=limit, after=cursor)
    if page is None:
        raise not_found("The cursor names no user.")
    users, more = page
    return AdminUserList(data=users, next_cursor=users[-1].id if more else None)


async def get_user(rt: Runtime, user_id: uuid.UUID) -> AdminUser:
    async with rt.db.connection() as conn:
        user = await directory.get(conn, user_id)
    if user is None:
        raise _no_such_user()
    return user


async def list_organizations(
    rt: Runtime, *, limit: int, cursor: uuid.UUID | None, query: str | None
) -> OrganizationList:
    async with rt.db.connection() as conn:
        page = await organizations.list_all(conn, limit=limit, after=cursor, query=query)
    if page is None:
        raise not_found("The cursor names no organization.")
    found, more = page
    return OrganizationList(data=found, next_cursor=found[-1].id if more else None)


STATS_WINDOW = dt.timedelta(hours=24)


async def stats(rt: Runtime) -> AdminStats:
    now = utcnow()
    async with rt.db.connection() as conn:
        users = await directory.counts(conn)
        live = await sessions.count_live_sessions(conn)
        recent = await audit_log.count_actions(
            conn,
            [Action.login_succeeded, Action.login_failed, Action.user_registered],
            since=now - STATS_WINDOW,
        )
    return AdminStats(
        generated_at=now,
        users_total=users.total,
        users_disabled=users.disabled,
        users_verified=users.verified,
        admins=users.admins,
        sessions_active=live,
        logins_last_24h=recent.get(Action.login_succeeded, 0),
        failed_logins_last_24h=recent.get(Action.login_failed, 0),
        signups_last_24h=recent.get(Action.user_registered, 0),
    )


# --- changing accounts ----------------------------------------------------------------------


async def update_user(
    rt: Runtime, admin: Principal, user_id: uuid.UUID, changes: dict[str, Any], origin: Origin
) -> AdminUser:
    """`changes` is the raw PATCH body (validated): absent fields stay, `name: null` clears."""
    if not changes:  # the spec's minProperties, which the generated model does not carry
        raise validation_error([FieldError(pointer="#", detail="Send at least one field.")])
    if changes.get("is_admin") is False:
        _not_yourself(admin, user_id, "demote")
    async with rt.db.transaction() as conn:
        before = await _locked_target(conn, admin, user_id)
        user = await _change(conn, admin, user_id, changes)
        details: dict[str, Any] = {"fields": sorted(changes)}
        # Role and verification changes say which way they went; the name is not repeated.
        for flag in ("is_admin", "email_verified"):
            if flag in changes:
                details[flag] = changes[flag]
        if "is_admin" in changes and before.is_admin != user.is_admin:
            details["was_admin"] = before.is_admin
        await _record(conn, Action.admin_user_updated, admin, user_id, origin, details)
    await accounts.forget_cached_user(rt.store, user_id)
    return user


async def disable_user(
    rt: Runtime, admin: Principal, user_id: uuid.UUID, origin: Origin
) -> AdminUser:
    """Block sign-in, then end every session: marked disabled first, so a sign-in racing this
    either committed its session before (and loses it now) or is refused."""
    _not_yourself(admin, user_id, "disable")
    async with rt.db.transaction() as conn:
        user = await _locked_target(conn, admin, user_id)
        if user.disabled_at is None:
            user = await _change(conn, admin, user_id, {"disabled_at": utcnow()})
            await _record(conn, Action.admin_user_disabled, admin, user_id, origin)
    await accounts.forget_cached_user(rt.store, user_id)
    # Also when it was disabled already: idempotent, and nothing can have slipped through.
    await sessions.revoke_all_sessions(rt, user_id)
    # Tokens held by OAuth clients for the user die too (refresh and introspection).
    await oauth_grants.revoke_all_of_user(rt, user_id)
    return user


async def enable_user(
    rt: Runtime, admin: Principal, user_id: uuid.UUID, origin: Origin
) -> AdminUser:
    async with rt.db.transaction() as conn:
        user = await _locked_target(conn, admin, user_id)
        if user.disabled_at is not None:
            user = await _change(conn, admin, user_id, {"disabled_at": None})
            await _record(conn, Action.admin_user_enabled, admin, user_id, origin)
    await accounts.forget_cached_user(rt.store, user_id)
    return user


async def verify_email(
    rt: Runtime, admin: Principal, user_id: uuid.UUID, origin: Origin
) -> AdminUser:
    async with rt.db.transaction() as conn:
        user = await _locked_target(conn, admin, user_id)
        if not user.email_verified:
            user = await _change(conn, admin, user_id, {"email_verified": True})
            await _record(conn, Action.admin_email_verified, admin, user_id, origin)
    await accounts.forget_cached_user(rt.store, user_id)
    return user


async def delete_user(rt: Runtime, admin: Principal, user_id: uuid.UUID, origin: Origin) -> None:
    """Disable, end the sessions and the OAuth grants (their access tokens stop at once,
    through the store marks that need the session and grant ids, which the cascade would
    delete), then delete the row; the database cascades the rest."""
    _not_yourself(admin, user_id, "delete")
    async with rt.db.transaction() as conn:
        user = await _locked_target(conn, admin, user_id)
        orphaned = await organizations.solely_owned(conn, user_id)
        if orphaned:
            raise conflict(
                f"The user is the only owner of {len(orphaned)} organization(s); transfer "
                "ownership or delete them first."
            )
        if user.disabled_at is None:
            await _change(conn, admin, user_id, {"disabled_at": utcnow()})
    await sessions.revoke_all_sessions(rt, user_id)
    await oauth_grants.revoke_all_of_user(rt, user_id)
    async with rt.db.transaction() as conn:
        await _locked_target(conn, admin, user_id)
        if not await directory.remove(conn, user_id, actor_id=admin.user_id):
            # SQLite only (see `_change`): deleted meanwhile, or the caller lost admin.
            gone = await directory.get(conn, user_id) is None
            raise _no_such_user() if gone else not_an_admin()
        await _record(conn, Action.admin_user_deleted, admin, user_id, origin)
    await accounts.forget_cached_user(rt.store, user_id)


async def unlock_user(rt: Runtime, admin: Principal, user_id: uuid.UUID, origin: Origin) -> None:
    """Lift the sign-in lockout of the user's address in the shared store (the server's own
    store, so this also reaches the in-process one of the embedded mode)."""
    user = await get_user(rt, user_id)
    await lockout.unlock(rt.store, user.email)
    async with rt.db.transaction() as conn:
        await _record(conn, Action.admin_user_unlocked, admin, user_id, origin)


async def revoke_sessions(
    rt: Runtime, admin: Principal, user_id: uuid.UUID, origin: Origin
) -> None:
    await get_user(rt, user_id)
    await sessions.revoke_all_sessions(rt, user_id)
    async with rt.db.transaction() as conn:
        await _record(conn, Action.admin_sessions_revoked, admin, user_id, origin)


# --- bootstrap: the first platform admin ----------------------------------------------------


class BootstrapRefused(RuntimeError):
    """The operator's admin credentials cannot be used (printed at start-up or by the CLI)."""


class AddressTaken(BootstrapRefused):
    """The admin's address belongs to an account that is not an admin."""


def _check_password(password: str, email: str, settings: Settings) -> None:
    try:
        password_policy.check_password(
            password, email=email, min_length=settings.password_min_length, pointer="#/password"
        )
    except ApiError as exc:
        reasons = "; ".join(error.detail for error in exc.errors or []) or exc.detail
        raise BootstrapRefused(f"the admin password is refused: {reasons}") from None


async def create_admin(
    db: Database,
    settings: Settings,
    *,
    email: str,
    password: str,
    name: str | None = None,
    via: str,
    only_if_first: bool = False,
) -> uuid.UUID | None:
    """Create a platform admin with a verified address, as the operator (`via`: `startup`,
    `cli`). With `only_if_first`, nothing happens once any admin exists. None when nothing was
    created; BootstrapRefused for a weak password or an address another account has."""
    try:
        email = email_validator.validate_email(email, check_deliverability=False).normalized
    except email_validator.EmailNotValidError as exc:
        raise BootstrapRefused(f"{email!r} is not a valid email address: {exc}") from None
    _check_password(password, email, settings)
    try:
        async with db.transaction() as conn:
            if only_if_first and await directory.any_admin(conn):
                return None
            # The unique index on the canonical email decides between processes starting
            # together: one inserts, the others get a conflict and roll back.
            user_id = await accounts.create_account(conn, email=email, password=password, name=name)
            await directory.make_admin(conn, user_id, verified=True)
            await audit.record(
                conn,
                Action.admin_bootstrapped,
                user_id=user_id,
                origin=Origin(),
                target=_target(user_id),
                details={"via": via},
            )
    except ApiError as exc:
        if exc.status != 409:
            raise
        async with db.connection() as conn:
            account = await accounts.find_account(conn, email)
            already = account is not None and await directory.is_admin(conn, account.id)
        if already:
            return None  # another process created it just now
        raise AddressTaken(
            f"{email} belongs to an existing account that is not an admin; it is not promoted "
            "automatically (anybody could have registered it). Promote it with "
            "`janua create-admin --promote --email ...`."
        ) from None
    log.warning("created platform admin %s (%s)", email, via)
    return user_id


async def promote(db: Database, *, email: str, via: str) -> uuid.UUID | None:
    """Make the existing account of `email` a platform admin (the operator's `janua
    create-admin --promote`); None when there is no such account."""
    async with db.transaction() as conn:
        account = await accounts.find_account(conn, email)
        if account is None:
            return None
        await directory.make_admin(conn, account.id, verified=False)
        await audit.record(
            conn,
            Action.admin_user_updated,
            user_id=account.id,
            origin=Origin(),
            target=_target(account.id),
            details={"fields": ["is_admin"], "is_admin": True, "via": via},
        )
    return account.id


async def bootstrap(rt: Runtime) -> uuid.UUID | None:
    """At start-up: with ADMIN_BOOTSTRAP_PASSWORD set and no platform admin yet, create one
    (ADMIN_BOOTSTRAP_EMAIL). Later starts leave everything alone, also the password."""
    settings = rt.settings
    password = settings.admin_bootstrap_password
    if password is None or not password.get_secret_value():
        return None
    try:
        return await create_admin(
            rt.db,
            settings,
            email=settings.admin_bootstrap_email,
            password=password.get_secret_value(),
            via="startup",
            only_if_first=True,
        )
    except AddressTaken as exc:
        # Not fatal: the server is useful without it, and the operator can promote the
        # account on purpose. Loud, because nobody gets to be admin by registering first.
        log.error("admin bootstrap skipped: %s", exc)
        return None
    except BootstrapRefused as exc:
        # The operator's configuration is wrong (a weak password): refuse to start.
        log.error("admin bootstrap failed: %s", exc)
        raise
