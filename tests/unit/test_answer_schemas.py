"""The OpenAPI schema describes every answer of /api/v1: each success with its model (a
file for the exports; a 204 with none), each refusal with the error shape and its codes."""

from __future__ import annotations

import pytest

from app.main import create_app
from app.refusal import Code
from app.settings import Settings


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    database = tmp_path_factory.mktemp("schema") / "schema.db"
    return create_app(Settings(database_url=f"sqlite:///{database}")).openapi()


def api_operations(schema):
    return [(method, path, operation) for path, operations in schema["paths"].items()
            if path.startswith("/api/v1/") for method, operation in operations.items()]


def test_every_success_has_a_schema(schema):
    operations = api_operations(schema)
    assert len(operations) >= 40
    for method, path, operation in operations:
        successes = {status: answer for status, answer in operation["responses"].items()
                     if status.startswith("2")}
        assert successes, (method, path)
        for status, answer in successes.items():
            if status == "204":  # No Content (DELETE /sessions/{id}): there is no body
                assert not answer.get("content"), (method, path, answer)
                continue
            schemas = [media.get("schema") for media in answer.get("content", {}).values()]
            assert schemas and all(schemas), (method, path, answer)


def test_json_answers_name_their_fields_and_allow_no_others(schema):
    models = schema["components"]["schemas"]
    for method, path, operation in api_operations(schema):
        for status, answer in operation["responses"].items():
            json_schema = answer.get("content", {}).get("application/json", {}).get("schema")
            if not status.startswith("2") or json_schema is None:
                continue
            if path.endswith("/export.{fmt}"):  # a file; the JSON export names its format
                assert json_schema["required"] == ["format", "version"]
                continue
            model = models[json_schema["$ref"].rsplit("/", 1)[-1]]
            assert model["properties"], (method, path)
            assert model.get("additionalProperties") is False, (method, path)


def test_every_refusal_status_is_documented_with_the_error_shape(schema):
    statuses = {str(code.status) for code in Code if code.status < 500} | {"503"}
    for method, path, operation in api_operations(schema):
        for status in statuses:
            answer = operation["responses"][status]
            assert answer["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"}, (method, path, status)
    codes = schema["components"]["schemas"]["Code"]["enum"]
    assert sorted(codes) == sorted(code.value for code in Code)
