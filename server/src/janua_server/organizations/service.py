"""Organization rules: organizations, their members and roles (RBAC), and the facts the
active organization puts into a session's tokens.

Every check reads the database, never a token claim: a claim is up to one access-token
lifetime old, a membership row is the truth. A caller who is not a member of an organization
is answered 404 for everything in it, exactly as if it did not exist.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from janua_server.accounts import service as accounts
from janua_server.contract.models import (
    Action,
    FieldError,
    Organization,
    OrganizationList,
    OrganizationMember,
    OrganizationMemberList,
    OrganizationRole,
    OrganizationRoleList,
    PermissionCheck,
    User,
)
from janua_server.core import audit, pagination
from janua_server.core.audit import Origin
from janua_server.core.db import utcnow
from janua_server.core.errors import (
    ApiError,
    authorization_error,
    conflict,
    not_found,
    validation_error,
)
from janua_server.core.runtime import Runtime
from janua_server.organizations import permissions as perms
from janua_server.organizations.permissions import Grant
from janua_server.organizations.tables import (
    organization_invitations,
    organization_members,
    organization_roles,
    organizations,
)


@dataclass(frozen=True)
class Membership:
    """A user's place in an organization: the role key and what it grants."""

    organization_id: uuid.UUID
    user_id: uuid.UUID
    role: str
    grant: Grant


async def membership(
    conn: AsyncConnection, organization_id: uuid.UUID, user_id: uuid.UUID
) -> Membership | None:
    """The user's membership with its grant, in one query (the custom role's permissions come
    along through an outer join); None when the user is not a member."""
    row = (
        await conn.execute(
            select(organization_members.c.role, organization_roles.c.permissions)
            .select_from(
                organization_members.outerjoin(
                    organization_roles,
                    and_(
                        organization_roles.c.organization_id
                        == organization_members.c.organization_id,
                        organization_roles.c.key == organization_members.c.role,
                    ),
                )
            )
            .where(
                organization_members.c.organization_id == organization_id,
                organization_members.c.user_id == user_id,
            )
        )
    ).first()
    if row is None:
        return None
    return Membership(organization_id, user_id, row.role, perms.grant_of(row.role, row.permissions))


