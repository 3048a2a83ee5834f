"""Dart/Flutter SDK facade: the namespace classes of `Janua`, one method per spec operation.

Reads the bundled spec and the naming table the Python facade reads (`sdks/python/operations.txt`,
`operationId  namespace.method  flags`, snake_case: Dart uses the same names in lowerCamelCase,
`auth.update_me` -> `auth.updateMe`), and writes `sdks/flutter/lib/src/facade/generated/
namespaces.g.dart`, a `part` of the hand-written facade library (`facade.dart`):

- `_JanuaNamespaces`, the mixin `Janua` applies: one `late final` property per namespace
  (`janua.auth`) and one generated `...Api` object per spec tag, all on `Janua.apiClient`;
- one class per namespace (`AuthNamespace`, ...) whose methods call the generated method named
  after the operationId through the client's machinery in client.dart (`_send` / `_run`: token,
  refresh, retries, typed errors) with that operationId as the first argument.

A method takes the generated method's arguments (path and required query parameters, the JSON
body as its model, required form fields positional; optional ones named) plus `options:`
(`CallOptions`), and returns the generated model (`Future<void>` for an answer without body).
What the spec says, the method follows:
- security without `bearerAuth`: `public: true` (no session token, no refresh after a 401);
  another `http` bearer scheme (an OAuth access token): an `accessToken:` argument sent as the
  bearer token, unless a form field already carries it;
- a cursor-paginated list (`cursor` in, `data` + `next_cursor` out): `<name>Page` returns one
  page, `<name>` a `Stream` of every item;
- a redirect (3xx): the redirect is not followed, the `Location` (or the 200 page) is returned;
- a success body that is text but not JSON (the NDJSON export): returned as UTF-8 text.
What the table's flags say (see its header):
- `tokens=store`: the answer's tokens are kept. A sign-in answer (`{user, tokens}`) replaces
  the stored sign-in; a bare token pair (switching organization) keeps the stored refresh token
  when it carries none;
- `tokens=clear`: the stored tokens are forgotten, also when the server answers 401;
- `refresh`: `refresh({refreshToken, organizationId})` joins the client's one shared refresh
  (the generated call lives in `Janua._refresh`, client.dart);
- `ok=503`: that status answers a result, not an error, and is not retried.
A name that is a reserved word in Dart is renamed (`RESERVED`): `organizations.switch` is
`organizations.switchTo`.

Nothing here knows an operation by name: a spec change is regenerated like any other target.
No Dart SDK is reachable where this runs, so the output is laid out the way `dart format`
would (2-space indent, 100 columns) by the renderer below and parse-checked by
sdks/flutter/tests (tree-sitter), which also holds each call against the generated method's
signature.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .._common import HEADER, Target, reflow
from .python_facade import TABLE, Naming, read_table

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
WIDTH = 100
FILE = "namespaces.g.dart"

# Dart's reserved words cannot name a method; each one a table name maps to needs a rename here.
RESERVED = {"switch": "switchTo"}
DART_RESERVED_WORDS = {
    "assert", "break", "case", "catch", "class", "const", "continue", "default", "do", "else",
    "enum", "extends", "false", "final", "finally", "for", "if", "in", "is", "new", "null",
    "rethrow", "return", "super", "switch", "this", "throw", "true", "try", "var", "void",
    "while", "with",
}  # fmt: skip
# Class names of namespaces whose capitalised name would misspell a word.
SPELLING = {"oauth": "OAuth"}


def camel(name: str) -> str:
    """openapi-generator's Dart variable names: `organization_id` -> organizationId,
    `X-CSRF-Token` -> xCSRFToken, `update_me` -> updateMe."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", name) if p]
    if not parts:
        raise SystemExit(f"codegen: dart-facade: cannot name {name!r}")
    first = parts[0][:1].lower() + parts[0][1:]
    return first + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def api_class(tag: str) -> str:
    """openapi-generator's class for a tag: `auth` -> AuthApi, `oauth` -> OauthApi."""
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^0-9A-Za-z]+", tag) if p) + "Api"


