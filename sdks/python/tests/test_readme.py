"""sdks/python/README.md runs as written: every fenced python block, in order, against the live
server (JANUA_BASE_URL), with only the address changed (`localhost:4100` -> the live one)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, flags=re.DOTALL | re.MULTILINE)


def test_the_readme_has_a_quick_start() -> None:
    assert BLOCKS, "no ```python block in sdks/python/README.md"
    assert "janua.Janua(" in BLOCKS[0]


def test_every_block_runs_in_order(base_url: str) -> None:
    """In order: the quick start creates the account the later blocks sign in with."""
    host = base_url.removeprefix("http://")
    for number, block in enumerate(BLOCKS, 1):
        script = block.replace("localhost:4100", host)
        result = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, f"block {number}:\n{script}\n{result.stderr}"
        if number == 1:
            assert "ada@example.com" in result.stdout.splitlines(), result.stdout
