"""Python SDK facade: typed namespace classes (sync and async) over the generated wire layer.

Reads the spec with openapi-python-client's own parser (the same configuration as the
`python-sdk` target, so every class, enum and parameter name matches the generated code) and
the naming table `sdks/python/operations.txt` (operationId -> `namespace.method` + flags), and
writes `sdks/python/src/janua/_generated_facade/`:

- `sync.py`: one class per namespace (`AuthNamespace`, ...) whose methods take keyword
  arguments (path parameters may be positional), flatten the request body into them, and call
  the generated operation module through the client's shared machinery in `janua/_client.py`
  (`_call`, `_items`, token store, refresh lock); `JanuaNamespaces` attaches them to `Janua`.
- `aio.py`: the same for `AsyncJanua` (`async def`, async iterators).
- `operations.py`: `OPERATIONS`, operationId -> where the facade exposes it (tests read it).

Conventions of the generated methods (docs/sdk-python.md keeps the user-facing version):
- optional fields default to None, sent as "absent"; nullable optional fields default to UNSET
  so that None can clear them; UUID parameters also take `str`, enum parameters their value
  (`"totp"`), nested models a plain `dict`;
- a body field named like a path or query parameter would be ambiguous: such operations take
  the body whole as `body=` (a model or a dict);
- cursor-paginated lists return an iterator over every item; `<method>_page` returns one page;
- operations that answer a redirect return its `Location`;
- every method takes `headers=` (extra request headers); OAuth client authentication
  (`client_auth=(client_id, secret)`) and OAuth access tokens (`access_token=`) where the spec
  lists those security schemes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._common import HEADER, ROOT, Target, reflow, run, tool

TABLE = ROOT / "sdks" / "python" / "operations.txt"
CLIENT_CONFIG = ROOT / "codegen" / "python-client.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
RESERVED = {"self", "headers", "client_auth", "body"}
DOC_WIDTH = 88


# -- the naming table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Naming:
    namespace: str
    method: str
    tokens: str | None = None  # "store" | "clear"
    refresh: bool = False
    ok: tuple[int, ...] = ()


def read_table(path: Path = TABLE) -> dict[str, Naming]:
    table: dict[str, Naming] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        operation_id, call, *flags = line.split()
        namespace, _, method = call.partition(".")
        if not (namespace.isidentifier() and method.isidentifier()):
            raise SystemExit(f"{path}:{number}: `{call}` is not namespace.method")
        tokens, refresh, ok = None, False, ()
        for flag in flags:
            if flag in ("tokens=store", "tokens=clear"):
                tokens = flag.removeprefix("tokens=")
            elif flag == "refresh":
                refresh = True
            elif flag.startswith("ok="):
                ok = tuple(int(s) for s in flag.removeprefix("ok=").split(","))
            else:
                raise SystemExit(f"{path}:{number}: unknown flag {flag!r}")
        if operation_id in table:
            raise SystemExit(f"{path}:{number}: {operation_id} is named twice")
        table[operation_id] = Naming(namespace, method, tokens, refresh, ok)
    return table


# -- the parsed spec ----------------------------------------------------------------------------


def _code(value: Any) -> str:
    """The text of openapi-python-client's PythonCode / UntrustedString / plain strings."""
    for attr in ("as_unembedded_code", "get_untrusted_value"):
        if hasattr(value, attr):
            return str(getattr(value, attr)())
    return str(value)


def parse(spec_json: Path) -> Any:
    from openapi_python_client.config import Config, ConfigFile, MetaType
    from openapi_python_client.parser.openapi import GeneratorData

    config = Config.from_sources(
        ConfigFile.load_from_path(CLIENT_CONFIG), MetaType.NONE, spec_json, "utf-8", True, None
    )
    data = GeneratorData.from_dict(json.loads(spec_json.read_text(encoding="utf-8")), config=config)
    if not hasattr(data, "endpoint_collections_by_tag"):
        raise SystemExit(f"codegen: python-facade cannot parse the spec: {data}")
    return data


@dataclass
class Param:
    """One keyword of a facade method and how it becomes an argument of the generated call."""

    name: str
    annotation: str
    default: str | None  # source text, None when required
    convert: str  # expression of `name` producing the generated call's value
    positional: bool = False


