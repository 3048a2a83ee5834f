"""Load benchmark: wrk (Debian package) against a real `janua serve`, printing requests/s,
p50/p99 latency, non-2xx answers and the server processes' memory. Never part of the tests.

    .venv/bin/python bench/load.py                 # every scenario
    .venv/bin/python bench/load.py --duration 5 --backends embedded --workers 1

Scenarios: GET /api/v1/auth/me, POST /api/v1/auth/token/refresh (following rotations) and
POST /api/v1/auth/login, on the embedded default (SQLite + in-process store) and on
PostgreSQL + Redis, with 1 and 2 worker processes. Everything runs on loopback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support import services  # noqa: E402

WRK_DIR = Path(__file__).resolve().parent / "wrk"
EMAIL = "bench@example.com"
PASSWORD = "correct horse battery staple"


def post(base_url: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        base_url + path, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _family(root_pid: int) -> set[int]:
    """The server process and its workers (and theirs)."""
    out = subprocess.run(["ps", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    rows = [tuple(map(int, line.split())) for line in out.splitlines() if line.strip()]
    family = {root_pid}
    for _ in range(3):
        family |= {pid for pid, ppid in rows if ppid in family}
    return family


def rss_mib(root_pid: int) -> float:
    """Resident memory of the server and its worker processes."""
    total = 0
    for pid in _family(root_pid):
        with contextlib.suppress(FileNotFoundError), open(f"/proc/{pid}/status") as status:
            total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return total / 1024


def cpu_seconds(root_pid: int) -> float:
    """User + system CPU time the server and its workers have used so far (all their threads)."""
    ticks = 0
    for pid in _family(root_pid):
        with contextlib.suppress(FileNotFoundError), open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (proc(5))
    return ticks / os.sysconf("SC_CLK_TCK")


def pinned(cpus: set[int] | None):
    """A `preexec_fn` running the child on `cpus` only; threads and forked workers inherit it."""
    return None if cpus is None else lambda: os.sched_setaffinity(0, cpus)


def wrk(
    base_url: str,
    path: str,
    script: str,
    env: dict[str, str],
    *,
    duration: int,
    connections: int,
    cpus: set[int] | None = None,
) -> dict:
    threads = connections if script == "refresh.lua" else 2
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency",
           "-s", str(WRK_DIR / script), base_url + path]  # fmt: skip
    out = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
        preexec_fn=pinned(cpus),
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, flags=re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": percentiles.get("50"), "p99": percentiles.get("99"),
            "non2xx": int(errors[1]) if errors else 0}  # fmt: skip


@contextlib.contextmanager
def backend_env(name: str) -> Iterator[dict[str, str]]:
    if name == "embedded":
        yield {}
        return
    with services.postgres() as pg, services.redis() as redis:
        url = pg.create_database("janua_bench")
        services.migrate(url)
        yield {"DATABASE_URL": url, "REDIS_URL": redis.url}


@contextlib.contextmanager
def server(
    env: dict[str, str], workers: int, cpus: set[int] | None = None
) -> Iterator[tuple[str, int]]:
    port = services.free_port()
    data_dir = tempfile.mkdtemp(prefix="janua-bench-")
    base_url = f"http://127.0.0.1:{port}"
    full_env = {**os.environ, **env, "DATA_DIR": data_dir, "PORT": str(port), "BASE_URL": base_url,
                "LOG_LEVEL": "warning",
                # One load generator on one IP is exactly what rate limits exist to stop.
                "RATE_LIMIT_ENABLED": "false"}  # fmt: skip
    cmd = [str(Path(sys.executable).parent / "janua"), "serve", "--workers", str(workers)]
    proc = subprocess.Popen(
        cmd,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=pinned(cpus),
    )
    try:
        services._wait(
            lambda: urllib.request.urlopen(f"{base_url}/health").status == 200, "janua", proc=proc
        )
        yield base_url, proc.pid
    finally:
        services._stop(proc)
        shutil.rmtree(data_dir, ignore_errors=True)


def run(backend: str, workers: int, duration: int, connections: int) -> None:
    with backend_env(backend) as env, server(env, workers) as (base_url, pid):
        session = post(base_url, "/api/v1/auth/register", {"email": EMAIL, "password": PASSWORD})
        results = {
            "GET /me": wrk(base_url, "/api/v1/auth/me", "me.lua",
                           {"ACCESS_TOKEN": session["tokens"]["access_token"]},
                           duration=duration, connections=connections),
        }  # fmt: skip
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as tokens_file:
            for _ in range(connections):
                login = post(base_url, "/api/v1/auth/login", {"email": EMAIL, "password": PASSWORD})
                tokens_file.write(login["tokens"]["refresh_token"] + "\n")
        results["POST /token/refresh"] = wrk(
            base_url, "/api/v1/auth/token/refresh", "refresh.lua",
            {"REFRESH_TOKENS_FILE": tokens_file.name}, duration=duration, connections=connections,
        )  # fmt: skip
        os.unlink(tokens_file.name)
        credentials = {"LOGIN_EMAIL": EMAIL, "LOGIN_PASSWORD": PASSWORD}
        results["POST /login"] = wrk(
            base_url, "/api/v1/auth/login", "login.lua", credentials,
            duration=duration, connections=connections,
        )  # fmt: skip
        memory = rss_mib(pid)
    for name, r in results.items():
        print(f"{backend:<9} {workers:>2}w  {name:<20} {r['rps']:>9.0f} req/s   p50 {r['p50']:>8}"
              f"   p99 {r['p99']:>8}   non-2xx {r['non2xx']:>5}")  # fmt: skip
    print(f"{backend:<9} {workers:>2}w  server RSS after the run: {memory:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--backends", nargs="+", default=["embedded", "postgres"])
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    cores = os.cpu_count()
    print(f"wrk, {args.connections} connections, {args.duration}s per scenario, {cores} cores")
    for backend in args.backends:
        for workers in args.workers:
            run(backend, workers, args.duration, args.connections)


if __name__ == "__main__":
    main()
