"""A user's own security events, read from the append-only log in `core.audit`."""

from __future__ import annotations

import uuid

from janua_server.contract.models import AuditEvent, AuditEventList
from janua_server.core import audit
from janua_server.core.errors import not_found
from janua_server.core.runtime import Runtime
from janua_server.sessions.service import Principal


async def list_my_events(
    rt: Runtime, principal: Principal, *, limit: int, cursor: uuid.UUID | None
) -> AuditEventList:
    """The caller's events, newest first; `cursor` is the last id of the previous page."""
    async with rt.db.connection() as conn:
        page = await audit.events_of_user(conn, principal.user_id, limit=limit, after=cursor)
    if page is None:
        # Another user's event id is answered exactly like a random one.
        raise not_found("The cursor names no event of yours.")
    rows, more = page
    return AuditEventList(
        data=[
            AuditEvent(
                id=row.id,
                action=row.action,
                outcome=row.outcome,
                created_at=row.created_at,
                ip=row.ip,
                user_agent=row.user_agent,
            )
            for row in rows
        ],
        next_cursor=rows[-1].id if more else None,
    )
