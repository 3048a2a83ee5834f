"""Keyset pagination, newest first, for every list of the API (`limit`, `cursor` -> `data`,
`next_cursor`). The cursor is the id of the previous page's last item: stable under inserts,
and exact in the contract (`format: uuid`), unlike an opaque token.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection


async def newest_first(
    conn: AsyncConnection,
    query: Select[Any],
    *,
    table: Table,
    owner: ColumnElement[bool],
    limit: int,
    after: uuid.UUID | None,
) -> tuple[list[Any], bool] | None:
    """One page of `query` ordered by (created_at, id) descending, and whether more follow.

    `after` must be the id of a row matching `owner`: another owner's id is answered like an
    unknown one (None), so a cursor never reveals what exists elsewhere.
    """
    if after is not None:
        anchor = (
            await conn.execute(select(table.c.created_at).where(table.c.id == after, owner))
        ).first()
        if anchor is None:
            return None
        query = query.where(
            tuple_(table.c.created_at, table.c.id) < tuple_(anchor.created_at, after)
        )
    query = query.order_by(table.c.created_at.desc(), table.c.id.desc()).limit(limit + 1)
    rows = list((await conn.execute(query)).all())
    return rows[:limit], len(rows) > limit
