"""Repository-wide invariants: one version everywhere, generated code marked as such."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEC = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())

GENERATED = {
    "server/src/janua_server/contract": "*.py",
    "sdks/python/src/janua/_generated": "*.py",
    "sdks/python/src/janua/_generated_facade": "*.py",
    "sdks/typescript/src/generated": "*.ts",
    "sdks/go/api": "*.go",
    "sdks/flutter/lib/src/generated": "*.dart",
    "sdks/flutter/lib/src/facade/generated": "*.dart",
}


def test_every_package_carries_the_spec_version() -> None:
    version = SPEC["info"]["version"]
    server_init = (ROOT / "server/src/janua_server/__init__.py").read_text()
    sdk_init = (ROOT / "sdks/python/src/janua/__init__.py").read_text()
    found = {
        "server/pyproject.toml": tomllib.loads((ROOT / "server/pyproject.toml").read_text())[
            "project"
        ]["version"],
        "janua_server.__version__": re.search(r'__version__ = "(.+)"', server_init)[1],
        "sdks/python/pyproject.toml": tomllib.loads(
            (ROOT / "sdks/python/pyproject.toml").read_text()
        )["project"]["version"],
        "janua.__version__": re.search(r'__version__ = "(.+)"', sdk_init)[1],
        "sdks/typescript/package.json": json.loads(
            (ROOT / "sdks/typescript/package.json").read_text()
        )["version"],
        "sdks/flutter/pubspec.yaml": yaml.safe_load(
            (ROOT / "sdks/flutter/pubspec.yaml").read_text()
        )["version"],
    }
    assert {name: v for name, v in found.items() if v != version} == {}


def test_generated_files_say_so() -> None:
    unmarked = []
    for folder, pattern in GENERATED.items():
        files = sorted((ROOT / folder).rglob(pattern))
        assert files, f"nothing generated in {folder}"
        for path in files:
            head = "\n".join(path.read_text(encoding="utf-8").splitlines()[:5])
            if "DO NOT EDIT" not in head.upper():
                unmarked.append(str(path.relative_to(ROOT)))
    assert unmarked == []


HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def test_every_operation_has_id_tag_examples_and_errors() -> None:
    problems = []
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:  # path-level `parameters`
                continue
            where = f"{method.upper()} {path}"
            if not operation.get("operationId") or not operation.get("tags"):
                problems.append(f"{where}: operationId and tag required")
            responses = operation["responses"]
            for status, response in responses.items():
                if "$ref" in response or status == "204":
                    continue
                for media in response.get("content", {}).values():
                    if "example" not in media and "examples" not in media:
                        problems.append(f"{where} {status}: no example")
            if "requestBody" in operation:
                # JSON, or a form for the OAuth endpoints, whose every refusal is a 400
                # `invalid_request` (RFC 6749 section 5.2) rather than our 422.
                ((media_type, media),) = operation["requestBody"]["content"].items()
                if "example" not in media and "examples" not in media:
                    problems.append(f"{where}: request body without example")
                needed = {"400"} if media_type.endswith("x-www-form-urlencoded") else {"400", "422"}
                if not needed <= responses.keys():
                    problems.append(
                        f"{where}: body errors ({', '.join(sorted(needed))}) undocumented"
                    )
    assert problems == []


def test_layout() -> None:
    for entry in ["spec", "codegen", "server", "sdks/python", "sdks/typescript", "sdks/go",
                  "sdks/react", "sdks/flutter", "tests", "bench", "noxfile.py", "Makefile",
                  "README.md", ".ci/run", "docs/architecture.md"]:  # fmt: skip
        assert (ROOT / entry).exists(), entry


def _sdk_names(path: str, pattern: str) -> dict[str, str]:
    text = (ROOT / path).read_text(encoding="utf-8")
    return {m[0]: m[1].replace("_", "").lower() for m in re.findall(pattern, text, re.M)}


def test_every_sdk_calls_an_operation_by_the_same_name() -> None:
    """One vocabulary across SDKs (`organizations.listMembers`, `list_members`, `ListMembers`):
    the TypeScript table is the reference, and the Go and Python tables must say the same."""
    typescript = _sdk_names(
        "sdks/typescript/src/operations.ts", r'^\s+(\w+):\s+\["[A-Z]+ [^"]+", "([\w.]+)"'
    )
    go = _sdk_names("sdks/go/operations.txt", r"^(\w+)\s+([\w.]+)")
    python = _sdk_names("sdks/python/operations.txt", r"^(\w+)\s+([\w.]+)")
    # Go's generated refresh takes an explicit token; its hand-written Auth.Refresh(ctx) is the
    # stored-pair refresh the other SDKs call `auth.refresh`.
    go_only = {"refreshToken": "auth.refreshtoken"}
    assert {op: n for op, n in go.items() if go_only.get(op) != n} == {
        op: n for op, n in typescript.items() if op not in go_only
    }
    assert python == typescript
