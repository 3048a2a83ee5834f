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
