"""Signing keys and their rotation.

The key directory is the directory of the legacy key file: `DATA_DIR/keys/` by default, or the
directory of JWT_PRIVATE_KEY_PATH. It holds:

- `signing-key.pem` (or JWT_PRIVATE_KEY_PATH): the first key, generated on first start. Until the
  first rotation it is the only key and there is no state file;
- `<kid>.pem`: the keys made by `janua keys rotate` (0600, created exclusively);
- `keyring.json`: per kid `created_at`, `signs_from` and `retired_at`, written only by `rotate`
  (under a lock, atomically: temp file + os.replace). Server processes only read it.

A key's life: created, and published in JWKS at once; signs from `signs_from` (creation plus
KEY_PUBLISH_AHEAD_SECONDS, so relying parties' JWKS caches hold it before any token needs it);
retired when the next key starts signing; still published until every token it signed has
expired (retired_at + access-token lifetime + leeway); then dropped.

Everything after the write is a function of the state file and the clock, so N processes on one
key directory agree without talking to each other. A running process re-reads the directory
when a token names a kid it does not know, and otherwise checks the state file's identity
(a stat, no read) at most every `check_interval` seconds.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import math
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

log = logging.getLogger("janua.keys")

RSA_KEY_BITS = 2048
STATE_FILE = "keyring.json"
LOCK_FILE = ".keyring.lock"
# Clock skew accepted when verifying a token's exp/iat; a key stays published this much longer.
VERIFY_LEEWAY_SECONDS = 5
# How often a running process looks for a rotation made by another process.
CHECK_INTERVAL_SECONDS = 30.0
# Retired keys leave the state file (and their file is deleted) once no token they signed can
# be valid under any allowed lifetime (at most 24 h) - independent of this process's settings.
PRUNE_AFTER_SECONDS = 24 * 3600 + 3600


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
    """The key that signs now, and every key whose tokens may still be presented (published)."""

    current: SigningKey
    verification: dict[str, SigningKey]

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [key.public_jwk() for key in self.verification.values()]}


@dataclass(frozen=True)
class KeyRecord:
    """One key's entry in `keyring.json`. Times are Unix seconds."""

    kid: str
    file: str
    created_at: float
    signs_from: float
    retired_at: float | None = None

    def published_until(self, token_lifetime: float) -> float:
        return math.inf if self.retired_at is None else self.retired_at + token_lifetime

    def state(self, now: float, token_lifetime: float) -> str:
        if now < self.signs_from and (self.retired_at is None or now < self.retired_at):
            return "pending"
        if self.retired_at is None or now < self.retired_at:
            return "signing"
        return "retired" if now < self.published_until(token_lifetime) else "expired"

    def to_json(self) -> dict[str, str | None]:
        return {
            "kid": self.kid,
            "file": self.file,
            "created_at": _iso(self.created_at),
            "signs_from": _iso(self.signs_from),
            "retired_at": None if self.retired_at is None else _iso(self.retired_at),
        }

    @classmethod
    def from_json(cls, data: dict) -> KeyRecord:
        file = str(data["file"])
        if Path(file).name != file:
            raise ValueError(f"{STATE_FILE}: key file {file!r} must be a plain name")
        return cls(
            kid=str(data["kid"]),
            file=file,
            created_at=_from_iso(data["created_at"]),
            signs_from=_from_iso(data["signs_from"]),
            retired_at=None if data.get("retired_at") is None else _from_iso(data["retired_at"]),
        )


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat().replace("+00:00", "Z")


def _from_iso(value: str) -> float:
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"{STATE_FILE}: time {value!r} has no zone")
    return parsed.timestamp()


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


