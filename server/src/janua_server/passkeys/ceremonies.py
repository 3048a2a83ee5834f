"""The two WebAuthn ceremonies (W3C Web Authentication Level 3, sections 7.1 and 7.2) on top of
py_webauthn: building the options a browser needs, and verifying what it sends back.

Everything here is a pure function of its inputs (no database, no store), so the service holds
the rules and this module holds the bytes. A response's bytes come from the network: a member
that does not decode is the client's mistake (400 `BAD_REQUEST`); anything that decodes but
does not verify is a failed authentication (401 `AUTHENTICATION_ERROR`), never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import webauthn
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from janua_server.contract.models import (
    PasskeyAuthenticationCredential,
    PasskeyRegistrationCredential,
)
from janua_server.core.errors import ApiError, authentication_error, bad_request
from janua_server.settings import Settings

log = logging.getLogger("janua.passkeys")

# The browser's own timeout for the user to act, in milliseconds; the challenge lives as long.
TIMEOUT_MS = 300_000

_KNOWN_TRANSPORTS = {transport.value for transport in AuthenticatorTransport}


def not_verified() -> ApiError:
    """One answer for every verification failure: which check failed is for the log, not for
    whoever is probing."""
    return authentication_error("The passkey could not be verified.")


def b64url_decode(value: str, pointer: str) -> bytes:
    """Base64url with or without padding (RFC 4648 section 5); 400 naming the member if not."""
    stripped = value.rstrip("=")
    if "+" in stripped or "/" in stripped:  # the other alphabet (base64, not base64url)
        raise bad_request(f"{pointer} is not base64url.")
    try:
        # validate=True: a character outside the alphabet is an error, not silently skipped.
        return base64.b64decode(stripped + "=" * (-len(stripped) % 4), b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise bad_request(f"{pointer} is not base64url.") from None


def client_data(encoded: str, pointer: str) -> dict[str, Any]:
    """clientDataJSON as a JSON object (W3C WebAuthn section 5.8.1)."""
    raw = b64url_decode(encoded, pointer)
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        parsed = None
    if not isinstance(parsed, dict):
        raise bad_request(f"{pointer} is not a JSON object.")
    return parsed


def user_handle(user_id: uuid.UUID) -> bytes:
    """The WebAuthn user handle of a user: the 16 bytes of the user's random id. It carries no
    personal data (section 14.6.1), never changes, and names the owner in every assertion."""
    return user_id.bytes


def usable_transports(values: list[str] | None) -> list[str]:
    """The transports the browser reported, kept for `allowCredentials`; unknown ones kept too
    (the browser ignores what it does not know), duplicates and odd values dropped."""
    kept: list[str] = []
    for value in values or []:
        if value.isascii() and value.replace("-", "").isalnum() and value not in kept:
            kept.append(value)
    return kept[:8]


def _descriptors(credentials: list[tuple[str, list[str]]]) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=b64url_decode(credential_id, "credential_id"),
            transports=[AuthenticatorTransport(t) for t in transports if t in _KNOWN_TRANSPORTS],
        )
        for credential_id, transports in credentials
    ]


def registration_options(
    settings: Settings,
    *,
    user_id: uuid.UUID,
    email: str,
    display_name: str,
    existing: list[tuple[str, list[str]]],
) -> dict[str, Any]:
    """PublicKeyCredentialCreationOptionsJSON: a discoverable credential (so it can sign in
    without an email), user verification preferred, attestation `none` (we do not restrict
    authenticator models), and the user's existing credentials excluded (section 5.4.3) so one
    authenticator is not registered twice."""
    options = webauthn.generate_registration_options(
        rp_id=settings.webauthn_rp_id,
        rp_name=settings.webauthn_rp_name,
        user_id=user_handle(user_id),
        user_name=email,
        user_display_name=display_name,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(existing),
    )
    return json.loads(webauthn.options_to_json(options))


def authentication_options(
    settings: Settings, allowed: list[tuple[str, list[str]]]
) -> dict[str, Any]:
    """PublicKeyCredentialRequestOptionsJSON. `allowed` empty: usernameless (the browser offers
    the discoverable credentials it has for the RP ID)."""
    options = webauthn.generate_authentication_options(
        rp_id=settings.webauthn_rp_id,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(allowed),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return json.loads(webauthn.options_to_json(options))


def presented_challenge(credential_client_data: str, pointer: str) -> str:
    """The challenge a response answers, canonical base64url; what names a registration."""
    challenge = client_data(credential_client_data, pointer).get("challenge")
    if not isinstance(challenge, str) or not challenge:
        raise not_verified()
    return bytes_to_base64url(b64url_decode(challenge, pointer + "/challenge"))


@dataclass(frozen=True)
class NewCredential:
    credential_id: str
    public_key: bytes
    sign_count: int
    aaguid: str
    multi_device: bool
    backed_up: bool
    user_verified: bool
    transports: list[str]


def verify_registration(
    settings: Settings, credential: PasskeyRegistrationCredential, expected_challenge: str
) -> NewCredential:
    """Section 7.1: type, challenge, origin, RP ID hash, user presence, a supported algorithm,
    and the attestation statement (`none` expected)."""
    decodable(credential.model_dump(exclude_none=True))
    try:
        verified = webauthn.verify_registration_response(
            credential=credential.model_dump(exclude_none=True),
            expected_challenge=b64url_decode(expected_challenge, "challenge"),
            expected_rp_id=settings.webauthn_rp_id,
            expected_origin=settings.webauthn_allowed_origins,
        )
    # The library parses CBOR, COSE keys and certificates out of bytes from the network;
    # whatever it raises on them means "not verified", and must not become a 500.
    except Exception as exc:
        log.info("passkey registration refused: %s", exc)
        raise not_verified() from None
    return NewCredential(
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        aaguid=verified.aaguid,
        multi_device=verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
        backed_up=verified.credential_backed_up,
        user_verified=verified.user_verified,
        transports=usable_transports([t.root for t in credential.response.transports or []]),
    )


@dataclass(frozen=True)
class Assertion:
    sign_count: int
    multi_device: bool
    backed_up: bool
    user_verified: bool


def verify_assertion(
    settings: Settings,
    credential: PasskeyAuthenticationCredential,
    *,
    expected_challenge: str,
    public_key: bytes,
) -> Assertion:
    """Section 7.2: type, challenge, origin, RP ID hash, user presence and the signature over
    authenticatorData || SHA-256(clientDataJSON). The signature counter is the caller's to
    judge (it needs the stored value and an audit trail): py_webauthn's own check is switched
    off by passing 0 as the stored count, which it then never refuses."""
    decodable(credential.model_dump(exclude_none=True))
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential.model_dump(exclude_none=True),
            expected_challenge=b64url_decode(expected_challenge, "challenge"),
            expected_rp_id=settings.webauthn_rp_id,
            expected_origin=settings.webauthn_allowed_origins,
            credential_public_key=public_key,
            credential_current_sign_count=0,
        )
    except Exception as exc:  # see verify_registration
        log.info("passkey assertion refused: %s", exc)
        raise not_verified() from None
    return Assertion(
        sign_count=verified.new_sign_count,
        multi_device=verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
        backed_up=verified.credential_backed_up,
        user_verified=verified.user_verified,
    )


_BINARY_MEMBERS = (
    "rawId",
    "response/clientDataJSON",
    "response/attestationObject",
    "response/authenticatorData",
    "response/signature",
    "response/userHandle",
    "response/publicKey",
)


def decodable(credential: dict[str, Any], pointer: str = "#/credential") -> None:
    """400 unless every binary member is base64url and clientDataJSON a JSON object: the
    request is malformed, which is not the same as a response that fails to verify."""
    for path in _BINARY_MEMBERS:
        value: Any = credential
        for part in path.split("/"):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str):
            b64url_decode(value, f"{pointer}/{path}")
    client_data(credential["response"]["clientDataJSON"], f"{pointer}/response/clientDataJSON")
