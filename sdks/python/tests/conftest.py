"""The SDK's end-to-end tests talk to a live server at JANUA_BASE_URL (nox -s e2e starts one)."""

from __future__ import annotations

import os
import uuid

import pytest


@pytest.fixture(scope="session")
def base_url() -> str:
    url = os.environ.get("JANUA_BASE_URL")
    if not url:
        pytest.fail("JANUA_BASE_URL is not set: run `nox -s e2e`, which starts a server")
    return url


@pytest.fixture
def email() -> str:
    return f"py-{uuid.uuid4().hex[:12]}@example.com"


@pytest.fixture(scope="session")
def mailbox():
    """Reads the mails the live server sent, from the folder `nox -s e2e` spools them to."""
    import email
    import email.policy
    import re
    import time
    from pathlib import Path
    from urllib.parse import parse_qs, urlparse

    folder = os.environ.get("JANUA_MAIL_DIR")
    if not folder:
        pytest.fail("JANUA_MAIL_DIR is not set: run `nox -s e2e`, which starts an SMTP sink")

    def link_token(to: str, path: str, *, after: int = 0, seconds: float = 10.0) -> str:
        """The token of the newest link to `path` in a mail to `to` (mail number > `after`)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for eml in sorted(Path(folder).glob("*.eml"), reverse=True):
                if int(eml.stem) <= after:
                    break
                message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
                if to.lower() not in str(message["To"]).lower():
                    continue
                text = message.get_body(("plain",)).get_content()
                for url in re.findall(r"https?://\S+", text):
                    if urlparse(url).path.endswith(path):
                        return parse_qs(urlparse(url).query)["token"][0]
            time.sleep(0.05)
        raise TimeoutError(f"no mail to {to} with a {path} link")

    def count() -> int:
        return len(list(Path(folder).glob("*.eml")))

    link_token.count = count  # type: ignore[attr-defined]
    return link_token
