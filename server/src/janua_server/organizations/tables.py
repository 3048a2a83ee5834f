from sqlalchemy import JSON, Column, ForeignKey, String, Table, UniqueConstraint, Uuid

from janua_server.core.db import UTCDateTime, metadata

organizations = Table(
    "organizations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    # Lowercase by rule (the spec's pattern), so the unique index is the whole check.
    Column("slug", String(63), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Custom roles of one organization. The built-in roles (owner, admin, member) are code, not
# rows: they exist in every organization and cannot be changed.
organization_roles = Table(
    "organization_roles",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column(
        "organization_id",
        Uuid,
        ForeignKey("organizations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("key", String(50), nullable=False),
    Column("name", String(100), nullable=False),
    Column("description", String(500), nullable=True),
    # A JSON list of `resource:action` strings.
    Column("permissions", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("organization_id", "key"),
)

organization_members = Table(
    "organization_members",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column(
        "organization_id",
        Uuid,
        ForeignKey("organizations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    # A built-in role name or the key of one of the organization's custom roles.
    Column("role", String(50), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # Also the index behind every permission check (organization_id, user_id).
    UniqueConstraint("organization_id", "user_id"),
)

# Invitations by email. The link carries a 256-bit token; only its SHA-256 is stored.
organization_invitations = Table(
    "organization_invitations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column(
        "organization_id",
        Uuid,
        ForeignKey("organizations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("email", String(254), nullable=False),
    Column("email_canonical", String(254), nullable=False),
    Column("role", String(50), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    # No foreign keys to users: the invitation's history outlives the people on it.
    Column("invited_by", Uuid, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("accepted_at", UTCDateTime, nullable=True),
    Column("accepted_by", Uuid, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
)
