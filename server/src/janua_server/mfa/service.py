"""Second-factor rules: enrol and remove an authenticator app (TOTP, RFC 6238) and an SMS
number, recovery codes, and the second step of a password sign-in.

Every code check goes through the account's guess throttle (throttle.py) and is single-use:
a TOTP code by its time step (`last_used_step`, a conditional UPDATE), a recovery code by its
row, an SMS code by a one-time claim in the store. Removing a factor needs the password as
well, so a stolen access token alone cannot weaken the account.
"""

from __future__ import annotations

import json
import logging
import secrets
import uuid

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.accounts import service as accounts
from janua_server.contract.models import (
    Action,
    ErrorCode,
    FieldError,
    MfaMethod,
    MfaStatus,
    RecoveryCodes,
    SmsCodeSent,
    SmsEnrollment,
    TotpSetup,
)
from janua_server.core import audit, passwords, secret_tokens
from janua_server.core.db import utcnow
from janua_server.core.errors import (
    ApiError,
    authentication_error,
    conflict,
    validation_error,
)
from janua_server.core.runtime import Runtime
from janua_server.mfa import factors, recovery, sms, throttle, totp
from janua_server.mfa.crypto import MfaKeys, UndecryptableSecret, keys_of
from janua_server.mfa.tables import mfa_sms, mfa_totp
from janua_server.sessions import pending
from janua_server.sessions import service as sessions
from janua_server.sessions.service import ClientInfo, Principal

log = logging.getLogger("janua.mfa")

SMS_CODE_TTL_SECONDS = 300
SMS_SETUP = "setup"
SMS_SIGN_IN = "sign_in"
# RFC 8176 authentication method references of each way to finish a sign-in.
AMR = {"totp": "otp", "recovery_code": "otp", "sms": "sms"}


# ---- answers ---------------------------------------------------------------------------------


def wrong_code() -> ApiError:
    return ApiError(403, ErrorCode.AUTHORIZATION_ERROR, "The code is wrong or expired.")


def wrong_proof() -> ApiError:
    return ApiError(403, ErrorCode.AUTHORIZATION_ERROR, "The password or the code is wrong.")


def wrong_password() -> ApiError:
    return ApiError(403, ErrorCode.AUTHORIZATION_ERROR, "The password is wrong.")


# ---- status ----------------------------------------------------------------------------------


async def status(rt: Runtime, principal: Principal) -> MfaStatus:
    user = await sessions.current_user(rt, principal)
    async with rt.db.connection() as conn:
        methods = await factors.enrolled_methods(conn, user.id)
        totp_row = await _totp_row(conn, user.id)
        phone = await _sms_number(conn, user.id)
        left = await recovery.remaining(conn, user.id) if methods else 0
    return MfaStatus(
        methods=[MfaMethod(method) for method in methods],
        totp_enabled=totp_row is not None and totp_row.confirmed_at is not None,
        totp_pending=totp_row is not None and totp_row.confirmed_at is None,
        recovery_codes_remaining=left,
        sms_enabled=phone is not None,
        sms_phone_number=sms.mask(phone) if phone is not None else None,
    )


# ---- authenticator app (TOTP) ----------------------------------------------------------------


async def _totp_row(conn: AsyncConnection, user_id: uuid.UUID):
    return (await conn.execute(select(mfa_totp).where(mfa_totp.c.user_id == user_id))).first()


def _decrypt(keys: MfaKeys, row) -> str:
    try:
        return keys.decrypt(row.secret_ciphertext, row.user_id)
    except UndecryptableSecret:
        # An operator problem (MFA_ENCRYPTION_KEY changed without keeping the old key), not
        # the user's: say so in the log, never what the row holds.
        log.error(
            "the TOTP secret of user %s does not decrypt with MFA_ENCRYPTION_KEY", row.user_id
        )
        raise


