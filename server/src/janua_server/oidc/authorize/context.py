"""What the authorization checks share: the request's parameters, what earlier checks
established, and the two ways a check can refuse.

RFC 6749 section 4.1.2.1 splits failures in two. Until the client and its redirect URI are
known to be genuine, nothing may be sent to the redirect URI (it could be an attacker's open
redirector): those failures are shown on Janua's own page (`ErrorPage`). After that, failures
go back to the client at the redirect URI (`RedirectError`), carrying `state` and `iss`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.core.runtime import Runtime
from janua_server.oidc.clients.service import OAuthClient

# Longest value accepted per parameter; longer is a malformed request. Generous for real
# clients (long `state` values carry encrypted RP state), bounded for everyone.
MAX_LENGTHS: dict[str, int] = {
    "client_id": 200,
    "redirect_uri": 2000,
    "response_type": 50,
    "response_mode": 20,
    "scope": 1000,
    "state": 2000,
    "nonce": 512,
    "code_challenge": 128,
    "code_challenge_method": 16,
    "prompt": 100,
    "max_age": 10,
    "login_hint": 254,
    "id_token_hint": 8192,
    "ui_locales": 100,
    "claims_locales": 100,
    "acr_values": 200,
    "display": 20,
}


class ErrorPage(Exception):
    """The request cannot be answered at its redirect URI; tell the user on our own page."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


class RedirectError(Exception):
    """An RFC 6749 section 4.1.2.1 error response, sent to the validated redirect URI."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


class Duplicate(Exception):
    """RFC 6749 section 3.1: parameters MUST NOT be included more than once."""


@dataclass
class AuthorizationContext:
    rt: Runtime
    conn: AsyncConnection
    params: Mapping[str, Sequence[str]]
    client: OAuthClient | None = None
    redirect_uri: str | None = None
    state: str | None = None
    scopes: tuple[str, ...] = ()
    nonce: str | None = None
    code_challenge: str | None = None
    prompt: frozenset[str] = field(default_factory=frozenset)
    max_age: int | None = None
    login_hint: str | None = None
    hint_subject: str | None = None  # `sub` of a valid id_token_hint

    def one(self, name: str) -> str | None:
        """The parameter's value; None when absent (an empty value counts as absent, RFC 6749
        section 3.1); `Duplicate` when sent twice."""
        values = self.params.get(name, ())
        if len(values) > 1:
            raise Duplicate(name)
        return values[0] if values and values[0] != "" else None
