"""Tables of the second factors. Secrets never sit here in a usable form: the TOTP secret is
AES-GCM encrypted (crypto.py), recovery codes are keyed hashes."""

from sqlalchemy import BigInteger, Column, ForeignKey, String, Table, UniqueConstraint, Uuid

from janua_server.core.db import UTCDateTime, metadata

# One authenticator app per user. `confirmed_at` is null while the setup waits for its first
# code; `last_used_step` is the RFC 6238 time step of the last accepted code, so a code (or any
# older one) is accepted at most once, whichever server process sees it.
mfa_totp = Table(
    "mfa_totp",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("secret_ciphertext", String(255), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("confirmed_at", UTCDateTime, nullable=True),
    Column("last_used_step", BigInteger, nullable=True),
)

# Ten single-use codes per user, as HMAC-SHA256 under the MFA key (they carry ~50 bits, too
# few for a plain hash to resist an offline search of a leaked table).
mfa_recovery_codes = Table(
    "mfa_recovery_codes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("code_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
    UniqueConstraint("user_id", "code_hash"),
)

# The confirmed SMS number (E.164). A number waiting for its first code lives in the store.
mfa_sms = Table(
    "mfa_sms",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("phone_number", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
