"""Passkey rules: registering one, managing them, and signing in with one, either alone
(usernameless: the authenticator says whose passkey it is) or as the second factor of a password
sign-in waiting at `MFA_REQUIRED`.

Imported by `mfa.factors` (a password sign-in asks whether the user has a passkey), which
`sessions.service` imports in turn: so `sessions` is imported here as a module and its names are
used only inside functions.
"""

from __future__ import annotations

import json
import logging
import uuid
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from webauthn.helpers import bytes_to_base64url

from janua_server.accounts import service as accounts
from janua_server.contract.models import (
    Action,
    FieldError,
    Passkey,
    PasskeyAuthenticationCredential,
    PasskeyCreationOptions,
    PasskeyDeviceType,
    PasskeyList,
    PasskeyLoginOptions,
    PasskeyRegistrationCredential,
)
from janua_server.core import audit, pagination, secret_tokens
from janua_server.core.db import utcnow
from janua_server.core.errors import (
    ApiError,
    bad_request,
    conflict,
    field_errors,
    not_found,
    validation_error,
)
from janua_server.core.runtime import Runtime
from janua_server.passkeys import ceremonies, challenges
from janua_server.passkeys.ceremonies import not_verified
from janua_server.passkeys.tables import passkeys
from janua_server.sessions import pending
from janua_server.sessions import service as sessions

log = logging.getLogger("janua.passkeys")

# Enough for every device and security key a person owns; bounds the excludeCredentials and
# allowCredentials lists a browser is handed.
MAX_PASSKEYS_PER_USER = 20


def has_passkey(user_id: uuid.UUID) -> ColumnElement[bool]:
    """A condition for `mfa.factors.enrolled_methods`' one query: the user has a passkey."""
    return exists().where(passkeys.c.user_id == user_id)


def _to_contract(row: Any) -> Passkey:
    return Passkey(
        id=row.id,
        name=row.name,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        transports=row.transports.split(),
        backed_up=row.backed_up,
        device_type=PasskeyDeviceType(row.device_type),
        aaguid=row.aaguid,
    )


async def _credentials_of(conn: AsyncConnection, user_id: uuid.UUID) -> list[tuple[str, list]]:
    rows = await conn.execute(
        select(passkeys.c.credential_id, passkeys.c.transports).where(passkeys.c.user_id == user_id)
    )
    return [(row.credential_id, row.transports.split()) for row in rows]


async def _count(conn: AsyncConnection, user_id: uuid.UUID) -> int:
    query = select(func.count()).where(passkeys.c.user_id == user_id)
    return (await conn.execute(query)).scalar_one()


def _too_many() -> Exception:
    return conflict(
        f"An account can have at most {MAX_PASSKEYS_PER_USER} passkeys; delete one first."
    )


# ---- registration (W3C WebAuthn Level 3, section 7.1) -----------------------------------------


async def start_registration(rt: Runtime, principal: sessions.Principal) -> PasskeyCreationOptions:
    """Creation options for the caller, with a challenge only this user can answer."""
    user = await sessions.current_user(rt, principal)
    async with rt.db.connection() as conn:
        existing = await _credentials_of(conn, user.id)
    if len(existing) >= MAX_PASSKEYS_PER_USER:
        raise _too_many()
    options = ceremonies.registration_options(
        rt.settings,
        user_id=user.id,
        email=user.email,
        display_name=user.name or user.email,
        existing=existing,
    )
    # The challenge itself names the record: the browser echoes it in clientDataJSON, so the
    # finishing request needs no extra id (and a stolen record key is not the challenge).
    await challenges.remember(
        rt,
        options["challenge"],
        ceremony="registration",
        challenge=options["challenge"],
        user_id=user.id,
    )
    return PasskeyCreationOptions.model_validate(options)


def _default_name(credential: PasskeyRegistrationCredential, new: ceremonies.NewCredential) -> str:
    if new.multi_device:
        return "Synced passkey"
    if credential.authenticatorAttachment == "cross-platform" or {"usb", "nfc", "ble"} & set(
        new.transports
    ):
        return "Security key"
    return "Passkey"


