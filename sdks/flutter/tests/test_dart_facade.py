"""The hand-written Dart facade (lib/src/facade) held against the contract, read with tree-sitter.

No Dart SDK is reachable here, so this reads the facade the way a compiler would start to: as a
syntax tree (tree-sitter-dart), never with regexes over the text. What it proves:
- every operationId of the served contract (server/src/janua_server/contract/openapi.json) is
  called by the facade, as the generated method of that name on its tag's `...Api` object, and
  every generated method the facade calls exists in lib/src/generated under that name;
- each such call runs inside `_send` / `_run` with its operationId as the first argument (the
  machinery that adds tokens, refresh, retries and typed errors), with `public: true` exactly
  where the contract asks for no session token;
- the facade's names are the other SDKs' (the Python facade's table, camelCased) and every list
  operation also has an auto-paginating `Stream` method;
- the facade's public names do not collide with the generated ones (lib/janua.dart exports both).
What it cannot prove: that the Dart type-checks. Argument types, nullability and inference are
for `dart analyze` (see README.md).
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import tree_sitter_dart
import yaml
from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

PACKAGE = Path(__file__).resolve().parent.parent
ROOT = PACKAGE.parent.parent
FACADE = PACKAGE / "lib" / "src" / "facade"
LIBRARY = FACADE / "facade.dart"
GENERATED = PACKAGE / "lib" / "src" / "generated"
CONTRACT = ROOT / "server" / "src" / "janua_server" / "contract" / "openapi.json"
# The Python facade's table (generated from the spec): the names every SDK shares.
PYTHON_TABLE = ROOT / "sdks" / "python" / "src" / "janua" / "_generated_facade" / "operations.py"

DART = Language(tree_sitter_dart.language())
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# The plumbing of client.dart every namespaced method goes through.
WRAPPERS = {"_send", "_run"}

# Where the facade knowingly differs from the shared table, and why.
RENAMED = {
    # `switch` is a reserved word in Dart.
    "switchOrganization": ("organizations", "switchTo"),
}
# The generated call lives in the client, the namespace method delegates to it.
ROUTED = {
    # `auth.refresh()` joins the one shared refresh (Janua._sharedRefresh -> Janua._refresh).
    "refreshToken": ("Janua", "_refresh"),
}

FIELDS = Query(
    DART,
    """
    (class_definition
      name: (identifier) @class
      body: (class_body
        (declaration
          (type_identifier) @type
          (initialized_identifier_list (initialized_identifier . (identifier) @field)))))
    """,
)
METHODS = Query(
    DART,
    """
    (class_definition
      name: (identifier) @class
      body: (class_body
        (method_signature (function_signature name: (identifier) @method))))
    """,
)
TOP_LEVEL_TYPES = Query(
    DART,
    """
    [(class_definition name: (identifier) @name)
     (enum_declaration name: (identifier) @name)
     (type_alias (type_identifier) @name)]
    """,
)


# --- reading Dart --------------------------------------------------------------------------------


def parse(source: bytes) -> Tree:
    return Parser(DART).parse(source)


@cache
def tree_of(path: Path) -> Tree:
    return parse(path.read_bytes())


def text(node: Node | None) -> str:
    return "" if node is None else (node.text or b"").decode(errors="replace")


def walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from walk(child)


def syntax_errors(tree: Tree) -> list[str]:
    """`line:col: error` (or `missing`) for every ERROR / MISSING node."""
    return [
        f"{n.start_point.row + 1}:{n.start_point.column + 1}: "
        + ("missing" if n.is_missing else "error")
        for n in walk(tree.root_node)
        if n.is_error or n.is_missing
    ]


def facade_files() -> list[Path]:
    return sorted(FACADE.glob("*.dart"))


def member_name(selector: Node) -> str | None:
    """`.name` of a `selector` node (`. name` or `?. name`), else None."""
    if selector.type != "selector":
        return None
    for child in selector.children:
        if child.type in ("unconditional_assignable_selector", "conditional_assignable_selector"):
            names = [c for c in child.children if c.type == "identifier"]
            return text(names[0]) if names else None
    return None


def is_call(selector: Node | None) -> bool:
    return (
        selector is not None
        and selector.type == "selector"
        and any(c.type == "argument_part" for c in selector.children)
    )


def called_name(chain: list[Node], index: int) -> str | None:
    """The name called by the argument selector `chain[index]`: `x.name(...)` or `name(...)`."""
    if index == 0:
        return None
    before = chain[index - 1]
    if before.type == "identifier":
        return text(before)
    return member_name(before)


def api_fields(trees: dict[str, Tree]) -> dict[str, str]:
    """Fields of `Janua` typed with a generated `...Api` class: field name -> class name."""
    found: dict[str, str] = {}
    for tree in trees.values():
        for _, match in QueryCursor(FIELDS).matches(tree.root_node):
            (cls,), (kind,) = match["class"], match["type"]
            if text(cls) == "Janua" and text(kind).endswith("Api"):
                for field in match["field"]:
                    found[text(field)] = text(kind)
    return found


def enclosing_method(node: Node) -> tuple[str, str] | None:
    """(class, method) of the class member whose body holds `node`."""
    current: Node | None = node
    while current is not None:
        parent = current.parent
        if current.type == "function_body" and parent is not None and parent.type == "class_body":
            signature = current.prev_named_sibling
            name = None
            if signature is not None and signature.type == "method_signature":
                inner = signature.named_children[0]
                if inner.type == "function_signature":
                    name = text(inner.child_by_field_name("name"))
            cls = parent.parent
            if name and cls is not None and cls.type == "class_definition":
                return text(cls.child_by_field_name("name")), name
            return None
        current = parent
    return None


def wrapper_of(node: Node) -> tuple[str, str | None, set[str]] | None:
    """The `_send(...)` / `_run(...)` call whose closure argument holds `node`: its name, its
    first argument if a plain string literal, and the names of its named arguments set to true."""
    current: Node | None = node
    while current is not None:
        if current.type == "argument_part" and current.parent is not None:
            selector = current.parent
            chain = list(selector.parent.children) if selector.parent else []
            index = next((i for i, c in enumerate(chain) if c == selector), -1)
            name = called_name(chain, index) if index >= 0 else None
            if name in WRAPPERS:
                arguments = next(c for c in current.children if c.type == "arguments")
                positional = [c for c in arguments.children if c.type == "argument"]
                literal = None
                if positional and positional[0].named_children:
                    first = positional[0].named_children[0]
                    if first.type == "string_literal" and not any(
                        c.type in ("template_substitution", "identifier_dollar_escaped")
                        for c in walk(first)
                    ):
                        literal = text(first)[1:-1]
                flags = {
                    text(named.named_children[0].named_children[0])
                    for named in arguments.children
                    if named.type == "named_argument"
                    and named.named_children[0].type == "label"
                    and named.named_children[-1].type == "true"
                }
                return name, literal, flags
        current = current.parent
    return None


@dataclass(frozen=True)
class GeneratedCall:
    api_class: str
    method: str
    owner: tuple[str, str] | None  # (facade class, facade method)
    wrapper: tuple[str, str | None, frozenset[str]] | None
    where: str


def generated_calls(trees: dict[str, Tree]) -> list[GeneratedCall]:
    """Every `<api field>.<method>(...)` in the facade, e.g. `_janua._authApi.loginUser(r)`."""
    fields = api_fields(trees)
    calls: list[GeneratedCall] = []
    for name, tree in trees.items():
        for node in walk(tree.root_node):
            chain = list(node.children)
            for i in range(len(chain) - 2):
                receiver = chain[i]
                field = text(receiver) if receiver.type == "identifier" else member_name(receiver)
                if field not in fields:
                    continue
                method = member_name(chain[i + 1])
                if method is None or not is_call(chain[i + 2]):
                    continue
                wrapped = wrapper_of(chain[i + 2])
                calls.append(
                    GeneratedCall(
                        api_class=fields[field],
                        method=method,
                        owner=enclosing_method(receiver),
                        wrapper=None
                        if wrapped is None
                        else (wrapped[0], wrapped[1], frozenset(wrapped[2])),
                        where=f"{name}:{receiver.start_point.row + 1}",
                    )
                )
    return calls


def methods_by_class(trees: dict[str, Tree] | list[Tree]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for tree in trees.values() if isinstance(trees, dict) else trees:
        for _, match in QueryCursor(METHODS).matches(tree.root_node):
            (cls,) = match["class"]
            found.setdefault(text(cls), set()).update(text(m) for m in match["method"])
    return found


def method_return_types(trees: dict[str, Tree]) -> dict[tuple[str, str], str]:
    """(class, method) -> the return type's text, e.g. `Stream<Session>`."""
    found: dict[tuple[str, str], str] = {}
    for tree in trees.values():
        for _, match in QueryCursor(METHODS).matches(tree.root_node):
            (cls,) = match["class"]
            for method in match["method"]:
                signature = method.parent
                returned = (signature.text or b"")[: method.start_byte - signature.start_byte]
                found[(text(cls), text(method))] = returned.decode().strip()
    return found


