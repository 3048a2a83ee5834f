"""OAuth client rules: registration by platform admins, secrets shown once and stored as SHA-256,
rotation with an overlap period, and the look-ups the authorization and token endpoints make.

Client metadata follows RFC 7591 names (`redirect_uris`, `grant_types`,
`token_endpoint_auth_method`, `post_logout_redirect_uris`); redirect URIs are compared exactly
(RFC 9700 section 2.1), so they are validated strictly when registered.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, insert, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.contract import models as contract
from janua_server.contract.models import Action
from janua_server.core import audit, pagination, secret_tokens
from janua_server.core.audit import Origin
from janua_server.core.db import Database, utcnow
from janua_server.core.errors import FieldError, conflict, not_found, validation_error
from janua_server.core.runtime import Runtime
from janua_server.oidc.clients.tables import oauth_clients, oauth_grants

GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")
# The RFC 7591 method name of a public client (no secret); a name, not a password.
PUBLIC = "none"
DEFAULT_AUTH_METHOD = "client_secret_basic"
# The scopes Janua gives meaning to; a client may also register its own API scopes
# (`orders:read`), which only travel in access tokens.
STANDARD_SCOPES = ("openid", "profile", "email", "offline_access", "organization")
# RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
_SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]{1,100}$")
# Schemes a redirect must never use: they run code or read files in the browser.
_FORBIDDEN_SCHEMES = {"javascript", "data", "vbscript", "file", "blob", "about"}
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
# How long this process trusts a client it read from the database (see `_cache`).
CLIENT_CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class OAuthClient:
    """A registered client, as the authorization and token endpoints see it."""

    client_id: str
    name: str
    is_public: bool  # token_endpoint_auth_method == "none"
    redirect_uris: tuple[str, ...]  # exact match only
    post_logout_redirect_uris: tuple[str, ...]
    grant_types: tuple[str, ...]  # subset of authorization_code, refresh_token, client_credentials
    scopes: tuple[str, ...]  # what the client may ask for
    first_party: bool  # skips consent
    token_endpoint_auth_method: str = DEFAULT_AUTH_METHOD


@dataclass(frozen=True)
class ClientSecrets:
    """What client authentication compares against: SHA-256 digests, never secrets."""

    current: str | None
    previous: str | None
    previous_until: dt.datetime | None

    def accepts(self, secret: str, now: dt.datetime) -> bool:
        """Constant-time comparison of the presented secret's digest with the current one and,
        until its deadline, the previous one. Both are always compared, so timing says
        nothing about which matched."""
        presented = secret_tokens.digest(secret).encode()
        current = hmac.compare_digest(presented, (self.current or "-").encode())
        previous = hmac.compare_digest(presented, (self.previous or "-").encode())
        overlap = self.previous_until is not None and now < self.previous_until
        return (current and self.current is not None) or (previous and overlap)


@dataclass(frozen=True)
class RegisteredClient:
    client: OAuthClient
    secrets: ClientSecrets


def _of_row(row: Any) -> RegisteredClient:
    client = OAuthClient(
        client_id=row.client_id,
        name=row.name,
        is_public=row.token_endpoint_auth_method == PUBLIC,
        redirect_uris=tuple(row.redirect_uris),
        post_logout_redirect_uris=tuple(row.post_logout_redirect_uris),
        grant_types=tuple(row.grant_types),
        scopes=tuple(row.scope.split()),
        first_party=row.first_party,
        token_endpoint_auth_method=row.token_endpoint_auth_method,
    )
    return RegisteredClient(
        client,
        ClientSecrets(row.secret_hash, row.previous_secret_hash, row.previous_secret_expires_at),
    )


# --- look-ups for the protocol endpoints ----------------------------------------------------

# client_id -> (monotonic deadline, record or None). The token endpoint authenticates a client
# on every request; a few seconds of in-process caching turns that database round trip into a
# dict look-up. Changes made through this process drop the entry at once; other processes
# see them within CLIENT_CACHE_SECONDS (a deleted client or a rotated-out secret may work there
# that much longer).
_cache: dict[str, tuple[float, RegisteredClient | None]] = {}
_CACHE_MAX = 10_000


def forget_cached(client_id: str) -> None:
    _cache.pop(client_id, None)


async def find_client(conn: AsyncConnection, client_id: str) -> OAuthClient | None:
    """The registered client `client_id`, or None."""
    found = await find_registered(conn, client_id)
    return found.client if found else None


async def find_registered(conn: AsyncConnection, client_id: str) -> RegisteredClient | None:
    """The client with its secret digests (for client authentication), or None."""
    if len(client_id) > 100:
        return None
    now = time.monotonic()
    cached = _cache.get(client_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    row = (
        await conn.execute(select(oauth_clients).where(oauth_clients.c.client_id == client_id))
    ).first()
    found = _of_row(row) if row else None
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()
    _cache[client_id] = (now + CLIENT_CACHE_SECONDS, found)
    return found


async def find_registered_in(rt: Runtime, client_id: str) -> RegisteredClient | None:
    """`find_registered` that opens a connection only when the cache cannot answer."""
    cached = _cache.get(client_id)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    async with rt.db.connection() as conn:
        return await find_registered(conn, client_id)


# --- registration (platform admins) ---------------------------------------------------------


def _new_client_id() -> str:
    return secrets.token_urlsafe(18)


def _new_secret() -> tuple[str, str]:
    secret = secret_tokens.new_token()
    return secret, secret_tokens.digest(secret)


def _target(client_id: str) -> str:
    return f"oauth_client:{client_id}"


def _fail(pointer: str, detail: str) -> None:
    raise validation_error([FieldError(pointer=pointer, detail=detail)])


def check_redirect_uri(uri: str, pointer: str) -> None:
    """A redirect URI a browser may be sent to with a code (RFC 6749 section 3.1.2, RFC 8252
    for native apps, RFC 9700 section 2.1): absolute, no fragment, https, or http only on a
    loopback host, or a private-use scheme of a native app (`com.example.app:/callback`)."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if not scheme or any(ch.isspace() for ch in uri):
        _fail(pointer, "Must be an absolute URI without spaces.")
    if parts.fragment or "#" in uri:
        _fail(pointer, "Must not contain a fragment (RFC 6749 section 3.1.2).")
    if scheme in _FORBIDDEN_SCHEMES:
        _fail(pointer, f"The {scheme} scheme is not allowed.")
    if scheme in ("http", "https"):
        if not parts.hostname:
            _fail(pointer, "Must name a host.")
        if parts.username or parts.password:
            _fail(pointer, "Must not contain user information.")
        if scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
            _fail(pointer, "http is allowed only for localhost, 127.0.0.1 and [::1]; use https.")
    elif "." not in scheme:
        # RFC 8252 section 7.1: private-use schemes are reverse domain names.
        _fail(pointer, "A private-use scheme must be a reverse domain name (com.example.app).")


