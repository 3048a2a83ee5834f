"""TypeScript SDK wire layer: openapi-typescript types that openapi-fetch's client is typed with.

The output is types only (`paths`, `components`, `operations`); all runtime behaviour lives in
openapi-fetch and the hand-written code of sdks/typescript/src, outside this folder.
"""

from __future__ import annotations

from pathlib import Path

from .._common import NODE_BIN, Target, add_header, run

OUTPUT = "schema.ts"


def generate(spec_json: Path, out: Path) -> None:
    run(
        NODE_BIN / "openapi-typescript",
        spec_json,
        "--output", out / OUTPUT,
        # Without one, the CLI reads a redocly.yaml from its working directory, and one that
        # lists `apis` would silently replace our input; the empty output folder has none.
        cwd=out,
    )  # fmt: skip
    add_header(out, ".ts", "//")


TARGET = Target("typescript", "sdks/typescript/src/generated", generate)