@cache
def facade_trees() -> dict[str, Tree]:
    return {path.name: tree_of(path) for path in facade_files()}


@cache
def generated_methods() -> dict[str, set[str]]:
    return methods_by_class([tree_of(p) for p in sorted((GENERATED / "api").glob("*.dart"))])


# --- the contract and the shared names -----------------------------------------------------------


@cache
def contract() -> dict:
    return json.loads(CONTRACT.read_text(encoding="utf-8"))


def api_class(tag: str) -> str:
    """openapi-generator's class for a tag: `auth` -> AuthApi, `admin-users` -> AdminUsersApi."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", tag)) + "Api"


@dataclass(frozen=True)
class Operation:
    id: str
    api_class: str
    public: bool  # no bearerAuth in its security: the client sends no session token


@cache
def operations() -> dict[str, Operation]:
    spec = contract()
    found: dict[str, Operation] = {}
    for item in spec["paths"].values():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            security = op.get("security", spec.get("security", []))
            found[op["operationId"]] = Operation(
                id=op["operationId"],
                api_class=api_class((op.get("tags") or ["default"])[0]),
                public=not any("bearerAuth" in requirement for requirement in security),
            )
    return found


@cache
def shared_names() -> dict:
    module_spec = importlib.util.spec_from_file_location("janua_facade_table", PYTHON_TABLE)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.OPERATIONS


def camel(name: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name)


def namespaces(trees: dict[str, Tree]) -> dict[str, str]:
    """`Janua`'s namespace properties: `auth` -> AuthNamespace."""
    found: dict[str, str] = {}
    for tree in trees.values():
        for _, match in QueryCursor(FIELDS).matches(tree.root_node):
            (cls,), (kind,) = match["class"], match["type"]
            if text(cls) == "Janua" and text(kind).endswith("Namespace"):
                for field in match["field"]:
                    found[text(field)] = text(kind)
    return found


