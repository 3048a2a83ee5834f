"""Every table of every domain on the one shared metadata (what Alembic and tests compare)."""

from janua_server.accounts.tables import account_tokens, users
from janua_server.core.audit import audit_events
from janua_server.core.db import metadata
from janua_server.sessions.tables import auth_sessions, refresh_tokens

__all__ = ["account_tokens", "audit_events", "auth_sessions", "metadata", "refresh_tokens", "users"]
