"""Roles as sets of permissions (RBAC), with no database: the built-in roles, the documented
permission catalogue, and the rule that nobody hands out more than they hold.

A permission is a `resource:action` string. The catalogue names the ones Janua itself checks;
customers may put their own strings (`projects:write`) into custom roles and check them with
`GET /organizations/{id}/permissions/check`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

OWNER = "owner"
ADMIN = "admin"
MEMBER = "member"
BUILT_IN_ROLES = (OWNER, ADMIN, MEMBER)

ORGANIZATION_UPDATE = "organization:update"
ORGANIZATION_DELETE = "organization:delete"
MEMBERS_READ = "members:read"
MEMBERS_MANAGE = "members:manage"
ROLES_READ = "roles:read"
ROLES_MANAGE = "roles:manage"
INVITATIONS_READ = "invitations:read"
INVITATIONS_MANAGE = "invitations:manage"
AUDIT_READ = "audit:read"

# What Janua checks itself (plus billing, for the application to check); documented in the spec
# and in docs/organizations.md.
CATALOGUE: tuple[str, ...] = (
    ORGANIZATION_UPDATE,
    ORGANIZATION_DELETE,
    MEMBERS_READ,
    MEMBERS_MANAGE,
    ROLES_READ,
    ROLES_MANAGE,
    INVITATIONS_READ,
    INVITATIONS_MANAGE,
    AUDIT_READ,
    "billing:read",
    "billing:manage",
)

PERMISSION_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*:[a-z][a-z0-9_-]*$")


@dataclass(frozen=True)
class Grant:
    """What a role allows: a fixed set of permissions, or everything but `excluded` (the
    built-in owner and admin, who also hold every custom permission an application invents)."""

    permissions: frozenset[str] = frozenset()
    everything: bool = False
    excluded: frozenset[str] = frozenset()

    def allows(self, permission: str) -> bool:
        if self.everything:
            return permission not in self.excluded
        return permission in self.permissions

    def covers(self, other: Grant) -> bool:
        """Whether a holder of this grant may hand out (or take away) `other`: only what one
        holds oneself, so no role can be used to climb above its own rights. An admin cannot
        make, demote or remove an owner, because the owner holds `organization:delete`."""
        if other.everything:
            return self.everything and self.excluded <= other.excluded
        return all(self.allows(permission) for permission in other.permissions)

    def listed(self, known: Iterable[str] = ()) -> list[str]:
        """The permissions as a sorted list (for answers and token claims): an all-but grant
        lists the catalogue and `known` (the organization's custom permissions) it allows."""
        if self.everything:
            return sorted({p for p in (*CATALOGUE, *known) if self.allows(p)})
        return sorted(self.permissions)


BUILT_IN_GRANTS: dict[str, Grant] = {
    OWNER: Grant(everything=True),
    ADMIN: Grant(everything=True, excluded=frozenset({ORGANIZATION_DELETE})),
    MEMBER: Grant(frozenset({MEMBERS_READ, ROLES_READ})),
}

BUILT_IN_DESCRIPTIONS = {
    OWNER: "Everything, including deleting the organization and managing owners.",
    ADMIN: "Everything but deleting the organization and managing owners.",
    MEMBER: "Read the organization, its members and its roles.",
}


def grant_of(role: str, custom_permissions: Iterable[str] | None) -> Grant:
    """The grant of a role key: a built-in one, else the custom role's permission list (an
    unknown key grants nothing)."""
    built_in = BUILT_IN_GRANTS.get(role)
    if built_in is not None:
        return built_in
    return Grant(frozenset(custom_permissions or ()))