def to_contract(row: Any, role: str | None = None) -> Organization:
    organization = Organization(
        id=row.id,
        name=row.name,
        slug=row.slug,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
    if role is not None:
        organization.role = role
    return organization


def _matching(query: str | None):
    """Organizations whose name or slug contains `query`, case-insensitively."""
    if not query:
        return true()
    needle = query.strip().lower()
    return or_(
        func.lower(organizations.c.name).contains(needle, autoescape=True),
        organizations.c.slug.contains(needle, autoescape=True),
    )


async def list_all(
    conn: AsyncConnection, *, limit: int, after: uuid.UUID | None, query: str | None
) -> tuple[list[Organization], bool] | None:
    """Every organization, newest first (for platform admins), optionally only those whose name
    or slug contains `query`; None when `after` names no organization."""
    found = await pagination.newest_first(
        conn,
        select(organizations).where(_matching(query)),
        table=organizations,
        owner=true(),
        limit=limit,
        after=after,
    )
    if found is None:
        return None
    rows, more = found
    return [to_contract(row) for row in rows], more


# --- access: who may do what in which organization -----------------------------------------


@dataclass(frozen=True)
class Access:
    """An organization as seen by one of its members."""

    organization: Any  # the organizations row
    member: Membership

    @property
    def organization_id(self) -> uuid.UUID:
        return self.organization.id

    @property
    def user_id(self) -> uuid.UUID:
        return self.member.user_id


OrganizationRef = uuid.UUID | str  # an id, or a slug


def no_such_organization() -> ApiError:
    # Unknown and foreign organizations get the same answer: existence is not revealed.
    return not_found("No such organization.")


async def access(
    conn: AsyncConnection,
    ref: OrganizationRef,
    user_id: uuid.UUID,
    permission: str | None = None,
    *,
    lock: bool = False,
) -> Access:
    """The organization named by id or slug, if `user_id` is a member (404 otherwise, exactly
    as for an unknown one) holding `permission` (403 otherwise). `lock` takes a row lock on
    the organization (PostgreSQL), so changes that must keep an owner are serialised."""
    query = select(organizations).where(
        organizations.c.id == ref if isinstance(ref, uuid.UUID) else organizations.c.slug == ref
    )
    if lock:
        query = query.with_for_update()
    organization = (await conn.execute(query)).first()
    if organization is None:
        raise no_such_organization()
    found = await membership(conn, organization.id, user_id)
    if found is None:
        raise no_such_organization()
    if permission is not None and not found.grant.allows(permission):
        raise authorization_error(f"This needs the permission {permission}.")
    return Access(organization, found)


def _target(kind: str, id_: uuid.UUID) -> str:
    return f"{kind}:{id_}"


async def record_event(
    conn: AsyncConnection,
    action: Action,
    who: Access,
    origin: Origin,
    *,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """An organization event: the actor is the user, the organization's admins can read it."""
    await audit.record(
        conn,
        action.value,
        user_id=who.user_id,
        actor_id=who.user_id,
        origin=origin,
        organization_id=who.organization_id,
        target=target,
        details=details,
    )


# --- organizations ------------------------------------------------------------------------


def _slug_taken(slug: str) -> ApiError:
    return conflict(f"The slug {slug} is taken.")


async def create_organization(
    rt: Runtime, user_id: uuid.UUID, *, name: str, slug: str, origin: Origin
) -> Organization:
    now = utcnow()
    organization_id = uuid.uuid4()
    async with rt.db.transaction() as conn:
        try:
            # Insert and let the unique index decide: a read-then-write would race.
            await conn.execute(
                insert(organizations).values(
                    id=organization_id, name=name, slug=slug, created_at=now, updated_at=now
                )
            )
        except IntegrityError:
            raise _slug_taken(slug) from None
        await _insert_member(conn, organization_id, user_id, perms.OWNER, now)
        row = (
            await conn.execute(select(organizations).where(organizations.c.id == organization_id))
        ).one()
        who = Access(
            row,
            Membership(organization_id, user_id, perms.OWNER, perms.BUILT_IN_GRANTS[perms.OWNER]),
        )
        await record_event(
            conn,
            Action.organization_created,
            who,
            origin,
            target=_target("organization", organization_id),
            details={"slug": slug},
        )
    return to_contract(row, perms.OWNER)


async def my_organizations(
    rt: Runtime, user_id: uuid.UUID, *, limit: int, after: uuid.UUID | None
) -> OrganizationList:
    """The user's organizations with their role, newest first."""
    mine = organizations.c.id.in_(
        select(organization_members.c.organization_id).where(
            organization_members.c.user_id == user_id
        )
    )
    query = (
        select(organizations, organization_members.c.role)
        .join(
            organization_members,
            organization_members.c.organization_id == organizations.c.id,
        )
        .where(organization_members.c.user_id == user_id)
    )
    async with rt.db.connection() as conn:
        found = await pagination.newest_first(
            conn, query, table=organizations, owner=mine, limit=limit, after=after
        )
    if found is None:
        raise not_found("The cursor names no organization of yours.")
    rows, more = found
    return OrganizationList(
        data=[to_contract(row, row.role) for row in rows],
        next_cursor=rows[-1].id if more else None,
    )


async def get_organization(rt: Runtime, ref: OrganizationRef, user_id: uuid.UUID) -> Organization:
    async with rt.db.connection() as conn:
        found = await access(conn, ref, user_id)
    return to_contract(found.organization, found.member.role)


async def update_organization(
    rt: Runtime,
    ref: OrganizationRef,
    user_id: uuid.UUID,
    changes: dict[str, str],
    origin: Origin,
) -> Organization:
    """`changes`: the fields sent (`name`, `slug`), already valid by the contract."""
    if not changes:
        raise validation_error([FieldError(pointer="#", detail="Send at least one field.")])
    async with rt.db.transaction() as conn:
        who = await access(conn, ref, user_id, perms.ORGANIZATION_UPDATE)
        try:
            await conn.execute(
                update(organizations)
                .where(organizations.c.id == who.organization_id)
                .values(**changes, updated_at=utcnow())
            )
        except IntegrityError:
            raise _slug_taken(changes["slug"]) from None
        row = (
            await conn.execute(
                select(organizations).where(organizations.c.id == who.organization_id)
            )
        ).one()
        await record_event(
            conn,
            Action.organization_updated,
            who,
            origin,
            target=_target("organization", who.organization_id),
            details={"fields": sorted(changes)},
        )
    return to_contract(row, who.member.role)


async def delete_organization(
    rt: Runtime, ref: OrganizationRef, user_id: uuid.UUID, origin: Origin
) -> None:
    """Members, roles and invitations go with it (foreign keys cascade). Sessions that had it
    active find no membership at their next refresh and drop its claims."""
    async with rt.db.transaction() as conn:
        who = await access(conn, ref, user_id, perms.ORGANIZATION_DELETE, lock=True)
        # Members, roles and invitations follow by ON DELETE CASCADE (SQLite runs with
        # foreign_keys=ON, see core.db).
        await conn.execute(delete(organizations).where(organizations.c.id == who.organization_id))
        await record_event(
            conn,
            Action.organization_deleted,
            who,
            origin,
            target=_target("organization", who.organization_id),
            details={"slug": who.organization.slug},
        )


# --- roles --------------------------------------------------------------------------------

MAX_CUSTOM_ROLES = 50


async def _custom_permissions(conn: AsyncConnection, organization_id: uuid.UUID) -> set[str]:
    """Every permission any custom role of the organization names (what owner and admin are
    listed as holding beyond the catalogue)."""
    rows = await conn.execute(
        select(organization_roles.c.permissions).where(
            organization_roles.c.organization_id == organization_id
        )
    )
    return {permission for row in rows for permission in row.permissions}


def _built_in_role(key: str, known: set[str]) -> OrganizationRole:
    return OrganizationRole(
        key=key,
        name=key.capitalize(),
        description=perms.BUILT_IN_DESCRIPTIONS[key],
        permissions=perms.BUILT_IN_GRANTS[key].listed(known),
        built_in=True,
    )


def _custom_role(row: Any) -> OrganizationRole:
    return OrganizationRole(
        key=row.key,
        name=row.name,
        description=row.description,
        permissions=sorted(row.permissions),
        built_in=False,
    )


async def _role_grant(
    conn: AsyncConnection, organization_id: uuid.UUID, key: str
) -> perms.Grant | None:
    """The grant of a role key in the organization; None when no such role exists."""
    if key in perms.BUILT_IN_GRANTS:
        return perms.BUILT_IN_GRANTS[key]
    permissions = (
        await conn.execute(
            select(organization_roles.c.permissions).where(
                organization_roles.c.organization_id == organization_id,
                organization_roles.c.key == key,
            )
        )
    ).scalar_one_or_none()
    return None if permissions is None else perms.Grant(frozenset(permissions))


async def require_offerable(conn: AsyncConnection, who: Access, key: str, pointer: str) -> None:
    """`key` must be a role of the organization (422) that the caller holds every permission
    of (403): nobody hands out more than they have."""
    grant = await _role_grant(conn, who.organization_id, key)
    if grant is None:
        raise validation_error([FieldError(pointer=pointer, detail="No such role here.")])
    if not who.member.grant.covers(grant):
        raise authorization_error(f"Only a holder of every permission of {key} can grant it.")


async def list_roles(
    rt: Runtime, organization_id: uuid.UUID, user_id: uuid.UUID
) -> OrganizationRoleList:
    async with rt.db.connection() as conn:
        await access(conn, organization_id, user_id, perms.ROLES_READ)
        rows = (
            await conn.execute(
                select(organization_roles)
                .where(organization_roles.c.organization_id == organization_id)
                .order_by(organization_roles.c.created_at, organization_roles.c.key)
            )
        ).all()
    known = {permission for row in rows for permission in row.permissions}
    built_in = [_built_in_role(key, known) for key in perms.BUILT_IN_ROLES]
    return OrganizationRoleList(data=built_in + [_custom_role(row) for row in rows])


async def _custom_role_row(conn: AsyncConnection, organization_id: uuid.UUID, key: str) -> Any:
    return (
        await conn.execute(
            select(organization_roles).where(
                organization_roles.c.organization_id == organization_id,
                organization_roles.c.key == key,
            )
        )
    ).first()


def _no_such_role() -> ApiError:
    return not_found("No such role.")


async def get_role(
    rt: Runtime, organization_id: uuid.UUID, user_id: uuid.UUID, key: str
) -> OrganizationRole:
    async with rt.db.connection() as conn:
        await access(conn, organization_id, user_id, perms.ROLES_READ)
        if key in perms.BUILT_IN_GRANTS:
            return _built_in_role(key, await _custom_permissions(conn, organization_id))
        row = await _custom_role_row(conn, organization_id, key)
    if row is None:
        raise _no_such_role()
    return _custom_role(row)


def _permission_list(values: list[Any], pointer: str) -> list[str]:
    """The contract checks each string; duplicates (`uniqueItems`) are checked here."""
    listed = [value.root if hasattr(value, "root") else value for value in values]
    if len(set(listed)) != len(listed):
        raise validation_error([FieldError(pointer=pointer, detail="Items must be unique.")])
    return sorted(listed)


async def create_role(
    rt: Runtime,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    key: str,
    name: str,
    description: str | None,
    permissions: list[Any],
    origin: Origin,
) -> OrganizationRole:
    granted = _permission_list(permissions, "#/permissions")
    if key in perms.BUILT_IN_GRANTS:
        raise conflict(f"{key} is a built-in role.")
    now = utcnow()
    async with rt.db.transaction() as conn:
        who = await access(conn, organization_id, user_id, perms.ROLES_MANAGE, lock=True)
        if not who.member.grant.covers(perms.Grant(frozenset(granted))):
            raise authorization_error("A role can only grant permissions you hold yourself.")
        count = (
            await conn.execute(
                select(func.count()).where(organization_roles.c.organization_id == organization_id)
            )
        ).scalar_one()
        if count >= MAX_CUSTOM_ROLES:
            raise conflict(f"An organization has at most {MAX_CUSTOM_ROLES} custom roles.")
        role_id = uuid.uuid4()
        try:
            await conn.execute(
                insert(organization_roles).values(
                    id=role_id,
                    organization_id=organization_id,
                    key=key,
                    name=name,
                    description=description,
                    permissions=granted,
                    created_at=now,
                    updated_at=now,
                )
            )
        except IntegrityError:
            raise conflict(f"The role {key} exists already.") from None
        await record_event(
            conn,
            Action.role_created,
            who,
            origin,
            target=_target("role", role_id),
            details={"key": key, "permissions": granted},
        )
        row = await _custom_role_row(conn, organization_id, key)
    return _custom_role(row)


async def update_role(
    rt: Runtime,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    key: str,
    changes: dict[str, Any],
    origin: Origin,
) -> OrganizationRole:
    """`changes`: the fields sent (`name`, `description` (None clears), `permissions`)."""
    if not changes:
        raise validation_error([FieldError(pointer="#", detail="Send at least one field.")])
    if "permissions" in changes:
        changes = changes | {
            "permissions": _permission_list(changes["permissions"], "#/permissions")
        }
    async with rt.db.transaction() as conn:
        who = await access(conn, organization_id, user_id, perms.ROLES_MANAGE)
        if key in perms.BUILT_IN_GRANTS:
            raise conflict("Built-in roles cannot be changed.")
        row = await _custom_role_row(conn, organization_id, key)
        if row is None:
            raise _no_such_role()
        before = perms.Grant(frozenset(row.permissions))
        after = perms.Grant(frozenset(changes.get("permissions", row.permissions)))
        if not (who.member.grant.covers(before) and who.member.grant.covers(after)):
            raise authorization_error("A role can only grant permissions you hold yourself.")
        await conn.execute(
            update(organization_roles)
            .where(organization_roles.c.id == row.id)
            .values(**changes, updated_at=utcnow())
        )
        details: dict[str, Any] = {"key": key, "fields": sorted(changes)}
        if "permissions" in changes:
            details["permissions"] = changes["permissions"]
        await record_event(
            conn, Action.role_updated, who, origin, target=_target("role", row.id), details=details
        )
        row = await _custom_role_row(conn, organization_id, key)
    return _custom_role(row)


async def delete_role(
    rt: Runtime, organization_id: uuid.UUID, user_id: uuid.UUID, key: str, origin: Origin
) -> None:
    async with rt.db.transaction() as conn:
        who = await access(conn, organization_id, user_id, perms.ROLES_MANAGE, lock=True)
        if key in perms.BUILT_IN_GRANTS:
            raise conflict("Built-in roles cannot be deleted.")
        row = await _custom_role_row(conn, organization_id, key)
        if row is None:
            raise _no_such_role()
        if not who.member.grant.covers(perms.Grant(frozenset(row.permissions))):
            raise authorization_error("A role can only grant permissions you hold yourself.")
        if await _role_in_use(conn, organization_id, key):
            raise conflict(
                f"The role {key} is held by members or offered by pending invitations; "
                "change those first."
            )
        await conn.execute(delete(organization_roles).where(organization_roles.c.id == row.id))
        await record_event(
            conn,
            Action.role_deleted,
            who,
            origin,
            target=_target("role", row.id),
            details={"key": key},
        )


async def _role_in_use(conn: AsyncConnection, organization_id: uuid.UUID, key: str) -> bool:
    held = select(organization_members.c.id).where(
        organization_members.c.organization_id == organization_id,
        organization_members.c.role == key,
    )
    offered = select(organization_invitations.c.id).where(
        organization_invitations.c.organization_id == organization_id,
        organization_invitations.c.role == key,
        organization_invitations.c.accepted_at.is_(None),
        organization_invitations.c.revoked_at.is_(None),
    )
    return (
        await conn.execute(select(exists(held).label("held"), exists(offered).label("offered")))
    ).one() != (False, False)


async def check_permission(
    rt: Runtime, organization_id: uuid.UUID, user_id: uuid.UUID, permission: str
) -> PermissionCheck:
    async with rt.db.connection() as conn:
        who = await access(conn, organization_id, user_id)
    return PermissionCheck(permission=permission, granted=who.member.grant.allows(permission))


# --- members ------------------------------------------------------------------------------


async def _insert_member(
    conn: AsyncConnection,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    role: str,
    now: dt.datetime,
) -> uuid.UUID:
    member_id = uuid.uuid4()
    await conn.execute(
        insert(organization_members).values(
            id=member_id,
            organization_id=organization_id,
            user_id=user_id,
            role=role,
            created_at=now,
            updated_at=now,
        )
    )
    return member_id


async def add_member_row(
    conn: AsyncConnection, organization_id: uuid.UUID, user_id: uuid.UUID, role: str
) -> bool:
    """Make the user a member with `role` unless they are one already (then nothing changes);
    whether a membership was created. For invitations, whose rules were checked when sent."""
    if await _member_row(conn, organization_id, user_id) is not None:
        return False
    try:
        await _insert_member(conn, organization_id, user_id, role, utcnow())
    except IntegrityError:
        # Added by a concurrent request between the check and the insert; the transaction
        # is aborted (PostgreSQL), so answer rather than carry on.
        raise conflict("The user is already a member of this organization.") from None
    return True


def _member(row: Any, user: User | None) -> OrganizationMember:
    return OrganizationMember(
        id=row.id,
        user_id=row.user_id,
        email=user.email if user else "",
        name=user.name if user else None,
        role=row.role,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _member_row(conn: AsyncConnection, organization_id: uuid.UUID, user_id: uuid.UUID):
    return (
        await conn.execute(
            select(organization_members).where(
                organization_members.c.organization_id == organization_id,
                organization_members.c.user_id == user_id,
            )
        )
    ).first()


def _no_such_member() -> ApiError:
    return not_found("No such member.")


async def _member_answer(
    conn: AsyncConnection, organization_id: uuid.UUID, user_id: uuid.UUID
) -> OrganizationMember:
    row = await _member_row(conn, organization_id, user_id)
    if row is None:
        raise _no_such_member()
    return _member(row, await accounts.get_user(conn, user_id))


async def list_members(
    rt: Runtime,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    limit: int,
    after: uuid.UUID | None,
) -> OrganizationMemberList:
    here = organization_members.c.organization_id == organization_id
    async with rt.db.connection() as conn:
        await access(conn, organization_id, user_id, perms.MEMBERS_READ)
        found = await pagination.newest_first(
            conn,
            select(organization_members).where(here),
            table=organization_members,
            owner=here,
            limit=limit,
            after=after,
        )
        if found is None:
            raise not_found("The cursor names no member of this organization.")
        rows, more = found
        users = await accounts.get_users(conn, [row.user_id for row in rows])
    return OrganizationMemberList(
        data=[_member(row, users.get(row.user_id)) for row in rows],
        next_cursor=rows[-1].id if more else None,
    )


async def get_member(
    rt: Runtime, organization_id: uuid.UUID, user_id: uuid.UUID, member_id: uuid.UUID
) -> OrganizationMember:
    async with rt.db.connection() as conn:
        await access(conn, organization_id, user_id, perms.MEMBERS_READ)
        return await _member_answer(conn, organization_id, member_id)


async def add_member(
    rt: Runtime,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    new_user_id: uuid.UUID,
    role: str,
    origin: Origin,
) -> OrganizationMember:
    async with rt.db.transaction() as conn:
        who = await access(conn, organization_id, user_id, perms.MEMBERS_MANAGE)
        await require_offerable(conn, who, role, "#/role")
        if await accounts.get_user(conn, new_user_id) is None:
            raise not_found("No user with this id; invite them by email instead.")
        if not await add_member_row(conn, organization_id, new_user_id, role):
            raise conflict("The user is already a member of this organization.")
        await record_event(
            conn,
            Action.member_added,
            who,
            origin,
            target=_target("user", new_user_id),
            details={"role": role},
        )
        return await _member_answer(conn, organization_id, new_user_id)


def _last_owner() -> ApiError:
    return conflict("An organization needs at least one owner; transfer ownership first.")


async def _owner_count(conn: AsyncConnection, organization_id: uuid.UUID) -> int:
    return (
        await conn.execute(
            select(func.count()).where(
                organization_members.c.organization_id == organization_id,
                organization_members.c.role == perms.OWNER,
            )
        )
    ).scalar_one()


async def solely_owned(conn: AsyncConnection, user_id: uuid.UUID) -> list[uuid.UUID]:
    """The organizations whose only owner is this user: deleting the user would orphan them."""
    owners = organization_members.alias("owners")
    owned = select(organization_members.c.organization_id).where(
        organization_members.c.user_id == user_id,
        organization_members.c.role == perms.OWNER,
    )
    other_owner = (
        select(owners.c.id)
        .where(
            owners.c.organization_id == organization_members.c.organization_id,
            owners.c.role == perms.OWNER,
            owners.c.user_id != user_id,
        )
        .exists()
    )
    rows = await conn.execute(owned.where(~other_owner))
    return [row.organization_id for row in rows]


async def _target_member(conn: AsyncConnection, who: Access, member_id: uuid.UUID) -> Any:
    """The member to change, whose current role the caller must hold every permission of."""
    row = await _member_row(conn, who.organization_id, member_id)
    if row is None:
        raise _no_such_member()
    grant = await _role_grant(conn, who.organization_id, row.role)
    if grant is not None and not who.member.grant.covers(grant):
        raise authorization_error(f"Only a holder of every permission of {row.role} can do this.")
    return row


async def change_member_role(
    rt: Runtime,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    member_id: uuid.UUID,
    role: str,
    origin: Origin,
) -> OrganizationMember:
    async with rt.db.transaction() as conn:
        # Locked: two owners demoting each other at once must not leave none.
        who = await access(conn, organization_id, user_id, perms.MEMBERS_MANAGE, lock=True)
        row = await _target_member(conn, who, member_id)
        await require_offerable(conn, who, role, "#/role")
        if row.role != role:
            await conn.execute(
                update(organization_members)
                .where(organization_members.c.id == row.id)
                .values(role=role, updated_at=utcnow())
            )
            if row.role == perms.OWNER and await _owner_count(conn, organization_id) == 0:
                raise _last_owner()
            await record_event(
                conn,
                Action.member_role_changed,
                who,
                origin,
                target=_target("user", member_id),
                details={"from": row.role, "to": role},
            )
        return await _member_answer(conn, organization_id, member_id)


async def remove_member(
    rt: Runtime,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    member_id: uuid.UUID,
    origin: Origin,
) -> None:
    async with rt.db.transaction() as conn:
        who = await access(conn, organization_id, user_id, perms.MEMBERS_MANAGE, lock=True)
        row = await _target_member(conn, who, member_id)
        await _delete_member(conn, row)
        await record_event(
            conn,
            Action.member_removed,
            who,
            origin,
            target=_target("user", member_id),
            details={"role": row.role},
        )


async def _delete_member(conn: AsyncConnection, row: Any) -> None:
    await conn.execute(delete(organization_members).where(organization_members.c.id == row.id))
    if row.role == perms.OWNER and await _owner_count(conn, row.organization_id) == 0:
        raise _last_owner()


async def leave(
    rt: Runtime, organization_id: uuid.UUID, user_id: uuid.UUID, origin: Origin
) -> None:
    async with rt.db.transaction() as conn:
        who = await access(conn, organization_id, user_id, lock=True)
        row = await _member_row(conn, organization_id, user_id)
        await _delete_member(conn, row)
        await record_event(
            conn,
            Action.member_left,
            who,
            origin,
            target=_target("user", user_id),
            details={"role": row.role},
        )


async def transfer_ownership(
    rt: Runtime,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    new_owner_id: uuid.UUID,
    origin: Origin,
) -> OrganizationMember:
    """The member becomes an owner and the caller an admin, in one transaction."""
    async with rt.db.transaction() as conn:
        who = await access(conn, organization_id, user_id, lock=True)
        if who.member.role != perms.OWNER:
            raise authorization_error("Only an owner can transfer ownership.")
        if new_owner_id == user_id:
            raise conflict("You own this organization already.")
        row = await _member_row(conn, organization_id, new_owner_id)
        if row is None:
            # The organization exists; the transfer clashes with its membership (409), and a
            # 404 here would read as "no such organization".
            raise conflict("The new owner must be a member of the organization already.")
        now = utcnow()
        await conn.execute(
            update(organization_members)
            .where(organization_members.c.id == row.id)
            .values(role=perms.OWNER, updated_at=now)
        )
        await conn.execute(
            update(organization_members)
            .where(
                organization_members.c.organization_id == organization_id,
                organization_members.c.user_id == user_id,
            )
            .values(role=perms.ADMIN, updated_at=now)
        )
        await record_event(
            conn,
            Action.ownership_transferred,
            who,
            origin,
            target=_target("user", new_owner_id),
            details={"previous_role": row.role},
        )
        return await _member_answer(conn, organization_id, new_owner_id)


# --- the active organization in tokens ----------------------------------------------------


async def token_claims(
    conn: AsyncConnection, organization_id: uuid.UUID, user_id: uuid.UUID
) -> dict[str, Any] | None:
    """`org_id`, `org_role` and `org_permissions` for an access token of a session acting in
    the organization; None when the user is no longer a member (the claims are dropped)."""
    found = await membership(conn, organization_id, user_id)
    if found is None:
        return None
    known = await _custom_permissions(conn, organization_id) if found.grant.everything else ()
    return {
        "org_id": str(organization_id),
        "org_role": found.role,
        "org_permissions": found.grant.listed(known),
    }


async def is_member(conn: AsyncConnection, organization_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    return await membership(conn, organization_id, user_id) is not None
