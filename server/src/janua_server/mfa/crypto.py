"""The MFA key: encrypts TOTP secrets at rest and keys the hashes of short codes.

MFA_ENCRYPTION_KEY holds one or more 32-byte keys (comma-separated, the first current). Unset,
a key is generated on first start into `DATA_DIR/keys/mfa-encryption.key` (0600, created
exclusively, so processes starting together on one host agree on it), like the signing key.

From each key two independent subkeys are derived (HKDF-SHA256, RFC 5869): one AES-256-GCM key
for TOTP secrets, one HMAC-SHA256 key for recovery and SMS codes. A secret is encrypted with the
user id as associated data, so a ciphertext copied onto another user's row does not decrypt.
Ciphertexts name their key (`v1.<key id>.<nonce+ciphertext>`): after a rotation old rows still
decrypt, and codes hashed under an old key still match.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from janua_server.settings import Settings

KEY_FILE = "mfa-encryption.key"
_VERSION = "v1"


class UndecryptableSecret(Exception):
    """A stored secret did not decrypt: its key is no longer configured, or it was altered."""


def _b64decode(value: str) -> bytes:
    value = value.strip().replace("+", "-").replace("/", "_")
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(key)


@dataclass(frozen=True)
class _Subkeys:
    key_id: str
    aead: AESGCM
    mac: bytes

    @classmethod
    def of(cls, key: bytes) -> _Subkeys:
        return cls(
            key_id=hashlib.sha256(b"janua mfa key id" + key).hexdigest()[:8],
            aead=AESGCM(_derive(key, b"janua mfa totp-secret aes-256-gcm")),
            mac=_derive(key, b"janua mfa code hmac-sha256"),
        )


class MfaKeys:
    """The configured keys, current first."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys or any(len(key) != 32 for key in keys):
            raise ValueError("MFA keys must be 32 bytes each")
        self._keys = [_Subkeys.of(key) for key in keys]

    def encrypt(self, plaintext: str, user_id: uuid.UUID) -> str:
        current = self._keys[0]
        nonce = os.urandom(12)
        sealed = current.aead.encrypt(nonce, plaintext.encode(), user_id.bytes)
        blob = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{_VERSION}.{current.key_id}.{blob}"

    def decrypt(self, ciphertext: str, user_id: uuid.UUID) -> str:
        version, _, rest = ciphertext.partition(".")
        key_id, _, blob = rest.partition(".")
        key = next((k for k in self._keys if k.key_id == key_id), None)
        if version != _VERSION or key is None:
            raise UndecryptableSecret("no configured MFA key matches this secret")
        raw = _b64decode(blob)
        try:
            return key.aead.decrypt(raw[:12], raw[12:], user_id.bytes).decode()
        except Exception as exc:  # InvalidTag: altered, or another user's row
            raise UndecryptableSecret("the secret does not authenticate") from exc

    def code_digests(self, purpose: str, code: str) -> list[str]:
        """HMAC-SHA256 of `code` under every key, current first: stored digests are made with
        the first; matching tries them all, so codes issued before a rotation keep working."""
        message = f"{purpose}:{code}".encode()
        return [hmac.new(k.mac, message, hashlib.sha256).hexdigest() for k in self._keys]

    def code_digest(self, purpose: str, code: str) -> str:
        return self.code_digests(purpose, code)[0]


_cache: dict[tuple[str, str], MfaKeys] = {}
_lock = threading.Lock()


def keys_of(settings: Settings) -> MfaKeys:
    """The MFA keys of these settings (read or generated once per process)."""
    configured = settings.mfa_encryption_key
    source = configured.get_secret_value() if configured is not None else ""
    cache_key = (str(settings.data_dir.resolve()), source)
    with _lock:
        found = _cache.get(cache_key)
        if found is None:
            if source:
                found = MfaKeys([_b64decode(part) for part in source.split(",")])
            else:
                found = MfaKeys([_key_file(settings.data_dir / "keys" / KEY_FILE)])
            _cache[cache_key] = found
    return found


def _key_file(path: Path) -> bytes:
    """Read the generated key, creating it first if it does not exist."""
    if not path.exists():
        key = base64.urlsafe_b64encode(os.urandom(32))
        _create_exclusive(path, key + b"\n")
    key = _b64decode(path.read_text("ascii"))
    if len(key) != 32:
        raise ValueError(f"{path} does not hold a 32-byte base64 key")
    return key


def _create_exclusive(path: Path, data: bytes) -> None:
    """Write `data` to `path` (0600) unless it exists. Readers never see a partial file: the
    content goes to a temp file first and is hard-linked in, which fails if the name exists
    (then another process won, and its key is the one everybody reads)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)  # O_EXCL, 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
