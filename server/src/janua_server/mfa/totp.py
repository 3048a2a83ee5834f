"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): the parameters every
authenticator app understands (SHA-1, 6 digits, 30-second steps), the Key URI Format
`otpauth://` URI, its QR code, and matching a code to its time step.
"""

from __future__ import annotations

import hmac
import io
import time
from dataclasses import dataclass

import pyotp
import segno

DIGITS = 6
STEP_SECONDS = 30
# RFC 6238 section 5.2: accept at most one step of clock drift either way.
DRIFT_STEPS = 1
# RFC 4226 section 4 requires at least 128 bits and recommends 160: 32 base32 characters.
SECRET_BASE32_CHARS = 32


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    qr_svg: str
    qr_data_uri: str


def new_enrolment(*, issuer: str, account: str) -> Enrolment:
    """A fresh random secret, its provisioning URI and the URI's QR code (SVG)."""
    secret = pyotp.random_base32(length=SECRET_BASE32_CHARS)
    uri = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer
    )
    qr = segno.make(uri, error="m")
    svg = io.BytesIO()
    # A standalone document (with its namespace), usable inline and as a file alike.
    qr.save(svg, kind="svg", scale=4, xmldecl=False, svgns=True, nl=False, title=issuer)
    return Enrolment(
        secret=secret,
        uri=uri,
        qr_svg=svg.getvalue().decode(),
        qr_data_uri=qr.svg_data_uri(scale=4),
    )


def time_step(at: float) -> int:
    return int(at // STEP_SECONDS)


def matching_step(secret: str, code: str, *, at: float | None = None) -> int | None:
    """The time step whose code `code` is, within the drift window around `at` (now by
    default); None if none. Every candidate is compared, in constant time, so the answer's
    timing does not say which step was close."""
    now = time.time() if at is None else at
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = time_step(now)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        expected = totp.generate_otp(step)
        if hmac.compare_digest(expected.encode(), code.encode()) and found is None:
            found = step
    return found
