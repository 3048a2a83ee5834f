from sqlalchemy import Boolean, Column, String, Table, Uuid

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
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
