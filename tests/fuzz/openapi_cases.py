"""Requests for every operation of web/api/openapi.yaml, as hypothesis strategies: path ids that exist,
belong to another tenant or overflow bigint; query parameters and JSON bodies drawn from the schemas,
with hostile values mixed in (tests.fuzz.hostile)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from hypothesis import strategies as st

from tests.fuzz.hostile import BIGINT, hostile

SPEC = yaml.safe_load((Path(__file__).parents[2] / "web" / "api" / "openapi.yaml").read_text())
PREFIX = "/api/v1"
METHODS = ("get", "post", "put", "patch", "delete")


def resolve(node: Any) -> Any:
    """Follow a local `$ref` (the document only has `#/components/...` ones)."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    parameters: tuple[dict[str, Any], ...]
    body: dict[str, Any] | None  # the JSON schema, when the operation takes JSON
    multipart: bool = False  # also takes an upload (multipart/form-data)

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.template}"

    def params(self, where: str) -> list[dict[str, Any]]:
        return [p for p in self.parameters if p["in"] == where]


def operations() -> list[Operation]:
    found = []
    for template, item in SPEC["paths"].items():
        shared = [resolve(p) for p in item.get("parameters", [])]
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            params = {p["name"]: p for p in shared}
            params.update({resolve(p)["name"]: resolve(p) for p in op.get("parameters", [])})
            content = resolve(op.get("requestBody", {})).get("content", {})
            body = content.get("application/json", {}).get("schema")
            found.append(
                Operation(
                    method,
                    template,
                    tuple(params.values()),
                    resolve(body) if body else None,
                    "multipart/form-data" in content,
                )
            )
    return found


ODD_IDS: list[Any] = [0, -1, 1, 2**31, BIGINT - 1, BIGINT, 2**64, 10**30, "abc", "1.5", "1e3", "%20", "0x10"]


def from_schema(schema: Any, ids: list[int], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values that fit `schema` (roughly: enough to pass validation and reach the code behind it)."""
    schema = resolve(schema or {})
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            return st.one_of([from_schema(s, ids, depth + 1) for s in schema[combinator]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        return st.one_of([from_schema({**schema, "type": k}, ids, depth) for k in kind])
    if kind == "integer":
        bounded = st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum"))
        return st.sampled_from(ids) | bounded
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), ids, depth + 1), max_size=4)
    if kind == "object":
        return body_for(schema, ids, depth + 1)
    if schema.get("format") == "date-time":
        return st.datetimes().map(lambda d: d.isoformat() + "Z") | st.text(max_size=30)
    return st.text(max_size=schema.get("maxLength", 60) + 2)


def value_for(schema: Any, ids: list[int], depth: int = 0) -> st.SearchStrategy[Any]:
    """Mostly a fitting value, sometimes a hostile one."""
    if depth > 4:
        return hostile
    return st.one_of(from_schema(schema, ids, depth), from_schema(schema, ids, depth), hostile)


@st.composite
def body_for(draw: st.DrawFn, schema: Any, ids: list[int], depth: int = 0) -> Any:
    schema = resolve(schema)
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    body: dict[str, Any] = {}
    for name, sub in props.items():
        if (name in required and draw(st.integers(0, 9)) > 0) or draw(st.booleans()):
            body[name] = draw(value_for(sub, ids, depth))
    if draw(st.integers(0, 5)) == 0:
        body[draw(st.text(max_size=10))] = draw(hostile)
    return body


def encode_query(values: dict[str, Any]) -> str:
    """Percent-encoded the way a browser would, lone surrogates as the bytes an attacker would send."""
    parts = []
    for key, value in values.items():
        text = value if isinstance(value, str) else json.dumps(value)
        parts.append(quote(key) + "=" + quote(text.encode("utf-8", "surrogatepass"), safe=""))
    return "&".join(parts)


@dataclass
class Call:
    method: str
    url: str
    body: bytes | None
    content_type: str | None
    form: dict[str, Any] | None = None  # multipart fields; a (bytes, filename) tuple is a file


@st.composite
def calls(draw: st.DrawFn, op: Operation, ids: list[int]) -> Call:
    path = op.template
    for param in op.params("path"):
        value = draw(st.sampled_from(ids) | st.sampled_from(ODD_IDS), label=param["name"])
        path = path.replace("{" + param["name"] + "}", quote(str(value), safe=""))
    query = {}
    for param in op.params("query"):
        if draw(st.booleans()):
            query[param["name"]] = draw(value_for(param.get("schema", {}), ids), label=param["name"])
    url = PREFIX + path + ("?" + encode_query(query) if query else "")
    if op.body is None and op.method in ("get", "delete"):
        return Call(op.method, url, None, None)
    shapes = ["schema", "schema", "schema", "hostile", "bytes", "form"] + ["upload"] * 2 * op.multipart
    shape = draw(st.sampled_from(shapes))
    if shape == "upload":
        return Call(op.method, url, None, None, draw(upload_fields(ids)))
    if shape == "bytes":
        raw = draw(st.binary(max_size=200) | st.sampled_from([b"", b"{", b"[" * 100_000, b"NaN"]))
        return Call(op.method, url, raw, "application/json")
    if shape == "form":
        return Call(op.method, url, b"text=oi&a=%00", "application/x-www-form-urlencoded")
    document = draw(hostile) if shape == "hostile" else draw(body_for(op.body or {"type": "object"}, ids))
    raw = json.dumps(document, allow_nan=True).encode("utf-8", "surrogatepass")
    return Call(op.method, url, raw, "application/json")


def _form_text(value: Any) -> str:
    """Form fields are text: other JSON values as JSON, surrogates as a client library would pass them."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


@st.composite
def upload_fields(draw: st.DrawFn, ids: list[int]) -> dict[str, Any]:
    """A multipart upload: a file (maybe empty, maybe with a hostile name) and hostile companions."""
    fields: dict[str, Any] = {}
    if draw(st.integers(0, 5)) > 0:
        content = draw(st.binary(max_size=200) | st.sampled_from([b"", b"\xff\xd8\xff\xe0", b"%PDF-1.4"]))
        name = draw(
            st.sampled_from(["foto.jpg", "", "../../x.pdf", "a\x00b.png", "é" * 300]) | st.text(max_size=30)
        )
        fields["file"] = (content, _form_text(name))
    for field, values in [
        ("text", hostile),
        ("client_key", hostile),
        ("reply_to_id", st.sampled_from(ids) | hostile),
    ]:
        if draw(st.booleans()):
            fields[field] = _form_text(draw(values))
    return fields