async def register(
    rt: Runtime,
    principal: sessions.Principal,
    credential: PasskeyRegistrationCredential,
    name: str | None,
    client: sessions.ClientInfo,
) -> Passkey:
    """Verify the new credential against the caller's own registration challenge (single-use)
    and store its public key."""
    user = await sessions.current_user(rt, principal)
    ceremonies.decodable(credential.model_dump(exclude_none=True))
    handle = ceremonies.presented_challenge(
        credential.response.clientDataJSON, "#/credential/response/clientDataJSON"
    )
    found = await challenges.peek(rt, handle, "registration")
    # Another user's challenge is refused without using it up: it stays theirs.
    if found is None or found.user_id != user.id or not await challenges.claim(rt, found):
        raise not_verified()
    new = ceremonies.verify_registration(rt.settings, credential, found.challenge)
    passkey_id = uuid.uuid4()
    values = {
        "id": passkey_id,
        "user_id": user.id,
        "credential_id": new.credential_id,
        "public_key": new.public_key,
        "sign_count": new.sign_count,
        "name": (name.strip() or name) if name else _default_name(credential, new),
        "transports": " ".join(new.transports),
        "aaguid": new.aaguid,
        "device_type": "multi_device" if new.multi_device else "single_device",
        "backed_up": new.backed_up,
        "created_at": utcnow(),
        "last_used_at": None,
    }
    try:
        async with rt.db.transaction() as conn:
            taken = await conn.execute(
                select(passkeys.c.id).where(passkeys.c.credential_id == new.credential_id)
            )
            if taken.first() is not None:
                raise conflict("This passkey is registered already.")
            if await _count(conn, user.id) >= MAX_PASSKEYS_PER_USER:
                raise _too_many()
            await conn.execute(insert(passkeys).values(**values))
            await audit.record(
                conn,
                Action.passkey_registered,
                user_id=user.id,
                origin=sessions.origin_of(client),
                target=f"passkey:{passkey_id}",
                details={"name": values["name"], "device_type": values["device_type"]},
            )
    except IntegrityError:
        # The same credential registered by a concurrent request a moment earlier.
        raise conflict("This passkey is registered already.") from None
    return _to_contract(SimpleNamespace(**values))


# ---- management --------------------------------------------------------------------------------


async def list_passkeys(
    rt: Runtime, principal: sessions.Principal, *, limit: int, cursor: uuid.UUID | None
) -> PasskeyList:
    mine = passkeys.c.user_id == principal.user_id
    async with rt.db.connection() as conn:
        found = await pagination.newest_first(
            conn,
            select(passkeys).where(mine),
            table=passkeys,
            owner=mine,
            limit=limit,
            after=cursor,
        )
    if found is None:
        raise not_found("The cursor names no passkey of yours.")
    page, more = found
    return PasskeyList(
        data=[_to_contract(row) for row in page], next_cursor=page[-1].id if more else None
    )


def _no_such_passkey() -> Exception:
    # Another user's passkey id is answered exactly like an unknown one.
    return not_found("No passkey of yours has this id.")


async def rename(
    rt: Runtime,
    principal: sessions.Principal,
    passkey_id: uuid.UUID,
    name: str,
    client: sessions.ClientInfo,
) -> Passkey:
    name = name.strip() or name
    async with rt.db.transaction() as conn:
        row = (
            await conn.execute(
                update(passkeys)
                .where(passkeys.c.id == passkey_id, passkeys.c.user_id == principal.user_id)
                .values(name=name)
                .returning(*passkeys.c)
            )
        ).first()
        if row is None:
            raise _no_such_passkey()
        await audit.record(
            conn,
            Action.passkey_renamed,
            user_id=principal.user_id,
            origin=sessions.origin_of(client),
            target=f"passkey:{passkey_id}",
            details={"name": name},
        )
    return _to_contract(row)


async def delete_passkey(
    rt: Runtime, principal: sessions.Principal, passkey_id: uuid.UUID, client: sessions.ClientInfo
) -> None:
    async with rt.db.transaction() as conn:
        row = (
            await conn.execute(
                delete(passkeys)
                .where(passkeys.c.id == passkey_id, passkeys.c.user_id == principal.user_id)
                .returning(passkeys.c.name)
            )
        ).first()
        if row is None:
            raise _no_such_passkey()
        await audit.record(
            conn,
            Action.passkey_deleted,
            user_id=principal.user_id,
            origin=sessions.origin_of(client),
            target=f"passkey:{passkey_id}",
            details={"name": row.name},
        )


# ---- sign-in (W3C WebAuthn Level 3, section 7.2) ------------------------------------------------


