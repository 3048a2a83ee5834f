"""Every operation of the contract is reachable on `janua.Janua` and `janua.AsyncJanua` (no server).

For each operationId of server/src/janua_server/contract/openapi.json, the facade method the
generated table names is called on both clients, with arguments made up from its type hints,
over an httpx MockTransport that records the request and stops it. The test holds that the
method exists, sends the spec's HTTP method to the spec's path, goes through the generated
operation module of that operationId, and sends the session token exactly when the operation's
security asks for `bearerAuth`. A second test holds the names to the TypeScript SDK's table.
"""

from __future__ import annotations

import asyncio
import datetime
import enum
import inspect
import json
import re
import types
import typing
import uuid
from pathlib import Path
from typing import Any

import attrs
import httpx
import janua
import pytest
from janua._generated import models
from janua._generated.types import Unset
from janua._generated_facade import OPERATIONS

ROOT = Path(__file__).resolve().parents[3]
SPEC = json.loads((ROOT / "server/src/janua_server/contract/openapi.json").read_text())
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
SPEC_OPERATIONS = {
    operation["operationId"]: (method.upper(), path, operation)
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
    if method in HTTP_METHODS
}
TOKEN = "access-token-of-the-test"


class Stop(Exception):
    """Raised by the transport once the request is recorded: nothing is sent anywhere."""


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.ops: list[str] = []

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            raise Stop

        return httpx.MockTransport(handle)


# -- made-up arguments ----------------------------------------------------------------------------


