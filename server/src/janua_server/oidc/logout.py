"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).

A relying party sends the browser to `/oauth/logout` with, optionally, `id_token_hint` (an ID
token Janua issued to it), `client_id`, `post_logout_redirect_uri` and `state`. The rules:

- A hint must be an ID token signed by one of our keys, issued by us, for a registered client
  (section 2: the OP validates it; an expired one is still a fine hint, since ID tokens are
  short-lived and users sign out long after). A bad hint is refused on our own page.
- `client_id`, when sent with a hint, must be one of the hint's audiences.
- `post_logout_redirect_uri` needs a client (from the hint or `client_id`) and must equal one the
  client registered, character for character (section 3); else our page refuses it.
- With a valid hint for the browser's signed-in user, the sign-out happens at once; otherwise the
  user is asked to confirm (section 2: without a hint, the OP should ask), so a third-party page
  cannot sign people out by linking here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from janua_server.core.runtime import Runtime
from janua_server.oidc import tokens
from janua_server.oidc.clients import service as clients
from janua_server.oidc.clients.service import OAuthClient

MAX_LENGTHS = {
    "id_token_hint": 8192,
    "client_id": 200,
    "post_logout_redirect_uri": 2000,
    "state": 2000,
    "logout_hint": 254,
    "ui_locales": 100,
}


class LogoutRefused(Exception):
    """Shown on Janua's own page; nothing is sent to the relying party."""


@dataclass(frozen=True)
class LogoutRequest:
    client: OAuthClient | None
    # From a valid hint: who the relying party believes is signed in, and in which session.
    hint_subject: str | None
    hint_session: str | None
    post_logout_redirect_uri: str | None
    state: str | None

    def names(self, user_id: uuid.UUID, session_id: uuid.UUID) -> bool:
        """Whether the hint is about this signed-in user (their session, or at least them)."""
        if self.hint_subject is None:
            return False
        if self.hint_session is not None:
            return self.hint_session == str(session_id)
        return self.hint_subject == str(user_id)

    def redirect_location(self) -> str | None:
        if self.post_logout_redirect_uri is None:
            return None
        parts = urlsplit(self.post_logout_redirect_uri)
        extra = urlencode({"state": self.state}) if self.state is not None else ""
        query = "&".join(part for part in (parts.query, extra) if part)
        return urlunsplit(parts._replace(query=query))

    def as_params(self) -> dict[str, str]:
        """What a confirmation form must carry to finish this logout later."""
        kept = {
            "client_id": self.client.client_id if self.client else None,
            "post_logout_redirect_uri": self.post_logout_redirect_uri,
            "state": self.state,
        }
        return {name: value for name, value in kept.items() if value is not None}


def _one(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name, ())
    if len(values) > 1:
        raise LogoutRefused(f"The {name} parameter was sent more than once.")
    if values and len(values[0]) > MAX_LENGTHS.get(name, 2000):
        raise LogoutRefused(f"The {name} parameter is too long.")
    return values[0] if values and values[0] != "" else None


def _hint_claims(rt: Runtime, token: str) -> dict[str, Any]:
    """The claims of an ID token we signed, or LogoutRefused. Expiry is not checked (see the
    module docstring); signature, algorithm (pinned to the key's), issuer and type are."""
    try:
        return tokens.verify_id_token_hint(rt, token)
    except tokens.NotActive:
        raise LogoutRefused("The id_token_hint is not a valid ID token issued by Janua.") from None


async def validate(rt: Runtime, params: Mapping[str, Sequence[str]]) -> LogoutRequest:
    hint = _one(params, "id_token_hint")
    client_id = _one(params, "client_id")
    redirect_uri = _one(params, "post_logout_redirect_uri")
    state = _one(params, "state")
    _one(params, "logout_hint")
    _one(params, "ui_locales")
    subject = session = None
    async with rt.db.connection() as conn:
        if hint is not None:
            claims = _hint_claims(rt, hint)
            audiences = tokens.audiences(claims)
            if client_id is not None and client_id not in audiences:
                raise LogoutRefused("The client_id is not an audience of the id_token_hint.")
            client_id = client_id or (audiences[0] if audiences else None)
            subject = claims["sub"]
            session = claims.get("sid") if isinstance(claims.get("sid"), str) else None
        client = (
            await clients.find_client(conn, client_id)
            if isinstance(client_id, str) and client_id
            else None
        )
    if hint is not None and client is None:
        raise LogoutRefused("The id_token_hint was not issued to a registered application.")
    if client_id is not None and client is None:
        raise LogoutRefused("No application is registered with this client_id.")
    if redirect_uri is not None:
        if client is None:
            raise LogoutRefused(
                "A post_logout_redirect_uri needs an id_token_hint or a client_id to check it."
            )
        if redirect_uri not in client.post_logout_redirect_uris:
            raise LogoutRefused(
                f"The post_logout_redirect_uri is not registered for {client.name}; Janua will "
                "not send you there."
            )
    return LogoutRequest(client, subject, session, redirect_uri, state)