async def start_totp_setup(rt: Runtime, principal: Principal) -> TotpSetup:
    """A new secret, pending until `confirm_totp_setup`; replaces an unconfirmed one."""
    user = await sessions.current_user(rt, principal)
    enrolment = totp.new_enrolment(issuer=rt.settings.app_name, account=user.email)
    ciphertext = keys_of(rt.settings).encrypt(enrolment.secret, user.id)
    async with rt.db.transaction() as conn:
        existing = await _totp_row(conn, user.id)
        if existing is not None and existing.confirmed_at is not None:
            raise conflict("An authenticator app is already enrolled; disable it first.")
        await conn.execute(
            delete(mfa_totp).where(mfa_totp.c.user_id == user.id, mfa_totp.c.confirmed_at.is_(None))
        )
        await conn.execute(
            insert(mfa_totp).values(
                user_id=user.id, secret_ciphertext=ciphertext, created_at=utcnow()
            )
        )
    return TotpSetup(
        secret=enrolment.secret,
        otpauth_uri=enrolment.uri,
        qr_code_svg=enrolment.qr_svg,
        qr_code_data_uri=enrolment.qr_data_uri,
    )


async def _use_totp(
    conn: AsyncConnection, keys: MfaKeys, user_id: uuid.UUID, code: str, *, confirm: bool = False
) -> bool:
    """Accept `code` for the user's confirmed app (or, with `confirm`, for the pending setup,
    which it then confirms). A step at or before the last accepted one is a replay."""
    row = await _totp_row(conn, user_id)
    if row is None or (row.confirmed_at is None) != confirm:
        return False
    step = totp.matching_step(_decrypt(keys, row), recovery.normalize(code))
    if step is None:
        return False
    values: dict = {"last_used_step": step}
    if confirm:
        values["confirmed_at"] = utcnow()
    used = await conn.execute(
        update(mfa_totp)
        .where(
            mfa_totp.c.user_id == user_id,
            mfa_totp.c.secret_ciphertext == row.secret_ciphertext,
            or_(mfa_totp.c.last_used_step.is_(None), mfa_totp.c.last_used_step < step),
        )
        .values(**values)
    )
    return used.rowcount == 1


async def confirm_totp_setup(
    rt: Runtime, principal: Principal, code: str, client: ClientInfo
) -> RecoveryCodes:
    user = await sessions.current_user(rt, principal)
    async with rt.db.connection() as conn:
        row = await _totp_row(conn, user.id)
    if row is None:
        raise conflict("No authenticator setup is pending; start one first.")
    if row.confirmed_at is not None:
        raise conflict("The authenticator app is already enrolled.")
    keys = keys_of(rt.settings)
    await throttle.count_attempt(rt.store, user.id)
    async with rt.db.transaction() as conn:
        confirmed = await _use_totp(conn, keys, user.id, code, confirm=True)
        if confirmed:
            codes = await recovery.replace_codes(conn, keys, user.id)
            await audit.record(
                conn,
                Action.mfa_enabled,
                user_id=user.id,
                origin=sessions.origin_of(client),
                target=f"user:{user.id}",
                details={"method": "totp"},
            )
    if not confirmed:
        await _failed(rt, user.id, client, "totp", "enrol")
        raise wrong_code()
    await throttle.clear_attempts(rt.store, user.id)
    return RecoveryCodes(recovery_codes=codes)


async def disable_totp(
    rt: Runtime, principal: Principal, *, password: str, code: str, client: ClientInfo
) -> None:
    """Both the password and a current code (app or recovery code): 403 unless both hold."""
    user = await sessions.current_user(rt, principal)
    async with rt.db.connection() as conn:
        row = await _totp_row(conn, user.id)
    if row is None or row.confirmed_at is None:
        raise conflict("No authenticator app is enrolled.")
    await throttle.count_attempt(rt.store, user.id)
    password_ok = await _password_matches(rt, user.id, password)
    async with rt.db.transaction() as conn:
        # A wrong password leaves the code unspent.
        method = await _use_code(conn, rt, user.id, code, client) if password_ok else None
        if method is not None:
            await conn.execute(delete(mfa_totp).where(mfa_totp.c.user_id == user.id))
            await _drop_orphaned_recovery_codes(conn, user.id)
            await audit.record(
                conn,
                Action.mfa_disabled,
                user_id=user.id,
                origin=sessions.origin_of(client),
                target=f"user:{user.id}",
                details={"method": "totp", "proof": method},
            )
    if method is None:
        await _failed(rt, user.id, client, "totp", "disable")
        raise wrong_proof()
    await throttle.clear_attempts(rt.store, user.id)