def api_field(tag: str) -> str:
    name = api_class(tag)
    return "_" + name[:1].lower() + name[1:]


def namespace_class(namespace: str) -> str:
    words = re.split(r"_", namespace)
    return "".join(SPELLING.get(w, w[:1].upper() + w[1:]) for w in words) + "Namespace"


# -- the spec, as openapi-generator's `dart` generator sees it -------------------------------------


class Spec:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def dart_type(self, schema: dict[str, Any]) -> str:
        """The Dart type openapi-generator gives a schema (without `?`)."""
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            target = self.resolve(schema)
            if "enum" in target or "properties" in target or "allOf" in target:
                return name
            return self.dart_type(target)  # a named primitive (`RoleKey`) is its primitive
        kind = schema.get("type")
        if kind == "string":
            if schema.get("format") in ("date-time", "date"):
                return "DateTime"
            if schema.get("format") == "binary":
                return "MultipartFile"
            return "String"
        if kind == "integer":
            return "int"
        if kind == "number":
            return "double" if schema.get("format") in ("float", "double") else "num"
        if kind == "boolean":
            return "bool"
        if kind == "array":
            return f"List<{self.dart_type(schema.get('items', {}))}>"
        if kind == "object" and "properties" not in schema:
            return "Map<String, Object>"
        raise SystemExit(f"codegen: dart-facade: no Dart type for schema {schema}")


@dataclass(frozen=True)
class Param:
    name: str  # the generated method's (and the facade's) parameter name
    type: str  # Dart type, without `?`
    required: bool


@dataclass
class Operation:
    operation_id: str
    tag: str
    http: str  # "POST /api/v1/auth/login"
    summary: str
    description: str
    naming: Naming
    method: str  # Dart method name
    public: bool
    params: list[Param] = field(default_factory=list)  # generated order, required first
    bearer: bool = False  # takes `accessToken:`, sent as the bearer token
    result: str | None = None  # Dart type of the success body; None: no body
    text: bool = False  # the success body is text, not JSON
    redirect: bool = False
    page_item: str | None = None  # item type of a cursor-paginated list
    result_props: dict[str, Any] = field(default_factory=dict)
    body_props: dict[str, Any] = field(default_factory=dict)

    @property
    def positional(self) -> list[Param]:
        return [p for p in self.params if p.required]

    @property
    def named(self) -> list[Param]:
        return [p for p in self.params if not p.required]


def _success(spec: Spec, op: dict[str, Any], ok: tuple[int, ...]) -> list[tuple[int, str, Any]]:
    """(status, media type or "", schema or None) of every answer that is a result."""
    found = []
    for status, response in op.get("responses", {}).items():
        if not status.isdigit():
            continue
        code = int(status)
        if not (200 <= code < 400 or code in ok):
            continue
        content = spec.resolve(response).get("content") or {"": {}}
        for media_type, media in content.items():
            found.append((code, media_type, media.get("schema")))
    return found


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def build(document: dict[str, Any], table: dict[str, Naming]) -> list[Operation]:
    spec = Spec(document)
    schemes = document.get("components", {}).get("securitySchemes", {})
    operations: list[Operation] = []
    for path, item in document["paths"].items():
        shared = [spec.resolve(p) for p in item.get("parameters", [])]
        for verb, op in item.items():
            if verb not in HTTP_METHODS:
                continue
            operation_id = op["operationId"]
            tag = (op.get("tags") or ["default"])[0]
            naming = table.get(operation_id) or Naming(tag, operation_id)
            method = camel(naming.method)
            if method in DART_RESERVED_WORDS:
                if method not in RESERVED:
                    raise SystemExit(
                        f"codegen: dart-facade: {naming.namespace}.{method} ({operation_id}) is a "
                        "reserved word in Dart: give it a name in RESERVED"
                    )
                method = RESERVED[method]
            security = op.get("security", document.get("security", []))
            o = Operation(
                operation_id=operation_id,
                tag=tag,
                http=f"{verb.upper()} {path}",
                summary=(op.get("summary") or "").strip(),
                description=(op.get("description") or "").strip(),
                naming=naming,
                method=method,
                public=not any("bearerAuth" in requirement for requirement in security),
            )
            _parameters(spec, o, shared, op)
            _bearer(o, security, schemes)
            _result(spec, o, op)
            operations.append(o)

    names = [(o.naming.namespace, o.method) for o in operations]
    pages = [(o.naming.namespace, f"{o.method}Page") for o in operations if o.page_item]
    clashes = sorted({n for n in names + pages if (names + pages).count(n) > 1})
    if clashes:
        raise SystemExit(f"codegen: dart-facade: two methods named {clashes}")
    unknown = set(table) - {o.operation_id for o in operations}
    if unknown:
        raise SystemExit(f"codegen: {TABLE.name} names operations the spec lacks: {unknown}")
    return operations


