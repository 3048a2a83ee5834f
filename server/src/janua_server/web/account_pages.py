"""The self-service account page for passkeys (`/account/passkeys`): a static HTML page and
its script, which do everything through the public API (sign up or in, add, list and delete
passkeys, sign in with a passkey alone or as the second factor). HTML for browsers, outside the
API contract.

The page has no inline script or style, so it runs under `default-src 'self'` and
`frame-ancestors 'none'`: an injected script cannot run and no other site can frame it (a
framed passkey prompt would be a clickjacking target).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, PlainTextResponse, Response

HERE = Path(__file__).resolve().parent
_PAGE = HERE / "templates" / "account" / "passkeys.html"
_STATIC = HERE / "static" / "account"
_ASSETS = {
    "passkeys.js": "text/javascript; charset=utf-8",
    "account.css": "text/css; charset=utf-8",
}

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

router = APIRouter(prefix="/account", include_in_schema=False)


@router.get("/passkeys")
async def passkeys_page() -> Response:
    return FileResponse(_PAGE, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


@router.get("/assets/{name}")
async def account_asset(name: str) -> Response:
    media_type = _ASSETS.get(name)
    if media_type is None:
        return PlainTextResponse("No such file.", status_code=404)
    return FileResponse(
        _STATIC / name,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