def _method_unavailable(pointer: str) -> Exception:
    return validation_error(
        [FieldError(pointer=pointer, detail="This sign-in cannot be finished with a passkey.")]
    )


async def start_sign_in(rt: Runtime, mfa_token: str | None = None) -> PasskeyLoginOptions:
    """Request options and the id of their challenge. Without `mfa_token`: usernameless. With
    it: the second factor of that pending sign-in, allowing only its user's passkeys."""
    allowed: list[tuple[str, list]] = []
    user_id = None
    if mfa_token is not None:
        waiting = await pending.peek(rt, mfa_token)  # 401 TOKEN_ERROR when not pending
        user_id = waiting.user_id
        async with rt.db.connection() as conn:
            allowed = await _credentials_of(conn, user_id)
        if "passkey" not in waiting.methods or not allowed:
            raise _method_unavailable("#/mfa_token")
    options = ceremonies.authentication_options(rt.settings, allowed)
    challenge_id = secret_tokens.new_token()
    await challenges.remember(
        rt,
        challenge_id,
        ceremony="authentication",
        challenge=options["challenge"],
        user_id=user_id,
        mfa_token=mfa_token,
    )
    return PasskeyLoginOptions.model_validate(
        {
            "challenge_id": challenge_id,
            "expires_in": challenges.CHALLENGE_TTL_SECONDS,
            "public_key": options,
        }
    )


async def authentication_options(rt: Runtime, *, mfa_token: str | None = None) -> dict[str, Any]:
    """`start_sign_in` in the shape the hosted sign-in pages' script reads
    (`oidc.second_factor`): `{challenge: <challenge id>, publicKey: <request options>}`."""
    started = await start_sign_in(rt, mfa_token)
    return {"challenge": started.challenge_id, "publicKey": started.public_key.model_dump()}


def _assertion_of(
    credential: PasskeyAuthenticationCredential | str | dict,
) -> PasskeyAuthenticationCredential:
    """The assertion as the contract model, however it came (the API's parsed body, or the JSON
    text a hosted page posted in a form field)."""
    if isinstance(credential, PasskeyAuthenticationCredential):
        return credential
    if isinstance(credential, str):
        try:
            credential = json.loads(credential)
        except ValueError:
            raise bad_request("The credential is not valid JSON.") from None
    try:
        return PasskeyAuthenticationCredential.model_validate(credential)
    except ValidationError as exc:
        raise validation_error(field_errors(exc)) from None


async def _refused(
    rt: Runtime,
    user_id: uuid.UUID,
    client: sessions.ClientInfo,
    reason: str,
    passkey_id: uuid.UUID | None,
) -> Exception:
    """Audit a refused passkey sign-in of a known account; the error to raise."""
    async with rt.db.transaction() as conn:
        await audit.record(
            conn,
            Action.login_failed,
            user_id=user_id,
            origin=sessions.origin_of(client),
            outcome="failure",
            target=f"passkey:{passkey_id}" if passkey_id else None,
            details={"method": "passkey", "reason": reason},
        )
    return not_verified()


async def _sign_count_regressed(
    rt: Runtime, row: Any, presented: int, client: sessions.ClientInfo
) -> Exception:
    """Section 6.1.1: a counter that did not grow means two copies of the private key may
    exist (a cloned authenticator). The assertion is refused and the owner's log says so."""
    log.warning("passkey %s: signature counter did not increase", row.id)
    async with rt.db.transaction() as conn:
        await audit.record(
            conn,
            Action.passkey_sign_count_regressed,
            user_id=row.user_id,
            origin=sessions.origin_of(client),
            outcome="failure",
            target=f"passkey:{row.id}",
            details={"stored_sign_count": row.sign_count, "presented_sign_count": presented},
        )
    return not_verified()


async def _record_use(rt: Runtime, row: Any, assertion: ceremonies.Assertion) -> bool:
    """Store the new counter, only if it still grows (or both are zero: an authenticator
    without a counter). Conditional, so of two concurrent assertions with the same counter at
    most one passes."""
    new = assertion.sign_count
    grows = passkeys.c.sign_count < new if new else passkeys.c.sign_count == 0
    async with rt.db.transaction() as conn:
        result = await conn.execute(
            update(passkeys)
            .where(passkeys.c.id == row.id, grows)
            .values(sign_count=new, last_used_at=utcnow(), backed_up=assertion.backed_up)
        )
    return result.rowcount == 1


