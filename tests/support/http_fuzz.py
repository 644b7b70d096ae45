"""Bounded fuzzing of an HTTP API from its OpenAPI: hypothesis draws requests, none may answer 5xx.

Requests are drawn up front (hypothesis generates, no shrinking: the failing request is printed
whole) and then sent to the app in-process, so the services' own async fixtures can be used.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

# Text that has broken parsers before: NUL and escapes, non-ASCII digits, bidi marks, huge numbers.
ODD_TEXT = (
    "", " ", "\x00", "a\x00b", "\x1b[31m", "\t\n", "²", "٣٤٥", "१२", "𝟘𝟙", "\u202e", "\ufeff", "ǅ",
    "' OR '1'='1", "../../etc/passwd", "%00", "null", "true", "-1", "0", "1e309", "9" * 40, "x" * 3000,
    "+14155550123", "(415) 555-0123", "2026-13-45T25:61:00Z", "2026-06-01T09:00:00", "<script>1</script>",
)  # fmt: skip
HEADER_TEXT = ("", "²", "abc", "-1", "9" * 30, "a\x00b", "\x7f", "é")

SkipRule = Callable[[str, str], bool]


@dataclass
class FuzzRequest:
    """One drawn request."""

    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    data: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """The request in one line, for a failure message."""
        body = self.json if self.json is not None else self.data
        return f"{self.method} {self.path} params={self.params!r} body={body!r} headers={self.headers!r}"


def texts() -> st.SearchStrategy[str]:
    """Odd and random text (hypothesis' own alphabet never draws lone surrogates)."""
    return st.one_of(st.sampled_from(ODD_TEXT), st.sampled_from(ODD_TEXT), st.text(max_size=30))


def json_values() -> st.SearchStrategy[Any]:
    """Any JSON value: booleans where numbers go, numbers past 64 bits, nesting."""
    numbers = st.one_of(st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False))
    scalars = st.one_of(st.none(), st.booleans(), numbers, texts())
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts(), inner, max_size=3),
        max_leaves=6,
    )