@dataclass
class Method:
    operation_id: str
    tag: str
    module: str  # generated module name, e.g. login_user
    http: str  # "POST /api/v1/auth/login"
    naming: Naming
    summary: str
    description: str
    public: bool
    params: list[Param] = field(default_factory=list)
    call_args: list[str] = field(default_factory=list)  # `name=expr` of the generated call
    body_model: str | None = None
    body_args: list[str] = field(default_factory=list)
    result: str = "None"
    redirect: bool = False
    page_item: str | None = None  # item type of a cursor-paginated list
    headers_expr: str = "headers"
    models: set[str] = field(default_factory=set)


def _kind(prop: Any) -> str:
    return type(prop).__name__


def _class_name(prop: Any) -> str:
    return _code(prop.class_info.name)


def _is_none(prop: Any) -> bool:
    return _kind(prop) == "NoneProperty"


def _plain_type(text: str) -> str:
    """`list[...]`/`dict[...]` spelled through builtins: namespaces define methods named `list`."""
    return re.sub(r"(?<![\w.])(list|dict)\[", r"builtins.\1[", text)


# Lists of values the facade accepts in friendlier forms: (conversion, shown item type).
LIST_CONVERTERS = {
    "UuidProperty": ("uuids_({{}})", "UUID | str"),
    "EnumProperty": ("enums_({0}, {{}})", "{0} | str"),
    "ModelProperty": ("models_({0}, {{}})", "{0} | Mapping[str, Any]"),
}


def _param(prop: Any, *, required: bool, models: set[str]) -> tuple[str, str | None, str]:
    """(annotation, default, conversion template with `{}` for the value) of one property."""
    members = list(prop.inner_properties) if _kind(prop) == "UnionProperty" else [prop]
    nullable = any(_is_none(m) for m in members)
    real = [m for m in members if not _is_none(m)]
    converter = None
    shown: list[str] = []
    for member in real:
        kind = _kind(member)
        base = _plain_type(_code(member.get_type_string(no_optional=True)))
        if kind == "UuidProperty":
            shown += ["UUID", "str"]
            converter = converter or "uuid_({})"
        elif kind == "EnumProperty":
            name = _class_name(member)
            models.add(name)
            shown += [name, "str"]
            converter = converter or f"enum_({name}, {{}})"
        elif kind == "ModelProperty":
            name = _class_name(member)
            models.add(name)
            shown += [name, "Mapping[str, Any]"]
            converter = converter or f"model_({name}, {{}})"
        elif kind == "ListProperty" and _kind(member.inner_property) in LIST_CONVERTERS:
            inner = member.inner_property
            helper, shown_inner = LIST_CONVERTERS[_kind(inner)]
            name = _class_name(inner) if hasattr(inner, "class_info") else ""
            if name:
                models.add(name)
            shown.append(f"builtins.list[{shown_inner.format(name)}]")
            converter = converter or helper.format(name)
        else:
            shown.append(base)
            for found in re.findall(r"\b([A-Z]\w+)\b", base):
                if found not in ("UUID", "Any"):
                    models.add(found)
    convertible = ("UuidProperty", "EnumProperty", "ModelProperty", "ListProperty")
    if len([m for m in real if _kind(m) in convertible]) > 1:
        converter = None  # ambiguous: pass the value through as typed
        shown = [_plain_type(_code(m.get_type_string(no_optional=True))) for m in real]
    convert = converter or "{}"
    annotation = " | ".join(dict.fromkeys(shown))
    if required:
        return (f"{annotation} | None" if nullable else annotation), None, convert
    if nullable:
        return f"{annotation} | Unset | None", "UNSET", convert
    return f"{annotation} | None", "None", f"opt({convert})"


def _doc_text(value: Any) -> str:
    text = _code(value) if value is not None else ""
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()


