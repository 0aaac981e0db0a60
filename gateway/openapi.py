"""The OpenAPI 3.1 document of /api/v1, generated from the API's route table
(gateway/routes/api_v1.py) and the pydantic contracts it names, never written by
hand: a contract that changes changes the document with it.

Every error, whatever its status, has the one shape of gateway/errors.py
(`ApiError`); every operation needs a commune's API token as a bearer token.
"""

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from shared.contracts.api import ApiError, ApiScope

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
# Ids in paths: commune, poll and disclosure ids are lowercase slugs or hex.
PATH_PARAMETER = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}
ERRORS = {
    401: "No API token, or one that is unknown or revoked.",
    403: "The token is for another commune, or may only read.",
    404: "Nothing with this id in the token's commune.",
    409: "In conflict with what is stored.",
    422: "Invalid input: `error.fields` names each refused field and why.",
    503: "A service is unavailable for a moment; try again.",
}
DESCRIPTION = """\
Read a commune's public data and make the writes that integration needs.

Each call carries an API token of the commune, issued by its administrator on the
staff page /can-bo/xa/<commune id>/api: `Authorization: Bearer danban_...`. A token reads
(scope `read`) or also writes (scope `write`); it stops working the moment it is
revoked. Every write is recorded in the commune's audit log.

Every error has the shape `{"error": {"code", "message", "detail", "fields"}}`:
`code` names the error, `message` is a sentence for a person (Vietnamese, or
English with `Accept-Language: en`), `fields` names each refused input field.
"""

Handler = Callable[[Any], Awaitable[BaseModel]]  # given the call, answers `response`


@dataclass(frozen=True)
class Operation:
    """One row of the route table: what the document says and what serves it."""

    method: str
    path: str  # under PREFIX, with {name} for path parameters, as Starlette reads it
    summary: str
    scope: ApiScope
    response: type[BaseModel]
    handler: Handler
    query: type[BaseModel] | None = None  # its fields are the query parameters
    body: type[BaseModel] | None = None
    status: int = 200

    @property
    def name(self) -> str:
        return self.handler.__name__

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def error_statuses(self) -> list[int]:
        statuses = {401, 503}
        if "commune_id" in self.path_parameters or self.scope == ApiScope.WRITE:
            statuses.add(403)
        if self.path_parameters:
            statuses |= {404, 422}
        if self.query or self.body:
            statuses.add(422)
        if self.body:
            statuses.add(409)
        return sorted(statuses)


def _schemas(operations: list[Operation]) -> tuple[dict[Any, dict], dict[str, Any]]:
    """Each model's reference and every definition, from pydantic's JSON Schema:
    responses as they are serialized, bodies and queries as they are validated."""
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ApiError, "serialization")]
    for operation in operations:
        wanted.append((operation.response, "serialization"))
        wanted += [(model, "validation") for model in (operation.body, operation.query) if model]
    references, definitions = models_json_schema(list(dict.fromkeys(wanted)), ref_template=REF)
    return references, definitions.get("$defs", {})


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is present or absent, never null: drop `None` from it."""
    schema = {key: value for key, value in schema.items() if key != "default" or value is not None}
    branches = [branch for branch in schema.get("anyOf", []) if branch != {"type": "null"}]
    if len(branches) == 1 and len(schema["anyOf"]) == 2:
        rest = {key: value for key, value in schema.items() if key != "anyOf"}
        return {**branches[0], **rest}
    return schema


def _name(reference: dict[str, str]) -> str:
    return reference["$ref"].rsplit("/", 1)[1]


def _parameters(
    operation: Operation, references: dict[Any, dict], definitions: dict[str, Any]
) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": dict(PATH_PARAMETER)}
        for name in operation.path_parameters
    ]
    if operation.query:
        model = definitions[_name(references[(operation.query, "validation")])]
        required = set(model.get("required", []))
        for name, schema in model["properties"].items():
            parameter = {"name": name, "in": "query", "required": name in required}
            schema = _not_null(schema)
            if "description" in schema:
                parameter["description"] = schema.pop("description")
            parameters.append({**parameter, "schema": schema})
    return parameters


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _operation(
    operation: Operation, references: dict[Any, dict], definitions: dict[str, Any]
) -> dict[str, Any]:
    error = references[(ApiError, "serialization")]
    responses: dict[str, Any] = {
        str(operation.status): {
            "description": operation.summary,
            "content": _json(references[(operation.response, "serialization")]),
        }
    }
    for status in operation.error_statuses:
        responses[str(status)] = {"description": ERRORS[status], "content": _json(error)}
    described: dict[str, Any] = {
        "operationId": operation.name,
        "summary": operation.summary,
        "description": f"Token scope: `{operation.scope.value}`.",
        "parameters": _parameters(operation, references, definitions),
        "responses": responses,
    }
    if operation.body:
        reference = references[(operation.body, "validation")]
        described["requestBody"] = {"required": True, "content": _json(reference)}
    return described


def document(operations: list[Operation], version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `operations`."""
    references, definitions = _schemas(operations)
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        described = _operation(operation, references, definitions)
        paths.setdefault(PREFIX + operation.path, {})[operation.method.lower()] = described
    for operation in operations:
        if operation.query:  # spelled out as parameters instead
            definitions.pop(_name(references[(operation.query, "validation")]), None)
    return {
        "openapi": "3.1.0",
        "info": {"title": "DânBàn API", "version": version, "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": definitions,
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A commune's API token, issued and revoked by its staff.",
                }
            },
        },
        "security": [{"token": []}],
    }
