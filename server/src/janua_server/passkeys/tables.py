"""The passkeys table: public keys only. A passkey's private key never leaves its authenticator,
so nothing here is secret; what must not change behind our back is the owner and the counter."""

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, LargeBinary, String, Table, Uuid

from janua_server.core.db import UTCDateTime, metadata

# `credential_id` is the authenticator's id for the credential (base64url), unique across all
# users: one credential belongs to one account. `public_key` is the COSE_Key from the
# attestation. `sign_count` is the authenticator's signature counter (W3C WebAuthn Level 3,
# section 6.1.1), 0 for authenticators that keep none (synced passkeys).
passkeys = Table(
    "passkeys",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("credential_id", String(1366), nullable=False, unique=True),
    Column("public_key", LargeBinary, nullable=False),
    Column("sign_count", BigInteger, nullable=False),
    Column("name", String(100), nullable=False),
    # Space-separated AuthenticatorTransport values, as the browser reported them.
    Column("transports", String(200), nullable=False),
    Column("aaguid", String(36), nullable=False),
    Column("device_type", String(16), nullable=False),
    Column("backed_up", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime, nullable=True),
)
