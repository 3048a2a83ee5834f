"""Single-use tokens for email links (address verification, password reset) and the mails that
carry them.

A token is 256 random bits; only its SHA-256 is stored, so a database leak yields no usable
link. Redeeming is one conditional UPDATE (`used_at IS NULL AND expires_at > now`): of two
concurrent clicks exactly one changes the row. Issuing a link deletes the user's earlier tokens
of the same purpose, so only the newest link works. Links point at PUBLIC_APP_URL, never at the
request's Host header.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from importlib.resources import files
from string import Template
from urllib.parse import urlencode, urlsplit

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.accounts.tables import account_tokens
from janua_server.contract.models import Action
from janua_server.core import audit, secret_tokens
from janua_server.core.audit import Origin
from janua_server.core.db import utcnow
from janua_server.core.errors import ApiError, token_error
from janua_server.settings import Settings

EMAIL_VERIFICATION = "email_verification"
PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose name, not a secret

APP_NAME = "Janua"


def invalid_link() -> ApiError:
    # Unknown, expired and used tokens get the same answer: nothing to learn from it.
    return token_error("The link is invalid or has expired.", bearer=False)


async def store_token(
    conn: AsyncConnection, *, user_id: uuid.UUID, purpose: str, token: str, ttl: dt.timedelta
) -> None:
    """Keep `token` (as its hash) for `user_id`; earlier tokens of the purpose stop working."""
    now = utcnow()
    await retire(conn, user_id, purpose)
    await conn.execute(
        insert(account_tokens).values(
            id=uuid.uuid4(),
            user_id=user_id,
            purpose=purpose,
            token_hash=secret_tokens.digest(token),
            created_at=now,
            expires_at=now + ttl,
        )
    )


async def retire(conn: AsyncConnection, user_id: uuid.UUID, purpose: str) -> None:
    await conn.execute(
        delete(account_tokens).where(
            account_tokens.c.user_id == user_id, account_tokens.c.purpose == purpose
        )
    )


def _usable(token: str, purpose: str, now: dt.datetime):
    return (
        account_tokens.c.token_hash == secret_tokens.digest(token),
        account_tokens.c.purpose == purpose,
        account_tokens.c.used_at.is_(None),
        account_tokens.c.expires_at > now,
    )


async def peek(conn: AsyncConnection, token: str, purpose: str) -> uuid.UUID | None:
    """Whose usable token this is, without using it up."""
    row = (
        await conn.execute(
            select(account_tokens.c.user_id).where(*_usable(token, purpose, utcnow()))
        )
    ).first()
    return row.user_id if row else None


async def redeem(conn: AsyncConnection, token: str, purpose: str) -> uuid.UUID | None:
    """Use the token up; the user it belongs to, or None when it is unknown, expired or used
    (also when a concurrent request used it first)."""
    now = utcnow()
    row = (
        await conn.execute(
            update(account_tokens)
            .where(*_usable(token, purpose, now))
            .values(used_at=now)
            .returning(account_tokens.c.user_id)
        )
    ).first()
    return row.user_id if row else None


async def start_email_verification(
    settings: Settings,
    conn: AsyncConnection,
    *,
    user_id: uuid.UUID,
    email: str,
    name: str | None,
    origin: Origin,
) -> EmailMessage:
    """Issue a verification link in the caller's transaction and audit it; the caller sends
    the returned mail once the transaction has committed."""
    token = secret_tokens.new_token()
    ttl = dt.timedelta(hours=settings.email_verification_ttl_hours)
    await store_token(conn, user_id=user_id, purpose=EMAIL_VERIFICATION, token=token, ttl=ttl)
    await audit.record(conn, Action.email_verification_sent.value, user_id=user_id, origin=origin)
    return render_mail(
        settings,
        "verify_email",
        subject=f"Confirm your email address for {APP_NAME}",
        to=email,
        name=name,
        link=link(settings, "verify-email", token),
        ttl=ttl,
    )


def password_reset_mail(
    settings: Settings, *, to: str, name: str | None, token: str
) -> EmailMessage:
    return render_mail(
        settings,
        "reset_password",
        subject=f"Reset your {APP_NAME} password",
        to=to,
        name=name,
        link=link(settings, "reset-password", token),
        ttl=dt.timedelta(minutes=settings.password_reset_ttl_minutes),
    )


def link(settings: Settings, page: str, token: str) -> str:
    return f"{settings.public_app_url}/{page}?{urlencode({'token': token})}"


def _duration(ttl: dt.timedelta) -> str:
    minutes = int(ttl.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes} minute" + ("s" if minutes != 1 else "")


@functools.cache
def _template(name: str) -> Template:
    source = files("janua_server.accounts").joinpath("templates", name).read_text("utf-8")
    return Template(source)


def render_mail(
    settings: Settings,
    template: str,
    *,
    subject: str,
    to: str,
    name: str | None,
    link: str,
    ttl: dt.timedelta,
) -> EmailMessage:
    """A multipart/alternative mail: plain text, and HTML with every value escaped."""
    values = {"name": name or "there", "app_name": APP_NAME, "link": link, "ttl": _duration(ttl)}
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    # An explicit domain: without one make_msgid looks up the host name (a DNS query).
    domain = urlsplit(settings.public_app_url).hostname or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_template(f"{template}.txt").substitute(values))
    escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
    message.add_alternative(_template(f"{template}.html").substitute(escaped), subtype="html")
    return message