# ---- recovery codes --------------------------------------------------------------------------


async def regenerate_recovery_codes(
    rt: Runtime,
    principal: Principal,
    *,
    password: str | None,
    code: str | None,
    client: ClientInfo,
) -> RecoveryCodes:
    """New codes for an account with a second factor, proven by the password or a current
    code (both, when both are sent)."""
    if password is None and code is None:
        # The schema's `minProperties: 1`, which the generated model does not enforce.
        raise validation_error([FieldError(pointer="#", detail="Send the password or a code.")])
    user = await sessions.current_user(rt, principal)
    async with rt.db.connection() as conn:
        if not await factors.enrolled_methods(conn, user.id):
            raise conflict("Recovery codes need a second factor; enrol one first.")
    await throttle.count_attempt(rt.store, user.id)
    proven = password is None or await _password_matches(rt, user.id, password)
    keys = keys_of(rt.settings)
    async with rt.db.transaction() as conn:
        if proven and code is not None:
            proven = await _use_code(conn, rt, user.id, code, client) is not None
        if proven:
            codes = await recovery.replace_codes(conn, keys, user.id)
            await audit.record(
                conn,
                Action.mfa_recovery_codes_regenerated,
                user_id=user.id,
                origin=sessions.origin_of(client),
                target=f"user:{user.id}",
            )
    if not proven:
        await _failed(rt, user.id, client, "recovery_code", "regenerate")
        raise wrong_proof()
    await throttle.clear_attempts(rt.store, user.id)
    return RecoveryCodes(recovery_codes=codes)


async def _use_recovery_code(
    conn: AsyncConnection, rt: Runtime, user_id: uuid.UUID, code: str, client: ClientInfo
) -> bool:
    if not await recovery.redeem(conn, keys_of(rt.settings), user_id, code):
        return False
    await audit.record(
        conn,
        Action.mfa_recovery_code_used,
        user_id=user_id,
        origin=sessions.origin_of(client),
        target=f"user:{user_id}",
        details={"remaining": await recovery.remaining(conn, user_id)},
    )
    return True


async def _use_code(
    conn: AsyncConnection, rt: Runtime, user_id: uuid.UUID, code: str, client: ClientInfo
) -> str | None:
    """A step-up code: 6 digits are an app code, anything else a recovery code. Returns the
    method it proved, or None."""
    if recovery.looks_like_recovery_code(code):
        used = await _use_recovery_code(conn, rt, user_id, code, client)
        return "recovery_code" if used else None
    used = await _use_totp(conn, keys_of(rt.settings), user_id, code)
    return "totp" if used else None


async def _drop_orphaned_recovery_codes(conn: AsyncConnection, user_id: uuid.UUID) -> None:
    """After a factor is removed: recovery codes go with the last one."""
    if not await factors.enrolled_methods(conn, user_id):
        await recovery.delete_codes(conn, user_id)


# ---- SMS -------------------------------------------------------------------------------------


async def _sms_number(conn: AsyncConnection, user_id: uuid.UUID) -> str | None:
    return (
        await conn.execute(select(mfa_sms.c.phone_number).where(mfa_sms.c.user_id == user_id))
    ).scalar_one_or_none()


def _code_key(purpose: str, user_id: uuid.UUID) -> str:
    return f"mfa-sms-code:{purpose}:{user_id}"


def _new_sms_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _sms_text(rt: Runtime, code: str) -> str:
    minutes = SMS_CODE_TTL_SECONDS // 60
    # The last line is the WebOTP format (`@host #code`): browsers offer the code only on the
    # site it belongs to, which blunts phishing a little.
    host = rt.settings.public_app_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return (
        f"Your {rt.settings.app_name} code is {code}. It expires in {minutes} minutes. "
        f"Do not share it.\n\n@{host} #{code}"
    )


