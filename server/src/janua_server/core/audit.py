"""Append-only security events: who did what, from where, with what outcome.

Nothing updates or deletes a row except retention (AUDIT_RETENTION_DAYS). Events are written in
the caller's transaction when there is one, so an action and its record commit together.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import JSON, Column, String, Table, Uuid, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.core import pagination
from janua_server.core.db import UTCDateTime, metadata, utcnow

log = logging.getLogger("janua.audit")

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    # No foreign keys: the record outlives the user it is about.
    Column("user_id", Uuid, nullable=True, index=True),
    Column("actor_id", Uuid, nullable=True),
    Column("action", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("ip", String(45), nullable=True),
    Column("user_agent", String(512), nullable=True),
    Column("details", JSON, nullable=True),
    # The organization the event happened in (its admins can read it) and what it acted on,
    # as `kind:id` (e.g. `user:<uuid>`, `invitation:<uuid>`).
    Column("organization_id", Uuid, nullable=True, index=True),
    Column("target", String(128), nullable=True),
)

Outcome = Literal["success", "failure"]


@dataclass(frozen=True)
class Origin:
    """Where a request came from, as recorded with every event."""

    ip: str | None = None
    user_agent: str | None = None


async def record(
    conn: AsyncConnection,
    action: str,
    *,
    user_id: uuid.UUID | None,
    origin: Origin,
    outcome: Outcome = "success",
    actor_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
    organization_id: uuid.UUID | None = None,
    target: str | None = None,
) -> None:
    """Write one event. `details` must never hold secrets (tokens, passwords, codes)."""
    await conn.execute(
        insert(audit_events).values(
            id=uuid.uuid4(),
            created_at=utcnow(),
            user_id=user_id,
            actor_id=actor_id if actor_id is not None else user_id,
            action=action,
            outcome=outcome,
            ip=origin.ip,
            user_agent=(origin.user_agent or "")[:512] or None,
            details=details,
            organization_id=organization_id,
            target=target,
        )
    )
    log.info("audit %s %s user=%s ip=%s", action, outcome, user_id, origin.ip)


async def events_of_user(
    conn: AsyncConnection, user_id: uuid.UUID, *, limit: int, after: uuid.UUID | None
) -> tuple[list[Any], bool] | None:
    """A page of a user's events, newest first; None when `after` is not one of theirs."""
    mine = audit_events.c.user_id == user_id
    return await pagination.newest_first(
        conn,
        select(audit_events).where(mine),
        table=audit_events,
        owner=mine,
        limit=limit,
        after=after,
    )


async def apply_retention(conn: AsyncConnection, days: int) -> int:
    cutoff = utcnow() - dt.timedelta(days=days)
    result = await conn.execute(delete(audit_events).where(audit_events.c.created_at < cutoff))
    return result.rowcount or 0
