"""Which second factors a user has enrolled: what the password step offers as `mfa_methods`.

Imported by `sessions.service` (a sign-in asks it), so it imports only the factor domains'
service modules, by module, and never `sessions`.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncConnection


async def enrolled_methods(conn: AsyncConnection, user_id: uuid.UUID) -> list[str]:
    """The `MfaMethod` values the user can finish a sign-in with, in the order to offer them;
    empty when the account has no second factor (the password alone signs in)."""
    methods: list[str] = []
    return methods