def _with_known(
    name: str, known: Mapping[str, Any], fallback: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """A known good value (a real spa id) half the time, so deeper code runs too."""
    if name in known:
        return st.one_of(st.just(known[name]), st.just(known[name]), fallback)
    return fallback


def _resolve(openapi: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return openapi["components"]["schemas"][ref.rsplit("/", 1)[-1]]  # type: ignore[no-any-return]
    return schema


def _body(
    openapi: Mapping[str, Any], op: Mapping[str, Any], known: Mapping[str, Any]
) -> st.SearchStrategy[Any]:
    content = (op.get("requestBody") or {}).get("content") or {}
    schema = _resolve(openapi, (content.get("application/json") or {}).get("schema") or {})
    properties = schema.get("properties") or {}
    fields = st.fixed_dictionaries(
        {}, optional={name: _with_known(name, known, json_values()) for name in properties}
    )
    return st.one_of(fields, fields, json_values())


def operation(
    openapi: Mapping[str, Any], method: str, template: str, op: Mapping[str, Any], known: Mapping[str, Any],
    headers: Mapping[str, str],
) -> st.SearchStrategy[FuzzRequest]:  # fmt: skip
    """Requests for one OpenAPI operation: fuzzed path, query and JSON body, the given headers or none."""
    names = re.findall(r"{(\w+)}", template)
    path_values = st.tuples(*(_with_known(n, known, texts()) for n in names))
    query = st.fixed_dictionaries(
        {},
        optional={
            p["name"]: _with_known(p["name"], known, texts())
            for p in op.get("parameters", [])
            if p.get("in") == "query"
        },
    )
    has_body = "requestBody" in op
    body = _body(openapi, op, known) if has_body else st.none()
    extra = st.fixed_dictionaries({}, optional={"Last-Event-ID": st.sampled_from(HEADER_TEXT)})
    auth = st.sampled_from([dict(headers)] * 4 + [{}])

    def build(
        values: tuple[str, ...], params: dict[str, str], payload: Any, h: dict[str, str], a: dict
    ) -> FuzzRequest:
        path = template
        for name, value in zip(names, values, strict=True):
            path = path.replace("{" + name + "}", quote(str(value), safe="") or "%20")
        return FuzzRequest(method.upper(), path, params, payload if has_body else None, None, {**a, **h})

    return st.builds(build, path_values, query, body, extra, auth)


def api_requests(
    openapi: Mapping[str, Any], *, per_operation: int, known: Mapping[str, Any], headers: Mapping[str, str],
    skip: SkipRule = lambda _method, _path: False,
) -> list[FuzzRequest]:  # fmt: skip
    """Requests drawn for every operation the OpenAPI lists (except skipped ones), taking turns
    between operations so that a time budget cut short still covers every one of them."""
    per_op: list[list[FuzzRequest]] = []
    for template, item in sorted(openapi.get("paths", {}).items()):
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete") and not skip(method, template):
                per_op.append(draw(operation(openapi, method, template, op, known, headers), per_operation))
    return [r for turn in itertools.zip_longest(*per_op) for r in turn if r is not None]


CONTROL_VALUES = ("a\x00b", "\x1b[2J", "x\x7f")


def control_character_requests(
    openapi: Mapping[str, Any], *, known: Mapping[str, Any], headers: Mapping[str, str],
    skip: SkipRule = lambda _method, _path: False,
) -> list[FuzzRequest]:  # fmt: skip
    """Every path parameter, query parameter and JSON body field of every operation, in turn holding
    a control character while the rest hold known good values: each must be refused with a 400."""
    found: list[FuzzRequest] = []
    for template, item in sorted(openapi.get("paths", {}).items()):
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete") or skip(method, template):
                continue
            names = re.findall(r"{(\w+)}", template)
            query = [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"]
            content = (op.get("requestBody") or {}).get("content") or {}
            body_schema = _resolve(openapi, (content.get("application/json") or {}).get("schema") or {})
            fields = list(body_schema.get("properties") or {}) if content else []
            slots = (
                [("path", n) for n in names] + [("query", n) for n in query] + [("body", n) for n in fields]
            )
            shape = Shape(method.upper(), template, names, query, fields)
            for slot, bad in zip(slots, _cycle(CONTROL_VALUES, len(slots)), strict=True):
                found.append(_with_control(shape, known, headers, slot, bad))
    return found


def _cycle(values: tuple[str, ...], count: int) -> list[str]:
    return [values[i % len(values)] for i in range(count)]


@dataclass(frozen=True)
class Shape:
    """An operation's parameters: path, query and JSON body field names."""

    method: str
    template: str
    names: list[str]
    query: list[str]
    fields: list[str]


def _with_control(
    shape: Shape, known: Mapping[str, Any], headers: Mapping[str, str], slot: tuple[str, str], bad: str
) -> FuzzRequest:
    def value(where: str, name: str) -> Any:
        return bad if (where, name) == slot else known.get(name, "x")

    path = shape.template
    for n in shape.names:
        path = path.replace("{" + n + "}", quote(str(value("path", n)), safe=""))
    params = {n: str(value("query", n)) for n in shape.query if n in known or ("query", n) == slot}
    body = {n: value("body", n) for n in shape.fields if n in known or ("body", n) == slot}
    return FuzzRequest(shape.method, path, params, body if shape.fields else None, None, dict(headers))


async def answers(client: httpx.AsyncClient, requests: list[FuzzRequest]) -> list[tuple[int, str]]:
    """Each request's status with the request described."""
    found = []
    for request in requests:
        response = await client.request(
            request.method, request.path, params=request.params, json=request.json, headers=request.headers
        )
        found.append((response.status_code, request.describe()))
    return found


def draw(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """`count` examples of a strategy, the same ones every run (derandomised)."""
    found: list[Any] = []

    @settings(
        max_examples=count, database=None, deadline=None, derandomize=True, phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(strategy)
    def collect(value: Any) -> None:
        found.append(value)

    collect()
    return found


async def server_errors(
    client: httpx.AsyncClient, requests: list[FuzzRequest], *, budget_seconds: float = 20.0
) -> list[str]:
    """Send the requests; every one answered 5xx (or raising inside the app) as a line. Bounded in time."""
    failures: list[str] = []
    ends = time.monotonic() + budget_seconds
    for request in requests:
        if time.monotonic() > ends:
            break
        try:
            async with asyncio.timeout(10):
                response = await client.request(
                    request.method, request.path, params=request.params, json=request.json,
                    data=request.data, headers={k: v.encode("latin-1") for k, v in request.headers.items()},
                )  # fmt: skip
        except (httpx.InvalidURL, UnicodeEncodeError):
            continue  # the client cannot even send it: nothing reached the server
        except Exception as exc:
            failures.append(f"{type(exc).__name__}: {exc} <- {request.describe()}"[:600])
            continue
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {response.text[:200]} <- {request.describe()}"[:600])
    return failures


def in_process(app: Any, host: str = "localhost") -> httpx.AsyncClient:
    """A client on the app that gets a 500 answer (not an exception) when a route raises."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=("127.0.0.1", 5555))
    return httpx.AsyncClient(transport=transport, base_url=f"http://{host}")
