"""A local stand-in for Twilio's Messages API, speaking its protocol: a real HTTP server on a
free loopback port, in a thread, recording the messages it accepts.

    with fake_twilio.serve() as twilio:
        settings = Settings(SMS_SENDER="twilio", **twilio.env(), ...)
        ...
        code = twilio.last_code(to="+447700900123")

What it checks, as Twilio does: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP
Basic auth with the account SID and auth token (else 401 and error 20003), a form-encoded body
with `To`, `From` and `Body` (else 400 and error 21604/21603/21602), `To` in E.164 (else 400,
21211) and `From` one of the account's numbers (else 400, 21606). Accepted messages get 201
with a Message resource (`sid` SM..., `status: queued`). `fail_with` makes it answer an error
to everything, to test how the server copes.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import hmac
import json
import re
import secrets
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from support.services import free_port

_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json$")
_E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
_CODE = re.compile(r"\b(\d{6})\b")


@dataclass(frozen=True)
class Message:
    sid: str
    to: str
    from_: str
    body: str


@dataclass
class FakeTwilio:
    host: str
    port: int
    account_sid: str = field(default_factory=lambda: "AC" + secrets.token_hex(16))
    auth_token: str = field(default_factory=lambda: secrets.token_hex(16))
    from_number: str = "+15005550006"
    messages: list[Message] = field(default_factory=list)
    # (HTTP status, Twilio error code) answered to every request while set.
    fail_with: tuple[int, int] | None = None
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def env(self) -> dict[str, str]:
        """The server's settings for this fake."""
        return {
            "SMS_SENDER": "twilio",
            "TWILIO_ACCOUNT_SID": self.account_sid,
            "TWILIO_AUTH_TOKEN": self.auth_token,
            "TWILIO_FROM_NUMBER": self.from_number,
            "TWILIO_API_BASE": self.base_url,
        }

    def to(self, number: str) -> list[Message]:
        with self._lock:
            return [m for m in self.messages if m.to == number]

    def last_code(self, to: str) -> str:
        """The 6-digit code of the latest text to `to` (the server awaits the send, so it has
        arrived by the time the API answered)."""
        sent = self.to(to)
        assert sent, f"no SMS to {to}"
        found = _CODE.search(sent[-1].body)
        assert found, sent[-1].body
        return found.group(1)

    def accept(self, to: str, from_: str, body: str) -> dict:
        message = Message(sid="SM" + secrets.token_hex(16), to=to, from_=from_, body=body)
        with self._lock:
            self.messages.append(message)
        now = email.utils.formatdate(usegmt=True)
        resource = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message.sid}"
        return {
            "sid": message.sid,
            "account_sid": self.account_sid,
            "to": to,
            "from": from_,
            "body": body,
            "status": "queued",
            "direction": "outbound-api",
            "num_segments": "1",
            "num_media": "0",
            "price": None,
            "price_unit": "USD",
            "error_code": None,
            "error_message": None,
            "api_version": "2010-04-01",
            "date_created": now,
            "date_updated": now,
            "date_sent": None,
            "messaging_service_sid": None,
            "uri": f"{resource}.json",
            "subresource_uris": {"media": f"{resource}/Media.json"},
        }


_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    21211: "The 'To' number is not a valid phone number.",
    21602: "Message body is required.",
    21603: "The 'From' phone number is required.",
    21604: "The 'To' phone number is required.",
    21606: "The 'From' phone number provided is not a valid message-capable Twilio phone number "
    "for this destination/account.",
}


def _error(status: int, code: int) -> dict:
    # Twilio's REST error document.
    return {
        "code": code,
        "message": _MESSAGES.get(code, "Service unavailable"),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: test output wants none of it

        def _answer(self, status: int, document: dict) -> None:
            payload = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _authorized(self) -> bool:
            scheme, _, credentials = self.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "basic":
                return False
            try:
                sid, _, token = base64.b64decode(credentials).decode().partition(":")
            except ValueError:
                return False
            return hmac.compare_digest(sid, fake.account_sid) and hmac.compare_digest(
                token, fake.auth_token
            )

        def do_GET(self) -> None:
            self._answer(405, _error(405, 20004))

        def do_POST(self) -> None:
            with fake._lock:
                fake.requests += 1
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if fake.fail_with is not None:
                self._answer(fake.fail_with[0], _error(*fake.fail_with))
                return
            if not self._authorized():
                self._answer(401, _error(401, 20003))
                return
            route = _PATH.match(urllib.parse.urlsplit(self.path).path)
            if route is None or route["sid"] != fake.account_sid:
                self._answer(404, _error(404, 20404))
                return
            content_type = self.headers.get("Content-Type", "").split(";")[0].strip()
            if content_type != "application/x-www-form-urlencoded":
                self._answer(400, _error(400, 21604))
                return
            form = urllib.parse.parse_qs(raw.decode(), keep_blank_values=True)
            to, from_, body = (form.get(name, [""])[0] for name in ("To", "From", "Body"))
            for value, code in ((to, 21604), (from_, 21603), (body, 21602)):
                if not value:
                    self._answer(400, _error(400, code))
                    return
            if not _E164.match(to):
                self._answer(400, _error(400, 21211))
                return
            if from_ != fake.from_number:
                self._answer(400, _error(400, 21606))
                return
            self._answer(201, fake.accept(to, from_, body))

    return Handler


@contextlib.contextmanager
def serve(host: str = "127.0.0.1") -> Iterator[FakeTwilio]:
    fake = FakeTwilio(host=host, port=free_port())
    server = ThreadingHTTPServer((host, fake.port), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, name="fake-twilio", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
