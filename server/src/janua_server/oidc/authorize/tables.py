"""Tables of the browser side of the provider: the sign-in sessions browsers hold at Janua, and
the consents users gave to third-party clients."""

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint, Uuid

from janua_server.core.db import UTCDateTime, metadata

# One row per `__Host-janua_session` cookie. The cookie carries 256 random bits; only their
# SHA-256 is kept. The row points at a first-party session (`auth_sessions`): that session's
# `created_at` is the `auth_time`, its `amr` how the user signed in, and revoking it (from the
# user's session list, a password reset, a sign-out) ends the browser's sign-in too.
provider_sessions = Table(
    "provider_sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column(
        "session_id",
        Uuid,
        ForeignKey("auth_sessions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created_at", UTCDateTime, nullable=False),
)

# Remembered consent: which scopes a user allowed a client, so the next authorization that asks
# for no more than these goes through without the consent page (OIDC Core 3.1.2.4).
oauth_consents = Table(
    "oauth_consents",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("client_id", String(100), nullable=False),
    # Space-separated, sorted: the union of every scope the user allowed this client.
    Column("scope", String(1000), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("user_id", "client_id"),
)
