"""OAuth consents and provider sign-in (issue 6)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import janua_server.core.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, janua_server.core.db.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "provider_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        _timestamp("created_at"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["auth_sessions.id"],
            name=op.f("fk_provider_sessions_session_id_auth_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_provider_sessions_token_hash")),
    )
    with op.batch_alter_table("provider_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_sessions_session_id"), ["session_id"], unique=False
        )
    op.create_table(
        "oauth_consents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=1000), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_oauth_consents_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_consents")),
        sa.UniqueConstraint(
            "user_id", "client_id", name=op.f("uq_oauth_consents_user_id_client_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("oauth_consents")
    with op.batch_alter_table("provider_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_sessions_session_id"))
    op.drop_table("provider_sessions")