# --- files -------------------------------------------------------------------------------------


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_exclusive(path: Path, data: bytes) -> bool:
    """Create `path` with `data`, 0600, only if it does not exist; False if it did. Readers
    never see a partial file: the content is written to a temp file (O_EXCL) and linked in."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)  # O_EXCL, 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # atomic, and fails if the name exists
        except FileExistsError:
            return False
        _fsync_dir(path.parent)
        return True
    finally:
        os.unlink(tmp)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _new_private_key_pem() -> tuple[str, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return rfc7638_thumbprint(key.public_key()), pem


def _read_signing_key(path: Path, alg: str) -> SigningKey:
    private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} is not an RSA private key ({alg} needs one)")
    public_key = private_key.public_key()
    return SigningKey(rfc7638_thumbprint(public_key), alg, private_key, public_key)


def _read_state(directory: Path) -> tuple[list[KeyRecord], tuple[int, int, int]] | None:
    """The records and the identity (inode, mtime, size) of the state file read, or None."""
    try:
        with open(directory / STATE_FILE, "rb") as handle:
            info = os.fstat(handle.fileno())
            data = json.loads(handle.read())
    except FileNotFoundError:
        return None
    records = [KeyRecord.from_json(item) for item in data["keys"]]
    if not records:
        raise ValueError(f"{directory / STATE_FILE} lists no keys")
    return records, (info.st_ino, info.st_mtime_ns, info.st_size)


def _state_identity(directory: Path) -> tuple[int, int, int] | None:
    try:
        info = os.stat(directory / STATE_FILE)
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One rotation at a time per key directory (also across processes)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _legacy_record(legacy_path: Path, alg: str) -> tuple[KeyRecord, SigningKey]:
    if not legacy_path.exists():
        _, pem = _new_private_key_pem()
        # Two processes starting together: one file wins, both use it.
        _write_exclusive(legacy_path, pem)
    key = _read_signing_key(legacy_path, alg)
    created = legacy_path.stat().st_mtime
    return KeyRecord(key.kid, legacy_path.name, created, created), key


# --- the keys a process uses -------------------------------------------------------------------


class KeyStore:
    """The key directory as one process sees it: a `KeyRing` for the current moment, re-read
    when another process rotated (see the module docstring for when)."""

    def __init__(
        self,
        legacy_path: Path,
        *,
        alg: str = "RS256",
        public_key_path: Path | None = None,
        token_lifetime: dt.timedelta = dt.timedelta(minutes=15, seconds=VERIFY_LEEWAY_SECONDS),
        check_interval: float = CHECK_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.legacy_path = legacy_path
        self.directory = legacy_path.parent
        self.alg = alg
        self.public_key_path = public_key_path
        self.token_lifetime = token_lifetime.total_seconds()
        self.check_interval = check_interval
        self.clock = clock  # wall time: decides which key signs and which are published
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._identity: tuple[int, int, int] | None = None
        self._records: list[KeyRecord] = []
        self._keys: dict[str, SigningKey] = {}
        self._ring: KeyRing | None = None
        self._ring_span = (math.inf, -math.inf)  # the wall-time interval the ring is valid in
        self._last_check = -math.inf
        self.reload()

    @property
    def records(self) -> list[KeyRecord]:
        return list(self._records)

    def ring(self) -> KeyRing:
        """The keys now. Costs a stat at most every `check_interval` seconds, else nothing."""
        if self._monotonic() - self._last_check >= self.check_interval:
            self.reload_if_changed()
        now = self.clock()
        ring = self._ring
        if ring is None or not (self._ring_span[0] <= now < self._ring_span[1]):
            ring = self._compute(now)
        return ring

    def ring_with(self, kid: str) -> KeyRing:
        """The keys now, re-read first if `kid` is unknown (another process may have rotated).
        An unknown kid costs a stat; the directory is read only when the state file changed."""
        ring = self.ring()
        if kid not in ring.verification and self.reload_if_changed():
            ring = self.ring()
        return ring

    def reload_if_changed(self) -> bool:
        self._last_check = self._monotonic()
        if _state_identity(self.directory) == self._identity:
            return False
        try:
            self.reload()
        except (OSError, ValueError, KeyError, TypeError):
            # A broken state file must not take a running server down: keep the keys we have.
            log.exception("could not re-read the signing keys in %s", self.directory)
            return False
        return True

    def reload(self) -> None:
        with self._lock:
            self._last_check = self._monotonic()
            state = _read_state(self.directory)
            if state is None:
                record, key = _legacy_record(self.legacy_path, self.alg)
                self._check_public_key(key)
                records, keys, identity = [record], {key.kid: key}, None
            else:
                records, identity = state
                keys = self._load_keys(records)
                records = [record for record in records if record.kid in keys]
            self._records, self._keys, self._identity = records, keys, identity
            self._ring = None
            self._ring_span = (math.inf, -math.inf)

    def _check_public_key(self, key: SigningKey) -> None:
        if self.public_key_path is None:
            return
        configured = serialization.load_pem_public_key(self.public_key_path.read_bytes())
        if not isinstance(configured, rsa.RSAPublicKey) or (
            configured.public_numbers() != key.public_key.public_numbers()
        ):
            raise ValueError("JWT_PUBLIC_KEY_PATH does not match JWT_PRIVATE_KEY_PATH")

    def _load_keys(self, records: list[KeyRecord]) -> dict[str, SigningKey]:
        now = self.clock()
        keys: dict[str, SigningKey] = {}
        for record in records:
            if record.state(now, self.token_lifetime) == "expired":
                continue  # may already be pruned; never needed again
            path = self.directory / record.file
            try:
                key = _read_signing_key(path, self.alg)
            except FileNotFoundError:
                log.error("signing key %s listed in %s is missing", path, STATE_FILE)
                continue
            if key.kid != record.kid:
                log.error("signing key %s is not kid %s; ignored", path, record.kid)
                continue
            keys[record.kid] = key
        if not keys:
            raise ValueError(f"no usable signing key in {self.directory}")
        return keys

    def _compute(self, now: float) -> KeyRing:
        with self._lock:
            records, keys, lifetime = self._records, self._keys, self.token_lifetime
            signer = current_record(records, now, set(keys))
            published = [
                record
                for record in records
                if record.kid in keys
                and (record is signer or now < record.published_until(lifetime))
            ]
            # The signer first, then newest first: a relying party that only reads the first
            # key still gets the right one.
            published.sort(key=lambda r: (r is not signer, -r.signs_from))
            ring = KeyRing(
                current=keys[signer.kid],
                verification={record.kid: keys[record.kid] for record in published},
            )
            moments = [
                moment
                for record in records
                for moment in (
                    record.signs_from,
                    record.retired_at,
                    record.published_until(lifetime),
                )
                if moment is not None
            ]
            start = max((m for m in moments if m <= now), default=-math.inf)
            end = min((m for m in moments if m > now), default=math.inf)
            self._ring, self._ring_span = ring, (start, end)
            return ring


def current_record(records: list[KeyRecord], now: float, usable: set[str]) -> KeyRecord:
    """The key that signs at `now`: of the keys past `signs_from` and not retired, the newest."""
    candidates = [r for r in records if r.kid in usable]
    signing = [
        r
        for r in candidates
        if r.signs_from <= now and (r.retired_at is None or now < r.retired_at)
    ]
    if signing:
        return max(signing, key=lambda r: r.signs_from)
    # Not reachable with states written by `rotate` (clock set back, hand-edited file): sign
    # with the newest key already due, else the oldest, rather than not at all.
    due = [r for r in candidates if r.signs_from <= now]
    if due:
        return max(due, key=lambda r: r.signs_from)
    return min(candidates, key=lambda r: r.signs_from)


def load_keyring(private_key_path: Path, public_key_path: Path | None, alg: str) -> KeyRing:
    """The keys of a key directory right now (a snapshot; servers use a `KeyStore`)."""
    return KeyStore(private_key_path, alg=alg, public_key_path=public_key_path).ring()


# --- rotation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rotation:
    new: KeyRecord
    previous: KeyRecord | None
    pruned: list[str]


def rotate(
    legacy_path: Path,
    *,
    publish_ahead_seconds: float,
    alg: str = "RS256",
    clock: Callable[[], float] = time.time,
) -> Rotation:
    """Generate a key that is published now and signs from `now + publish_ahead_seconds`; the
    key signing until then is retired at that moment. The first state file adopts the legacy
    single key file. Safe against concurrent rotations (file lock)."""
    directory = legacy_path.parent
    with _locked(directory):
        # Whole milliseconds survive the round trip through the state file's ISO 8601 times
        # exactly, and rounding down keeps the record's times at or before the clock's now.
        now = math.floor(clock() * 1000) / 1000
        state = _read_state(directory)
        if state is not None:
            records = state[0]
        elif legacy_path.exists():
            records = [_legacy_record(legacy_path, alg)[0]]
        else:
            records = []
        previous = current_record(records, now, {r.kid for r in records}) if records else None

        kid, pem = _new_private_key_pem()
        if not _write_exclusive(directory / f"{kid}.pem", pem):
            raise FileExistsError(f"{directory / kid}.pem exists")  # a 2048-bit collision: no
        # With no key before, nobody holds a token or a cached JWKS: sign at once.
        signs_from = now + publish_ahead_seconds if records else now
        new = KeyRecord(kid, f"{kid}.pem", now, signs_from)
        # Every key signing (or due to sign) now stops when the new one starts.
        records = [
            replace(r, retired_at=min(r.retired_at or math.inf, signs_from)) for r in records
        ]
        pruned = [
            r
            for r in records
            if r.retired_at is not None and r.retired_at + PRUNE_AFTER_SECONDS < now
        ]
        kept = [r for r in records if r not in pruned] + [new]
        body = json.dumps({"version": 1, "keys": [r.to_json() for r in kept]}, indent=2)
        _write_atomic(directory / STATE_FILE, body.encode() + b"\n")
        for record in pruned:
            # The legacy file may be operator-managed (JWT_PRIVATE_KEY_PATH): only our own go.
            if record.file == f"{record.kid}.pem":
                with contextlib.suppress(FileNotFoundError):
                    (directory / record.file).unlink()
    previous_after = next((r for r in kept if previous and r.kid == previous.kid), None)
    return Rotation(new=new, previous=previous_after, pruned=[r.kid for r in pruned])
