"""Account rules: who may have an account, how emails are compared, what a user looks like."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.accounts.tables import users
from janua_server.contract.models import User
from janua_server.core import passwords
from janua_server.core.db import utcnow
from janua_server.core.errors import conflict


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


async def get_user(conn: AsyncConnection, user_id: uuid.UUID) -> User | None:
    row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
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