# --- the facade is where it should be ------------------------------------------------------------


def test_facade_files_parse_clean_and_form_one_library() -> None:
    library = tree_of(LIBRARY)
    parts = {
        text(n)[1:-1]
        for d in library.root_node.children
        if d.type == "part_directive"
        for n in walk(d)
        if n.type == "string_literal"
    }
    on_disk = {p.name for p in facade_files()} - {LIBRARY.name}
    assert parts == on_disk, f"parts {sorted(parts)} vs files {sorted(on_disk)}"
    errors = [f"{name}:{e}" for name, tree in facade_trees().items() for e in syntax_errors(tree)]
    assert not errors, f"syntax errors in the facade: {errors}"
    for name in sorted(parts):
        (part_of,) = (
            c for c in tree_of(FACADE / name).root_node.children if c.type == "part_of_directive"
        )
        assert text(part_of).replace('"', "'") == "part of 'facade.dart';", (
            f"{name}: {text(part_of)}"
        )


def test_entry_point_exports_the_facade() -> None:
    entry = tree_of(PACKAGE / "lib" / "janua.dart")
    exports = [
        text(n)[1:-1]
        for node in walk(entry.root_node)
        if node.type == "library_export"
        for n in walk(node)
        if n.type == "string_literal"
    ]
    assert "src/facade/facade.dart" in exports, exports


def test_generic_calls_are_not_misread_as_comparisons() -> None:
    """tree-sitter-dart reads some `f<T>(x)` as `(f < T) > (x)` without an error node; the call
    checks below would then miss the call. The facade avoids explicit type arguments on method
    calls; this keeps it that way."""
    suspicious = [
        f"{name}:{node.start_point.row + 1}: {text(node)[:60]!r}"
        for name, tree in facade_trees().items()
        for node in walk(tree.root_node)
        if node.type == "relational_expression"
        and node.named_children
        and node.named_children[0].type == "relational_expression"
    ]
    assert not suspicious, "\n".join(suspicious)


# --- every operation reachable, through the machinery -------------------------------------------


def test_every_contract_operation_is_called_by_the_facade() -> None:
    ops = operations()
    assert len(ops) >= 90, "the contract lost operations, or this test stopped reading it"
    called = {(c.api_class, c.method) for c in generated_calls(facade_trees())}
    missing = sorted(op.id for op in ops.values() if (op.api_class, op.id) not in called)
    assert not missing, f"{len(missing)} operation(s) the facade does not call: {missing}"


