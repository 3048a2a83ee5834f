"""Go SDK wire layer: oapi-codegen models and a client with typed responses, one file.

oapi-codegen is pinned as a Go 1.24 tool dependency in codegen/gotools, so `go tool` builds
exactly v2.8.2 from go.sum and no global install is involved. The hand-written package `janua`
in sdks/go wraps this one; only sdks/go/api belongs to the generator.
"""

from __future__ import annotations

from pathlib import Path

from .._common import GO_TOOLS, HEADER, ROOT, Target, run

OUTPUT = "api.gen.go"


def generate(spec_json: Path, out: Path) -> None:
    target = out / OUTPUT
    run(
        "go", "tool", "oapi-codegen",
        "-config", ROOT / "codegen" / "oapi-codegen.yaml",
        "-o", target,
        spec_json,
        cwd=GO_TOOLS,
    )  # fmt: skip
    # oapi-codegen's own "Code generated ... DO NOT EDIT." line stays (Go tooling keys on it);
    # ours says how to regenerate. The blank line keeps it out of the package's doc comment.
    text = target.read_text(encoding="utf-8")
    target.write_text(f"// {HEADER}\n\n{text}", encoding="utf-8")


TARGET = Target("go", "sdks/go/api", generate)
