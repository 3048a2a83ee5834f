"""create_app(settings) -> FastAPI: wires routers, middleware and error handlers. Nothing else."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from janua_server import __version__
from janua_server.accounts.router import router as accounts_router
from janua_server.admin import service as admin_service
from janua_server.admin.router import ROUTERS as admin_routers
from janua_server.audit import service as audit_service
from janua_server.audit.router import audit_logs_router
from janua_server.audit.router import router as audit_router
from janua_server.core.db import Database
from janua_server.core.errors import install_error_handlers
from janua_server.core.http import RequestContextMiddleware, load_contract
from janua_server.core.jwt import TokenCodec
from janua_server.core.keys import VERIFY_LEEWAY_SECONDS, KeyStore
from janua_server.core.mailer import create_mailer
from janua_server.core.runtime import Runtime
from janua_server.core.store import create_store
from janua_server.health.router import router as health_router
from janua_server.mfa.router import router as mfa_router
from janua_server.migrations import upgrade_to_head
from janua_server.oidc.clients.router import router as oauth_clients_router
from janua_server.oidc.endpoints import router as oauth_endpoints_router
from janua_server.oidc.front_channel import router as oauth_front_channel_router
from janua_server.oidc.router import router as oidc_router
from janua_server.organizations.router import ROUTERS as organizations_routers
from janua_server.passkeys.router import router as passkeys_router
from janua_server.sessions.router import router as auth_sessions_router
from janua_server.sessions.router import sessions_router
from janua_server.settings import Settings
from janua_server.web.account_pages import router as account_pages_router
from janua_server.web.oauth_pages import router as oauth_pages_router

log = logging.getLogger("janua")

ROUTERS = [
    # First: the machine-to-machine hot path (token, introspection, userinfo); routes are
    # matched in order, and a hundred misses cost more than the rest of such a request.
    oauth_endpoints_router,
    health_router,
    oidc_router,
    accounts_router,
    audit_router,
    auth_sessions_router,
    sessions_router,
    mfa_router,
    passkeys_router,
    *organizations_routers,
    *admin_routers,
    audit_logs_router,
    oauth_front_channel_router,
    oauth_clients_router,
]


def build_keystore(settings: Settings) -> KeyStore:
    """The signing keys: the key directory, re-read when another process rotates."""
    # The longest-lived token a key signs: first-party or OAuth access tokens, or ID tokens.
    ttl = max(
        dt.timedelta(minutes=settings.access_token_expire_minutes),
        dt.timedelta(seconds=settings.oauth_access_token_ttl_seconds),
        dt.timedelta(seconds=settings.oauth_id_token_ttl_seconds),
    )
    return KeyStore(
        settings.private_key_path,
        alg=settings.jwt_algorithm,
        public_key_path=settings.jwt_public_key_path,
        # A retired key stays published until the last token it signed has expired.
        token_lifetime=ttl + dt.timedelta(seconds=VERIFY_LEEWAY_SECONDS),
    )


def build_runtime(settings: Settings) -> Runtime:
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    tokens = TokenCodec(
        build_keystore(settings),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl=dt.timedelta(minutes=settings.access_token_expire_minutes),
    )
    return Runtime(
        settings,
        Database(settings.database_url),
        create_store(settings.redis_url),
        tokens,
        mailer=create_mailer(settings),
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = build_runtime(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.should_auto_migrate:
            # Alembic drives its own event loop; a worker thread keeps it off ours.
            await anyio.to_thread.run_sync(upgrade_to_head, settings.database_url)
        # ADMIN_BOOTSTRAP_PASSWORD: the first platform admin, once (admin/service.py).
        await admin_service.bootstrap(runtime)
        # AUDIT_RETENTION_DAYS: now, then hourly, in every process (idempotent deletes).
        retention = asyncio.create_task(audit_service.keep_retention(runtime))
        yield
        retention.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await retention
        await runtime.db.close()
        await runtime.store.close()

    # FastAPI's generated schema is switched off: the contract is the hand-written spec.
    app = FastAPI(
        title="Janua",
        version=__version__,
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.add_middleware(RequestContextMiddleware)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.state.api_routes = [route for router in ROUTERS for route in router.routes]
    # The hosted sign-in, consent and sign-out pages: HTML for browsers, outside the contract.
    app.include_router(oauth_pages_router)
    # The self-service passkeys page (docs/passkeys.md): HTML over the public API.
    app.include_router(account_pages_router)
    _mount_contract_docs(app)
    return app


def _mount_contract_docs(app: FastAPI) -> None:
    contract = load_contract()
    app.mount("/docs/assets", StaticFiles(directory=swagger_ui_path), name="swagger-assets")

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_json() -> JSONResponse:
        return JSONResponse(contract)

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        # Assets are served from the installed package: the docs work on an offline host.
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Janua API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon-32x32.png",
        )