def build_methods(data: Any, spec: dict[str, Any], table: dict[str, Naming]) -> list[Method]:
    raw_ops: dict[tuple[str, str], dict[str, Any]] = {
        (method, path): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }
    schemes = spec.get("components", {}).get("securitySchemes", {})
    methods: list[Method] = []
    for tag, collection in data.endpoint_collections_by_tag.items():
        for ep in collection.endpoints:
            path, verb = _code(ep.path), str(ep.method)
            raw = raw_ops[(verb, path)]
            operation_id = raw["operationId"]
            naming = table.get(operation_id) or Naming(str(tag), str(ep.name))
            security = raw.get("security", spec.get("security", []))
            m = Method(
                operation_id=operation_id,
                tag=str(tag),
                module=str(ep.name),
                http=f"{verb.upper()} {path}",
                naming=naming,
                summary=_doc_text(ep.summary),
                description=_doc_text(ep.description),
                public=not any("bearerAuth" in requirement for requirement in security),
            )
            _fill(m, ep, security, schemes)
            methods.append(m)
    names = [(m.naming.namespace, m.naming.method) for m in methods]
    clashes = {n for n in names if names.count(n) > 1}
    if clashes:
        raise SystemExit(f"codegen: python-facade: two operations named {sorted(clashes)}")
    unknown = set(table) - {m.operation_id for m in methods}
    if unknown:
        raise SystemExit(f"codegen: {TABLE.name} names operations the spec lacks: {unknown}")
    return methods


def _fill(m: Method, ep: Any, security: list[dict[str, Any]], schemes: dict[str, Any]) -> None:
    models = m.models
    parameter_props = list(ep.path_parameters) + list(ep.query_parameters)
    parameter_props += list(ep.header_parameters)
    parameter_names = {str(p.python_name) for p in parameter_props}
    required: list[Param] = []
    optional: list[Param] = []

    for prop in ep.path_parameters:
        annotation, default, convert = _param(prop, required=True, models=models)
        name = str(prop.python_name)
        m.params.append(Param(name, annotation, None, convert.format(name), positional=True))
        m.call_args.append(f"{name}={convert.format(name)}")
    for prop in list(ep.query_parameters) + list(ep.header_parameters):
        name = str(prop.python_name)
        annotation, default, convert = _param(prop, required=prop.required, models=models)
        (required if default is None else optional).append(
            Param(name, annotation, default, convert.format(name))
        )
        m.call_args.append(f"{name}={convert.format(name)}")

    for body in ep.bodies[:1]:
        prop = body.prop
        if _kind(prop) != "ModelProperty":
            annotation, _, convert = _param(prop, required=True, models=models)
            required.append(Param("body", annotation, None, convert.format("body")))
            m.call_args.append(f"body={convert.format('body')}")
            continue
        model = _class_name(prop)
        models.add(model)
        fields = list(prop.required_properties) + list(prop.optional_properties)
        field_names = {str(f.python_name) for f in fields}
        if field_names & (parameter_names | RESERVED):
            # Ambiguous when flattened (`slug` in the path and in the body): take it whole.
            required.append(Param("body", f"{model} | Mapping[str, Any]", None, "body"))
            m.call_args.append(f"body=model_({model}, body)")
            continue
        m.body_model = model
        for f in fields:
            name = str(f.python_name)
            annotation, default, convert = _param(f, required=f.required, models=models)
            (required if default is None else optional).append(
                Param(name, annotation, default, convert.format(name))
            )
            m.body_args.append(f"{name}={convert.format(name)}")
        m.call_args.append("body=body")

    # Security schemes other than the session's bearer token: OAuth client authentication and
    # OAuth access tokens, as explicit keywords (unless a parameter already carries them).
    taken = parameter_names | {p.name for p in required + optional}
    anonymous_ok = any(not requirement for requirement in security) or not security
    m_auth: list[str] = []
    for requirement in security:
        for scheme_name in requirement:
            scheme = schemes.get(scheme_name, {})
            if scheme_name == "bearerAuth" or scheme.get("type") != "http":
                continue
            if scheme.get("scheme") == "basic" and "client_auth" not in taken:
                optional.append(
                    Param("client_auth", "tuple[str, str] | None", "None", "client_auth")
                )
                taken.add("client_auth")
                m_auth.append("basic=client_auth")
            elif scheme.get("scheme") == "bearer" and "access_token" not in taken:
                if anonymous_ok or len(security) > 1:
                    optional.append(Param("access_token", "str | None", "None", "access_token"))
                else:
                    required.append(Param("access_token", "str", None, "access_token"))
                taken.add("access_token")
                m_auth.append("bearer=access_token")
    optional.append(Param("headers", "Mapping[str, str] | None", "None", "headers"))
    m.params += required + optional
    m.headers_expr = f"auth_headers(headers, {', '.join(m_auth)})" if m_auth else "headers"

    # The result: the success answers' body (plus the table's extra statuses).
    success = []
    for response in ep.responses:
        status = _status(response)
        if status is None:
            continue
        if 300 <= status < 400:
            m.redirect = True
        if 200 <= status < 300 or status in m.naming.ok:
            success.append(response)
    types = []
    for response in success:
        if _kind(response.prop) in ("AnyProperty", "NoneProperty"):
            continue
        types.append(_plain_type(_code(response.prop.get_type_string())))
        _collect_models(response.prop, models)
    if m.redirect:
        m.result = "str"
    elif types:
        m.result = " | ".join(dict.fromkeys(types))

    # Cursor pagination: `cursor` in, `data` + `next_cursor` out.
    query_names = {str(p.python_name) for p in ep.query_parameters}
    if "cursor" in query_names and len(success) == 1 and _kind(success[0].prop) == "ModelProperty":
        page = success[0].prop
        fields = list(page.required_properties) + list(page.optional_properties)
        props = {str(p.python_name): p for p in fields}
        if "next_cursor" in props and _kind(props.get("data")) == "ListProperty":
            item = props["data"].inner_property
            m.page_item = _plain_type(_code(item.get_type_string(no_optional=True)))
            _collect_models(item, models)


