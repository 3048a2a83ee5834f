"""Recovery codes: ten single-use codes that stand in for a lost second factor.

Each is 10 characters from an alphabet without look-alikes (no 0/o, 1/l/i), shown as
`xxxxx-xxxxx`: about 49 bits. Only an HMAC under the MFA key is stored, so a leaked table
cannot be searched offline; matching compares every stored digest in constant time, and using
a code is a conditional UPDATE, so a code works once even when sent twice at once.
"""

from __future__ import annotations

import hmac
import secrets
import uuid

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.core.db import utcnow
from janua_server.mfa.crypto import MfaKeys
from janua_server.mfa.tables import mfa_recovery_codes

COUNT = 10
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
LENGTH = 10
_PURPOSE = "recovery"


def normalize(code: str) -> str:
    """What the user typed, as issued: case, spaces and hyphens do not matter."""
    return "".join(code.split()).replace("-", "").lower()


def looks_like_recovery_code(code: str) -> bool:
    normalized = normalize(code)
    return len(normalized) == LENGTH and all(c in ALPHABET for c in normalized)


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


async def replace_codes(conn: AsyncConnection, keys: MfaKeys, user_id: uuid.UUID) -> list[str]:
    """Issue a fresh set; every earlier code of the user stops working."""
    await delete_codes(conn, user_id)
    codes = [_new_code() for _ in range(COUNT)]
    now = utcnow()
    await conn.execute(
        insert(mfa_recovery_codes),
        [
            {
                "id": uuid.uuid4(),
                "user_id": user_id,
                "code_hash": keys.code_digest(_PURPOSE, normalize(code)),
                "created_at": now,
            }
            for code in codes
        ],
    )
    return codes


async def delete_codes(conn: AsyncConnection, user_id: uuid.UUID) -> None:
    await conn.execute(delete(mfa_recovery_codes).where(mfa_recovery_codes.c.user_id == user_id))


async def remaining(conn: AsyncConnection, user_id: uuid.UUID) -> int:
    return (
        await conn.execute(
            select(func.count()).where(
                mfa_recovery_codes.c.user_id == user_id, mfa_recovery_codes.c.used_at.is_(None)
            )
        )
    ).scalar_one()


async def redeem(conn: AsyncConnection, keys: MfaKeys, user_id: uuid.UUID, code: str) -> bool:
    """Use up `code` if it is one of the user's unused codes."""
    if not looks_like_recovery_code(code):
        return False
    candidates = keys.code_digests(_PURPOSE, normalize(code))
    rows = (
        await conn.execute(
            select(mfa_recovery_codes.c.id, mfa_recovery_codes.c.code_hash).where(
                mfa_recovery_codes.c.user_id == user_id, mfa_recovery_codes.c.used_at.is_(None)
            )
        )
    ).all()
    match = None
    for row in rows:
        for candidate in candidates:
            if hmac.compare_digest(row.code_hash.encode(), candidate.encode()) and match is None:
                match = row.id
    if match is None:
        return False
    used = await conn.execute(
        update(mfa_recovery_codes)
        .where(mfa_recovery_codes.c.id == match, mfa_recovery_codes.c.used_at.is_(None))
        .values(used_at=utcnow())
    )
    return used.rowcount == 1
