"""Rendering of the provider's hosted pages (sign-in, second factor, consent, sign-out, errors).

Server-rendered Jinja2 with autoescaping, no framework and no inline script or style, so the
pages run under `Content-Security-Policy: default-src 'self'; frame-ancestors 'none'` (no
clickjacking, no injected script). Every page is `no-store`: it carries CSRF tokens and who is
signed in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse, RedirectResponse, Response

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static" / "oauth"

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
}

_env = Environment(
    loader=FileSystemLoader(HERE / "templates" / "oauth"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = _env.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def error_page(
    description: str, *, error: str = "invalid_request", status_code: int = 400
) -> HTMLResponse:
    return page("error.html", status_code=status_code, error=error, description=description)


def see_other(location: str) -> Response:
    """303 See Other: the answer to every POST of a hosted form (a reload does not resubmit)
    and to authorization requests (RFC 9700 section 4.11: never 307, which would re-POST the
    credentials to the client)."""
    return RedirectResponse(location, status_code=303, headers=SECURITY_HEADERS)