async def _send_code(
    rt: Runtime, user_id: uuid.UUID, purpose: str, phone: str, extra: dict[str, str]
) -> SmsCodeSent:
    """Text a fresh code (replacing an unused one of the same purpose), throttled."""
    await throttle.count_sms(rt.store, user_id, purpose)
    code = _new_sms_code()
    record = {"id": secrets.token_hex(8), "code": keys_of(rt.settings).code_digest("sms", code)}
    await rt.store.set(
        _code_key(purpose, user_id), json.dumps(record | extra).encode(), SMS_CODE_TTL_SECONDS
    )
    await sms.create_sender(rt.settings).send(phone, _sms_text(rt, code))
    return SmsCodeSent(
        phone_number=sms.mask(phone),
        expires_in=SMS_CODE_TTL_SECONDS,
        resend_after=throttle.SMS_SPACING_SECONDS,
    )


async def _take_code(
    rt: Runtime, user_id: uuid.UUID, purpose: str, code: str, **bound: str
) -> dict | None:
    """The pending SMS record if `code` is its code (and it was sent for `bound`), used up at
    once: of two concurrent uses one wins."""
    key = _code_key(purpose, user_id)
    raw = await rt.store.get(key)
    if raw is None:
        return None
    record = json.loads(raw)
    normalized = recovery.normalize(code)
    digests = keys_of(rt.settings).code_digests("sms", normalized)
    matches = [secrets.compare_digest(record["code"], digest) for digest in digests]
    if not any(matches) or any(record.get(k) != v for k, v in bound.items()):
        return None
    if not await rt.store.add(f"{key}:used:{record['id']}", b"1", SMS_CODE_TTL_SECONDS):
        return None
    await rt.store.delete(key)
    return record


async def start_sms_setup(rt: Runtime, principal: Principal, phone_number: str) -> SmsCodeSent:
    user = await sessions.current_user(rt, principal)
    phone = sms.parse_e164(phone_number)
    async with rt.db.connection() as conn:
        if await _sms_number(conn, user.id) is not None:
            raise conflict("A phone number is already enrolled; remove it first.")
    return await _send_code(rt, user.id, SMS_SETUP, phone, {"phone": phone})


async def confirm_sms_setup(
    rt: Runtime, principal: Principal, code: str, client: ClientInfo
) -> SmsEnrollment:
    user = await sessions.current_user(rt, principal)
    async with rt.db.connection() as conn:
        if await _sms_number(conn, user.id) is not None:
            raise conflict("A phone number is already enrolled.")
    if not await rt.store.exists(_code_key(SMS_SETUP, user.id)):
        raise conflict("No SMS setup is pending (or its code expired); start one first.")
    await throttle.count_attempt(rt.store, user.id)
    record = await _take_code(rt, user.id, SMS_SETUP, code)
    if record is None:
        await _failed(rt, user.id, client, "sms", "enrol")
        raise wrong_code()
    phone = record["phone"]
    codes = None
    async with rt.db.transaction() as conn:
        if await _sms_number(conn, user.id) is not None:
            raise conflict("A phone number is already enrolled.")
        await conn.execute(
            insert(mfa_sms).values(user_id=user.id, phone_number=phone, created_at=utcnow())
        )
        if await recovery.remaining(conn, user.id) == 0:
            codes = await recovery.replace_codes(conn, keys_of(rt.settings), user.id)
        await audit.record(
            conn,
            Action.mfa_sms_enrolled,
            user_id=user.id,
            origin=sessions.origin_of(client),
            target=f"user:{user.id}",
            details={"phone_number": sms.mask(phone)},
        )
    await throttle.clear_attempts(rt.store, user.id)
    if codes is None:
        return SmsEnrollment(phone_number=sms.mask(phone))
    return SmsEnrollment(phone_number=sms.mask(phone), recovery_codes=codes)