def _parameters(spec: Spec, o: Operation, shared: list[dict], op: dict[str, Any]) -> None:
    """The generated method's parameters: path-level ones, the operation's, the form fields or
    the JSON body; then (stable) required before optional, as openapi-generator sorts them."""
    own = [spec.resolve(p) for p in op.get("parameters", [])]
    overridden = {(p["name"], p["in"]) for p in own}
    merged = [p for p in shared if (p["name"], p["in"]) not in overridden] + own
    params: list[Param] = []
    for p in merged:
        if p["in"] == "cookie":
            continue
        required = bool(p.get("required")) or p["in"] == "path"
        params.append(Param(camel(p["name"]), spec.dart_type(p.get("schema", {})), required))
    body = op.get("requestBody")
    if body is not None:
        body = spec.resolve(body)
        ((media_type, media),) = body["content"].items()
        schema = media.get("schema", {})
        if media_type.startswith(("application/x-www-form-urlencoded", "multipart/")):
            resolved = spec.resolve(schema)
            required_fields = set(resolved.get("required", []))
            for name, prop in resolved.get("properties", {}).items():
                params.append(Param(camel(name), spec.dart_type(prop), name in required_fields))
        else:
            if "$ref" not in schema:
                raise SystemExit(f"codegen: dart-facade: {o.operation_id}: inline JSON body")
            model = schema["$ref"].rsplit("/", 1)[-1]
            params.append(
                Param(
                    model[:1].lower() + model[1:],
                    spec.dart_type(schema),
                    bool(body.get("required")),
                )
            )
            o.body_props = spec.resolve(schema).get("properties", {})
    o.params = [p for p in params if p.required] + [p for p in params if not p.required]
    taken = [p.name for p in o.params]
    if len(taken) != len(set(taken)) or "options" in taken:
        raise SystemExit(f"codegen: dart-facade: {o.operation_id}: clashing parameters {taken}")


def _bearer(o: Operation, security: list[dict], schemes: dict[str, Any]) -> None:
    """An `http` bearer scheme other than the session's: the caller passes that token."""
    for requirement in security:
        for name in requirement:
            scheme = schemes.get(name, {})
            if name == "bearerAuth" or scheme.get("type") != "http":
                continue
            if scheme.get("scheme") == "bearer" and all(p.name != "accessToken" for p in o.params):
                o.bearer = True


def _result(spec: Spec, o: Operation, op: dict[str, Any]) -> None:
    answers = _success(spec, op, o.naming.ok)
    o.redirect = any(300 <= status < 400 for status, _, _ in answers)
    bodies = [(t, s) for status, t, s in answers if t and (status < 300 or status in o.naming.ok)]
    json_types = {spec.dart_type(s) for t, s in bodies if _is_json(t) and s is not None}
    if len(json_types) > 1:
        raise SystemExit(f"codegen: dart-facade: {o.operation_id} answers {sorted(json_types)}")
    if json_types:
        (o.result,) = json_types
        schema = next(s for t, s in bodies if _is_json(t) and s is not None)
        o.result_props = spec.resolve(schema).get("properties", {})
    elif bodies:
        o.result, o.text = "String", True
    if o.redirect and o.result not in (None, "String"):
        raise SystemExit(f"codegen: dart-facade: {o.operation_id}: a redirect with a JSON body")

    # Cursor pagination: `cursor` in, `data` (a list) + `next_cursor` out.
    if any(p.name == "cursor" for p in o.named) and o.result and not o.text:
        data, next_cursor = o.result_props.get("data"), o.result_props.get("next_cursor")
        if data and next_cursor and spec.resolve(data).get("type") == "array":
            o.page_item = spec.dart_type(spec.resolve(data)["items"])


