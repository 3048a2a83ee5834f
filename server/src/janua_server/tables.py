"""Every table of every domain on the one shared metadata (what Alembic and tests compare)."""

from janua_server.accounts.tables import account_tokens, users
from janua_server.core.audit import audit_events
from janua_server.core.db import metadata
from janua_server.mfa.tables import mfa_recovery_codes, mfa_sms, mfa_totp
from janua_server.oidc.authorize.tables import oauth_consents, provider_sessions
from janua_server.oidc.clients.tables import oauth_clients, oauth_grants, oauth_refresh_tokens
from janua_server.organizations.tables import (
    organization_invitations,
    organization_members,
    organization_roles,
    organizations,
)
from janua_server.passkeys.tables import passkeys
from janua_server.sessions.tables import auth_sessions, refresh_tokens

__all__ = [
    "account_tokens",
    "audit_events",
    "auth_sessions",
    "metadata",
    "mfa_recovery_codes",
    "mfa_sms",
    "mfa_totp",
    "oauth_clients",
    "oauth_consents",
    "oauth_grants",
    "oauth_refresh_tokens",
    "organization_invitations",
    "organization_members",
    "organization_roles",
    "organizations",
    "passkeys",
    "provider_sessions",
    "refresh_tokens",
    "users",
]
