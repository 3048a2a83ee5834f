"""Outgoing mail: SMTP when SMTP_HOST is set, else the console (the embedded default).

Messages are built by the domains (`email.message.EmailMessage`, multipart text + HTML); this
module only delivers them. Mails carry secrets (link tokens), so nothing here logs a body: the
console mailer prints to stdout on purpose, as its only output, and the SMTP mailer logs only
the recipient's domain on failure.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
import sys
from email.message import EmailMessage
from typing import Protocol

import anyio.to_thread

from janua_server.settings import Settings

log = logging.getLogger("janua.mail")


class MailDeliveryError(ConnectionError):
    """The mail server refused the message or could not be reached (a 503 if it surfaces)."""


class Mailer(Protocol):
    sender: str

    async def send(self, message: EmailMessage) -> None: ...


class ConsoleMailer:
    """Prints each message to stdout: `janua serve` works without a mail server, and the
    person running it can follow a verification link from the terminal."""

    def __init__(self, sender: str, stream=None) -> None:
        self.sender = sender
        self._stream = stream

    async def send(self, message: EmailMessage) -> None:
        if message["From"] is None:
            message["From"] = self.sender
        text = message.get_body(("plain",))
        body = text.get_content() if text is not None else ""
        stream = self._stream or sys.stdout
        stream.write(
            f"--- mail (console; set SMTP_HOST to send) ---\n"
            f"To: {message['To']}\nSubject: {message['Subject']}\n\n{body}\n--- end of mail ---\n"
        )
        stream.flush()


class SmtpMailer:
    """stdlib smtplib in a worker thread: one connection per message, which is plenty for
    account mail and leaves no idle connection for the server to drop."""

    def __init__(self, settings: Settings) -> None:
        self.sender = settings.smtp_from
        self._host = settings.smtp_host
        self._port = settings.smtp_port
        self._username = settings.smtp_username
        self._password = settings.smtp_password
        self._starttls = settings.smtp_starttls
        self._tls = settings.smtp_tls
        self._timeout = settings.smtp_timeout_seconds

    def _deliver(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self._tls:
            smtp = smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=context)
        else:
            smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        with smtp:
            smtp.ehlo()
            if self._starttls and not self._tls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if self._username:
                smtp.login(self._username, self._password)
            smtp.send_message(message)

    async def send(self, message: EmailMessage) -> None:
        if message["From"] is None:
            message["From"] = self.sender
        try:
            await anyio.to_thread.run_sync(self._deliver, message)
        except (smtplib.SMTPException, OSError) as exc:
            domain = str(message["To"] or "").rpartition("@")[2].rstrip(">")
            log.warning("mail to a recipient at %s failed: %s", domain, type(exc).__name__)
            raise MailDeliveryError(type(exc).__name__) from exc


def create_mailer(settings: Settings) -> Mailer:
    return SmtpMailer(settings) if settings.smtp_host else ConsoleMailer(settings.smtp_from)


_background: set[asyncio.Task[None]] = set()


def send_in_background(mailer: Mailer, message: EmailMessage) -> None:
    """Deliver without making the caller wait: the answer's timing then says nothing about
    whether a mail was sent (password-reset requests must not reveal which accounts exist)."""

    async def _send() -> None:
        try:
            await mailer.send(message)
        except MailDeliveryError:
            pass  # logged by the mailer, without the message
        except Exception as exc:  # a background task has nobody to raise to
            log.error("mail delivery failed unexpectedly: %s", type(exc).__name__)

    task = asyncio.get_running_loop().create_task(_send())
    # The loop keeps only weak references to tasks: hold one until it is done.
    _background.add(task)
    task.add_done_callback(_background.discard)
