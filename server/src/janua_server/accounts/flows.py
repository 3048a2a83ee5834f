"""Account flows behind email links and the profile: verify the address, reset a forgotten
password, change it, edit the profile.

Every change is audited in its own transaction; mails go out after the commit. Session endings
(after a reset or a change) are the sessions domain's, called through its service.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from janua_server.accounts import links, policy
from janua_server.accounts import service as accounts
from janua_server.contract.models import Action, ErrorCode, FieldError, User
from janua_server.core import audit, passwords, secret_tokens
from janua_server.core.audit import Origin
from janua_server.core.errors import ApiError, conflict, token_error, validation_error
from janua_server.core.mailer import send_in_background
from janua_server.core.runtime import Runtime
from janua_server.sessions import lockout
from janua_server.sessions import service as sessions
from janua_server.sessions.service import Principal


async def verify_email(rt: Runtime, token: str, origin: Origin) -> None:
    async with rt.db.transaction() as conn:
        user_id = await links.redeem(conn, token, links.EMAIL_VERIFICATION)
        if user_id is None:
            raise links.invalid_link()
        await accounts.mark_email_verified(conn, user_id)
        await audit.record(conn, Action.email_verified.value, user_id=user_id, origin=origin)
    await accounts.forget_cached_user(rt.store, user_id)


async def resend_verification(rt: Runtime, principal: Principal, origin: Origin) -> None:
    user = await sessions.current_user(rt, principal)
    async with rt.db.transaction() as conn:
        # Read inside the transaction: the cached profile may predate a verification.
        current = await accounts.get_user(conn, user.id)
        if current is None:
            raise _session_ended()
        if current.email_verified:
            raise conflict("The email address is already verified.")
        mail = await links.start_email_verification(
            rt.settings,
            conn,
            user_id=current.id,
            email=current.email,
            name=current.name,
            origin=origin,
        )
    # Awaited: the caller asked for this mail, so a mail server that is down is a 503 (the
    # mailer raises a ConnectionError) rather than a 202 for a mail that never leaves.
    await rt.mailer.send(mail)


async def request_password_reset(rt: Runtime, email: str, origin: Origin) -> None:
    """The same work and the same answer whether or not the account exists: a token is made
    either way, and the mail goes out in the background so timing tells nothing."""
    token = secret_tokens.new_token()
    ttl = dt.timedelta(minutes=rt.settings.password_reset_ttl_minutes)
    async with rt.db.transaction() as conn:
        account = await accounts.find_account(conn, email)
        user = await accounts.get_user(conn, account.id) if account is not None else None
        if user is not None:
            await links.store_token(
                conn, user_id=user.id, purpose=links.PASSWORD_RESET, token=token, ttl=ttl
            )
            await audit.record(
                conn, Action.password_reset_requested.value, user_id=user.id, origin=origin
            )
    if user is not None:
        mail = links.password_reset_mail(rt.settings, to=user.email, name=user.name, token=token)
        send_in_background(rt.mailer, mail)


async def reset_password(rt: Runtime, token: str, password: str, origin: Origin) -> None:
    async with rt.db.connection() as conn:
        user_id = await links.peek(conn, token, links.PASSWORD_RESET)
        user = await accounts.get_user(conn, user_id) if user_id is not None else None
    if user is None:
        raise links.invalid_link()
    # Before the token is used up: a refused password leaves the link working for a retry.
    policy.check_password(
        password, email=user.email, min_length=rt.settings.password_min_length, pointer="#/password"
    )
    password_hash = await passwords.hash_password(password)
    async with rt.db.transaction() as conn:
        # The conditional UPDATE decides: of two concurrent resets with one link, one wins.
        if await links.redeem(conn, token, links.PASSWORD_RESET) != user.id:
            raise links.invalid_link()
        await accounts.set_password(conn, user.id, password_hash)
        await links.retire(conn, user.id, links.PASSWORD_RESET)
        await audit.record(conn, Action.password_reset.value, user_id=user.id, origin=origin)
    await accounts.forget_cached_user(rt.store, user.id)
    # Whoever knew the old password may hold a session: every one of them ends.
    await sessions.revoke_all_sessions(rt, user.id)
    # Proving control of the mailbox lifts a lockout: an attacker's guesses cannot keep the
    # real user out once they have reset.
    await lockout.unlock(rt.store, user.email)


def _session_ended() -> ApiError:
    # The account is gone (deleted while the access token lived): as for an ended session.
    return token_error("The session of this access token has ended.")


def wrong_password() -> ApiError:
    return ApiError(403, ErrorCode.AUTHORIZATION_ERROR, "The current password is wrong.")


async def change_password(
    rt: Runtime, principal: Principal, *, current_password: str, new_password: str, origin: Origin
) -> None:
    user = await sessions.current_user(rt, principal)
    async with rt.db.connection() as conn:
        stored = await accounts.get_password_hash(conn, user.id)
    if stored is None or not await passwords.verify_password(stored, current_password):
        async with rt.db.transaction() as conn:
            await audit.record(
                conn,
                Action.password_changed.value,
                user_id=user.id,
                origin=origin,
                outcome="failure",
            )
        raise wrong_password()
    policy.check_password(
        new_password,
        email=user.email,
        min_length=rt.settings.password_min_length,
        pointer="#/new_password",
    )
    new_hash = await passwords.hash_password(new_password)
    async with rt.db.transaction() as conn:
        # Only over the hash the current password was checked against: a concurrent change
        # in between makes this one a wrong-password answer, not a silent overwrite.
        if not await accounts.set_password(conn, user.id, new_hash, replacing=stored):
            raise wrong_password()
        # A reset link sent before the change must not undo it.
        await links.retire(conn, user.id, links.PASSWORD_RESET)
        await audit.record(conn, Action.password_changed.value, user_id=user.id, origin=origin)
    await accounts.forget_cached_user(rt.store, user.id)
    await sessions.revoke_other_sessions(rt, principal)


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


async def update_profile(
    rt: Runtime, principal: Principal, changes: dict[str, str | None], origin: Origin
) -> User:
    """`changes` holds the fields the request sent, exactly (None clears a field)."""
    if not changes:
        raise validation_error([FieldError(pointer="#", detail="Send at least one field.")])
    timezone = changes.get("timezone")
    if timezone is not None and timezone not in _time_zones():
        raise validation_error(
            [FieldError(pointer="#/timezone", detail="Not an IANA time zone name.")]
        )
    await sessions.current_user(rt, principal)  # the session must still be live
    async with rt.db.transaction() as conn:
        user = await accounts.update_profile(conn, principal.user_id, changes)
        if user is None:
            raise _session_ended()
        await audit.record(
            conn,
            Action.profile_updated.value,
            user_id=principal.user_id,
            origin=origin,
            details={"fields": sorted(changes)},
        )
    await accounts.forget_cached_user(rt.store, principal.user_id)
    return user