def _unique(values: Iterable[str], pointer: str) -> tuple[str, ...]:
    seen: list[str] = []
    for value in values:
        if value in seen:
            _fail(pointer, f"{value!r} is listed twice.")
        seen.append(value)
    return tuple(seen)


@dataclass(frozen=True)
class ClientSettings:
    """The registrable metadata, after validation."""

    name: str
    token_endpoint_auth_method: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    grant_types: tuple[str, ...]
    scopes: tuple[str, ...]
    first_party: bool

    def check(self) -> ClientSettings:
        """Every rule: each value's form, then the rules across fields (422 either way)."""
        self.check_values()
        problem = self.inconsistency()
        if problem is not None:
            _fail(*problem)
        return self

    def check_values(self) -> None:
        for index, uri in enumerate(self.redirect_uris):
            check_redirect_uri(uri, f"#/redirect_uris/{index}")
        for index, uri in enumerate(self.post_logout_redirect_uris):
            check_redirect_uri(uri, f"#/post_logout_redirect_uris/{index}")
        for index, scope in enumerate(self.scopes):
            if not _SCOPE_TOKEN.match(scope):
                _fail(f"#/scopes/{index}", "Not a scope token (RFC 6749 section 3.3).")

    def inconsistency(self) -> tuple[str, str] | None:
        """The first rule across fields the settings break, as (pointer, detail): what a public
        client may do, what each grant needs."""
        if not self.grant_types:
            return "#/grant_types", "At least one grant type is needed."
        if "authorization_code" in self.grant_types and not self.redirect_uris:
            return "#/redirect_uris", "The authorization_code grant needs a redirect URI."
        if "refresh_token" in self.grant_types and "authorization_code" not in self.grant_types:
            return "#/grant_types", "refresh_token comes only with authorization_code."
        if self.token_endpoint_auth_method == PUBLIC and "client_credentials" in self.grant_types:
            # RFC 6749 section 4.4: only confidential clients may use client_credentials.
            return "#/grant_types", "A public client cannot use client_credentials."
        return None

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "token_endpoint_auth_method": self.token_endpoint_auth_method,
            "redirect_uris": list(self.redirect_uris),
            "post_logout_redirect_uris": list(self.post_logout_redirect_uris),
            "grant_types": list(self.grant_types),
            "scope": " ".join(self.scopes),
            "first_party": self.first_party,
        }


