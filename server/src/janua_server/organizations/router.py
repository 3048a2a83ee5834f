"""HTTP for organizations, members, roles, invitations and the session's active organization.
Every permission is checked by the service, from the database."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from janua_server.contract.models import (
    AddOrganizationMemberRequest,
    AuthResponse,
    CreateInvitationRequest,
    CreateOrganizationRequest,
    CreateOrganizationRoleRequest,
    InvitationSignupRequest,
    InvitationStatus,
    LinkTokenRequest,
    SwitchOrganizationRequest,
    TransferOwnershipRequest,
    UpdateOrganizationMemberRequest,
    UpdateOrganizationRequest,
    UpdateOrganizationRoleRequest,
)
from janua_server.core.errors import documented
from janua_server.core.http import json_response, read_json
from janua_server.core.ratelimit import limit_request
from janua_server.core.runtime import get_runtime, request_origin
from janua_server.organizations import invitations, service
from janua_server.organizations import permissions as perms
from janua_server.sessions import service as sessions
from janua_server.sessions import transport
from janua_server.sessions.dependencies import CurrentPrincipal, client_info

router = APIRouter(prefix="/api/v1/organizations", tags=["organizations"])
by_slug_router = APIRouter(prefix="/api/v1/organizations-by-slug", tags=["organizations"])
invitations_router = APIRouter(prefix="/api/v1/invitations", tags=["organizations"])
switch_router = APIRouter(prefix="/api/v1/auth", tags=["organizations"])

ROUTERS = [router, by_slug_router, invitations_router, switch_router]

Limit = Annotated[int, Query(ge=1, le=100)]
Slug = Annotated[
    str, Path(min_length=1, max_length=63, pattern=r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
]
RoleKey = Annotated[str, Path(min_length=1, max_length=50, pattern=r"^[a-z][a-z0-9_-]*$")]
PermissionParam = Annotated[
    str,
    Query(min_length=3, max_length=64, pattern=perms.PERMISSION_PATTERN.pattern),
]

READ = documented(401, 404, 422, 503)
GUARDED_READ = documented(401, 403, 404, 422, 503)
GUARDED_WRITE = documented(400, 401, 403, 404, 409, 413, 415, 422, 503)


# --- organizations ------------------------------------------------------------------------


@router.get("", status_code=200, responses=documented(401, 404, 422, 503))
async def list_organizations(
    request: Request,
    principal: CurrentPrincipal,
    limit: Limit = 20,
    cursor: uuid.UUID | None = None,
) -> Response:
    page = await service.my_organizations(
        get_runtime(request), principal.user_id, limit=limit, after=cursor
    )
    return json_response(page)


@router.post("", status_code=201, responses=documented(400, 401, 409, 413, 415, 422, 503))
async def create_organization(request: Request, principal: CurrentPrincipal) -> Response:
    body, _ = await read_json(request, CreateOrganizationRequest)
    organization = await service.create_organization(
        get_runtime(request),
        principal.user_id,
        name=body.name,
        slug=body.slug,
        origin=request_origin(request),
    )
    return json_response(organization, 201)


async def _get(request: Request, principal: CurrentPrincipal, ref: service.OrganizationRef):
    return json_response(
        await service.get_organization(get_runtime(request), ref, principal.user_id)
    )


async def _update(request: Request, principal: CurrentPrincipal, ref: service.OrganizationRef):
    _, raw = await read_json(request, UpdateOrganizationRequest)
    organization = await service.update_organization(
        get_runtime(request), ref, principal.user_id, raw, request_origin(request)
    )
    return json_response(organization)


async def _delete(request: Request, principal: CurrentPrincipal, ref: service.OrganizationRef):
    await service.delete_organization(
        get_runtime(request), ref, principal.user_id, request_origin(request)
    )
    return Response(status_code=204)


@by_slug_router.get("/{slug}", status_code=200, responses=READ)
async def get_organization_by_slug(
    request: Request, principal: CurrentPrincipal, slug: Slug
) -> Response:
    return await _get(request, principal, slug)


@by_slug_router.patch("/{slug}", status_code=200, responses=GUARDED_WRITE)
async def update_organization_by_slug(
    request: Request, principal: CurrentPrincipal, slug: Slug
) -> Response:
    return await _update(request, principal, slug)


@by_slug_router.delete("/{slug}", status_code=204, responses=GUARDED_READ)
async def delete_organization_by_slug(
    request: Request, principal: CurrentPrincipal, slug: Slug
) -> Response:
    return await _delete(request, principal, slug)


@router.get("/{organization_id}", status_code=200, responses=READ)
async def get_organization(
    request: Request, principal: CurrentPrincipal, organization_id: uuid.UUID
) -> Response:
    return await _get(request, principal, organization_id)


@router.patch("/{organization_id}", status_code=200, responses=GUARDED_WRITE)
async def update_organization(
    request: Request, principal: CurrentPrincipal, organization_id: uuid.UUID
) -> Response:
    return await _update(request, principal, organization_id)


@router.delete("/{organization_id}", status_code=204, responses=GUARDED_READ)
async def delete_organization(
    request: Request, principal: CurrentPrincipal, organization_id: uuid.UUID
) -> Response:
    return await _delete(request, principal, organization_id)


# --- members ------------------------------------------------------------------------------


@router.get("/{organization_id}/members", status_code=200, responses=GUARDED_READ)
async def list_organization_members(
    request: Request,
    principal: CurrentPrincipal,
    organization_id: uuid.UUID,
    limit: Limit = 20,
    cursor: uuid.UUID | None = None,
) -> Response:
    page = await service.list_members(
        get_runtime(request), organization_id, principal.user_id, limit=limit, after=cursor
    )
    return json_response(page)


@router.post("/{organization_id}/members", status_code=201, responses=GUARDED_WRITE)
async def add_organization_member(
    request: Request, principal: CurrentPrincipal, organization_id: uuid.UUID
) -> Response:
    body, _ = await read_json(request, AddOrganizationMemberRequest)
    member = await service.add_member(
        get_runtime(request),
        organization_id,
        principal.user_id,
        new_user_id=body.user_id,
        role=body.role or perms.MEMBER,
        origin=request_origin(request),
    )
    return json_response(member, 201)


@router.get("/{organization_id}/members/{user_id}", status_code=200, responses=GUARDED_READ)
async def get_organization_member(
    request: Request, principal: CurrentPrincipal, organization_id: uuid.UUID, user_id: uuid.UUID
) -> Response:
    member = await service.get_member(
        get_runtime(request), organization_id, principal.user_id, user_id
    )
    return json_response(member)


@router.patch("/{organization_id}/members/{user_id}", status_code=200, responses=GUARDED_WRITE)
async def update_organization_member(
    request: Request, principal: CurrentPrincipal, organization_id: uuid.UUID, user_id: uuid.UUID
) -> Response:
    body, _ = await read_json(request, UpdateOrganizationMemberRequest)
    member = await service.change_member_role(
        get_runtime(request),
        organization_id,
        principal.user_id,
        user_id,
        body.role,
        request_origin(request),
    )
    return json_response(member)


@router.delete(
    "/{organization_id}/members/{user_id}",
    status_code=204,
    responses=documented(401, 403, 404, 409, 422, 503),
)
async def remove_organization_member(
    request: Request, principal: CurrentPrincipal, organization_id: uuid.UUID, user_id: uuid.UUID
) -> Response:
    await service.remove_member(
        get_runtime(request), organization_id, principal.user_id, user_id, request_origin(request)
    )
    return Response(status_code=204)


@router.post(
    "/{organization_id}/leave", status_code=204, responses=documented(401, 404, 409, 422, 503)
)
async def leave_organization(
    request: Request, principal: CurrentPrincipal, organization_id: uuid.UUID
) -> Response:
    await service.leave(
        get_runtime(request), organization_id, principal.user_id, request_origin(request)
    )
    return Response(status_code=204)


@router.post("/{organization_id}/transfer-ownership", status_code=200, responses=GUARDED_WRITE)
async def transfer_organization_ownership(
    request: Request, principal: CurrentPrincipal, organization_id: uuid.UUID
) -> Response:
    body, _ = await read_json(request, TransferOwnershipRequest)
    member = await service.transfer_ownership(
        get_runtime(request),
        organization_id,
        principal.user_id,
        body.user_id,
        request_origin(request),
    )
    return json_response(member)


# --- roles and permissions ----------------------------------------------------------------


@router.get("/{organization_id}/roles", status_code=200, responses=GUARDED_READ)
async def list_organization_roles(
    request: Request, principal: CurrentPrincipal, organization_id: uuid.UUID
) -> Response:
    roles = await service.list_roles(get_runtime(request), organization_id, principal.user_id)
    return json_response(roles)


@router.post("/{organization_id}/roles", status_code=201, responses=GUARDED_WRITE)
async def create_organization_role(
    request: Request, principal: CurrentPrincipal, organization_id: uuid.UUID
) -> Response:
    body, _ = await read_json(request, CreateOrganizationRoleRequest)
    role = await service.create_role(
        get_runtime(request),
        organization_id,
        principal.user_id,
        key=body.key,
        name=body.name,
        description=body.description,
        permissions=body.permissions,
        origin=request_origin(request),
    )
    return json_response(role, 201)


@router.get("/{organization_id}/roles/{role_key}", status_code=200, responses=GUARDED_READ)
async def get_organization_role(
    request: Request, principal: CurrentPrincipal, organization_id: uuid.UUID, role_key: RoleKey
) -> Response:
    role = await service.get_role(
        get_runtime(request), organization_id, principal.user_id, role_key
    )
    return json_response(role)


@router.patch("/{organization_id}/roles/{role_key}", status_code=200, responses=GUARDED_WRITE)
async def update_organization_role(
    request: Request, principal: CurrentPrincipal, organization_id: uuid.UUID, role_key: RoleKey
) -> Response:
    _, raw = await read_json(request, UpdateOrganizationRoleRequest)
    role = await service.update_role(
        get_runtime(request),
        organization_id,
        principal.user_id,
        role_key,
        raw,
        request_origin(request),
    )
    return json_response(role)


@router.delete(
    "/{organization_id}/roles/{role_key}",
    status_code=204,
    responses=documented(401, 403, 404, 409, 422, 503),
)
async def delete_organization_role(
    request: Request, principal: CurrentPrincipal, organization_id: uuid.UUID, role_key: RoleKey
) -> Response:
    await service.delete_role(
        get_runtime(request), organization_id, principal.user_id, role_key, request_origin(request)
    )
    return Response(status_code=204)


@router.get("/{organization_id}/permissions/check", status_code=200, responses=READ)
async def check_organization_permission(
    request: Request,
    principal: CurrentPrincipal,
    organization_id: uuid.UUID,
    permission: PermissionParam,
) -> Response:
    answer = await service.check_permission(
        get_runtime(request), organization_id, principal.user_id, permission
    )
    return json_response(answer)


# --- invitations (managed in the organization) --------------------------------------------


@router.get("/{organization_id}/invitations", status_code=200, responses=GUARDED_READ)
async def list_organization_invitations(
    request: Request,
    principal: CurrentPrincipal,
    organization_id: uuid.UUID,
    limit: Limit = 20,
    cursor: uuid.UUID | None = None,
    status: InvitationStatus | None = None,
) -> Response:
    page = await invitations.list_invitations(
        get_runtime(request),
        organization_id,
        principal.user_id,
        limit=limit,
        after=cursor,
        status=status,
    )
    return json_response(page)


@router.post(
    "/{organization_id}/invitations",
    status_code=201,
    responses=documented(400, 401, 403, 404, 409, 413, 415, 422, 429, 503),
)
async def create_organization_invitation(
    request: Request, principal: CurrentPrincipal, organization_id: uuid.UUID
) -> Response:
    body, raw = await read_json(request, CreateInvitationRequest)
    await limit_request(request, "invitation_send", account=str(organization_id))
    invitation = await invitations.create(
        get_runtime(request),
        organization_id,
        principal.user_id,
        # The model normalises the address; the invitation keeps it as the inviter typed it.
        email=raw["email"],
        role=body.role or perms.MEMBER,
        origin=request_origin(request),
    )
    return json_response(invitation, 201)


@router.get(
    "/{organization_id}/invitations/{invitation_id}", status_code=200, responses=GUARDED_READ
)
async def get_organization_invitation(
    request: Request,
    principal: CurrentPrincipal,
    organization_id: uuid.UUID,
    invitation_id: uuid.UUID,
) -> Response:
    invitation = await invitations.get(
        get_runtime(request), organization_id, principal.user_id, invitation_id
    )
    return json_response(invitation)


@router.delete(
    "/{organization_id}/invitations/{invitation_id}",
    status_code=204,
    responses=documented(401, 403, 404, 409, 422, 503),
)
async def revoke_organization_invitation(
    request: Request,
    principal: CurrentPrincipal,
    organization_id: uuid.UUID,
    invitation_id: uuid.UUID,
) -> Response:
    await invitations.revoke(
        get_runtime(request),
        organization_id,
        principal.user_id,
        invitation_id,
        request_origin(request),
    )
    return Response(status_code=204)


@router.post(
    "/{organization_id}/invitations/{invitation_id}/resend",
    status_code=200,
    responses=documented(401, 403, 404, 409, 422, 429, 503),
)
async def resend_organization_invitation(
    request: Request,
    principal: CurrentPrincipal,
    organization_id: uuid.UUID,
    invitation_id: uuid.UUID,
) -> Response:
    await limit_request(request, "invitation_send", account=str(organization_id))
    invitation = await invitations.resend(
        get_runtime(request),
        organization_id,
        principal.user_id,
        invitation_id,
        request_origin(request),
    )
    return json_response(invitation)


# --- invitations (the invitee) ------------------------------------------------------------

LINK_ERRORS = (400, 401, 413, 415, 422, 429, 503)


@invitations_router.post("/preview", status_code=200, responses=documented(*LINK_ERRORS))
async def preview_invitation(request: Request) -> Response:
    await limit_request(request, "invitation_redeem")
    body, _ = await read_json(request, LinkTokenRequest)
    return json_response(await invitations.preview(get_runtime(request), body.token))


@invitations_router.post(
    "/accept", status_code=200, responses=documented(400, 401, 403, 413, 415, 422, 429, 503)
)
async def accept_invitation(request: Request, principal: CurrentPrincipal) -> Response:
    await limit_request(request, "invitation_redeem")
    body, _ = await read_json(request, LinkTokenRequest)
    organization = await invitations.accept(
        get_runtime(request), principal.user_id, body.token, request_origin(request)
    )
    return json_response(organization)


@invitations_router.post(
    "/register", status_code=201, responses=documented(400, 401, 409, 413, 415, 422, 429, 503)
)
async def register_with_invitation(request: Request) -> Response:
    await limit_request(request, "invitation_redeem")
    body, _ = await read_json(request, InvitationSignupRequest)
    rt = get_runtime(request)
    user, tokens = await invitations.register(
        rt,
        body.token,
        password=body.password,
        name=body.name,
        client=client_info(request, body.device_label),
    )
    response = Response()
    tokens = transport.deliver(response, tokens, body.token_transport or "body", rt.settings)
    return json_response(AuthResponse(user=user, tokens=tokens), 201, cookies_from=response)


# --- the session's active organization ----------------------------------------------------


@switch_router.post(
    "/organization", status_code=200, responses=documented(400, 401, 404, 413, 415, 422, 503)
)
async def switch_organization(request: Request, principal: CurrentPrincipal) -> Response:
    body, _ = await read_json(request, SwitchOrganizationRequest)
    rt = get_runtime(request)
    tokens = await sessions.switch_organization(
        rt, principal, body.organization_id, client_info(request)
    )
    # A browser session keeps its refresh token in the cookie: replace it there (the access
    # token authenticates this call, so no CSRF check is needed).
    mode = "cookie" if request.cookies.get(transport.REFRESH_COOKIE) else "body"
    response = Response()
    tokens = transport.deliver(
        response, tokens, mode, rt.settings, csrf=request.cookies.get(transport.CSRF_COOKIE)
    )
    return json_response(tokens, cookies_from=response)