def test_every_generated_method_the_facade_calls_exists() -> None:
    generated = generated_methods()
    fields = api_fields(facade_trees())
    assert fields, "no `...Api` fields found on Janua; the query is broken"
    unknown_classes = sorted(set(fields.values()) - set(generated))
    assert not unknown_classes, (
        f"fields typed with classes that were not generated: {unknown_classes}"
    )
    calls = generated_calls(facade_trees())
    absent = sorted(
        f"{c.where}: {c.api_class}.{c.method}"
        for c in calls
        if c.method not in generated.get(c.api_class, set())
    )
    assert not absent, "generated methods the facade calls but which do not exist:\n" + "\n".join(
        absent
    )


def test_each_call_runs_through_send_under_its_operation_id() -> None:
    ops = operations()
    problems = []
    for call in generated_calls(facade_trees()):
        if call.wrapper is None:
            problems.append(f"{call.where}: {call.method} is called outside _send/_run")
            continue
        _, literal, _ = call.wrapper
        if literal != call.method:
            problems.append(f"{call.where}: {call.method} runs as {literal!r}")
        if call.method not in ops:
            problems.append(f"{call.where}: {call.method} is no operationId of the contract")
    assert not problems, "\n".join(problems)


def test_session_token_follows_the_contract_security() -> None:
    """`public: true` (no session token, no refresh on 401) exactly where the contract's
    security has no bearerAuth."""
    ops = operations()
    wrong = []
    for call in generated_calls(facade_trees()):
        op = ops.get(call.method)
        if op is None or call.wrapper is None:
            continue  # reported above
        public = "public" in call.wrapper[2]
        if public != op.public:
            wrong.append(f"{call.where}: {call.method} public={public}, contract says {op.public}")
    assert not wrong, "\n".join(wrong)


def test_each_operation_is_called_once() -> None:
    seen: dict[str, list[str]] = {}
    for call in generated_calls(facade_trees()):
        seen.setdefault(call.method, []).append(call.where)
    twice = {name: where for name, where in seen.items() if len(where) > 1}
    assert not twice, f"called from several places (one facade method per operation): {twice}"


# --- the same names as the other SDKs -----------------------------------------------------------


def test_namespaces_are_the_shared_ones() -> None:
    table = shared_names()
    spaces = namespaces(facade_trees())
    expected = {entry.namespace for entry in table.values()}
    assert set(spaces) == expected, f"Janua has {sorted(spaces)}, the SDKs share {sorted(expected)}"


def test_methods_carry_the_shared_names() -> None:
    trees = facade_trees()
    table = shared_names()
    spaces = namespaces(trees)
    declared = methods_by_class(trees)
    returns = method_return_types(trees)
    owners = {c.method: c.owner for c in generated_calls(trees)}
    problems = []
    for op_id, entry in sorted(table.items()):
        namespace, name = RENAMED.get(op_id, (entry.namespace, camel(entry.method)))
        cls = spaces.get(namespace, "?")
        if op_id in ROUTED:
            if name not in declared.get(cls, set()):
                problems.append(f"{op_id}: {cls} lacks {name}")
            if owners.get(op_id) != ROUTED[op_id]:
                problems.append(f"{op_id}: called from {owners.get(op_id)}, not {ROUTED[op_id]}")
            continue
        if entry.page_method is None:
            if owners.get(op_id) != (cls, name):
                problems.append(f"{op_id}: called from {owners.get(op_id)}, expected {cls}.{name}")
            continue
        # A list: `<name>Page` sends the operation, `<name>` streams every item of every page.
        page = camel(entry.page_method)
        if owners.get(op_id) != (cls, page):
            problems.append(f"{op_id}: called from {owners.get(op_id)}, expected {cls}.{page}")
        if not returns.get((cls, name), "").startswith("Stream<"):
            problems.append(
                f"{op_id}: {cls}.{name} should return a Stream, not {returns.get((cls, name))!r}"
            )
    assert not problems, "\n".join(problems)


def test_facade_names_do_not_collide_with_generated_ones() -> None:
    """lib/janua.dart exports both libraries: a name declared in both is an ambiguous export."""

    def public_types(paths: list[Path]) -> set[str]:
        return {
            text(n)
            for path in paths
            for n in QueryCursor(TOP_LEVEL_TYPES).captures(tree_of(path).root_node).get("name", [])
            if not text(n).startswith("_")
        }

    facade = public_types(facade_files())
    generated = public_types(sorted(GENERATED.rglob("*.dart")))
    assert {"Janua", "JanuaException", "MfaRequiredException"} <= facade, facade
    assert not facade & generated, f"declared by both: {sorted(facade & generated)}"


# --- pubspec -------------------------------------------------------------------------------------


def pubspec() -> dict:
    return yaml.safe_load((PACKAGE / "pubspec.yaml").read_text(encoding="utf-8"))


