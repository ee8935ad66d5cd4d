"""The API describes itself at /api/openapi.json, from the models that validate it."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import pytest

from functions.app import create_app
from portal.i18n import translate
from portal.settings import Settings


@pytest.fixture
def doc(settings: Settings) -> dict[str, Any]:
    response = create_app(settings).test_client().get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body: dict[str, Any] = response.get_json()
    return body


def _resolve(doc: dict[str, Any], ref: str) -> dict[str, Any]:
    assert ref.startswith("#/components/schemas/")
    schema: dict[str, Any] = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def test_document_is_openapi_3_1_with_title_and_version(doc: dict[str, Any]) -> None:
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["title"] == translate("api.title", "en")
    assert doc["info"]["version"] == version("owner-portal")


def test_health_is_listed_with_its_response_schema_for_200_and_503(doc: dict[str, Any]) -> None:
    operation = doc["paths"]["/api/health"]["get"]
    assert operation["operationId"] == "health_status"
    for status in ("200", "503"):
        ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        schema = _resolve(doc, ref)
        assert {"ok", "stage", "tables"} <= set(schema["required"])
        assert schema["properties"]["ok"]["type"] == "boolean"


def test_error_responses_are_documented_as_the_error_envelope(doc: dict[str, Any]) -> None:
    responses = doc["paths"]["/api/health"]["get"]["responses"]
    for status in ("400", "500"):
        ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
        envelope = _resolve(doc, ref)
        body = _resolve(doc, envelope["properties"]["error"]["$ref"])
        assert {"code", "message", "message_en"} <= set(body["required"])
        assert "details" in body["properties"]


def test_document_lists_only_api_paths_and_not_itself(doc: dict[str, Any]) -> None:
    assert all(path.startswith("/api/") for path in doc["paths"])
    assert "/api/openapi.json" not in doc["paths"]


def test_no_documentation_ui_is_served(settings: Settings) -> None:
    client = create_app(settings).test_client()
    assert client.get("/api/").status_code == 404
    assert client.get("/openapi").status_code == 404
    assert client.get("/openapi/openapi.json").status_code == 404


def _schema(doc: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = doc["components"]["schemas"][name]
    return schema


def test_the_document_carries_the_phone_username_and_password_rules(doc: dict[str, Any]) -> None:
    from portal.accounts.passwords import MAX_LENGTH, MIN_LENGTH
    from portal.accounts.staff.validation import USERNAME_PATTERN
    from portal.phones import OPTIONAL_PHONE_PATTERN, PHONE_PATTERN

    assert _schema(doc, "CodeRequest")["properties"]["phone"]["pattern"] == PHONE_PATTERN
    assert _schema(doc, "VerifyRequest")["properties"]["phone"]["pattern"] == PHONE_PATTERN
    create = _schema(doc, "StaffCreate")["properties"]
    assert create["username"]["pattern"] == USERNAME_PATTERN
    assert create["phone"]["pattern"] == OPTIONAL_PHONE_PATTERN
    assert (create["password"]["minLength"], create["password"]["maxLength"]) == (MIN_LENGTH, MAX_LENGTH)
    assert create["password"]["format"] == "password"
    patch = _schema(doc, "StaffPatch")["properties"]
    assert patch["phone"]["pattern"] == OPTIONAL_PHONE_PATTERN


def test_the_document_lists_the_roles_and_that_staff_but_admins_need_an_estate(
    doc: dict[str, Any],
) -> None:
    from portal.accounts.policy import ASSIGNABLE_ROLES

    create = _schema(doc, "StaffCreate")
    assert create["properties"]["roles"]["items"]["enum"] == list(ASSIGNABLE_ROLES)
    only_admin, with_estates = create["anyOf"]
    assert only_admin == {"properties": {"roles": {"items": {"const": "admin"}}}}
    assert with_estates["properties"]["estates"]["minItems"] == 1


def test_disabled_is_a_strict_boolean_in_the_document(doc: dict[str, Any]) -> None:
    disabled = _schema(doc, "StaffPatch")["properties"]["disabled"]
    assert {"type": "boolean"} in disabled["anyOf"]


def test_no_two_models_share_a_schema_name_so_no_response_is_checked_against_another() -> None:
    # The document names each model's schema after its class: two ``DayOut``s would leave
    # one route described by the other's schema (the fuzz run found one such pair).
    import ast
    from pathlib import Path

    seen: dict[str, str] = {}
    clashes = []
    root = Path(__file__).resolve().parents[2] / "functions" / "blueprints"
    for path in sorted(root.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and node.bases and not node.name.endswith(
                ("Query", "Path")
            ):  # every model, whatever it derives from (parameters are inlined)
                if node.name in seen:
                    clashes.append(f"{node.name}: {seen[node.name]} and {path.name}")
                seen.setdefault(node.name, path.name)
    assert clashes == []