async def remove_sms(rt: Runtime, principal: Principal, password: str, client: ClientInfo) -> None:
    user = await sessions.current_user(rt, principal)
    async with rt.db.connection() as conn:
        phone = await _sms_number(conn, user.id)
    if phone is None:
        raise conflict("No phone number is enrolled.")
    await throttle.count_attempt(rt.store, user.id)
    if not await _password_matches(rt, user.id, password):
        await _failed(rt, user.id, client, "sms", "disable")
        raise wrong_password()
    async with rt.db.transaction() as conn:
        await conn.execute(delete(mfa_sms).where(mfa_sms.c.user_id == user.id))
        await _drop_orphaned_recovery_codes(conn, user.id)
        await audit.record(
            conn,
            Action.mfa_sms_removed,
            user_id=user.id,
            origin=sessions.origin_of(client),
            target=f"user:{user.id}",
            details={"phone_number": sms.mask(phone)},
        )
    await throttle.clear_attempts(rt.store, user.id)
    await rt.store.delete(_code_key(SMS_SIGN_IN, user.id))


# ---- the second step of sign-in --------------------------------------------------------------


def _method_unavailable(pointer: str) -> ApiError:
    return validation_error(
        [FieldError(pointer=pointer, detail="This sign-in cannot be finished with this method.")]
    )


async def send_sign_in_code(rt: Runtime, mfa_token: str) -> SmsCodeSent:
    waiting = await pending.peek(rt, mfa_token)
    if "sms" not in waiting.methods:
        raise _method_unavailable("#/mfa_token")
    async with rt.db.connection() as conn:
        phone = await _sms_number(conn, waiting.user_id)
    if phone is None:
        raise _method_unavailable("#/mfa_token")
    # Bound to this sign-in: a code texted for one `mfa_token` finishes no other.
    login = secret_tokens.digest(mfa_token)
    return await _send_code(rt, waiting.user_id, SMS_SIGN_IN, phone, {"login": login})


async def finish_sign_in(
    rt: Runtime, *, mfa_token: str, method: str, code: str, client: ClientInfo
) -> sessions.SignedIn:
    """Verify the code of `method` for the pending sign-in, then open its session. A wrong
    code leaves the `mfa_token` usable (within the guess throttle)."""
    waiting = await pending.peek(rt, mfa_token)
    if method not in waiting.methods:
        raise _method_unavailable("#/method")
    user_id = waiting.user_id
    await throttle.count_attempt(rt.store, user_id)
    if method == "sms":
        async with rt.db.connection() as conn:
            enrolled = await _sms_number(conn, user_id) is not None
        login = secret_tokens.digest(mfa_token)
        verified = (
            enrolled and await _take_code(rt, user_id, SMS_SIGN_IN, code, login=login) is not None
        )
    else:
        async with rt.db.transaction() as conn:
            if method == "totp":
                verified = await _use_totp(conn, keys_of(rt.settings), user_id, code)
            else:
                verified = await _use_recovery_code(conn, rt, user_id, code, client)
    if not verified:
        await _failed(rt, user_id, client, method, "sign_in")
        raise authentication_error("The code is wrong or expired.")
    await throttle.clear_attempts(rt.store, user_id)
    # Claims the `mfa_token` (401 if another request with it finished first) and opens the
    # session with `amr` [pwd, otp|sms, mfa].
    user, tokens, claimed = await sessions.finish_pending_login(
        rt, mfa_token, factor_amr=AMR[method], method=method, client=client
    )
    return sessions.SignedIn(user=user, tokens=tokens, token_transport=claimed.token_transport)


# ---- shared ----------------------------------------------------------------------------------


async def _password_matches(rt: Runtime, user_id: uuid.UUID, password: str) -> bool:
    async with rt.db.connection() as conn:
        stored = await accounts.get_password_hash(conn, user_id)
    # verify_password(None, ...) still spends one hash: the same time either way.
    return await passwords.verify_password(stored, password)


async def _failed(
    rt: Runtime, user_id: uuid.UUID, client: ClientInfo, method: str, purpose: str
) -> None:
    """Audit a refused proof (never the code itself)."""
    async with rt.db.transaction() as conn:
        await audit.record(
            conn,
            Action.mfa_challenge_failed,
            user_id=user_id,
            origin=sessions.origin_of(client),
            outcome="failure",
            target=f"user:{user_id}",
            details={"method": method, "purpose": purpose},
        )