def _amr(assertion: ceremonies.Assertion) -> str:
    """RFC 8176 for the key: `swk` when the passkey is synced (its private key is copied
    between devices, so no one piece of hardware holds it), `hwk` when it is bound to one
    authenticator. Attestation is `none`, so this is the authenticator's own word."""
    return "swk" if assertion.multi_device or assertion.backed_up else "hwk"


async def finish_sign_in(
    rt: Runtime,
    *,
    challenge: str,
    credential: PasskeyAuthenticationCredential | str | dict,
    client: sessions.ClientInfo,
    mfa_token: str | None = None,
    token_transport: str = "body",  # noqa: S107 - a delivery mode, not a secret
) -> sessions.SignedIn:
    """Verify the assertion for the challenge named `challenge` (a `challenge_id`) and open the
    session. The challenge is used up before the assertion is checked, so it never verifies
    twice, whatever the outcome."""
    assertion_json = _assertion_of(credential)
    # Malformed is 400, and leaves the challenge usable: nothing was presented yet.
    ceremonies.decodable(assertion_json.model_dump(exclude_none=True))
    found = await challenges.peek(rt, challenge, "authentication")
    bound_to = secret_tokens.digest(mfa_token) if mfa_token else None
    if found is None or found.mfa_token_digest != bound_to:
        raise not_verified()
    waiting = await pending.peek(rt, mfa_token) if mfa_token else None  # 401 TOKEN_ERROR
    if not await challenges.claim(rt, found):
        raise not_verified()
    raw_id = ceremonies.b64url_decode(assertion_json.rawId, "#/credential/rawId")
    async with rt.db.connection() as conn:
        row = (
            await conn.execute(
                select(passkeys).where(passkeys.c.credential_id == bytes_to_base64url(raw_id))
            )
        ).first()
    if row is None:
        raise not_verified()
    # The owner checks (section 7.2 step 6): the authenticator's user handle must name the
    # passkey's owner; a usernameless sign-in has nothing else to go on, so it must be there.
    handle = assertion_json.response.userHandle
    if handle:
        if ceremonies.b64url_decode(handle, "#/credential/response/userHandle") != (
            ceremonies.user_handle(row.user_id)
        ):
            raise await _refused(rt, row.user_id, client, "user_handle_mismatch", row.id)
    elif waiting is None:
        raise await _refused(rt, row.user_id, client, "user_handle_missing", row.id)
    if waiting is not None and row.user_id != waiting.user_id:
        # Another account's passkey offered for this account's second factor. Recorded in this
        # account's log without naming the other account's passkey.
        raise await _refused(rt, waiting.user_id, client, "passkey_of_another_user", None)
    try:
        assertion = ceremonies.verify_assertion(
            rt.settings,
            assertion_json,
            expected_challenge=found.challenge,
            public_key=row.public_key,
        )
    except ApiError as refused:
        if refused.status != 401:
            raise
        raise await _refused(rt, row.user_id, client, "not_verified", row.id) from None
    stored = row.sign_count
    regressed = (assertion.sign_count > 0 or stored > 0) and assertion.sign_count <= stored
    if regressed or not await _record_use(rt, row, assertion):
        raise await _sign_count_regressed(rt, row, assertion.sign_count, client)
    if waiting is not None:
        assert mfa_token is not None
        # Claims the `mfa_token` (401 if another request finished with it first); `amr`
        # becomes [pwd, hwk|swk, mfa].
        user, tokens, claimed = await sessions.finish_pending_login(
            rt, mfa_token, factor_amr=_amr(assertion), method="passkey", client=client
        )
        return sessions.SignedIn(user=user, tokens=tokens, token_transport=claimed.token_transport)
    # Passwordless: possession of the key, and with user verification (PIN, biometric) a
    # second factor in the same gesture (RFC 8176 `mfa`); without it, possession alone.
    amr = (_amr(assertion), "mfa") if assertion.user_verified else (_amr(assertion),)
    async with rt.db.transaction() as conn:
        tokens = await sessions.start_session(rt, conn, row.user_id, client, amr=amr)
        await audit.record(
            conn,
            Action.login_succeeded,
            user_id=row.user_id,
            origin=sessions.origin_of(client),
            target=f"passkey:{row.id}",
            details={"method": "passkey"},
        )
        user = await accounts.get_user(conn, row.user_id)
    assert user is not None
    return sessions.SignedIn(user=user, tokens=tokens, token_transport=token_transport)