# -- rendering -------------------------------------------------------------------------------------


def call(head: str, args: list[str], indent: str, tail: str = "") -> list[str]:
    """`head(args)tail` on one line when it fits, else one argument a line, dart-format style."""
    one = f"{indent}{head}({', '.join(args)}){tail}"
    if len(one) <= WIDTH or not args:
        return [one]
    return [f"{indent}{head}(", *(f"{indent}  {a}," for a in args), f"{indent}){tail}"]


def signature(
    returns: str, name: str, positional: list[str], named: list[str], tail: str
) -> list[str]:
    """A method declaration's first line(s): `Future<X> name(a, {b, c}) async {`."""
    indent = "  "
    parts = ", ".join(positional)
    if named:
        parts = (parts + ", " if parts else "") + "{" + ", ".join(named) + "}"
    one = f"{indent}{returns} {name}({parts}){tail}"
    if len(one) <= WIDTH:
        return [one]
    lines = [f"{indent}{returns} {name}(" + ("{" if not positional else "")]
    for i, p in enumerate(positional):
        opener = " {" if named and i == len(positional) - 1 else ""
        lines.append(f"{indent}  {p},{opener}")
    lines += [f"{indent}  {n}," for n in named]
    lines.append(f"{indent}{'}' if named else ''}){tail}")
    return lines


def doc(text: str, indent: str) -> list[str]:
    width = WIDTH - len(indent) - 4
    return [f"{indent}///{' ' + line if line else ''}" for line in reflow(text, width)]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def method_doc(o: Operation, notes: list[str]) -> list[str]:
    head = _sentence(o.summary.splitlines()[0] if o.summary else o.operation_id)
    parts = [head]
    if o.description:
        parts.append(o.description)
    parts.append(" ".join([f"`{o.http}` ({o.operation_id}).", *notes]))
    return doc("\n\n".join(parts), "  ")


NO_REDIRECTS = ["followRedirects: false"]


@dataclass(frozen=True)
class Locals:
    """The local variables of a rendered method, clear of its parameters' names (a list filter
    named `outcome` must not be shadowed by a local `outcome`)."""

    result: str
    answer: str
    sent: str
    error: str
    body: str
    page: str
    item: str
    next: str

    @classmethod
    def of(cls, o: Operation) -> Locals:
        taken = {p.name for p in o.params} | {"options", "accessToken", "cursor"}
        names = {}
        for name in (f.name for f in fields(cls)):
            local = name
            while local in taken:
                local += "_"
            names[name] = local
        return cls(**names)


def _send_args(o: Operation) -> list[str]:
    return [p.name for p in o.positional] + [f"{p.name}: {p.name}" for p in o.named]


def _closure(o: Operation, indent: str) -> list[str]:
    """`() => _janua._authApi.loginUser(loginRequest),` as the argument of `_send` / `_run`."""
    return call(f"() => _janua.{api_field(o.tag)}.{o.operation_id}", _send_args(o), indent, ",")


def _wrapper(o: Operation, target: str, kind: str, indent: str, flags: list[str]) -> list[str]:
    """`<target>await _janua._send(` ... `);` with the operationId, the closure and flags."""
    lines = [f"{indent}{target}await _janua.{kind}("]
    inner = indent + "  "
    lines.append(f"{inner}'{o.operation_id}',")
    lines += _closure(o, inner)
    lines.append(f"{inner}options,")
    if o.public:
        lines.append(f"{inner}public: true,")
    if o.bearer:
        lines.append(f"{inner}bearer: accessToken,")
    lines += [f"{inner}{flag}," for flag in flags]
    lines.append(f"{indent});")
    return lines