def _status(response: Any) -> int | None:
    """The status of a response with one exact code (ranges and `default` give None)."""
    code_range = response.status_code.range
    return code_range[0] if code_range and code_range[0] == code_range[1] else None


def _collect_models(prop: Any, models: set[str]) -> None:
    text = _code(prop.get_type_string())
    for found in re.findall(r"\b([A-Z]\w+)\b", text):
        if found not in ("UUID", "Any"):
            models.add(found)


# -- rendering ----------------------------------------------------------------------------------


def _signature(params: list[Param], *, skip: tuple[str, ...] = ()) -> str:
    positional = [p for p in params if p.positional]
    keywords = [p for p in params if not p.positional and p.name not in skip]
    parts = ["self"]
    parts += [f"{p.name}: {p.annotation}" for p in positional]
    if keywords:
        parts.append("*")
    for p in keywords:
        parts.append(f"{p.name}: {p.annotation}" + (f" = {p.default}" if p.default else ""))
    return ", ".join(parts)


def _docstring(m: Method, extra: str, indent: str) -> str:
    width = DOC_WIDTH
    head = m.summary.splitlines()[0] if m.summary else m.operation_id
    if not head.endswith("."):
        head += "."
    body = reflow(m.description, width) if m.description else []
    lines = [head, ""] + body + ([""] if body else [])
    lines.append(f"`{m.http}` (operationId `{m.operation_id}`).{extra}")
    lines = reflow("\n".join(lines), width)
    text = "\n".join((indent + line) if line else "" for line in lines[1:])
    if len(lines) == 1:
        return f'{indent}"""{lines[0]}"""\n'
    return f'{indent}"""{lines[0]}\n\n{text.lstrip(chr(10))}\n{indent}"""\n'


