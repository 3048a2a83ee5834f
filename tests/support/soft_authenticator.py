"""A software WebAuthn authenticator and client, for tests: what a browser and a passkey
provider do together, in the open, so tests can also do it wrong on purpose.

It follows W3C Web Authentication Level 3 byte for byte: an ES256 (P-256) key per credential;
authenticatorData = SHA-256(rpId) | flags | signCount (4 bytes, big-endian) | attested credential
data (AAGUID | id length | id | COSE_Key) at registration; the attestation object in CBOR with
fmt `none`; clientDataJSON with type, challenge and origin; and an assertion signature (ECDSA,
DER) over authenticatorData || SHA-256(clientDataJSON). Its answers are the JSON a browser's
`PublicKeyCredential.toJSON()` produces.

Every `create`/`get` keyword that departs from the honest default makes one of the bad cases:
another origin or RP ID, another challenge, a counter that went backwards, a flipped signature
byte, a user handle that names someone else.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40
ES256 = -7


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


class InvalidStateError(Exception):
    """What `navigator.credentials.create()` throws when the authenticator already holds one of
    the excluded credentials."""


class NotAllowedError(Exception):
    """What `navigator.credentials.get()` throws when no credential fits."""


@dataclass
class Credential:
    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0

    def cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: ES256,  # alg
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )


@dataclass
class SoftAuthenticator:
    """One authenticator (a security key, or a passkey provider when `synced`), with the client
    that talks to it at `origin`.

    `counter=False` keeps no signature counter (always 0), as synced passkeys do; `synced` sets
    the backup flags (BE, BS); `verifies_user` sets UV (a PIN or biometric was checked)."""

    origin: str = "http://testserver"
    synced: bool = False
    counter: bool = True
    verifies_user: bool = True
    aaguid: bytes = bytes(16)
    credentials: list[Credential] = field(default_factory=list)

    # ---- helpers ------------------------------------------------------------------------------

    def _flags(self, *, attested: bool, user_present: bool = True) -> int:
        flags = UP if user_present else 0
        if self.verifies_user:
            flags |= UV
        if self.synced:
            flags |= BE | BS
        if attested:
            flags |= AT
        return flags

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {
                "type": kind,
                "challenge": challenge,
                "origin": origin or self.origin,
                "crossOrigin": False,
            },
            separators=(",", ":"),
        ).encode()

    # ---- navigator.credentials.create() -------------------------------------------------------

    def create(
        self,
        options: dict,
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        challenge: str | None = None,
        user_present: bool = True,
    ) -> dict:
        """A new discoverable credential for `options` (PublicKeyCredentialCreationOptionsJSON)."""
        held = {c.credential_id for c in self.credentials}
        for excluded in options.get("excludeCredentials", []):
            if b64url_decode(excluded["id"]) in held:
                raise InvalidStateError("this authenticator already holds an excluded credential")
        if ES256 not in [param["alg"] for param in options["pubKeyCredParams"]]:
            raise NotAllowedError("ES256 not offered")
        rp = rp_id or options["rp"]["id"]
        credential = Credential(
            credential_id=secrets.token_bytes(32),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            rp_id=options["rp"]["id"],
            user_handle=b64url_decode(options["user"]["id"]),
        )
        self.credentials.append(credential)
        client_data = self._client_data(
            "webauthn.create", challenge or options["challenge"], origin
        )
        auth_data = (
            hashlib.sha256(rp.encode()).digest()
            + bytes([self._flags(attested=True, user_present=user_present)])
            + credential.sign_count.to_bytes(4, "big")
            + self.aaguid
            + len(credential.credential_id).to_bytes(2, "big")
            + credential.credential_id
            + credential.cose_public_key()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        spki = credential.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "cross-platform" if not self.synced else "platform",
            "clientExtensionResults": {"credProps": {"rk": True}},
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "authenticatorData": b64url(auth_data),
                "transports": ["internal", "hybrid"] if self.synced else ["usb", "nfc"],
                "publicKey": b64url(spki),
                "publicKeyAlgorithm": ES256,
            },
        }

    # ---- navigator.credentials.get() ----------------------------------------------------------

    def get(
        self,
        options: dict,
        *,
        credential: Credential | None = None,
        origin: str | None = None,
        rp_id: str | None = None,
        challenge: str | None = None,
        sign_count: int | None = None,
        user_handle: bytes | None = None,
        omit_user_handle: bool = False,
        flip_signature: bool = False,
    ) -> dict:
        """An assertion for `options` (PublicKeyCredentialRequestOptionsJSON): with
        `allowCredentials`, one of those; empty, the newest discoverable credential here for
        the RP ID (what a browser offers first)."""
        chosen = credential or self._choose(options)
        if sign_count is None:
            if self.counter:
                chosen.sign_count += 1
            sign_count = chosen.sign_count
        client_data = self._client_data("webauthn.get", challenge or options["challenge"], origin)
        auth_data = (
            hashlib.sha256((rp_id or options["rpId"]).encode()).digest()
            + bytes([self._flags(attested=False)])
            + sign_count.to_bytes(4, "big")
        )
        signature = chosen.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        if flip_signature:
            # The last byte belongs to the integer s: the DER structure stays valid, the
            # signature does not.
            signature = signature[:-1] + bytes([signature[-1] ^ 0x01])
        response = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
        }
        if not omit_user_handle:
            response["userHandle"] = b64url(user_handle or chosen.user_handle)
        return {
            "id": b64url(chosen.credential_id),
            "rawId": b64url(chosen.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "cross-platform" if not self.synced else "platform",
            "clientExtensionResults": {},
            "response": response,
        }

    def _choose(self, options: dict) -> Credential:
        allowed = [b64url_decode(c["id"]) for c in options.get("allowCredentials", [])]
        for held in reversed(self.credentials):
            if held.rp_id != options["rpId"]:
                continue
            if not allowed or held.credential_id in allowed:
                return held
        raise NotAllowedError("no credential here fits these options")