def _declared(o: Operation) -> tuple[list[str], list[str]]:
    positional = [f"{p.type} {p.name}" for p in o.positional]
    named = [f"{p.type}? {p.name}" for p in o.named]
    if o.bearer:
        named.append("String? accessToken")
    return positional, [*named, "CallOptions? options"]


def render_method(o: Operation) -> list[str]:
    positional, named = _declared(o)
    v = Locals.of(o)
    notes: list[str] = []
    if o.method != camel(o.naming.method):
        word = camel(o.naming.method)
        notes.append(f"Named `{o.method}` because `{word}` is a reserved word in Dart.")
    if o.naming.refresh:
        return render_refresh(o, notes)
    if o.naming.tokens and (o.page_item or o.redirect or o.text or o.naming.ok):
        raise SystemExit(
            f"codegen: dart-facade: {o.operation_id}: tokens={o.naming.tokens} on a list, a "
            "redirect, a text body or ok=: not supported by render_method"
        )
    if o.page_item:
        return render_pages(o, v, positional, named)

    result = o.result or "void"
    body: list[str] = []
    ind = "    "
    if o.redirect:
        notes.append(
            "Does not follow the redirect: returns its `Location` (or the page, when 200)."
        )
        kind = "String?" if o.result else "void"
        body += _wrapper(o, f"final _Outcome<{kind}> {v.sent} = ", "_run", ind, NO_REDIRECTS)
        page = f"{v.sent}.value" if o.result else "null"
        body.append(f"{ind}return _redirectTarget({v.sent}.answer, {page});")
        result = "String"
    elif o.text:
        notes.append("The body is read whole into memory and decoded as UTF-8 text.")
        body += _wrapper(o, f"final _Outcome<String?> {v.sent} = ", "_run", ind, [])
        body.append(f"{ind}return _textOf({v.sent});")
    elif o.naming.ok:
        body += render_accepting(o, v, notes)
    elif o.naming.tokens == "clear":
        if o.result:
            raise SystemExit(f"codegen: dart-facade: {o.operation_id}: tokens=clear with a body")
        notes.append(
            "Forgets the stored tokens, also when the server answers 401 (the session had"
            " already ended)."
        )
        body.append(f"{ind}try {{")
        body += _wrapper(o, "", "_send", ind + "  ", [])
        body += [
            f"{ind}}} on AuthenticationException {{",
            f"{ind}  await _janua.setTokens(null);",
            f"{ind}  rethrow;",
            f"{ind}}}",
            f"{ind}await _janua.setTokens(null);",
        ]
    elif o.result is None:
        body += _wrapper(o, "", "_send", ind, [])
    else:
        body += _wrapper(o, f"final {o.result}? {v.result} = ", "_send", ind, [])
        if o.naming.tokens == "store":
            required = f"_required({v.result}, '{o.operation_id}')"
            body.append(f"{ind}final {o.result} {v.answer} = {required};")
            body.append(f"{ind}{_keep(o, v, notes)}")
            body.append(f"{ind}return {v.answer};")
        else:
            body.append(f"{ind}return _required({v.result}, '{o.operation_id}');")
    if o.naming.tokens == "store" and o.result is None:
        raise SystemExit(f"codegen: dart-facade: {o.operation_id}: tokens=store without a body")
    if o.bearer:
        notes.append(
            "[accessToken] is sent as the bearer token (an OAuth access token, not the session's);"
            " without it, pass an `Authorization` header in [options]."
        )
    lines = method_doc(o, notes)
    lines += signature(f"Future<{result}>", o.method, positional, named, " async {")
    return [*lines, *body, "  }"]


