"""What a running server holds: settings and its connections. One per app, on `app.state`."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from janua_server.core.db import Database
from janua_server.core.jwt import TokenCodec
from janua_server.core.store import Store
from janua_server.settings import Settings


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    db: Database
    store: Store
    tokens: TokenCodec


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def client_ip(request: Request) -> str | None:
    # X-Forwarded-For is not trusted: honouring it needs an explicit trusted-proxy setting.
    return request.client.host if request.client else None
