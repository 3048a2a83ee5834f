"""What a successful token request answers (RFC 6749 section 5.1), and the scope rules every
grant shares (section 3.3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from janua_server.oidc.protocol import OAuthError


@dataclass(frozen=True)
class Issued:
    access_token: str
    expires_in: int
    scope: str
    refresh_token: str | None = None
    id_token: str | None = None

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": self.scope,
        }
        if self.refresh_token is not None:
            out["refresh_token"] = self.refresh_token
        if self.id_token is not None:
            out["id_token"] = self.id_token
        return out


def requested_scopes(raw: str | None) -> tuple[str, ...] | None:
    """The `scope` parameter as an ordered, duplicate-free tuple; None when absent."""
    if raw is None:
        return None
    scopes = tuple(dict.fromkeys(part for part in raw.split(" ") if part))
    if not scopes:
        raise OAuthError("invalid_scope", "The scope parameter is empty.")
    return scopes


def narrowed(requested: tuple[str, ...] | None, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """`requested` if it asks for nothing beyond `allowed` (RFC 6749 sections 3.3 and 6),
    else invalid_scope; everything allowed when nothing is requested."""
    if requested is None:
        return allowed
    beyond = [scope for scope in requested if scope not in allowed]
    if beyond:
        raise OAuthError("invalid_scope", f"The scope {beyond[0]} is not allowed here.")
    return requested
