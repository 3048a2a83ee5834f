"""`janua serve | migrate`: the server's command line."""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn

from janua_server import __version__
from janua_server.migrations import upgrade_to_head
from janua_server.settings import Settings


def _serve(args: argparse.Namespace) -> int:
    settings = Settings()
    host = args.host or settings.host
    port = args.port or settings.port
    if args.workers > 1:
        if settings.should_auto_migrate:
            # Migrate once here, so the workers do not race each other to do it.
            settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            upgrade_to_head(settings.database_url)
            os.environ["AUTO_MIGRATE"] = "false"
        # Generate the signing key before the workers start, so they all share one.
        from janua_server.app import build_runtime

        build_runtime(settings)
    uvicorn.run(
        "janua_server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        log_level=settings.log_level,
        proxy_headers=False,
        server_header=False,
    )
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    upgrade_to_head(settings.database_url)
    print(f"janua: database at head ({settings.database_backend})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="janua", description="Janua identity server")
    parser.add_argument("--version", action="version", version=f"janua {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the API server (settings from the environment)")
    serve.add_argument("--host", help="bind address (default HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default PORT or 4100)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.set_defaults(func=_serve)

    migrate = commands.add_parser("migrate", help="upgrade the database schema to the latest")
    migrate.set_defaults(func=_migrate)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