def settings_of(body: contract.CreateOAuthClientRequest) -> ClientSettings:
    """A new client's metadata, not yet checked (`.check()`)."""
    # Enums and root models as plain strings (defaults are plain strings already).
    raw = body.model_dump(mode="json", warnings=False)
    return ClientSettings(
        name=raw["name"],
        token_endpoint_auth_method=raw["token_endpoint_auth_method"],
        redirect_uris=_unique(raw["redirect_uris"], "#/redirect_uris"),
        post_logout_redirect_uris=_unique(
            raw["post_logout_redirect_uris"], "#/post_logout_redirect_uris"
        ),
        grant_types=_unique(raw["grant_types"], "#/grant_types"),
        scopes=_unique(raw["scopes"], "#/scopes"),
        first_party=raw["first_party"],
    )


def to_contract(row: Any, secret: str | None = None) -> contract.OAuthClient:
    now = utcnow()
    overlap = row.previous_secret_expires_at
    out = contract.OAuthClient(
        client_id=row.client_id,
        name=row.name,
        token_endpoint_auth_method=row.token_endpoint_auth_method,
        redirect_uris=list(row.redirect_uris),
        post_logout_redirect_uris=list(row.post_logout_redirect_uris),
        grant_types=list(row.grant_types),
        scopes=row.scope.split(),
        first_party=row.first_party,
        created_at=row.created_at,
        updated_at=row.updated_at,
        secret_rotated_at=row.secret_rotated_at,
        previous_secret_expires_at=overlap if overlap is not None and overlap > now else None,
    )
    if secret is not None:
        out.client_secret = secret
    return out


async def create_client(
    rt: Runtime,
    body: contract.CreateOAuthClientRequest,
    *,
    actor_id: uuid.UUID | None,
    origin: Origin,
) -> contract.OAuthClient:
    """Register a client. The answer carries the secret (confidential clients): the only time
    anyone sees it."""
    return await register(rt.db, body, actor_id=actor_id, origin=origin)


async def register(
    db: Database,
    body: contract.CreateOAuthClientRequest,
    *,
    actor_id: uuid.UUID | None,
    origin: Origin,
) -> contract.OAuthClient:
    """`create_client` on a bare database (the `janua clients create` command has no runtime)."""
    registered = settings_of(body).check()
    secret, secret_hash = (None, None)
    if registered.token_endpoint_auth_method != PUBLIC:
        secret, secret_hash = _new_secret()
    now = utcnow()
    client_id = _new_client_id()
    async with db.transaction() as conn:
        await conn.execute(
            insert(oauth_clients).values(
                id=uuid.uuid4(),
                client_id=client_id,
                secret_hash=secret_hash,
                created_at=now,
                updated_at=now,
                **registered.values(),
            )
        )
        await audit.record(
            conn,
            Action.oauth_client_created,
            user_id=None,
            actor_id=actor_id,
            origin=origin,
            target=_target(client_id),
            details={"name": registered.name, "public": secret is None},
        )
        row = await _row(conn, client_id)
    return to_contract(row, secret)


