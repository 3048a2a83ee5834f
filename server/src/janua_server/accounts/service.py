"""Account rules: who may have an account, how emails are compared, what a user looks like."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from janua_server.accounts.tables import users
from janua_server.contract.models import User
from janua_server.core import passwords
from janua_server.core.db import utcnow
from janua_server.core.errors import conflict
from janua_server.core.store import Store


@dataclass(frozen=True)
class Account:
    id: uuid.UUID
    password_hash: str


def canonical_email(email: str) -> str:
    """The form two addresses are compared in: NFKC, case-folded, trimmed."""
    return unicodedata.normalize("NFKC", email.strip()).casefold()


async def create_account(
    conn: AsyncConnection, *, email: str, password: str, name: str | None
) -> uuid.UUID:
    password_hash = await passwords.hash_password(password)
    now = utcnow()
    user_id = uuid.uuid4()
    try:
        # Insert first and let the unique index decide: a read-then-write would race.
        await conn.execute(
            insert(users).values(
                id=user_id,
                email=email.strip(),
                email_canonical=canonical_email(email),
                password_hash=password_hash,
                name=name,
                email_verified=False,
                created_at=now,
                updated_at=now,
            )
        )
    except IntegrityError:
        raise conflict("An account with this email address already exists.") from None
    return user_id


async def find_account(conn: AsyncConnection, email: str) -> Account | None:
    row = (
        await conn.execute(
            select(users.c.id, users.c.password_hash).where(
                users.c.email_canonical == canonical_email(email)
            )
        )
    ).first()
    return Account(row.id, row.password_hash) if row else None


async def update_password_hash(
    conn: AsyncConnection, user_id: uuid.UUID, password_hash: str
) -> None:
    await conn.execute(
        users.update().where(users.c.id == user_id).values(password_hash=password_hash)
    )


# Profiles are cached in the shared store for the hot `GET /me` path. Every change to a users
# row calls `forget_cached_user` after its transaction commits.
USER_CACHE_SECONDS = 60


def user_cache_key(user_id: uuid.UUID) -> str:
    return f"user:{user_id}"


def profiles_cached(store: Store) -> bool:
    """Whether `GET /me` and userinfo may serve a profile from the store: with a shared store
    its revocation marks are authoritative. The in-process store loses its marks on restart:
    there the session row in the database stays the source of truth."""
    return store.backend != "memory"


async def cache_user(store: Store, user: User) -> None:
    if profiles_cached(store):
        await store.set(
            user_cache_key(user.id), user.model_dump_json().encode(), USER_CACHE_SECONDS
        )


async def forget_cached_user(store: Store, user_id: uuid.UUID) -> None:
    await store.delete(user_cache_key(user_id))


async def get_user(
    conn: AsyncConnection, user_id: uuid.UUID, *, provided: ColumnElement[bool] | None = None
) -> User | None:
    """The user, or None; `provided` is an extra condition (another domain's) the row needs."""
    query = select(users).where(users.c.id == user_id)
    if provided is not None:
        query = query.where(provided)
    row = (await conn.execute(query)).first()
    return to_contract(row) if row else None


def to_contract(row) -> User:
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        email_verified=row.email_verified,
        locale=row.locale,
        timezone=row.timezone,
        picture_url=row.picture_url,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


# Account flows (verification, password reset and change, profile). Callers forget the cached
# user (`forget_cached_user`) once their transaction has committed.


async def get_password_hash(conn: AsyncConnection, user_id: uuid.UUID) -> str | None:
    return (
        await conn.execute(select(users.c.password_hash).where(users.c.id == user_id))
    ).scalar_one_or_none()


async def set_password(
    conn: AsyncConnection, user_id: uuid.UUID, password_hash: str, *, replacing: str | None = None
) -> bool:
    """Store a new password hash. With `replacing`, only if the stored hash is still that one
    (of two concurrent changes, one wins). True when the row changed."""
    now = utcnow()
    query = update(users).where(users.c.id == user_id)
    if replacing is not None:
        query = query.where(users.c.password_hash == replacing)
    result = await conn.execute(
        query.values(password_hash=password_hash, password_changed_at=now, updated_at=now)
    )
    return result.rowcount == 1


async def mark_email_verified(conn: AsyncConnection, user_id: uuid.UUID) -> None:
    await conn.execute(
        update(users).where(users.c.id == user_id).values(email_verified=True, updated_at=utcnow())
    )


PROFILE_FIELDS = frozenset({"name", "locale", "timezone", "picture_url"})


async def update_profile(
    conn: AsyncConnection, user_id: uuid.UUID, changes: dict[str, str | None]
) -> User | None:
    """Set the given profile fields (None clears one); the updated user."""
    if not changes or not set(changes) <= PROFILE_FIELDS:
        raise ValueError(f"not profile fields: {sorted(set(changes) - PROFILE_FIELDS)}")
    await conn.execute(
        update(users).where(users.c.id == user_id).values(**changes, updated_at=utcnow())
    )
    return await get_user(conn, user_id)


async def get_users(
    conn: AsyncConnection, user_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, User]:
    """Several users in one query (for lists that show people, e.g. organization members)."""
    if not user_ids:
        return {}
    rows = (await conn.execute(select(users).where(users.c.id.in_(set(user_ids))))).all()
    return {row.id: to_contract(row) for row in rows}
