from sqlalchemy import Column, ForeignKey, String, Table, Uuid

from janua_server.core.db import UTCDateTime, metadata

auth_sessions = Table(
    "auth_sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("ip", String(45), nullable=True),
    Column("user_agent", String(512), nullable=True),
    Column("device_label", String(100), nullable=True),
    # How the user signed in (RFC 8176 `amr` values, space-separated): every token of the
    # session carries it, and `created_at` is its `auth_time`.
    Column("amr", String(64), nullable=False, server_default="pwd"),
    # The organization the user chose to act in; its claims are recomputed at every refresh.
    Column("organization_id", Uuid, nullable=True),
)

# One row per refresh token ever issued; a session's rows are its rotation family.
refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column(
        "session_id",
        Uuid,
        ForeignKey("auth_sessions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # SHA-256 of the token: a database leak yields no usable refresh token.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("rotated_at", UTCDateTime, nullable=True),
)
