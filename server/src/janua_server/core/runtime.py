"""What a running server holds: settings and its connections. One per app, on `app.state`."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from janua_server.core.audit import Origin
from janua_server.core.db import Database
from janua_server.core.jwt import TokenCodec
from janua_server.core.mailer import Mailer
from janua_server.core.store import Store
from janua_server.settings import IPNetwork, Settings, parse_networks

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    db: Database
    store: Store
    tokens: TokenCodec
    mailer: Mailer
    # Access tokens this process has already verified (token -> (principal, exp)): a cache of
    # a pure function, so nothing another process needs. Revocation is never cached.
    verified_tokens: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def request_origin(request: Request) -> Origin:
    """Where a request came from, as audit events record it."""
    return Origin(ip=client_ip(request), user_agent=request.headers.get("user-agent"))


def client_ip(request: Request) -> str | None:
    """The address rate limits and audit records attribute a request to.

    X-Forwarded-For is honoured only when the direct peer is a trusted proxy (TRUSTED_PROXIES);
    then the answer is its right-most entry that is not itself a trusted proxy: everything left
    of that was written by the client and may be forged. By default the header is ignored.
    """
    peer = request.client.host if request.client else None
    trusted = parse_networks(get_runtime(request).settings.trusted_proxies)
    if peer is None or not trusted or not _is_trusted(_parse_ip(peer), trusted):
        return peer
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
    ]
    nearest = peer
    for hop in reversed(hops):
        address = _parse_ip(hop)
        if address is None:
            # Not an address: a trusted proxy writes real ones, so this came from the client.
            # Attribute the request to the hop that passed it on.
            return nearest
        if not _is_trusted(address, trusted):
            return str(address)
        nearest = str(address)
    return nearest


def _parse_ip(value: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(value.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None
    # One client, one spelling: `::ffff:192.0.2.1` is `192.0.2.1`.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress | None, trusted: tuple[IPNetwork, ...]) -> bool:
    return address is not None and any(address in network for network in trusted)
