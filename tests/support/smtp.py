"""A real SMTP server for tests: aiosmtpd on a free loopback port, collecting what it receives.

    with smtp.sink() as mails:
        settings = Settings(SMTP_HOST=mails.host, SMTP_PORT=str(mails.port), ...)
        ...
        message = await mails.wait_for(to="ada@example.com")
        link = smtp.find_link(message, "/verify-email")

Usable from pytest fixtures and from the noxfile (`sink()` is a plain context manager; the
server runs in its own thread with its own event loop). `wait_for` is async so that a test's
event loop keeps running the app's background mail tasks while it waits; `wait_for_sync` is
for callers without an event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

from aiosmtpd.controller import Controller

from support.services import free_port

# Where the links in test mails point (PUBLIC_APP_URL): never the request's host.
PUBLIC_APP_URL = "https://app.janua.test"


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    # Also write each message to this folder as <n>.eml: how the SDK test suites, in other
    # processes and languages, read the mails of the live server `nox -s e2e` runs.
    spool_dir: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # aiosmtpd handler hook: called in the server's thread for every accepted message.
    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self._lock:
            self.messages.append(message)
            if self.spool_dir is not None:
                path = self.spool_dir / f"{len(self.messages):06d}.eml"
                path.with_suffix(".tmp").write_bytes(envelope.content)
                path.with_suffix(".tmp").rename(path)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def _ready(self, to: str | None, count: int, containing: str | None) -> EmailMessage | None:
        with self._lock:
            found = list(self.messages)
        if to is not None:
            found = [m for m in found if to.lower() in str(m["To"]).lower()]
        if containing is not None:
            found = [m for m in found if containing in bodies(m)[0]]
        return found[count - 1] if len(found) >= count else None

    async def wait_for(
        self,
        *,
        to: str | None = None,
        containing: str | None = None,
        count: int = 1,
        seconds: float = 10.0,
    ) -> EmailMessage:
        """The `count`-th message to `to` whose text part holds `containing` (each filter
        only if given), waiting for it to arrive. Mails sent concurrently may arrive in any
        order, so filter by content rather than counting all mails."""
        deadline = time.monotonic() + seconds
        while (found := self._ready(to, count, containing)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no mail #{count} to {to or 'anyone'} within {seconds}s")
            await asyncio.sleep(0.02)
        return found

    def wait_for_sync(
        self,
        *,
        to: str | None = None,
        containing: str | None = None,
        count: int = 1,
        seconds: float = 10.0,
    ) -> EmailMessage:
        deadline = time.monotonic() + seconds
        while (found := self._ready(to, count, containing)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no mail #{count} to {to or 'anyone'} within {seconds}s")
            time.sleep(0.02)
        return found


@contextlib.contextmanager
def sink(host: str = "127.0.0.1", spool_dir: Path | None = None) -> Iterator[Mailbox]:
    """An SMTP server accepting every message (no auth, no TLS) until the block ends."""
    # aiosmtpd logs every line of every message at debug level; test output wants none of it.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    mailbox = Mailbox(host, free_port(), spool_dir=spool_dir)
    controller = Controller(mailbox, hostname=host, port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


def bodies(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and the HTML part of a multipart/alternative message."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None, "expected a text and an HTML part"
    return text.get_content(), html.get_content()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value]


def find_link(message: EmailMessage, path: str) -> str:
    """The link to `path` in the mail, required to be the same in the text and the HTML part
    (the HTML one unescaped, as a browser would follow it)."""
    text, html = bodies(message)
    in_text = re.findall(r"https?://\S+", text)
    parser = _Links()
    parser.feed(html)
    matches = [u for u in in_text if path in u]
    assert len(set(matches)) == 1, f"expected one {path} link in the text part, got {matches}"
    assert matches[0] in parser.hrefs, (matches[0], parser.hrefs)
    return matches[0]
