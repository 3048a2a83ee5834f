"""Python SDK wire layer: openapi-python-client, sync and async functions per operation.

Retries and token refresh do not go into templates: the facade passes them in through
`httpx_args` (a custom `httpx.Auth` and transport), so this folder stays pure output. One
template is ours (codegen/python-templates/model.py.jinja, the generator's own with one
change): model fields that hold a credential (tokens, secrets, codes, passwords) are left out
of `repr`, so a logged `AuthResponse` or `TotpSetup` leaks nothing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .._common import PY_BIN, ROOT, Target, add_header, run, tool


def generate(spec_json: Path, out: Path) -> None:
    staging = out.parent / f".{out.name}-staging"
    run(
        tool("openapi-python-client"),
        "generate",
        "--path", spec_json,
        "--meta", "none",
        "--config", ROOT / "codegen" / "python-client.yaml",
        "--custom-template-path", ROOT / "codegen" / "python-templates",
        "--output-path", staging,
        "--fail-on-warning",
        env={"PATH": f"{PY_BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
    )  # fmt: skip
    # The ruff post-hooks leave their cache behind; it is not output.
    shutil.rmtree(staging / ".ruff_cache", ignore_errors=True)
    shutil.copytree(staging, out, dirs_exist_ok=True)
    shutil.rmtree(staging)
    add_header(out, ".py", "#")


TARGET = Target("python-sdk", "sdks/python/src/janua/_generated", generate)
