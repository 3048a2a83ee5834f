"""The README's curl and Python sessions work as written (against the live e2e server).

The blocks are run verbatim except for the address: `localhost:4100` becomes the live server's.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


@pytest.fixture(scope="module")
def host() -> str:
    base_url = os.environ.get("JANUA_BASE_URL")
    if not base_url:
        pytest.fail("JANUA_BASE_URL is not set: run `nox -s e2e`, which starts a server")
    return base_url.removeprefix("http://")


def test_the_two_commands_open_the_readme() -> None:
    first = blocks("bash")[0].splitlines()
    assert [line.split()[:2] for line in first] == [["make", "run"], ["make", "test"]]


def test_curl_session(host: str) -> None:
    session = next(b for b in blocks("bash") if "curl" in b).replace("localhost:4100", host)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", session], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert '"email":"ada@example.com"' in result.stdout
    assert re.search(r"204$", result.stdout, flags=re.MULTILINE)  # logout
    assert '"keys":[' in result.stdout


def test_python_session(host: str) -> None:
    (script,) = blocks("python")
    result = subprocess.run(
        [sys.executable, "-c", script.replace("localhost:4100", host)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["ada@example.com", "204"]