def _render_method(m: Method, asynchronous: bool) -> str:
    aw = "await " if asynchronous else ""
    adef = "async def" if asynchronous else "def"
    op = f"_{m.module}"
    flags = [f"public={m.public}"]
    if m.naming.ok:
        flags.append(f"also_ok={m.naming.ok!r}")
    if m.redirect:
        flags.append("redirect=True")
    flags.append(f"headers={m.headers_expr}")
    notes = []
    if m.naming.tokens == "store":
        notes.append(" Keeps the answered tokens in the token store.")
    if m.naming.tokens == "clear":
        notes.append(" Empties the token store.")
    if m.naming.refresh:
        notes.append(
            " Without `refresh_token`, uses the stored one; shares the client's refresh lock."
        )
    if m.redirect:
        notes.append(" Returns the redirect's `Location` (or the page, when answered 200).")
    out: list[str] = []

    def body_lines(ind: str) -> list[str]:
        if not m.body_model:
            return []
        args = ", ".join(m.body_args)
        return [f"{ind}body = {m.body_model}({args})\n"]

    call_kw = ", ".join([op, *flags, *m.call_args])
    ind = " " * 8
    if m.page_item:
        item_type = m.page_item
        page_result = m.result
        iter_type = f"AsyncIterator[{item_type}]" if asynchronous else f"Iterator[{item_type}]"
        # The iterator: every item, the client following next_cursor.
        signature = _signature(m.params, skip=("cursor",))
        out.append(f"    def {m.naming.method}({signature}) -> {iter_type}:\n")
        out.append(_docstring(m, " Iterates every item, fetching pages as needed.", ind))
        out += body_lines(ind)
        args = [a for a in m.call_args if not a.startswith("cursor=")]
        out.append(f"{ind}return self._c._items({', '.join([op, *flags, *args])})\n\n")
        # One page.
        out.append(f"    {adef} {m.naming.method}_page({_signature(m.params)}) -> {page_result}:\n")
        out.append(_docstring(m, " Returns one page (`data`, `next_cursor`).", ind))
        out += body_lines(ind)
        out.append(f"{ind}return {aw}self._c._call({call_kw})\n\n")
        return "".join(out)

    out.append(f"    {adef} {m.naming.method}({_signature(m.params)}) -> {m.result}:\n")
    out.append(_docstring(m, "".join(notes), ind))
    out += body_lines(ind)
    if m.naming.refresh:
        call = f"{aw}self._c._refresh_call({call_kw})"
    else:
        call = f"{aw}self._c._call({call_kw})"
    if m.naming.tokens == "store" and not m.naming.refresh:
        out.append(f"{ind}result = {call}\n")
        out.append(f"{ind}self._c._store_tokens(result)\n{ind}return result\n\n")
    elif m.naming.tokens == "clear":
        out.append(f"{ind}{call}\n{ind}self._c._clear_tokens()\n\n")
    elif m.result == "None":
        out.append(f"{ind}{call}\n\n")
    else:
        out.append(f"{ind}return {call}\n\n")
    return "".join(out)


SPELLING = {"oauth": "OAuth", "mfa": "MFA"}


def _class_prefix(namespace: str) -> str:
    return "".join(SPELLING.get(part, part.capitalize()) for part in namespace.split("_"))


