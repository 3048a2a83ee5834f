"""Dart/Flutter SDK wire layer: openapi-generator's plain `dart` client (http + native JSON).

Only the generator's lib/ folder is kept: one library (`api.dart` plus its `part` files) that
the hand-written sdks/flutter/lib/janua.dart re-exports. The generator's pubspec and README
are dropped because sdks/flutter keeps its own by hand (version = spec info.version, which the
generator's pubspec would not follow); its docs, test stubs, CI files and .openapi-generator
bookkeeping are not part of a package and would only be churn in review.

No Dart SDK is available where this runs, so nothing here is compiled; the tree-sitter
parse check in sdks/flutter/tests is the only verification on our machines.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .._common import ROOT, Target, add_header, run, tool

# Docs and tests are thrown away below; not rendering them keeps the run short.
GLOBAL_PROPERTIES = "apiDocs=false,modelDocs=false,apiTests=false,modelTests=false"


def generate(spec_json: Path, out: Path) -> None:
    staging = out.parent / f".{out.name}-staging"
    run(
        tool("openapi-generator-cli"),
        "generate",
        "--generator-name", "dart",
        "--input-spec", spec_json,
        "--output", staging,
        "--config", ROOT / "codegen" / "dart-generator.yaml",
        "--global-property", GLOBAL_PROPERTIES,
        # swagger-parser's validator insists a Link's requestBody is a string; OAS 3.0.3 allows
        # any value (our links pass `{email: $request.body#/email, ...}`), so it is a false alarm.
        "--skip-validate-spec",
        # Java 17 still derives the default charset from the locale; pin it so a non-ASCII
        # description renders the same bytes on every machine.
        env={"JAVA_OPTS": "-Dfile.encoding=UTF-8"},
    )  # fmt: skip
    shutil.copytree(staging / "lib", out, dirs_exist_ok=True)
    shutil.rmtree(staging)
    add_header(out, ".dart", "//")


TARGET = Target("dart", "sdks/flutter/lib/src/generated", generate)
