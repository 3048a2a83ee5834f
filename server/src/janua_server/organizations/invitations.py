"""Invitations by email: a single-use link that makes its holder a member of an organization.

The link carries 256 random bits; only the SHA-256 is stored, so a database leak yields no
usable invitation. Accepting is one conditional UPDATE (`accepted_at IS NULL AND revoked_at IS
NULL AND expires_at > now`): of two concurrent clicks exactly one joins. Resending issues a new
token (the old link stops working) and a new expiry. Links point at PUBLIC_APP_URL, never at
the request's Host header.

Who may accept: a signed-in user whose email, in canonical form, is the invited one; or, for
an address without an account, whoever holds the link, by signing up with it (the account is
created with its email verified: the link proved the inbox).
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
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.accounts import policy as password_policy
from janua_server.accounts import service as accounts
from janua_server.contract.models import (
    Action,
    Invitation,
    InvitationList,
    InvitationPreview,
    InvitationStatus,
    Organization,
    User,
)
from janua_server.core import audit, pagination, secret_tokens
from janua_server.core.audit import Origin
from janua_server.core.db import utcnow
from janua_server.core.errors import (
    ApiError,
    authorization_error,
    conflict,
    not_found,
    token_error,
)
from janua_server.core.mailer import send_in_background
from janua_server.core.runtime import Runtime
from janua_server.organizations import permissions as perms
from janua_server.organizations import service as organizations
from janua_server.organizations.tables import organization_invitations as invitations
from janua_server.organizations.tables import organizations as organizations_table
from janua_server.sessions import service as sessions
from janua_server.settings import Settings

APP_NAME = "Janua"
ACCEPT_PAGE = "accept-invitation"


def invalid_link() -> ApiError:
    # Unknown, expired, revoked and used tokens get the same answer: nothing to learn from it.
    return token_error("The invitation link is invalid or has expired.", bearer=False)


def status_of(row: Any, now: dt.datetime) -> InvitationStatus:
    if row.accepted_at is not None:
        return InvitationStatus.accepted
    if row.revoked_at is not None:
        return InvitationStatus.revoked
    if row.expires_at <= now:
        return InvitationStatus.expired
    return InvitationStatus.pending


def to_contract(row: Any, now: dt.datetime | None = None) -> Invitation:
    return Invitation(
        id=row.id,
        organization_id=row.organization_id,
        email=row.email,
        role=row.role,
        status=status_of(row, now or utcnow()),
        invited_by=row.invited_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        accepted_at=row.accepted_at,
    )


def _in_state(status: InvitationStatus, now: dt.datetime):
    c = invitations.c
    open_ = (c.accepted_at.is_(None), c.revoked_at.is_(None))
    return {
        InvitationStatus.accepted: (c.accepted_at.is_not(None),),
        InvitationStatus.revoked: (c.revoked_at.is_not(None), c.accepted_at.is_(None)),
        InvitationStatus.expired: (*open_, c.expires_at <= now),
        InvitationStatus.pending: (*open_, c.expires_at > now),
    }[status]


def _usable(token_hash: str, now: dt.datetime):
    return (
        invitations.c.token_hash == token_hash,
        invitations.c.accepted_at.is_(None),
        invitations.c.revoked_at.is_(None),
        invitations.c.expires_at > now,
    )


# --- managing invitations (inside an organization) ----------------------------------------


async def create(
    rt: Runtime,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    email: str,
    role: str,
    origin: Origin,
) -> Invitation:
    canonical = accounts.canonical_email(email)
    now = utcnow()
    async with rt.db.transaction() as conn:
        who = await organizations.access(
            conn, organization_id, user_id, perms.INVITATIONS_MANAGE, lock=True
        )
        await organizations.require_offerable(conn, who, role, "#/role")
        account = await accounts.find_account(conn, email)
        if account is not None and await organizations.is_member(conn, organization_id, account.id):
            raise conflict("This address belongs to a member already.")
        pending = (
            await conn.execute(
                select(invitations.c.id).where(
                    invitations.c.organization_id == organization_id,
                    invitations.c.email_canonical == canonical,
                    *_in_state(InvitationStatus.pending, now),
                )
            )
        ).first()
        if pending is not None:
            raise conflict("This address has a pending invitation; resend it instead.")
        token = secret_tokens.new_token()
        invitation_id = uuid.uuid4()
        await conn.execute(
            insert(invitations).values(
                id=invitation_id,
                organization_id=organization_id,
                email=email.strip(),
                email_canonical=canonical,
                role=role,
                token_hash=secret_tokens.digest(token),
                invited_by=user_id,
                created_at=now,
                expires_at=now + _ttl(rt.settings),
            )
        )
        row = await _row(conn, organization_id, invitation_id)
        # The address is personal data and already on the invitation row: the event names it
        # by id only.
        await organizations.record_event(
            conn,
            Action.invitation_created,
            who,
            origin,
            target=f"invitation:{invitation_id}",
            details={"role": role},
        )
        mail = await _mail(rt.settings, conn, row, who, token)
    send_in_background(rt.mailer, mail)
    return to_contract(row, now)


async def resend(
    rt: Runtime,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    invitation_id: uuid.UUID,
    origin: Origin,
) -> Invitation:
    """A new link and a new expiry; the earlier link stops working."""
    now = utcnow()
    token = secret_tokens.new_token()
    async with rt.db.transaction() as conn:
        who = await organizations.access(conn, organization_id, user_id, perms.INVITATIONS_MANAGE)
        row = await _open_row(conn, organization_id, invitation_id)
        await organizations.require_offerable(conn, who, row.role, "#/role")
        await conn.execute(
            update(invitations)
            .where(invitations.c.id == invitation_id)
            .values(
                token_hash=secret_tokens.digest(token),
                invited_by=user_id,
                expires_at=now + _ttl(rt.settings),
            )
        )
        row = await _row(conn, organization_id, invitation_id)
        await organizations.record_event(
            conn,
            Action.invitation_resent,
            who,
            origin,
            target=f"invitation:{invitation_id}",
        )
        mail = await _mail(rt.settings, conn, row, who, token)
    send_in_background(rt.mailer, mail)
    return to_contract(row, now)


async def revoke(
    rt: Runtime,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    invitation_id: uuid.UUID,
    origin: Origin,
) -> None:
    async with rt.db.transaction() as conn:
        who = await organizations.access(conn, organization_id, user_id, perms.INVITATIONS_MANAGE)
        await _open_row(conn, organization_id, invitation_id)
        revoked = await conn.execute(
            update(invitations)
            .where(
                invitations.c.id == invitation_id,
                invitations.c.accepted_at.is_(None),
                invitations.c.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
        )
        if revoked.rowcount != 1:  # accepted a moment ago
            raise _settled()
        await organizations.record_event(
            conn,
            Action.invitation_revoked,
            who,
            origin,
            target=f"invitation:{invitation_id}",
        )


async def list_invitations(
    rt: Runtime,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    limit: int,
    after: uuid.UUID | None,
    status: InvitationStatus | None,
) -> InvitationList:
    now = utcnow()
    here = invitations.c.organization_id == organization_id
    query = select(invitations).where(here)
    if status is not None:
        query = query.where(*_in_state(status, now))
    async with rt.db.connection() as conn:
        await organizations.access(conn, organization_id, user_id, perms.INVITATIONS_READ)
        found = await pagination.newest_first(
            conn, query, table=invitations, owner=here, limit=limit, after=after
        )
    if found is None:
        raise not_found("The cursor names no invitation of this organization.")
    rows, more = found
    return InvitationList(
        data=[to_contract(row, now) for row in rows], next_cursor=rows[-1].id if more else None
    )


async def get(
    rt: Runtime, organization_id: uuid.UUID, user_id: uuid.UUID, invitation_id: uuid.UUID
) -> Invitation:
    async with rt.db.connection() as conn:
        await organizations.access(conn, organization_id, user_id, perms.INVITATIONS_READ)
        row = await _row(conn, organization_id, invitation_id)
    if row is None:
        raise _no_such_invitation()
    return to_contract(row)


def _ttl(settings: Settings) -> dt.timedelta:
    return dt.timedelta(hours=settings.invitation_expire_hours)


def _no_such_invitation() -> ApiError:
    return not_found("No such invitation.")


def _settled() -> ApiError:
    return conflict("The invitation was already accepted or revoked.")


async def _row(conn: AsyncConnection, organization_id: uuid.UUID, invitation_id: uuid.UUID):
    return (
        await conn.execute(
            select(invitations).where(
                invitations.c.id == invitation_id,
                # Scoped to the organization: another organization's invitation id is unknown.
                invitations.c.organization_id == organization_id,
            )
        )
    ).first()


async def _open_row(conn: AsyncConnection, organization_id: uuid.UUID, invitation_id: uuid.UUID):
    """The invitation, if neither accepted nor revoked (404 if unknown, 409 if settled)."""
    row = await _row(conn, organization_id, invitation_id)
    if row is None:
        raise _no_such_invitation()
    if row.accepted_at is not None or row.revoked_at is not None:
        raise _settled()
    return row


# --- the mail -----------------------------------------------------------------------------


def _duration(ttl: dt.timedelta) -> str:
    hours = int(ttl.total_seconds() // 3600)
    if hours % 24 == 0:
        days = hours // 24
        return f"{days} day" + ("s" if days != 1 else "")
    return f"{hours} hour" + ("s" if hours != 1 else "")


@functools.cache
def _template(name: str) -> Template:
    source = files("janua_server.organizations").joinpath("templates", name).read_text("utf-8")
    return Template(source)


async def _mail(
    settings: Settings, conn: AsyncConnection, row: Any, who: organizations.Access, token: str
) -> EmailMessage:
    inviter = await accounts.get_user(conn, who.user_id)
    values = {
        "inviter": (inviter.name or inviter.email) if inviter else "Someone",
        "organization": who.organization.name,
        "role": row.role,
        "app_name": APP_NAME,
        "link": f"{settings.public_app_url}/{ACCEPT_PAGE}?{urlencode({'token': token})}",
        "ttl": _duration(row.expires_at - utcnow() + dt.timedelta(seconds=30)),
    }
    message = EmailMessage()
    # The subject is a header, not HTML: no escaping, but no line breaks either (the name
    # pattern forbids control characters).
    message["Subject"] = f"Join {who.organization.name} on {APP_NAME}"
    message["From"] = settings.smtp_from
    message["To"] = row.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(
        domain=urlsplit(settings.public_app_url).hostname or "localhost"
    )
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_template("invitation.txt").substitute(values))
    escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
    message.add_alternative(_template("invitation.html").substitute(escaped), subtype="html")
    return message


# --- using the link (the invitee) ---------------------------------------------------------


async def _find_usable(conn: AsyncConnection, token: str, now: dt.datetime) -> Any:
    row = (
        await conn.execute(select(invitations).where(*_usable(secret_tokens.digest(token), now)))
    ).first()
    if row is None:
        raise invalid_link()
    return row


async def _claim(conn: AsyncConnection, row: Any, user_id: uuid.UUID, now: dt.datetime) -> None:
    """Use the invitation up; of concurrent claims exactly one changes the row."""
    claimed = await conn.execute(
        update(invitations)
        .where(invitations.c.id == row.id, *_usable(row.token_hash, now))
        .values(accepted_at=now, accepted_by=user_id)
    )
    if claimed.rowcount != 1:
        raise invalid_link()


async def _organization_row(conn: AsyncConnection, organization_id: uuid.UUID) -> Any:
    return (
        await conn.execute(
            select(organizations_table).where(organizations_table.c.id == organization_id)
        )
    ).one()


async def preview(rt: Runtime, token: str) -> InvitationPreview:
    async with rt.db.connection() as conn:
        row = await _find_usable(conn, token, utcnow())
        organization = await _organization_row(conn, row.organization_id)
        account = await accounts.find_account(conn, row.email)
    return InvitationPreview(
        organization=organizations.to_contract(organization),
        email=row.email,
        role=row.role,
        expires_at=row.expires_at,
        account_exists=account is not None,
    )


async def _join(
    conn: AsyncConnection, row: Any, user_id: uuid.UUID, origin: Origin
) -> Organization:
    """Membership for an accepted invitation (a member already keeps their role), audited as
    the invitee's act in the organization."""
    added = await organizations.add_member_row(conn, row.organization_id, user_id, row.role)
    events = [(Action.invitation_accepted, f"invitation:{row.id}", {})]
    if added:
        events.append((Action.member_added, f"user:{user_id}", {"role": row.role}))
    for action, target, details in events:
        await audit.record(
            conn,
            action.value,
            user_id=user_id,
            actor_id=user_id,
            origin=origin,
            organization_id=row.organization_id,
            target=target,
            details={"invitation_id": str(row.id), **details},
        )
    found = await organizations.membership(conn, row.organization_id, user_id)
    assert found is not None
    return organizations.to_contract(await _organization_row(conn, row.organization_id), found.role)


