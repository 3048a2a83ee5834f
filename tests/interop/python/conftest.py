"""The live server and its registered clients, provisioned by `nox -s interop`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def janua() -> dict:
    path = os.environ.get("JANUA_INTEROP_CONFIG")
    assert path, "run through `nox -s interop`, which starts Janua and provisions clients"
    return json.loads(Path(path).read_text())
