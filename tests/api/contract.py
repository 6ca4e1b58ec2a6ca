"""The OpenAPI document as a test oracle: every response the API tests receive is checked against it.

`Contract.check` finds the documented operation for a request, requires the status code to be documented
there, and validates a JSON body against the documented schema (JSON Schema 2020-12, formats checked).
An undocumented route, status or field fails the test that met it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

API_PREFIX = "/api/v1"
METHODS = ("get", "post", "put", "patch", "delete")


class ContractError(AssertionError):
    pass


@dataclass(frozen=True)
class Operation:
    method: str
    template: str  # as written in the document
    pattern: re.Pattern[str]
    spec: dict[str, Any]


class Contract:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.operations: list[Operation] = []
        for template, item in spec["paths"].items():
            servers = item.get("servers") or spec["servers"]
            prefix = servers[0]["url"].rstrip("/")
            regex = "^" + prefix + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
            for method in METHODS:
                if method in item:
                    self.operations.append(Operation(method, template, re.compile(regex), item[method]))

    def operation(self, method: str, path: str) -> Operation:
        path = path.split("?", 1)[0]
        for op in self.operations:
            if op.method == method.lower() and op.pattern.match(path):
                return op
        raise ContractError(f"{method} {path} is not documented in web/api/openapi.yaml")

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def validator(self, schema: dict[str, Any]) -> Draft202012Validator:
        # The components ride along in the root so "#/components/schemas/…" resolves.
        root = {**schema, "components": self.spec["components"]}
        return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)

    def validate(self, schema: dict[str, Any], body: Any, where: str) -> None:
        try:
            self.validator(schema).validate(body)
        except ValidationError as exc:
            location = "/".join(str(p) for p in exc.absolute_path)
            raise ContractError(
                f"{where}: body does not match the schema at '{location}': {exc.message}"
            ) from None

    def check(self, method: str, path: str, status: int, content_type: str, body: Any) -> None:
        op = self.operation(method, path)
        where = f"{method.upper()} {op.template} → {status}"
        documented = op.spec["responses"].get(str(status))
        if documented is None:
            raise ContractError(f"{where}: status not documented")
        content = self.resolve(documented).get("content") or {}
        if content_type.startswith("application/json"):
            if "application/json" not in content:
                raise ContractError(f"{where}: JSON body where the document declares {sorted(content)}")
            self.validate(content["application/json"]["schema"], body, where)
        elif (
            status not in (204, 304)
            and content
            and not any(kind in content for kind in ("application/octet-stream", "text/html"))
        ):
            raise ContractError(f"{where}: {content_type} body where the document declares {sorted(content)}")

    def schema(self, name: str) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{name}"}
