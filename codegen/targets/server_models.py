"""Server contract: pydantic v2 models (datamodel-code-generator) and the bundled spec.

Strict types matter: in lax mode pydantic accepts `false` for an int or `1` for a string, and
the server would then accept bodies the contract forbids.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .._common import HEADER, Target, run, tool


def generate(spec_json: Path, out: Path) -> None:
    run(
        tool("datamodel-codegen"),
        "--input", spec_json,
        "--input-file-type", "openapi",
        "--output", out / "models.py",
        "--output-model-type", "pydantic_v2.BaseModel",
        "--strict-types", "str", "int", "float", "bool",
        "--use-annotated",
        "--strict-nullable",
        "--collapse-root-models",
        # Identifiers such as an OIDC issuer must round-trip byte for byte; pydantic's URL
        # types would normalise them (adding a trailing slash), breaking exact `iss` matching.
        "--type-mappings", "string+uri=string",
        "--field-constraints",
        "--target-python-version", "3.11",
        "--disable-timestamp",
        "--use-standard-collections",
        "--use-union-operator",
        "--enum-field-as-literal", "one",
        "--use-double-quotes",
        "--custom-file-header", f"# {HEADER}",
        "--formatters", "ruff-format",
    )  # fmt: skip
    shutil.copyfile(spec_json, out / "openapi.json")
    (out / "__init__.py").write_text(
        f'# {HEADER}\n"""Pydantic models of the contract and the bundled spec it came from."""\n',
        encoding="utf-8",
    )


TARGET = Target("server-models", "server/src/janua_server/contract", generate)
