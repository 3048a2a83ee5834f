"""Reading the append-only audit log (`core.audit`): a user's own events, the log for platform
admins and organizations' auditors (search and NDJSON export), and retention.

Nothing here writes an event except the record of an export; nothing edits or deletes one but
retention (AUDIT_RETENTION_DAYS).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.contract.models import Action, AuditEvent, AuditEventList, Outcome
from janua_server.core import audit, pagination
from janua_server.core.audit import Origin, audit_events
from janua_server.core.errors import authorization_error, not_found
from janua_server.core.runtime import Runtime
from janua_server.organizations import service as organizations
from janua_server.sessions.service import Principal

log = logging.getLogger("janua.audit")

# The permission an organization role needs to read that organization's events.
AUDIT_READ = "audit:read"
# Rows per query of an export: big enough to stream fast, small enough to hold no connection
# or memory for long.
EXPORT_BATCH = 500


def to_contract(row: Any) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        action=row.action,
        outcome=row.outcome,
        created_at=row.created_at,
        ip=row.ip,
        user_agent=row.user_agent,
        actor_id=row.actor_id,
        user_id=row.user_id,
        organization_id=row.organization_id,
        target=row.target,
        details=row.details,
    )


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
        data=[to_contract(row) for row in rows],
        next_cursor=rows[-1].id if more else None,
    )


# --- the log for admins and auditors ----------------------------------------------------------


@dataclass(frozen=True)
class EventFilter:
    """The log's search: all given conditions hold (AND)."""

    organization_id: uuid.UUID | None = None
    actor_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    action: str | None = None
    target: str | None = None
    outcome: Outcome | None = None
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        c = audit_events.c
        equal = {
            c.organization_id: self.organization_id,
            c.actor_id: self.actor_id,
            c.user_id: self.user_id,
            c.action: self.action,
            c.target: self.target,
            c.outcome: self.outcome.value if self.outcome is not None else None,
        }
        found = [column == value for column, value in equal.items() if value is not None]
        if self.created_after is not None:
            found.append(c.created_at >= self.created_after)
        if self.created_before is not None:
            found.append(c.created_at < self.created_before)
        return found

    def as_details(self) -> dict[str, str]:
        """The filters of an export, for its own audit record."""
        return {
            key: value.isoformat() if isinstance(value, dt.datetime) else str(value)
            for key, value in asdict(self).items()
            if value is not None
        }


@dataclass(frozen=True)
class Scope:
    """The part of the log a caller may read: everything (a platform admin) or one
    organization's events (`audit:read` there). A cursor must name an event inside it."""

    organization_id: uuid.UUID | None

    def condition(self) -> ColumnElement[bool]:
        if self.organization_id is None:
            return true()
        return audit_events.c.organization_id == self.organization_id


async def scope_of(
    conn: AsyncConnection, principal: Principal, organization_id: uuid.UUID | None, *, admin: bool
) -> Scope:
    """Platform admins read everything; anybody else one organization, with `audit:read` there:
    404 for an organization they are not a member of (its existence is not revealed), 403 for a
    member without the permission."""
    if admin:
        return Scope(None)
    if organization_id is None:
        raise authorization_error(
            "Only platform admins read the whole audit log; pass the organization_id of an "
            f"organization where you hold {AUDIT_READ}."
        )
    member = await organizations.membership(conn, organization_id, principal.user_id)
    if member is None:
        raise not_found("No such organization.")
    if not member.grant.allows(AUDIT_READ):
        raise authorization_error(f"This needs the permission {AUDIT_READ}.")
    return Scope(organization_id)


async def _page(
    conn: AsyncConnection, scope: Scope, found: EventFilter, *, limit: int, after: uuid.UUID | None
) -> tuple[list[Any], bool] | None:
    return await pagination.newest_first(
        conn,
        select(audit_events).where(scope.condition(), *found.conditions()),
        table=audit_events,
        owner=scope.condition(),
        limit=limit,
        after=after,
    )


async def search(
    rt: Runtime, scope: Scope, found: EventFilter, *, limit: int, cursor: uuid.UUID | None
) -> AuditEventList:
    async with rt.db.connection() as conn:
        page = await _page(conn, scope, found, limit=limit, after=cursor)
    if page is None:
        raise not_found("The cursor names no event of this log.")
    rows, more = page
    return AuditEventList(
        data=[to_contract(row) for row in rows], next_cursor=rows[-1].id if more else None
    )


async def record_export(
    rt: Runtime, principal: Principal, scope: Scope, found: EventFilter, origin: Origin
) -> None:
    """Who exported which part of the log is itself an event (before the first line goes)."""
    async with rt.db.transaction() as conn:
        await audit.record(
            conn,
            Action.audit_log_exported,
            user_id=principal.user_id,
            origin=origin,
            organization_id=scope.organization_id,
            details=found.as_details() or None,
        )


async def export_lines(rt: Runtime, scope: Scope, found: EventFilter) -> AsyncIterator[bytes]:
    """Every matching event, newest first, one JSON object per line (NDJSON). Read in keyset
    batches, each on a connection of its own, so neither the table nor a connection is held
    for the length of the download."""
    after: uuid.UUID | None = None
    while True:
        async with rt.db.connection() as conn:
            page = await _page(conn, scope, found, limit=EXPORT_BATCH, after=after)
        if page is None:  # the anchor went (retention ran meanwhile): the export ends there
            return
        rows, more = page
        if rows:
            yield b"".join(to_contract(row).model_dump_json().encode() + b"\n" for row in rows)
        if not more:
            return
        after = rows[-1].id


async def count_actions(
    conn: AsyncConnection, actions: Iterable[Action], *, since: dt.datetime
) -> dict[Action, int]:
    """How many events of each action happened since `since` (admin statistics)."""
    wanted = [action.value for action in actions]
    rows = (
        await conn.execute(
            select(audit_events.c.action, func.count())
            .where(audit_events.c.action.in_(wanted), audit_events.c.created_at >= since)
            .group_by(audit_events.c.action)
        )
    ).all()
    return {Action(row[0]): row[1] for row in rows}


# --- retention ------------------------------------------------------------------------------

RETENTION_INTERVAL_SECONDS = 3600.0


async def apply_retention(rt: Runtime) -> int:
    """Delete the events older than AUDIT_RETENTION_DAYS; how many went."""
    async with rt.db.transaction() as conn:
        removed = await audit.apply_retention(conn, rt.settings.audit_retention_days)
    if removed:
        log.info(
            "audit retention removed %d events older than %d days",
            removed,
            rt.settings.audit_retention_days,
        )
    return removed


async def keep_retention(rt: Runtime, every: float = RETENTION_INTERVAL_SECONDS) -> None:
    """Apply retention now and then every `every` seconds, until cancelled (the app's lifespan
    runs it in every process: the deletes are idempotent). A failed pass (database down) is
    logged and retried at the next one."""
    while True:
        try:
            await apply_retention(rt)
        except Exception as exc:
            log.warning("audit retention failed (%s); retrying later", type(exc).__name__)
        await asyncio.sleep(every)