async def accept(rt: Runtime, user_id: uuid.UUID, token: str, origin: Origin) -> Organization:
    """The signed-in user joins, if the invitation is for their address (403 otherwise, and the
    invitation stays usable for its rightful owner)."""
    now = utcnow()
    async with rt.db.transaction() as conn:
        row = await _find_usable(conn, token, now)
        user = await accounts.get_user(conn, user_id)
        if user is None:
            raise token_error("The session of this access token has ended.")
        if accounts.canonical_email(user.email) != row.email_canonical:
            raise authorization_error("This invitation is for another email address.")
        await _claim(conn, row, user_id, now)
        return await _join(conn, row, user_id, origin)


async def register(
    rt: Runtime,
    token: str,
    *,
    password: str,
    name: str | None,
    client: sessions.ClientInfo,
) -> tuple[User, Any]:
    """Sign up with the invitation: account (email verified), membership and session in one
    transaction. An address that has an account must sign in and accept instead (409)."""
    async with rt.db.connection() as conn:
        row = await _find_usable(conn, token, utcnow())
    password_policy.check_password(
        password, email=row.email, min_length=rt.settings.password_min_length, pointer="#/password"
    )
    origin = sessions.origin_of(client)
    now = utcnow()
    async with rt.db.transaction() as conn:
        row = await _find_usable(conn, token, now)
        if await accounts.find_account(conn, row.email) is not None:
            raise conflict("An account with this email address already exists; sign in to accept.")
        user_id = await accounts.create_account(conn, email=row.email, password=password, name=name)
        await _claim(conn, row, user_id, now)
        # The link reached the inbox: no separate verification mail is needed.
        await accounts.mark_email_verified(conn, user_id)
        await audit.record(
            conn,
            Action.user_registered.value,
            user_id=user_id,
            origin=origin,
            details={"invitation_id": str(row.id)},
        )
        await audit.record(conn, Action.email_verified.value, user_id=user_id, origin=origin)
        await _join(conn, row, user_id, origin)
        tokens = await sessions.start_session(rt, conn, user_id, client)
        user = await accounts.get_user(conn, user_id)
    assert user is not None
    return user, tokens
