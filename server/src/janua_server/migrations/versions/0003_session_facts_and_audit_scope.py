"""session facts (amr, active organization) and audit scope (organization, target)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("amr", sa.String(length=64), server_default="pwd", nullable=False)
        )
        batch_op.add_column(sa.Column("organization_id", sa.Uuid(), nullable=True))
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organization_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("target", sa.String(length=128), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_audit_events_organization_id"), ["organization_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_organization_id"))
        batch_op.drop_column("target")
        batch_op.drop_column("organization_id")
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_column("organization_id")
        batch_op.drop_column("amr")
