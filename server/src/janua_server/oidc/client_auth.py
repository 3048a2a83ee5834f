"""Client authentication at the back-channel endpoints (RFC 6749 section 2.3).

- `client_secret_basic`: `Authorization: Basic base64(urlencode(client_id) ":" urlencode(secret))`
  (section 2.3.1: both parts are form-encoded before base64).
- `client_secret_post`: `client_id` and `client_secret` in the form body.
- `none`: a public client names itself with `client_id` and proves possession otherwise (PKCE).

A client must use the method it registered (RFC 7591 `token_endpoint_auth_method`), and only one
method per request (section 2.3). Secrets are 256-bit random strings, so their SHA-256 digest is
compared in constant time: no slow hash, no per-request cost beyond the client look-up.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import unquote_plus

from starlette.requests import Request

from janua_server.core.db import utcnow
from janua_server.core.runtime import Runtime
from janua_server.oidc.clients import service as clients
from janua_server.oidc.clients.service import OAuthClient
from janua_server.oidc.protocol import Params, invalid_client, invalid_request


@dataclass(frozen=True)
class AuthenticatedClient:
    client: OAuthClient
    method: str  # how it authenticated in this request


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        raise invalid_client("Use HTTP Basic or client_secret_post to authenticate the client.")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise invalid_client("The Basic credentials are malformed.") from None
    client_id, colon, secret = decoded.partition(":")
    if not colon or not client_id:
        raise invalid_client("The Basic credentials are malformed.")
    return unquote_plus(client_id), unquote_plus(secret)


async def authenticate(rt: Runtime, request: Request, params: Params) -> AuthenticatedClient:
    """The client this request comes from, or `invalid_client` (401)."""
    basic = _basic_credentials(request)
    body_id = params.get("client_id", 200)
    body_secret = params.get("client_secret", 200)
    if basic is not None:
        if body_secret is not None:
            raise invalid_request("Use one client authentication method, not two.")
        if body_id is not None and body_id != basic[0]:
            raise invalid_request("The client_id differs from the authenticated client.")
        client_id, secret, method = basic[0], basic[1], "client_secret_basic"
    elif body_id is not None:
        client_id, secret = body_id, body_secret
        method = "client_secret_post" if body_secret is not None else "none"
    else:
        raise invalid_client("Client authentication is required.")
    registered = await clients.find_registered_in(rt, client_id)
    if registered is None:
        raise invalid_client()
    expected = registered.client.token_endpoint_auth_method
    if method != expected:
        # Say what is expected: the registration is not secret, and it saves a support call.
        raise invalid_client(f"This client authenticates with {expected}.")
    if method != "none" and not registered.secrets.accepts(secret or "", utcnow()):
        raise invalid_client()
    return AuthenticatedClient(registered.client, method)
