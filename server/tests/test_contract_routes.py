"""The app serves exactly the spec's operations: same methods, paths and status codes."""

from __future__ import annotations

from janua_server.app import ROUTERS, load_contract
from janua_server.settings import Settings

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def spec_operations() -> dict[tuple[str, str], set[int]]:
    spec = load_contract()
    return {
        (method.upper(), path): {int(code) for code in operation["responses"]}
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def app_operations() -> dict[tuple[str, str], set[int]]:
    table: dict[tuple[str, str], set[int]] = {}
    for router in ROUTERS:
        for route in router.routes:
            for method in route.methods:
                statuses = {route.status_code, *(int(code) for code in route.responses)}
                table[(method, route.path)] = statuses
    return table


def test_every_spec_operation_is_served_and_nothing_else() -> None:
    assert set(app_operations()) == set(spec_operations())


def test_status_codes_match_the_spec() -> None:
    spec, app = spec_operations(), app_operations()
    mismatches = {op: (app[op], spec[op]) for op in spec if app.get(op) != spec[op]}
    assert mismatches == {}


def test_route_handlers_are_named_after_operation_ids() -> None:
    spec = load_contract()
    operation_ids = {
        (method.upper(), path): operation["operationId"]
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }
    for router in ROUTERS:
        for route in router.routes:
            for method in route.methods:
                expected = operation_ids[(method, route.path)]
                snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in expected)
                assert route.name == snake, (route.path, route.name, expected)


async def test_the_served_spec_is_the_hand_written_one(tmp_path, open_client) -> None:
    async with open_client(Settings(DATA_DIR=str(tmp_path))) as http:
        served = await http.get("/openapi.json")
        assert served.status_code == 200
        assert served.json() == load_contract()
        assert served.json()["openapi"] == "3.0.3"
        docs = await http.get("/docs")
        assert docs.status_code == 200
        assert "/openapi.json" in docs.text
        assert (await http.get("/docs/assets/swagger-ui-bundle.js")).status_code == 200
