"""SMS: phone numbers (E.164, checked with libphonenumber) and the pluggable sender.

SMS_SENDER=console (the embedded default) prints each text to stdout: showing the code to the
person running a development server is its whole purpose, like the console mailer. Nothing
else ever logs a code. SMS_SENDER=twilio posts to Twilio's Messages API; any failure there is
a 503 for the client and a log line without the text.
"""

from __future__ import annotations

import logging
import sys
import urllib.parse
from typing import Protocol

import httpx
import phonenumbers

from janua_server.contract.models import ErrorCode, FieldError
from janua_server.core.errors import ApiError, validation_error
from janua_server.settings import Settings

log = logging.getLogger("janua.sms")


def parse_e164(phone_number: str, pointer: str = "#/phone_number") -> str:
    """The number in canonical E.164, or 422 when libphonenumber does not know it as a valid
    number (wrong length for its country, unassigned prefix)."""
    try:
        parsed = phonenumbers.parse(phone_number, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise validation_error(
            [FieldError(pointer=pointer, detail="Not a valid phone number in E.164 format.")]
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask(e164: str) -> str:
    """`+447911123456` -> `+44********56`: enough to recognise one's own number."""
    country = str(phonenumbers.parse(e164, None).country_code)
    national = e164[1 + len(country) :]
    return f"+{country}{'*' * max(len(national) - 2, 0)}{national[-2:]}"


def unavailable() -> ApiError:
    return ApiError(
        503,
        ErrorCode.INTERNAL_ERROR,
        "The SMS could not be sent; retry shortly.",
        title="Service unavailable",
        headers={"Retry-After": "5"},
    )


class SmsSender(Protocol):
    async def send(self, to: str, body: str) -> None:
        """Deliver `body` to `to` (E.164); raise the 503 of `unavailable()` on failure."""
        ...


class ConsoleSmsSender:
    def __init__(self, stream=None) -> None:
        self._stream = stream

    async def send(self, to: str, body: str) -> None:
        stream = self._stream or sys.stdout
        stream.write(f"SMS to {to} (console; set SMS_SENDER=twilio to send): {body}\n")
        stream.flush()


class TwilioSmsSender:
    """Twilio Programmable Messaging: `POST {base}/2010-04-01/Accounts/{sid}/Messages.json`,
    HTTP Basic auth (account SID : auth token), form-encoded To/From/Body; 201 with the
    message's `sid` and `status` means accepted."""

    def __init__(self, settings: Settings) -> None:
        assert settings.twilio_auth_token is not None  # settings refuse twilio without one
        self._sid = settings.twilio_account_sid
        self._token = settings.twilio_auth_token.get_secret_value()
        self._from = settings.twilio_from_number
        self._url = (
            f"{settings.twilio_api_base.rstrip('/')}/2010-04-01/Accounts/"
            f"{urllib.parse.quote(self._sid, safe='')}/Messages.json"
        )
        self._timeout = settings.twilio_timeout_seconds

    async def send(self, to: str, body: str) -> None:
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as http:
                response = await http.post(
                    self._url,
                    auth=(self._sid, self._token),
                    data={"To": to, "From": self._from, "Body": body},
                    headers={"Accept": "application/json"},
                )
        except httpx.HTTPError as exc:
            log.warning("twilio unreachable: %s", type(exc).__name__)
            raise unavailable() from None
        if response.status_code != 201:
            log.warning(
                "twilio refused a message: HTTP %s, error %s",
                response.status_code,
                _twilio_error_code(response),
            )
            raise unavailable()
        try:
            message = response.json()
            accepted = isinstance(message.get("sid"), str) and message.get("status") not in {
                "failed",
                "undelivered",
                "canceled",
            }
        except (ValueError, AttributeError):
            accepted = False
        if not accepted:
            log.warning("twilio answered 201 without an accepted message")
            raise unavailable()


def _twilio_error_code(response: httpx.Response) -> object:
    # Twilio errors are JSON with a numeric `code` (e.g. 20003: authentication failed). Only
    # the code is logged: `message` may quote the recipient's number.
    try:
        return response.json().get("code")
    except (ValueError, AttributeError):
        return None


def create_sender(settings: Settings) -> SmsSender:
    return TwilioSmsSender(settings) if settings.sms_sender == "twilio" else ConsoleSmsSender()
