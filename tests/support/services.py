"""Start real PostgreSQL, Redis and Janua server processes for tests, on free loopback ports.

Used by the pytest fixtures and by the nox sessions alike, so every suite runs against the same
real parts. PostgreSQL refuses to run as root; when we are root it runs as the `postgres`
system user (created by Debian's package).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(
    predicate, what: str, timeout: float = 30.0, proc: subprocess.Popen | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before it was ready")
        with contextlib.suppress(OSError):
            if predicate():
                return
        time.sleep(0.1)
    raise TimeoutError(f"{what} not ready after {timeout}s")


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM (PostgreSQL's "smart" shutdown, uvicorn's graceful stop), then SIGKILL."""
    proc.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(10)
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def _port_open(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise FileNotFoundError(f"{name}: install Debian's postgresql package (make test does)")
    return candidates[-1]


def _as_postgres_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class Postgres:
    port: int
    user: str
    data_dir: Path | None = None
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str) -> None:
        subprocess.run(
            [_pg_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
             "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def create_database(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def start(self) -> None:
        """Start (or restart, after `stop`) on the same data dir and port."""
        assert self.data_dir is not None and self.log_path is not None
        self.proc = proc = subprocess.Popen(
            _as_postgres_user([_pg_bin("postgres"), "-D", str(self.data_dir), "-p", str(self.port),
                               "-h", "127.0.0.1", "-k", str(self.data_dir.parent),
                               "-c", "fsync=off", "-c", "synchronous_commit=off",
                               "-c", "full_page_writes=off", "-c", "max_connections=200"]),
            stdout=subprocess.DEVNULL,
            stderr=open(self.log_path, "ab"),  # noqa: SIM115 - closed with the process
        )  # fmt: skip
        _wait(lambda: _port_open(self.port), "postgres", proc=proc)
        _wait(lambda: self.psql("SELECT 1") is None, "postgres accepting queries", proc=proc)

    def stop(self) -> None:
        """Fast shutdown (SIGINT): clients are disconnected, as in a real restart. (SIGTERM
        waits for every pooled connection to go away by itself.)"""
        if self.proc is None or self.proc.poll() is not None:
            return
        assert self.data_dir is not None
        # The postmaster itself (as root, `proc` is runuser, which does not pass SIGINT on).
        postmaster = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@contextlib.contextmanager
def postgres() -> Iterator[Postgres]:
    tmp = Path(tempfile.mkdtemp(prefix="janua-pg-"))
    user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres", "postgres")
    data = tmp / "data"
    subprocess.run(
        _as_postgres_user([_pg_bin("initdb"), "-D", str(data), "-U", user, "-A", "trust",
                           "-E", "UTF8", "--no-sync", "--no-instructions"]),
        check=True,
        capture_output=True,
    )  # fmt: skip
    server = Postgres(free_port(), user, data_dir=data, log_path=tmp / "postgres.log")
    try:
        server.start()
        yield server
    finally:
        if server.proc is not None:
            _stop(server.proc)
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class Redis:
    port: int
    proc: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@contextlib.contextmanager
def redis(port: int | None = None) -> Iterator[Redis]:
    """A fresh, empty Redis; on `port` when given (e.g. to restart one on the port it had)."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise FileNotFoundError(
            "redis-server: install Debian's redis-server package (make test does)"
        )
    port = port or free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--daemonize", "no", "--logfile", ""],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait(lambda: _port_open(port), "redis", proc=proc)
        yield Redis(port, proc)
    finally:
        _stop(proc)


@dataclass
class LiveServer:
    base_url: str
    data_dir: Path
    log_path: Path
    pid: int


@contextlib.contextmanager
def janua_server(
    public_host: str = "127.0.0.1", workers: int = 1, **env: str
) -> Iterator[LiveServer]:
    """`janua serve` in a subprocess on a free port, with a fresh data dir unless given.
    `public_host` names it in BASE_URL (the OAuth suites use `localhost`, as browsers do)."""
    port = free_port()
    data_dir = Path(env.pop("DATA_DIR", "") or tempfile.mkdtemp(prefix="janua-data-"))
    log_path = data_dir / "server.log"
    base_url = f"http://{public_host}:{port}"
    full_env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "PORT": str(port),
        "BASE_URL": base_url,
        **env,
    }
    janua = Path(sys.executable).parent / "janua"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(janua), "serve", "--workers", str(workers)],
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait(
                lambda: urllib.request.urlopen(f"{base_url}/health", timeout=1).status == 200,
                "janua serve",
                proc=proc,
            )
            yield LiveServer(base_url, data_dir, log_path, proc.pid)
        finally:
            _stop(proc)


def migrate(database_url: str) -> None:
    """`janua migrate` against `database_url`, as an operator runs it before PostgreSQL starts."""
    subprocess.run(
        [str(Path(sys.executable).parent / "janua"), "migrate"],
        env={**os.environ, "DATABASE_URL": database_url},
        check=True,
        capture_output=True,
    )