def sample(hint: Any) -> Any:
    """A plausible value of a type hint (the first non-None member of a union)."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        members = [m for m in typing.get_args(hint) if m not in (type(None), Unset)]
        return sample(members[0])
    if origin in (list, typing.List):  # noqa: UP006
        return []
    if origin is not None and issubclass(origin, typing.Mapping | dict):
        return {}
    if hint is uuid.UUID:
        return uuid.uuid4()
    if hint is str:
        return "x"
    if hint is bool:
        return True
    if hint is int:
        return 1
    if hint is float:
        return 1.0
    if hint is datetime.datetime:
        return datetime.datetime.now(datetime.UTC)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return next(iter(hint))
    if isinstance(hint, type) and attrs.has(hint):
        hints = typing.get_type_hints(hint, localns=vars(models))
        return hint(
            **{
                f.alias: sample(hints[f.name])
                for f in attrs.fields(hint)
                if f.default is attrs.NOTHING and f.init
            }
        )
    if hint is tuple or typing.get_origin(hint) is tuple:
        return ("client", "secret")
    raise AssertionError(f"no sample for {hint!r}")


def arguments(method: Any) -> dict[str, Any]:
    hints = typing.get_type_hints(method)
    return {
        name: sample(hints[name])
        for name, parameter in inspect.signature(method).parameters.items()
        if parameter.default is inspect.Parameter.empty
    }


# -- one call -------------------------------------------------------------------------------------


def call(kind: str, operation_id: str) -> tuple[Recorder, Any]:
    recorder = Recorder()
    entry = OPERATIONS[operation_id]
    cls = janua.Janua if kind == "sync" else janua.AsyncJanua
    client = cls(
        "http://janua.test",
        access_token=TOKEN,
        refresh_token="refresh-token-of-the-test",
        max_retries=0,
        transport=recorder.transport(),
    )
    original = client._send
    if kind == "sync":

        def send(op: Any, *args: Any) -> Any:
            recorder.ops.append(op.__name__)
            return original(op, *args)

    else:

        async def send(op: Any, *args: Any) -> Any:  # type: ignore[misc]
            recorder.ops.append(op.__name__)
            return await original(op, *args)

    client._send = send
    namespace = getattr(client, entry.namespace, None)
    assert namespace is not None, f"{kind}: no namespace client.{entry.namespace}"
    methods = [entry.method] + ([entry.page_method] if entry.page_method else [])
    for name in methods:
        method = getattr(namespace, name, None)
        assert callable(method), f"{kind}: no method client.{entry.namespace}.{name}"
        kwargs = arguments(method)
        with pytest.raises(Stop):
            result = method(**kwargs)
            if kind == "sync":
                if isinstance(result, typing.Iterator):
                    next(result)
            else:
                if inspect.isawaitable(result):
                    asyncio.run(_await(result))
                elif hasattr(result, "__anext__"):
                    asyncio.run(_await(anext(result)))
                else:
                    raise AssertionError(f"{name} returned {result!r}, not awaitable")
    return recorder, client


async def _await(awaitable: Any) -> Any:
    return await awaitable


def path_pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")


# -- the tests ------------------------------------------------------------------------------------


def test_every_operation_has_a_facade_method() -> None:
    missing = sorted(set(SPEC_OPERATIONS) - set(OPERATIONS))
    stale = sorted(set(OPERATIONS) - set(SPEC_OPERATIONS))
    assert missing == [], f"not reachable from janua.Janua / AsyncJanua: {missing}"
    assert stale == [], f"facade methods for operations the spec no longer has: {stale}"


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("operation_id", sorted(SPEC_OPERATIONS))
def test_the_method_sends_the_operation(kind: str, operation_id: str) -> None:
    if operation_id not in OPERATIONS:
        pytest.fail(f"{operation_id} is not reachable on the facade (run `nox -s codegen`)")
    http_method, path, operation = SPEC_OPERATIONS[operation_id]
    entry = OPERATIONS[operation_id]
    recorder, _ = call(kind, operation_id)

    calls = 2 if entry.page_method else 1
    assert len(recorder.requests) == calls, recorder.requests
    for request, op in zip(recorder.requests, recorder.ops, strict=True):
        assert request.method == http_method, (operation_id, request.method)
        assert path_pattern(path).match(request.url.path), (operation_id, request.url.path, path)
        assert op == entry.module, (operation_id, op)
        assert op.rsplit(".", 1)[0] == f"janua._generated.api.{operation['tags'][0]}"
        security = operation.get("security", SPEC.get("security", []))
        bearer = any("bearerAuth" in requirement for requirement in security)
        sent = request.headers.get("authorization")
        if bearer:
            assert sent == f"Bearer {TOKEN}", (operation_id, sent)
        else:
            assert sent != f"Bearer {TOKEN}", f"{operation_id} leaks the session token"


def test_the_names_before_the_generated_facade_still_work() -> None:
    """The public surface of the hand-written facade this one replaced."""
    before = {
        "auth": [
            "register", "login", "refresh", "logout", "me", "update_me", "verify_email",
            "resend_verification_email", "request_password_reset", "reset_password",
            "change_password", "audit_events",
        ],
        "sessions": ["list", "revoke", "revoke_others"],
        "health": ["check", "detailed"],
        "discovery": ["openid_configuration", "jwks"],
    }  # fmt: skip
    for cls in (janua.Janua, janua.AsyncJanua):
        client = cls("http://janua.test")
        for namespace, names in before.items():
            for name in names:
                assert callable(getattr(getattr(client, namespace), name)), (cls, namespace, name)
        revoke = inspect.signature(client.sessions.revoke).parameters["session_id"]
        assert revoke.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD


def test_methods_are_typed() -> None:
    """IDE completion needs real annotations: every parameter and every result is typed."""
    for cls in (janua.Janua, janua.AsyncJanua):
        client = cls("http://janua.test")
        for operation_id, entry in OPERATIONS.items():
            method = getattr(getattr(client, entry.namespace), entry.method)
            hints = typing.get_type_hints(method)
            for name in inspect.signature(method).parameters:
                assert name in hints, (operation_id, name)
            assert "return" in hints, operation_id
        login = typing.get_type_hints(client.auth.login)
        assert login["email"] is str
        returned = login["return"]
        expected = models.AuthResponse
        if cls is janua.AsyncJanua:
            assert inspect.iscoroutinefunction(client.auth.login)
        assert returned is expected
