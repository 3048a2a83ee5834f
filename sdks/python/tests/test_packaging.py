"""`pip install ./sdks/python` gives a working, typed `janua` in a fresh venv (no server).

Builds the wheel into a temp dir (`uv build`, or `pip wheel` without uv), installs it into a
venv made with `python -m venv`, and imports it there. Installing fetches the dependencies
(httpx, attrs, PyJWT, cryptography) from the package index or uv's cache.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import janua
import pytest

SDK = Path(__file__).resolve().parents[1]
ROOT = SDK.parents[1]
SPEC_VERSION = json.loads((ROOT / "server/src/janua_server/contract/openapi.json").read_text())[
    "info"
]["version"]
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")


def run(*cmd: str | Path, cwd: Path | None = None) -> str:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_the_version_is_the_specs() -> None:
    pyproject = tomllib.loads((SDK / "pyproject.toml").read_text())
    assert pyproject["project"]["version"] == SPEC_VERSION
    assert janua.__version__ == SPEC_VERSION


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    if UV:
        run(UV, "build", "--wheel", "--out-dir", out, SDK)
    else:
        run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", out, SDK)
    (built,) = out.glob("janua_sdk-*.whl")
    return built


def test_the_wheel_ships_the_typed_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(archive.read(metadata_name).decode())
    for needed in (
        "janua/py.typed",
        "janua/__init__.py",
        "janua/_client.py",
        "janua/_verify.py",
        "janua/fastapi.py",
        "janua/_generated/client.py",
        "janua/_generated_facade/sync.py",
        "janua/_generated_facade/aio.py",
    ):
        assert needed in names, needed
    assert not [n for n in names if "__pycache__" in n or n.startswith("tests/")]
    assert metadata["Name"] == "janua-sdk"
    assert metadata["Version"] == SPEC_VERSION
    requires = metadata.get_all("Requires-Dist") or []
    assert any(r.lower().startswith("pyjwt[crypto]") for r in requires), requires
    assert any("fastapi" in r and "extra ==" in r for r in requires), requires
    assert "fastapi" in (metadata.get_all("Provides-Extra") or [])


CHECK = """
import importlib.resources, inspect, sys
import janua
print(janua.__version__)
assert importlib.resources.files("janua").joinpath("py.typed").is_file()
assert janua.__file__.startswith(sys.prefix), janua.__file__  # the venv's copy, not the tree
client = janua.Janua("http://localhost:4100")
assert callable(client.organizations.create_invitation)
assert inspect.signature(client.auth.login).return_annotation == "AuthResponse"
import janua.fastapi  # importable without FastAPI: the import happens on use
try:
    janua.fastapi.require_token(janua.TokenVerifier(issuer="https://x", audience="janua"))
except ImportError as error:
    assert "janua-sdk[fastapi]" in str(error)
else:
    raise AssertionError("FastAPI is not installed in the fresh venv")
print("ok")
"""


def test_installs_into_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    if UV:
        run(sys.executable, "-m", "venv", "--without-pip", venv)
        run(UV, "pip", "install", "--quiet", "--python", python, wheel)
    else:
        run(sys.executable, "-m", "venv", venv)
        run(python, "-m", "pip", "install", "--quiet", wheel)
    assert run(python, "-I", "-c", CHECK, cwd=tmp_path).split() == [SPEC_VERSION, "ok"]
