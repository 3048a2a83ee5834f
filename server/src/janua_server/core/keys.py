"""Signing keys: loaded from JWT_PRIVATE_KEY_PATH, or generated on first start into the data
dir and reused after every restart, so tokens outlive the process that signed them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

RSA_KEY_BITS = 2048


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    kid: str
    alg: str
    private_key: rsa.RSAPrivateKey
    public_key: rsa.RSAPublicKey

    def public_jwk(self) -> dict[str, str]:
        numbers = self.public_key.public_numbers()
        return {
            "kty": "RSA",
            "kid": self.kid,
            "use": "sig",
            "alg": self.alg,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
        }


@dataclass(frozen=True)
class KeyRing:
    """The key that signs now, and every key whose tokens may still be presented."""

    current: SigningKey
    verification: dict[str, SigningKey]

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [key.public_jwk() for key in self.verification.values()]}


def rfc7638_thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 JWK thumbprint: a kid that any party can recompute from the key itself."""
    numbers = public_key.public_numbers()
    canonical = json.dumps(
        {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)},
        separators=(",", ":"),
        sort_keys=True,
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _write_new_private_key(path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        # O_EXCL: two processes starting together must not each write their own key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def load_keyring(private_key_path: Path, public_key_path: Path | None, alg: str) -> KeyRing:
    if not private_key_path.exists():
        _write_new_private_key(private_key_path)
    private_key = serialization.load_pem_private_key(private_key_path.read_bytes(), password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ValueError(f"{private_key_path} is not an RSA private key ({alg} needs one)")
    public_key = private_key.public_key()
    if public_key_path is not None:
        configured = serialization.load_pem_public_key(public_key_path.read_bytes())
        if not isinstance(configured, rsa.RSAPublicKey) or (
            configured.public_numbers() != public_key.public_numbers()
        ):
            raise ValueError("JWT_PUBLIC_KEY_PATH does not match JWT_PRIVATE_KEY_PATH")
    key = SigningKey(rfc7638_thumbprint(public_key), alg, private_key, public_key)
    return KeyRing(current=key, verification={key.kid: key})
