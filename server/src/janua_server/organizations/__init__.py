"""Organizations: tenants, their members, roles (RBAC) and invitations."""