def lower_bound(constraint: str) -> tuple[int, ...]:
    match = re.search(r">=\s*(\d+)\.(\d+)\.(\d+)", constraint) or re.search(
        r"\^\s*(\d+)\.(\d+)\.(\d+)", constraint
    )
    assert match, f"no lower bound in {constraint!r}"
    return tuple(int(g) for g in match.groups())


def test_pubspec_declares_what_the_facade_imports() -> None:
    declared = set(pubspec().get("dependencies") or {})
    imported = {
        text(n)[1:-1].removeprefix("package:").split("/", 1)[0]
        for tree in facade_trees().values()
        for node in walk(tree.root_node)
        if node.type == "library_import"
        for n in walk(node)
        if n.type == "string_literal" and text(n)[1:-1].startswith("package:")
    }
    assert imported == {"http"}, f"the facade imports {sorted(imported)}"
    assert imported <= declared, f"imported but not declared: {sorted(imported - declared)}"


def test_pubspec_version_is_the_contract_version() -> None:
    assert str(pubspec()["version"]) == str(contract()["info"]["version"])


def test_pubspec_admits_no_http_without_abortable_requests() -> None:
    """The generated ApiClient and the facade's transport build `AbortableRequest`s, which
    package:http has had since 1.5.0; http 1.5.0 itself needs Dart 3.4."""
    uses = [
        name
        for name, tree in {
            **facade_trees(),
            "api_client.dart": tree_of(GENERATED / "api_client.dart"),
        }.items()
        if any(
            n.type in ("identifier", "type_identifier") and text(n) == "AbortableRequest"
            for n in walk(tree.root_node)
        )
    ]
    assert uses, "nothing uses AbortableRequest any more: relax this test and the pubspec"
    spec = pubspec()
    assert lower_bound(spec["dependencies"]["http"]) >= (1, 5, 0), spec["dependencies"]["http"]
    assert lower_bound(spec["environment"]["sdk"]) >= (3, 4, 0), spec["environment"]["sdk"]


# --- the checks above cannot pass vacuously -------------------------------------------------------

SAMPLE = b"""
part of 'facade.dart';
class Janua {
  late final AuthApi _authApi = AuthApi(apiClient);
  late final AuthNamespace auth = AuthNamespace._(this);
}
class AuthNamespace {
  AuthNamespace._(this._janua);
  final Janua _janua;
  // _janua._authApi.getCurrentUser() in a comment is no call
  Future<User> me({CallOptions? options}) async {
    final String s = '_janua._authApi.logoutUser()';
    final User? result = await _janua._send(
        'getCurrentUser', () => _janua._authApi.getCurrentUser(), options);
    return _required(result, 'getCurrentUser');
  }
  Future<void> login(LoginRequest r) async {
    await _janua._send('registerUser', () => _janua._authApi.loginUser(r), null, public: true);
  }
  Future<void> stray() async {
    await _janua._authApi.logoutUser();
  }
}
"""


def test_call_finder_reads_the_tree() -> None:
    trees = {"sample.dart": parse(SAMPLE)}
    assert api_fields(trees) == {"_authApi": "AuthApi"}
    assert namespaces(trees) == {"auth": "AuthNamespace"}
    calls = {c.method: c for c in generated_calls(trees)}
    assert set(calls) == {"getCurrentUser", "loginUser", "logoutUser"}  # not the comment/string
    assert calls["getCurrentUser"].owner == ("AuthNamespace", "me")
    assert calls["getCurrentUser"].wrapper == ("_send", "getCurrentUser", frozenset())
    assert calls["loginUser"].wrapper == ("_send", "registerUser", frozenset({"public"}))
    assert calls["logoutUser"].wrapper is None


def test_coverage_notices_a_removed_call() -> None:
    """The real namespaces.dart, minus the call of loginUser, is one operation short."""
    source = (FACADE / "namespaces.dart").read_bytes()
    assert source.count(b"._authApi.loginUser(") == 1
    damaged = source.replace(b"._authApi.loginUser(", b"._authApi.registerUser(")
    trees = {**facade_trees(), "namespaces.dart": parse(damaged)}
    called = {(c.api_class, c.method) for c in generated_calls(trees)}
    assert ("AuthApi", "registerUser") in called
    assert ("AuthApi", "loginUser") not in called


BROKEN = [b"class A { void f() { g<int>(1) } }", b"class A { void f( {} }"]


@pytest.mark.parametrize("source", BROKEN)
def test_broken_facade_code_is_reported(source: bytes) -> None:
    assert syntax_errors(parse(source))
