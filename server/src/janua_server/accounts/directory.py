"""The user directory of platform administration: finding users, their standing (platform
admin, disabled) and the changes admins make to accounts.

The `users` table belongs to the accounts domain, so the admin domain reaches it only through
this module. Every change an admin makes is conditional on the admin still being an enabled
admin *in the same statement* (`_acting_admin`): of two admins demoting each other at once, one
wins and the other is refused, so the platform never ends up without an admin.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, case, delete, exists, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.accounts.service import canonical_email
from janua_server.accounts.tables import users
from janua_server.contract.models import AdminUser
from janua_server.core import pagination
from janua_server.core.db import utcnow
from janua_server.core.errors import ApiError, authentication_error

Status = Literal["active", "disabled"]


@dataclass(frozen=True)
class UserFilter:
    """The directory's search: all given conditions hold (AND)."""

    query: str | None = None
    status: Status | None = None
    email_verified: bool | None = None
    is_admin: bool | None = None
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None


def _conditions(found: UserFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if found.query:
        # `autoescape` escapes `%`, `_` and the escape character itself and adds an ESCAPE
        # clause, so user input is a literal substring on SQLite and PostgreSQL alike (where
        # `\` would otherwise be LIKE's default escape). Quotes travel as bound parameters.
        conditions.append(
            users.c.email_canonical.contains(canonical_email(found.query), autoescape=True)
            | users.c.name.icontains(found.query.strip(), autoescape=True)
        )
    if found.status == "disabled":
        conditions.append(users.c.disabled_at.is_not(None))
    elif found.status == "active":
        conditions.append(users.c.disabled_at.is_(None))
    if found.email_verified is not None:
        conditions.append(users.c.email_verified == found.email_verified)
    if found.is_admin is not None:
        conditions.append(users.c.is_admin == found.is_admin)
    if found.created_after is not None:
        conditions.append(users.c.created_at >= found.created_after)
    if found.created_before is not None:
        conditions.append(users.c.created_at < found.created_before)
    return conditions


def to_admin_contract(row: Any) -> AdminUser:
    return AdminUser(
        id=row.id,
        email=row.email,
        name=row.name,
        email_verified=row.email_verified,
        locale=row.locale,
        timezone=row.timezone,
        picture_url=row.picture_url,
        is_admin=row.is_admin,
        disabled_at=row.disabled_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def search(
    conn: AsyncConnection, found: UserFilter, *, limit: int, after: uuid.UUID | None
) -> tuple[list[AdminUser], bool] | None:
    """One page of matching users, newest first; None when `after` names no user."""
    page = await pagination.newest_first(
        conn,
        select(users).where(true(), *_conditions(found)),
        table=users,
        owner=true(),
        limit=limit,
        after=after,
    )
    if page is None:
        return None
    rows, more = page
    return [to_admin_contract(row) for row in rows], more


async def get(conn: AsyncConnection, user_id: uuid.UUID) -> AdminUser | None:
    row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
    return to_admin_contract(row) if row else None


@dataclass(frozen=True)
class Standing:
    """What the caller of the admin API is: an enabled admin with a live session, or not."""

    is_admin: bool
    disabled: bool
    session_live: bool

    @property
    def may_administer(self) -> bool:
        return self.is_admin and not self.disabled


async def standing(
    conn: AsyncConnection, user_id: uuid.UUID, session_live: ColumnElement[bool]
) -> Standing | None:
    """The user's admin standing and, in the same round trip, another domain's condition on
    their session (`sessions.service.session_is_live`); None when the account is gone."""
    row = (
        await conn.execute(
            select(users.c.is_admin, users.c.disabled_at, session_live.label("live")).where(
                users.c.id == user_id
            )
        )
    ).first()
    if row is None:
        return None
    return Standing(bool(row.is_admin), row.disabled_at is not None, bool(row.live))


def account_disabled() -> ApiError:
    return authentication_error("This account is disabled.")


async def is_disabled(conn: AsyncConnection, user_id: uuid.UUID, *, lock: bool = False) -> bool:
    """Whether the account is disabled. `lock` holds a shared row lock until the transaction
    ends (PostgreSQL): a session opened under it cannot slip past a concurrent disable, whose
    UPDATE waits for it and whose session revocation then ends the new session too."""
    query = select(users.c.disabled_at).where(users.c.id == user_id)
    if lock:
        query = query.with_for_update(read=True)
    return (await conn.execute(query)).scalar_one_or_none() is not None


async def lock_pair(
    conn: AsyncConnection, actor_id: uuid.UUID, target_id: uuid.UUID
) -> tuple[Any | None, Any | None]:
    """Lock the acting admin's and the target's rows (PostgreSQL; in id order, so two admins
    acting on each other queue instead of deadlocking) and return both (None: no such row)."""
    rows = (
        await conn.execute(
            select(users)
            .where(users.c.id.in_({actor_id, target_id}))
            .order_by(users.c.id)
            .with_for_update()
        )
    ).all()
    by_id = {row.id: row for row in rows}
    return by_id.get(actor_id), by_id.get(target_id)


def _acting_admin(actor_id: uuid.UUID) -> ColumnElement[bool]:
    """True while `actor_id` is an enabled platform admin, evaluated inside the changing
    statement (SQLite serialises writers, so the check and the change are one step)."""
    actor = users.alias("actor")
    return exists().where(
        actor.c.id == actor_id, actor.c.is_admin == true(), actor.c.disabled_at.is_(None)
    )


ADMIN_FIELDS = frozenset({"name", "email_verified", "is_admin", "disabled_at"})


async def change(
    conn: AsyncConnection, user_id: uuid.UUID, values: dict[str, Any], *, actor_id: uuid.UUID
) -> AdminUser | None:
    """Set admin-managed fields of a user, if `actor_id` is still an enabled admin; the updated
    user, or None when the user is gone or the actor is no longer an admin."""
    if not values or not set(values) <= ADMIN_FIELDS:
        raise ValueError(f"not admin fields: {sorted(set(values) - ADMIN_FIELDS)}")
    row = (
        await conn.execute(
            update(users)
            .where(users.c.id == user_id, _acting_admin(actor_id))
            .values(**values, updated_at=utcnow())
            .returning(*users.c)
        )
    ).first()
    return to_admin_contract(row) if row else None


async def remove(conn: AsyncConnection, user_id: uuid.UUID, *, actor_id: uuid.UUID) -> bool:
    """Delete the account (sessions, refresh tokens, email links and memberships go with it by
    ON DELETE CASCADE), if `actor_id` is still an enabled admin. True when a row went."""
    result = await conn.execute(delete(users).where(users.c.id == user_id, _acting_admin(actor_id)))
    return result.rowcount == 1


@dataclass(frozen=True)
class Counts:
    total: int
    disabled: int
    verified: int
    admins: int


async def counts(conn: AsyncConnection) -> Counts:
    """The directory's totals in one scan."""

    def how_many(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = (
        await conn.execute(
            select(
                func.count(),
                how_many(users.c.disabled_at.is_not(None)),
                how_many(users.c.email_verified == true()),
                how_many(users.c.is_admin == true()),
            ).select_from(users)
        )
    ).one()
    return Counts(total=row[0], disabled=row[1], verified=row[2], admins=row[3])


# Bootstrap: the first platform admin.


async def is_admin(conn: AsyncConnection, user_id: uuid.UUID) -> bool:
    query = select(users.c.id).where(users.c.id == user_id, users.c.is_admin == true())
    return (await conn.execute(query)).first() is not None


async def any_admin(conn: AsyncConnection) -> bool:
    return (
        await conn.execute(select(users.c.id).where(users.c.is_admin == true()).limit(1))
    ).first() is not None


async def make_admin(conn: AsyncConnection, user_id: uuid.UUID, *, verified: bool) -> None:
    """Make a user a platform admin (bootstrap and `janua create-admin`, which act as the
    operator rather than as an admin); `verified` also marks the email address verified."""
    values: dict[str, Any] = {"is_admin": True, "updated_at": utcnow()}
    if verified:
        values["email_verified"] = True
    await conn.execute(update(users).where(users.c.id == user_id).values(**values))