def _keep(o: Operation, v: Locals, notes: list[str]) -> str:
    """How a `tokens=store` answer is kept: a sign-in's pair replaces the stored sign-in; a bare
    pair (re-issued within the session) keeps the stored refresh token if it carries none."""
    if "tokens" in o.result_props:
        notes.append("Keeps the answer's tokens: the client is signed in afterwards.")
        return f"await _janua._keep({v.answer}.tokens);"
    if "access_token" in o.result_props:
        notes.append(
            "Keeps the answered tokens (the stored refresh token stays when the answer carries"
            " none)."
        )
        return f"await _janua._keep({v.answer}, keepRefreshToken: true);"
    raise SystemExit(f"codegen: dart-facade: {o.operation_id}: tokens=store, but no token pair")


def render_accepting(o: Operation, v: Locals, notes: list[str]) -> list[str]:
    """`ok=...`: those statuses answer a result (detailed health's 503), not an error."""
    statuses = sorted(o.naming.ok)
    if not o.result or o.text:
        raise SystemExit(f"codegen: dart-facade: {o.operation_id}: ok= needs a JSON result")
    shown = " or ".join(str(s) for s in statuses)
    notes.append(f"A {shown} answer is a result here, not an error")
    notes[-1] += ", and is not retried." if 503 in statuses else "."
    caught = "ServerException" if all(s >= 500 for s in statuses) else "JanuaException"
    refused = (
        f"{v.error}.status != {statuses[0]}"
        if len(statuses) == 1
        else f"!const <int>{{{', '.join(map(str, statuses))}}}.contains({v.error}.status)"
    )
    flags = ["retryUnavailable: false"] if 503 in statuses else []
    ind = "    "
    lines = [f"{ind}try {{"]
    lines += _wrapper(o, f"final _Outcome<{o.result}?> {v.sent} = ", "_run", ind + "  ", flags)
    lines += [
        f"{ind}  return _required({v.sent}.value, '{o.operation_id}');",
        f"{ind}}} on {caught} catch ({v.error}) {{",
        f"{ind}  final Map<String, dynamic>? {v.body} = {v.error}.problem;",
        f"{ind}  if ({refused} || {v.body} == null || {v.body}.containsKey('code')) {{",
        f"{ind}    rethrow;",
        f"{ind}  }}",
        f"{ind}  return _required({o.result}.fromJson({v.body}), '{o.operation_id}');",
        f"{ind}}}",
    ]
    return lines


def render_refresh(o: Operation, notes: list[str]) -> list[str]:
    """`refresh`: the namespace method hands over to the client's shared refresh, whose
    `Janua._refresh(refreshToken, organizationId, options)` (client.dart) sends the operation."""
    fields = {camel(name) for name in o.body_props}
    if fields != {"refreshToken", "organizationId"} or o.result is None:
        raise SystemExit(
            f"codegen: dart-facade: {o.operation_id} (refresh) takes {sorted(fields)}: update "
            "Janua._refresh in sdks/flutter/lib/src/facade/client.dart and render_refresh here"
        )
    notes += [
        "Spends [refreshToken], or the stored one, and stores the new pair (refresh tokens are",
        "single-use). Without arguments it joins a refresh already in flight, as the automatic",
        "refresh does; [organizationId] asks for an access token scoped to that organization.",
        "A refused refresh token throws [TokenException] and, when it was the stored one,",
        "clears the stored sign-in.",
    ]
    named = ["String? refreshToken", "String? organizationId", "CallOptions? options"]
    return [
        *method_doc(o, notes),
        *signature(f"Future<{o.result}>", o.method, [], named, " {"),
        "    if (refreshToken == null && organizationId == null && options == null) {",
        "      return _janua._sharedRefresh();",
        "    }",
        "    return _janua._refresh(refreshToken, organizationId, options);",
        "  }",
    ]


