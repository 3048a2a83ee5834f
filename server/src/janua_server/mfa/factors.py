"""Which second factors a user has enrolled: what the password step offers as `mfa_methods`.

Imported by `sessions.service` (a sign-in asks it), so it imports only the factor domains'
tables or service modules, by module, and never `sessions`.
"""

from __future__ import annotations

import uuid

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.mfa.tables import mfa_recovery_codes, mfa_sms, mfa_totp
from janua_server.passkeys import service as passkeys


async def enrolled_methods(conn: AsyncConnection, user_id: uuid.UUID) -> list[str]:
    """The `MfaMethod` values the user can finish a sign-in with, in the order to offer them;
    empty when the account has no second factor (the password alone signs in)."""
    # One round trip: every password sign-in asks.
    row = (
        await conn.execute(
            select(
                exists().where(mfa_totp.c.user_id == user_id, mfa_totp.c.confirmed_at.is_not(None)),
                exists().where(mfa_sms.c.user_id == user_id),
                passkeys.has_passkey(user_id),
                select(func.count())
                .where(
                    mfa_recovery_codes.c.user_id == user_id,
                    mfa_recovery_codes.c.used_at.is_(None),
                )
                .scalar_subquery(),
            )
        )
    ).one()
    has_totp, has_sms, has_passkey, recovery_codes = row
    methods: list[str] = []
    if has_totp:
        methods.append("totp")
    if has_sms:
        methods.append("sms")
    if has_passkey:
        methods.append("passkey")
    # Recovery codes back up a factor; alone they are none (and are deleted with the last one).
    if methods and recovery_codes:
        methods.append("recovery_code")
    return methods
