from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table, Uuid, false

from janua_server.core.db import UTCDateTime, metadata

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", String(254), nullable=False),
    # NFKC + case-fold of `email`: the uniqueness key, so Alice@Example.com is alice@example.com.
    Column("email_canonical", String(254), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("name", String(200), nullable=True),
    Column("email_verified", Boolean, nullable=False, default=False),
    Column("locale", String(35), nullable=True),
    Column("timezone", String(64), nullable=True),
    Column("picture_url", String(2048), nullable=True),
    Column("password_changed_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # Platform administration (admin domain, migration 0007): a platform admin may use the
    # admin API; a disabled user cannot sign in and has no session.
    Column("is_admin", Boolean, nullable=False, default=False, server_default=false()),
    Column("disabled_at", UTCDateTime, nullable=True),
)
# The admin directory lists users newest first (keyset on created_at, id).
Index("ix_users_created_at", users.c.created_at)

# Single-use tokens sent in email links (verification, password reset). Only a SHA-256 of the
# token is stored; the link carries the token itself.
account_tokens = Table(
    "account_tokens",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("purpose", String(32), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
)