def render_pages(o: Operation, v: Locals, positional: list[str], named: list[str]) -> list[str]:
    """A cursor-paginated list: `<name>Page` sends the operation, `<name>` streams every item."""
    page = f"{o.method}Page"
    data, next_cursor = "data", camel("next_cursor")  # the page model's fields, in Dart
    ind = "    "
    lines = method_doc(
        o, [f"Returns one page (`{data}`, `{next_cursor}`); [{o.method}] streams them all."]
    )
    lines += signature(f"Future<{o.result}>", page, positional, named, " async {")
    lines += _wrapper(o, f"final {o.result}? {v.result} = ", "_send", ind, [])
    lines += [f"{ind}return _required({v.result}, '{o.operation_id}');", "  }", ""]

    lines += doc(
        f"Every item of every page of [{page}], from [cursor] (or the first page) on.", "  "
    )
    lines += signature(f"Stream<{o.page_item}>", o.method, positional, named, " async* {")
    args = [p.name for p in o.positional]
    args += [f"{p.name}: {p.name}" for p in o.named if p.name != "cursor"]
    args += [f"cursor: {v.next}", "options: options"]
    lines.append(f"{ind}String? {v.next} = cursor;")
    lines.append(f"{ind}do {{")
    lines += call(f"final {o.result} {v.page} = await {page}", args, ind + "  ", ";")
    lines += [
        f"{ind}  for (final {o.page_item} {v.item} in {v.page}.{data}) {{",
        f"{ind}    yield {v.item};",
        f"{ind}  }}",
        f"{ind}  {v.next} = {v.page}.{next_cursor};",
        f"{ind}}} while ({v.next} != null);",
        "  }",
    ]
    return lines


def render(document: dict[str, Any], operations: list[Operation]) -> str:
    tags = {t["name"]: t.get("description", "") for t in document.get("tags", [])}
    namespaces: dict[str, list[Operation]] = {}
    for o in operations:
        namespaces.setdefault(o.naming.namespace, []).append(o)

    def about(namespace: str) -> str:
        tag = namespace if namespace in tags else namespaces[namespace][0].tag
        return _sentence(tags.get(tag) or f"The `{tag}` operations")

    out = [
        f"// {HEADER}",
        "// The namespaces of `Janua`, one method per spec operation, written by",
        "// codegen/targets/dart_facade.py from the spec and sdks/python/operations.txt (the names",
        "// every SDK shares). Never edit: change those and run `python -m codegen`. The machinery",
        "// the methods call is hand-written in client.dart.",
        "",
        "part of '../facade.dart';",
        "",
        "/// The namespaces of [Janua], one per spec tag, and the generated API classes they call.",
        "mixin _JanuaNamespaces {",
        "  /// The client the namespaces serve: [Janua] itself.",
        "  Janua get _self;",
        "",
        "  /// The generated low-level client (see [Janua.apiClient]).",
        "  ApiClient get apiClient;",
    ]
    for namespace in namespaces:
        cls = namespace_class(namespace)
        out += ["", *doc(about(namespace), "  ")]
        out.append(f"  late final {cls} {namespace} = {cls}._(_self);")
    out += ["", "  // The generated API classes, one per spec tag, all on [apiClient]."]
    for tag in sorted({o.tag for o in operations}, key=api_class):
        out.append(f"  late final {api_class(tag)} {api_field(tag)} = {api_class(tag)}(apiClient);")
    out.append("}")

    for namespace, members in namespaces.items():
        cls = namespace_class(namespace)
        out += ["", *doc(f"`janua.{namespace}`: {about(namespace)}", "")]
        out += [f"class {cls} {{", f"  {cls}._(this._janua);", "", "  final Janua _janua;"]
        for o in members:
            out += ["", *render_method(o)]
        out.append("}")
    text = "\n".join(out) + "\n"
    long = [line for line in text.splitlines() if len(line) > WIDTH and "///" not in line]
    if long:
        raise SystemExit(f"codegen: dart-facade: lines over {WIDTH} columns: {long[:3]}")
    return text


def generate(spec_json: Path, out: Path) -> None:
    document = json.loads(spec_json.read_text(encoding="utf-8"))
    operations = build(document, read_table())
    (out / FILE).write_text(render(document, operations), encoding="utf-8")


TARGET = Target("dart-facade", "sdks/flutter/lib/src/facade/generated", generate)
