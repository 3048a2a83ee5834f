"""create_app(settings) -> FastAPI: wires routers, middleware and error handlers. Nothing else."""

from __future__ import annotations

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
from janua_server.migrations import upgrade_to_head
from janua_server.oidc.router import router as oidc_router
from janua_server.sessions.router import router as auth_sessions_router
from janua_server.sessions.router import sessions_router
from janua_server.settings import Settings

log = logging.getLogger("janua")

ROUTERS = [
    health_router,
    oidc_router,
    accounts_router,
    audit_router,
    auth_sessions_router,
    sessions_router,
]


def build_keystore(settings: Settings) -> KeyStore:
    """The signing keys: the key directory, re-read when another process rotates."""
    ttl = dt.timedelta(minutes=settings.access_token_expire_minutes)
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
        yield
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