def render_module(methods: list[Method], asynchronous: bool) -> str:
    client = "AsyncJanua" if asynchronous else "Janua"
    prefix = "Async" if asynchronous else ""
    namespaces: dict[str, list[Method]] = {}
    for m in methods:
        namespaces.setdefault(m.naming.namespace, []).append(m)

    classes: list[str] = []
    for namespace, members in namespaces.items():
        cls = f"{prefix}{_class_prefix(namespace)}Namespace"
        text = [f"class {cls}:\n"]
        text.append(f'    """`{client}.{namespace}`: {len(members)} operations."""\n\n')
        text.append(f"    def __init__(self, client: {client}) -> None:\n")
        text.append("        self._c = client\n\n")
        for m in members:
            text.append(_render_method(m, asynchronous))
        classes.append("".join(text).rstrip() + "\n")

    root = [f"class {client}Namespaces:\n"]
    root.append(f'    """The namespaces of `{client}`, one per spec tag."""\n\n')
    for namespace in namespaces:
        root.append(f"    {namespace}: {prefix}{_class_prefix(namespace)}Namespace\n")
    root.append("\n    def _init_namespaces(self) -> None:\n")
    root.append(f'        client = cast("{client}", self)\n')
    for namespace in namespaces:
        cls = f"{prefix}{_class_prefix(namespace)}Namespace"
        root.append(f"        self.{namespace} = {cls}(client)\n")

    body = "\n\n".join(classes) + "\n\n" + "".join(root)
    models = sorted(set().union(*(m.models for m in methods)))
    ops = sorted({(m.tag, m.module) for m in methods})

    imports = ["from __future__ import annotations", ""]
    std = ["import builtins"] if "builtins." in body else []
    if re.search(r"\bdatetime\.", body):
        std.append("import datetime")
    collections = [
        n for n in ("AsyncIterator", "Iterator", "Mapping") if re.search(rf"\b{n}\b", body)
    ]
    if collections:
        std.append(f"from collections.abc import {', '.join(collections)}")
    typing_names = ["TYPE_CHECKING", *(["Any"] if re.search(r"\bAny\b", body) else []), "cast"]
    std.append(f"from typing import {', '.join(typing_names)}")
    if re.search(r"\bUUID\b", body):
        std.append("from uuid import UUID")
    imports += [*std, ""]
    helpers = [
        n
        for n in ("auth_headers", "enum_", "enums_", "model_", "models_", "opt", "uuid_", "uuids_")
        if re.search(rf"\b{n}\(", body)
    ]
    imports.append(f"from janua._convert import {', '.join(helpers)}")
    for tag, module in ops:
        imports.append(f"from janua._generated.api.{tag} import {module} as _{module}")
    used_models = [n for n in models if re.search(rf"\b{n}\b", body)]
    if used_models:
        imports.append(f"from janua._generated.models import {', '.join(used_models)}")
    types = [n for n in ("UNSET", "Unset") if re.search(rf"\b{n}\b", body)]
    if types:
        imports.append(f"from janua._generated.types import {', '.join(types)}")
    imports += ["", "if TYPE_CHECKING:", f"    from janua._client import {client}", ""]
    kind = "asynchronous" if asynchronous else "synchronous"
    doc = (
        f'"""The {kind} facade namespaces, one class per spec tag (see sdks/python/operations.txt).'
        '"""\n\n'
    )
    return f"# {HEADER}\n{doc}" + "\n".join(imports) + "\n\n" + body


def render_operations(methods: list[Method]) -> str:
    lines = [
        f"# {HEADER}",
        '"""Where the facade exposes each spec operation: operationId -> `FacadeOperation`."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import NamedTuple",
        "",
        "",
        "class FacadeOperation(NamedTuple):",
        '    """`client.<namespace>.<method>` sends the operation of generated `module`."""',
        "",
        "    namespace: str",
        "    method: str",
        "    module: str",
        "    http: str",
        "    public: bool",
        "    page_method: str | None",
        "",
        "",
        "OPERATIONS: dict[str, FacadeOperation] = {",
    ]
    for m in methods:
        page = repr(f"{m.naming.method}_page") if m.page_item else "None"
        lines.append(
            f"    {m.operation_id!r}: FacadeOperation({m.naming.namespace!r}, {m.naming.method!r}, "
            f"'janua._generated.api.{m.tag}.{m.module}', {m.http!r}, {m.public}, {page}),"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


INIT = f'''# {HEADER}
"""Typed namespace classes of `janua.Janua` and `janua.AsyncJanua`, generated from the spec and
sdks/python/operations.txt by codegen/targets/python_facade.py. Never edit: run `nox -s codegen`.
"""

from janua._generated_facade.aio import AsyncJanuaNamespaces
from janua._generated_facade.operations import OPERATIONS, FacadeOperation
from janua._generated_facade.sync import JanuaNamespaces

__all__ = ["OPERATIONS", "AsyncJanuaNamespaces", "FacadeOperation", "JanuaNamespaces"]
'''


def generate(spec_json: Path, out: Path) -> None:
    spec = json.loads(spec_json.read_text(encoding="utf-8"))
    methods = build_methods(parse(spec_json), spec, read_table())
    (out / "__init__.py").write_text(INIT, encoding="utf-8")
    (out / "sync.py").write_text(render_module(methods, False), encoding="utf-8")
    (out / "aio.py").write_text(render_module(methods, True), encoding="utf-8")
    (out / "operations.py").write_text(render_operations(methods), encoding="utf-8")
    config = ROOT / "pyproject.toml"
    ruff = tool("ruff")
    run(ruff, "check", "--config", config, "--fix-only", "--quiet", "--select", "I,UP,F401", out)
    run(ruff, "format", "--config", config, "--quiet", out)


TARGET = Target("python-facade", "sdks/python/src/janua/_generated_facade", generate)