async def _row(conn: AsyncConnection, client_id: str, *, lock: bool = False) -> Any:
    query = select(oauth_clients).where(oauth_clients.c.client_id == client_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = (await conn.execute(query)).first()
    if row is None:
        raise not_found("No such OAuth client.")
    return row


async def get_client(rt: Runtime, client_id: str) -> contract.OAuthClient:
    async with rt.db.connection() as conn:
        return to_contract(await _row(conn, client_id))


async def list_clients(
    rt: Runtime, *, limit: int, cursor: uuid.UUID | None
) -> contract.OAuthClientList | None:
    """Newest first; None for an unknown cursor."""
    async with rt.db.connection() as conn:
        page = await pagination.newest_first(
            conn,
            select(oauth_clients),
            table=oauth_clients,
            owner=true(),
            limit=limit,
            after=cursor,
        )
    if page is None:
        return None
    rows, more = page
    return contract.OAuthClientList(
        data=[to_contract(row) for row in rows],
        next_cursor=rows[-1].id if more and rows else None,
    )


async def update_client(
    rt: Runtime,
    client_id: str,
    body: contract.UpdateOAuthClientRequest,
    *,
    actor_id: uuid.UUID | None,
    origin: Origin,
) -> contract.OAuthClient:
    """Change metadata (fields left out stay). A client stays public or confidential: that
    decides whether it has a secret, so the switch is a new client."""
    changed = body.model_dump(exclude_unset=True, mode="json", warnings=False)
    if not changed:
        _fail("#", "Send at least one field to change.")
    async with rt.db.transaction() as conn:
        row = await _row(conn, client_id, lock=True)
        current = _of_row(row).client
        method = changed.get("token_endpoint_auth_method", current.token_endpoint_auth_method)
        # Rules broken by the change together with what the client is already are a conflict
        # with its current state (409), not a malformed request (422).
        if (method == PUBLIC) != current.is_public:
            raise conflict(
                "A client cannot switch between public and confidential; register a new one."
            )
        registered = ClientSettings(
            name=changed.get("name", current.name),
            token_endpoint_auth_method=method,
            redirect_uris=_unique(
                changed.get("redirect_uris", current.redirect_uris), "#/redirect_uris"
            ),
            post_logout_redirect_uris=_unique(
                changed.get("post_logout_redirect_uris", current.post_logout_redirect_uris),
                "#/post_logout_redirect_uris",
            ),
            grant_types=_unique(changed.get("grant_types", current.grant_types), "#/grant_types"),
            scopes=_unique(changed.get("scopes", current.scopes), "#/scopes"),
            first_party=changed.get("first_party", current.first_party),
        )
        registered.check_values()
        problem = registered.inconsistency()
        if problem is not None:
            raise conflict(f"After this change: {problem[1]}")
        await conn.execute(
            update(oauth_clients)
            .where(oauth_clients.c.client_id == client_id)
            .values(updated_at=utcnow(), **registered.values())
        )
        await audit.record(
            conn,
            Action.oauth_client_updated,
            user_id=None,
            actor_id=actor_id,
            origin=origin,
            target=_target(client_id),
            details={"fields": sorted(changed)},
        )
        row = await _row(conn, client_id)
    forget_cached(client_id)
    return to_contract(row)


async def rotate_secret(
    rt: Runtime,
    client_id: str,
    overlap_seconds: int,
    *,
    actor_id: uuid.UUID | None,
    origin: Origin,
) -> contract.OAuthClient:
    """A new secret, shown once. The one it replaces keeps working for `overlap_seconds` (0:
    not at all), so the client's deployments can switch over; a secret rotated out earlier
    stops at once."""
    secret, secret_hash = _new_secret()
    now = utcnow()
    async with rt.db.transaction() as conn:
        row = await _row(conn, client_id, lock=True)
        if row.token_endpoint_auth_method == PUBLIC:
            _fail("#", "A public client has no secret to rotate.")
        keep = overlap_seconds > 0
        await conn.execute(
            update(oauth_clients)
            .where(oauth_clients.c.client_id == client_id)
            .values(
                secret_hash=secret_hash,
                previous_secret_hash=row.secret_hash if keep else None,
                previous_secret_expires_at=(
                    now + dt.timedelta(seconds=overlap_seconds) if keep else None
                ),
                secret_rotated_at=now,
                updated_at=now,
            )
        )
        await audit.record(
            conn,
            Action.oauth_client_secret_rotated,
            user_id=None,
            actor_id=actor_id,
            origin=origin,
            target=_target(client_id),
            details={"overlap_seconds": overlap_seconds},
        )
        row = await _row(conn, client_id)
    forget_cached(client_id)
    return to_contract(row, secret)


async def delete_client(
    rt: Runtime, client_id: str, *, actor_id: uuid.UUID | None, origin: Origin
) -> None:
    """Remove the client and every grant issued to it: its refresh tokens stop working at once
    and its access tokens are inactive at introspection and userinfo."""
    async with rt.db.transaction() as conn:
        await _row(conn, client_id, lock=True)
        await conn.execute(delete(oauth_grants).where(oauth_grants.c.client_id == client_id))
        await conn.execute(delete(oauth_clients).where(oauth_clients.c.client_id == client_id))
        await audit.record(
            conn,
            Action.oauth_client_deleted,
            user_id=None,
            actor_id=actor_id,
            origin=origin,
            target=_target(client_id),
        )
    forget_cached(client_id)
