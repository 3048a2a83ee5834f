"""The authorization_code grant (RFC 6749 section 4.1.3, PKCE per RFC 7636 section 4.6).

The checks, before the code is consumed (as node-oidc-provider orders them, so a stray request
cannot burn a legitimate client's code): the code is known and unexpired; it was issued to this
client; `redirect_uri` is the one it was issued for; the PKCE verifier matches its S256
challenge, and a verifier without a challenge is refused (RFC 9700 section 4.8.2, PKCE
downgrade). A code redeemed before fails with `invalid_grant` and revokes the grant that first
redemption produced (RFC 6749 section 4.1.2).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from janua_server.contract.models import Action
from janua_server.core import audit
from janua_server.core.audit import Origin
from janua_server.core.db import utcnow
from janua_server.core.runtime import Runtime
from janua_server.oidc import codes, tokens
from janua_server.oidc.client_auth import AuthenticatedClient
from janua_server.oidc.grants import family, user_tokens
from janua_server.oidc.grants.issued import Issued
from janua_server.oidc.protocol import Params, invalid_grant

# RFC 7636 section 4.1: code-verifier = 43*128unreserved
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def check_pkce(challenge: str | None, verifier: str | None, *, public: bool) -> None:
    if challenge is None:
        if verifier is not None:
            raise invalid_grant("A code_verifier was sent for a code issued without PKCE.")
        if public:
            raise invalid_grant("A public client must use PKCE.")
        return
    if verifier is None:
        raise invalid_grant("The code_verifier is missing.")
    if not _VERIFIER.fullmatch(verifier):
        raise invalid_grant("The code_verifier is malformed (RFC 7636 section 4.1).")
    if not hmac.compare_digest(s256(verifier).encode(), challenge.encode()):
        raise invalid_grant("The code_verifier does not match the code_challenge.")


async def _replayed(rt: Runtime, grant_id, client_id: str, origin: Origin) -> None:
    async with rt.db.transaction() as conn:
        await family.revoke(rt, conn, grant_id)
        await audit.record(
            conn,
            Action.oauth_grant_code_replayed,
            user_id=None,
            origin=origin,
            outcome="failure",
            target=f"oauth_grant:{grant_id}",
            details={"client_id": client_id},
        )


async def exchange(
    rt: Runtime, client: AuthenticatedClient, params: Params, origin: Origin
) -> Issued:
    code = params.require("code", 200)
    redirect_uri = params.get("redirect_uri", 2000)
    verifier = params.get("code_verifier", 200)
    found = await codes.look_up(rt, code)
    if found.redeemed_as is not None:
        await _replayed(rt, found.redeemed_as, client.client.client_id, origin)
        raise invalid_grant("The authorization code was already used.")
    grant = found.grant
    if grant is None:
        raise invalid_grant("The authorization code is invalid or expired.")
    if grant.client_id != client.client.client_id:
        raise invalid_grant("The authorization code was issued to another client.")
    if redirect_uri != grant.redirect_uri:
        raise invalid_grant("The redirect_uri differs from the authorization request's.")
    check_pkce(grant.code_challenge, verifier, public=client.client.is_public)
    try:
        grant_id = await codes.redeem(rt, code)
    except codes.CodeReplayed as replay:
        await _replayed(rt, replay.grant_id, client.client.client_id, origin)
        raise invalid_grant("The authorization code was already used.") from None
    scopes = tuple(grant.scope.split())
    with_refresh = "offline_access" in scopes and "refresh_token" in client.client.grant_types
    now = utcnow()
    async with rt.db.transaction() as conn:
        issued_grant = await family.create(
            rt, conn, grant_id, grant, with_refresh=with_refresh, now=now
        )
        refresh = await family.add_refresh_token(rt, conn, grant_id, now) if with_refresh else None
        answer = await user_tokens.issue(
            rt, conn, client.client, issued_grant, scopes, nonce=grant.nonce, refresh_token=refresh
        )
        await audit.record(
            conn,
            Action.oauth_grant_issued,
            user_id=grant.user_id,
            origin=origin,
            organization_id=grant.organization_id,
            target=f"oauth_grant:{grant_id}",
            details={"client_id": client.client.client_id, "scope": grant.scope},
        )
    # A replay racing this redemption may have marked the grant revoked before its row
    # existed: honour the mark, so nothing issued here outlives it.
    if await rt.store.exists(tokens.revoked_grant_key(grant_id)):
        await family.revoke_now(rt, grant_id)
    return answer
