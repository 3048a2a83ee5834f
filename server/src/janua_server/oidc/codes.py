"""Authorization codes (RFC 6749 section 4.1): opaque, 256-bit, single-use, short-lived, bound to
the client and redirect URI that asked for them, and to a PKCE challenge (RFC 7636).

A code lives in the store, keyed by its SHA-256, for `OAUTH_CODE_TTL_SECONDS` (60 s by default).
Redeeming it leaves a marker naming the grant (token family) it produced; a second redemption
finds the marker, fails, and revokes that grant (RFC 6749 section 4.1.2, RFC 9700 section
4.2.4), since a replayed code means someone else holds it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass

from janua_server.core import secret_tokens
from janua_server.core.runtime import Runtime

# A replay is detected for this long after redemption; later the code is simply unknown.
USED_MARKER_SECONDS = 3600


@dataclass(frozen=True)
class CodeGrant:
    """What the user approved at `/oauth/authorize`; the token endpoint turns it into tokens."""

    client_id: str
    redirect_uri: str
    user_id: uuid.UUID
    provider_session_id: uuid.UUID | None  # the Janua sign-in session that approved it (sid)
    scope: str  # space-separated, already narrowed to what is allowed
    nonce: str | None
    code_challenge: str | None  # S256 only
    auth_time: int  # epoch seconds of the sign-in
    amr: tuple[str, ...]
    organization_id: uuid.UUID | None = None


@dataclass(frozen=True)
class CodeLookup:
    """A presented code: what it grants (None when unknown or expired), and the grant its first
    redemption produced (None when not redeemed yet)."""

    grant: CodeGrant | None
    redeemed_as: uuid.UUID | None


class CodeReplayed(Exception):
    """The code was redeemed before; `grant_id` names what that redemption produced."""

    def __init__(self, grant_id: uuid.UUID) -> None:
        super().__init__("authorization code replayed")
        self.grant_id = grant_id


def _key(code: str) -> str:
    return f"oauth-code:{secret_tokens.digest(code)}"


def _used_key(code: str) -> str:
    return f"oauth-code-used:{secret_tokens.digest(code)}"


def _encode(grant: CodeGrant) -> bytes:
    data = asdict(grant)
    for name in ("user_id", "provider_session_id", "organization_id"):
        data[name] = str(data[name]) if data[name] is not None else None
    data["amr"] = list(grant.amr)
    return json.dumps(data, separators=(",", ":")).encode()


def _decode(raw: bytes) -> CodeGrant:
    data = json.loads(raw)
    for name in ("user_id", "provider_session_id", "organization_id"):
        data[name] = uuid.UUID(data[name]) if data[name] is not None else None
    data["amr"] = tuple(data["amr"])
    return CodeGrant(**data)


async def issue_code(rt: Runtime, grant: CodeGrant) -> str:
    """A new code for `grant`; only its SHA-256 is kept (a store leak yields no usable code)."""
    code = secret_tokens.new_token()
    await rt.store.set(_key(code), _encode(grant), rt.settings.oauth_code_ttl_seconds)
    return code


async def look_up(rt: Runtime, code: str) -> CodeLookup:
    """The code's grant and redemption state, in one store round trip, without consuming it:
    the token endpoint checks client, redirect URI and PKCE first, as node-oidc-provider does."""
    raw, used = await rt.store.get_many([_key(code), _used_key(code)])
    return CodeLookup(
        grant=_decode(raw) if raw is not None else None,
        redeemed_as=uuid.UUID(bytes=used) if used is not None else None,
    )


async def redeem(rt: Runtime, code: str) -> uuid.UUID:
    """Consume the code: returns the id of the grant its tokens will belong to. A concurrent or
    earlier redemption wins the race instead, and this one raises CodeReplayed."""
    grant_id = uuid.uuid4()
    if await rt.store.add(_used_key(code), grant_id.bytes, USED_MARKER_SECONDS):
        await rt.store.delete(_key(code))
        return grant_id
    used = await rt.store.get(_used_key(code))
    raise CodeReplayed(uuid.UUID(bytes=used) if used is not None else grant_id)
