"""`application/x-www-form-urlencoded` bodies, as the OAuth and OIDC specifications send them
(RFC 6749 appendix B), read without python-multipart: every value as a list, so a parameter
sent twice is seen (RFC 6749 section 3.1 forbids it)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

FORM = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 64 * 1024
MAX_FIELDS = 100


class BadForm(Exception):
    """Not a form body, too large, or not UTF-8."""


def multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


async def read_form(request: Request) -> dict[str, list[str]]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM:
        raise BadForm(f"The request body must be {FORM}.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise BadForm("The request body is too large.")
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=MAX_FIELDS,
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError):
        raise BadForm("The request body is not a valid form.") from None
    return multi(pairs)


def query(request: Request) -> dict[str, list[str]]:
    return multi(request.query_params.multi_items())


def first(form: dict[str, list[str]], name: str, max_length: int = 2000) -> str:
    """One field of a hosted page's form, or "" when absent, repeated or too long."""
    values = form.get(name, [])
    return values[0] if len(values) == 1 and len(values[0]) <= max_length else ""
