"""Tables of the OAuth provider's back channel: registered clients, and the grants (token
families) issued to them."""

from sqlalchemy import JSON, Boolean, Column, ForeignKey, String, Table, Uuid

from janua_server.core.db import UTCDateTime, metadata

# One row per registered client (RFC 6749 section 2; metadata names from RFC 7591).
oauth_clients = Table(
    "oauth_clients",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("client_id", String(100), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    # client_secret_basic, client_secret_post, or none (a public client: PKCE instead).
    Column("token_endpoint_auth_method", String(32), nullable=False),
    # SHA-256 of the secret: 256 random bits need no slow hash (see core.secret_tokens).
    Column("secret_hash", String(64), nullable=True),
    # After a rotation the previous secret keeps working until `previous_secret_expires_at`,
    # so a deployment can switch over without downtime.
    Column("previous_secret_hash", String(64), nullable=True),
    Column("previous_secret_expires_at", UTCDateTime, nullable=True),
    Column("redirect_uris", JSON, nullable=False),
    Column("post_logout_redirect_uris", JSON, nullable=False),
    Column("grant_types", JSON, nullable=False),
    # Space-separated: what the client may ask for.
    Column("scope", String(1000), nullable=False),
    Column("first_party", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("secret_rotated_at", UTCDateTime, nullable=True),
)

# One row per redeemed authorization code: everything issued from it (access tokens, the
# refresh-token rotation family) belongs to this grant and dies with it.
oauth_grants = Table(
    "oauth_grants",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("client_id", String(100), nullable=False, index=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("scope", String(1000), nullable=False),
    # The Janua sign-in session that approved it (`sid` of the ID token), if any.
    Column("provider_session_id", Uuid, nullable=True),
    Column("auth_time", UTCDateTime, nullable=False),
    Column("amr", String(64), nullable=False),
    Column("organization_id", Uuid, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

# The refresh tokens of a grant: a rotation family (RFC 9700 section 4.14.2).
oauth_refresh_tokens = Table(
    "oauth_refresh_tokens",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column(
        "grant_id",
        Uuid,
        ForeignKey("oauth_grants.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("rotated_at", UTCDateTime, nullable=True),
)
