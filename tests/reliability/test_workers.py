"""`janua serve --workers 2` on PostgreSQL + Redis: one server on a database it migrates once,
whose workers sign with one key, so any worker accepts what another issued."""

from __future__ import annotations

from pathlib import Path

import httpx
from support import services
from support.live import bearer, register


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def test_two_workers_share_the_database_and_one_signing_key() -> None:
    with services.postgres() as pg, services.redis() as redis:
        # Not migrated: the supervisor's preparation step migrates it before the workers start.
        database_url = pg.create_database("janua_workers")
        env = {"DATABASE_URL": database_url, "REDIS_URL": redis.url, "AUTO_MIGRATE": "true"}
        with services.janua_server(workers=2, **env) as live:
            workers = [pid for pid in _children(live.pid) if "spawn_main" in _cmdline(pid)]
            assert len(workers) == 2, workers
            with httpx.Client(base_url=live.base_url, timeout=10) as http:
                created = register(http)
            token = created["tokens"]["access_token"]
            # A new connection per request: the kernel spreads them over both workers' accept
            # queue, so each worker verifies tokens the other signed.
            keys = set()
            for _ in range(20):
                with httpx.Client(base_url=live.base_url, timeout=10) as fresh:
                    me = fresh.get("/api/v1/auth/me", headers=bearer(token))
                    assert me.status_code == 200, me.text
                    jwks = fresh.get("/.well-known/jwks.json").json()
                    keys.add(tuple(sorted(key["kid"] for key in jwks["keys"])))
            assert len(keys) == 1 and len(next(iter(keys))) == 1, keys
            assert list((live.data_dir / "keys").glob("*.pem")) != []
