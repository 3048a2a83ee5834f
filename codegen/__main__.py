"""Regenerate everything derived from spec/openapi.yaml; `--check` fails on drift.

python -m codegen            # rewrite every target folder
python -m codegen --check    # generate into a temp dir and compare with the committed tree
python -m codegen --only go  # one target (names: see codegen/targets/__init__.py)
"""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from ._common import ROOT, SPEC, Target, run
from .targets import TARGETS


def bundle_spec(dest: Path) -> Path:
    """The spec as one JSON document: what generators read and what the server serves."""
    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    dest.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return dest


def generate_all(targets: list[Target], into: Path) -> None:
    spec_json = bundle_spec(into / "openapi.json")

    def one(target: Target) -> None:
        out = into / target.output
        out.mkdir(parents=True)
        target.generate(spec_json, out)
        print(f"codegen: {target.name:<14} -> {target.output}")

    # Each generator is mostly an external process, so threads give real parallelism.
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(one, targets))


def files_of(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def drift(target: Target, fresh: Path) -> list[str]:
    """Human-readable differences between the committed folder and a fresh generation."""
    committed, generated = files_of(ROOT / target.output), files_of(fresh / target.output)
    report: list[str] = []
    for name in sorted(committed.keys() | generated.keys()):
        old, new = committed.get(name), generated.get(name)
        if old == new:
            continue
        where = f"{target.output}/{name}"
        if old is None:
            report.append(f"missing from the repository: {where}")
        elif new is None:
            report.append(f"not produced by the generator (hand-added?): {where}")
        else:
            diff = difflib.unified_diff(
                old.decode(errors="replace").splitlines(),
                new.decode(errors="replace").splitlines(),
                f"committed/{where}",
                f"generated/{where}",
                lineterm="",
                n=1,
            )
            report.append("\n".join(list(diff)[:40]))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail on drift, change nothing")
    parser.add_argument("--only", action="append", help="generate only this target (repeatable)")
    args = parser.parse_args(argv)

    targets = [t for t in TARGETS if not args.only or t.name in args.only]
    if args.only and len(targets) != len(set(args.only)):
        parser.error(f"unknown target; known: {', '.join(t.name for t in TARGETS)}")

    with tempfile.TemporaryDirectory(prefix="janua-codegen-") as tmp:
        fresh = Path(tmp)
        generate_all(targets, fresh)
        if args.check:
            problems = [line for t in targets for line in drift(t, fresh)]
            if problems:
                print("\n".join(problems), file=sys.stderr)
                print(
                    "codegen: generated code differs from spec/openapi.yaml; run `nox -s codegen`",
                    file=sys.stderr,
                )
                return 1
            go_facade(targets, check=True)
            print(f"codegen: {len(targets)} targets match the spec")
            return 0
        for target in targets:
            dest = ROOT / target.output
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(fresh / target.output, dest)
        go_facade(targets, check=False)
    return 0


def go_facade(targets: list[Target], *, check: bool) -> None:
    """The Go facade's methods (sdks/go/operations.gen.go) follow the Go wire layer. They live
    next to hand-written files in package `janua` (Go methods must share their type's package),
    so no target can own their folder: the Go module's own generator writes or checks the one
    file, from the committed api.gen.go and bundled spec (both already checked above)."""
    if not any(t.name == "go" for t in targets):
        return
    run("go", "run", "./internal/facadegen", *(["-check"] if check else []), cwd=ROOT / "sdks/go")
    print("codegen: go-facade       -> sdks/go/operations.gen.go")


if __name__ == "__main__":
    sys.exit(main())
