"""Every input of the API is bounded and every answer matches the document (issue 19 items 3, 6
and 7; samdrift.core.api_inputs, ADR 0068).

The walk over the OpenAPI document is what makes a new field safe by default: a text without a
rule refusing ESC, an integer without an upper bound or two schemas under one name fails here.
"""

from __future__ import annotations

import datetime
import math
import re
import time
from typing import Any, get_args

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet
from pydantic import BaseModel

from config.api import api
from samdrift.core.api import ErrorOut
from samdrift.core.api_inputs import input_models
from samdrift.core.oidc import assertions
from samdrift.onboarding.models import ServiceRequest
from tests.api.support import API, bearer_client, call

ESC = "a\u001bb"
INT_MAX = 2**63 - 1


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return api.get_openapi_schema()


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _input_leaks(schema: dict[str, Any], where: str, components: dict[str, Any]) -> list[str]:
    """Each free text that would take ESC and each integer without a maximum, by location."""
    found: list[str] = []
    seen: set[int] = set()

    def walk(node: dict[str, Any], at: str) -> None:
        node = _resolve(node, components)
        if id(node) in seen:
            return
        seen.add(id(node))
        kind = node.get("type")
        free_text = not ({"enum", "const", "format"} & node.keys())
        if kind == "string" and free_text:
            pattern = node.get("pattern")
            if not pattern or re.search(pattern, ESC):
                found.append(f"{at}: text without a rule refusing control characters")
        if kind == "integer" and "maximum" not in node:
            found.append(f"{at}: integer without a maximum")
        kinds = {part.get("type") for part in node.get("anyOf", [])}
        if kinds == {"number", "string"}:  # a decimal: a number, or a string that parses as one
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for part in node.get(key, []):
                walk(part, at)
        if isinstance(node.get("items"), dict):
            walk(node["items"], f"{at}[]")
        if isinstance(node.get("additionalProperties"), dict):
            walk(node["additionalProperties"], f"{at}{{}}")
        for name, part in node.get("properties", {}).items():
            walk(part, f"{at}.{name}")

    walk(schema, where)
    return found


def test_every_input_text_refuses_control_characters_and_every_integer_is_bounded(document):
    components = document["components"]["schemas"]
    leaks: list[str] = []
    inputs = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                inputs += 1
                leaks += _input_leaks(
                    parameter["schema"], f"{method} {path} {parameter['name']}", components
                )
            for content in operation.get("requestBody", {}).get("content", {}).values():
                inputs += 1
                leaks += _input_leaks(content["schema"], f"{method} {path} body", components)
    assert inputs > 100  # the walk saw the API, not an empty document
    assert leaks == []


def test_the_rules_are_what_the_api_validates_with_not_only_what_it_documents():
    """The document is generated from the same models; check the models themselves too."""
    checked = 0
    for model in input_models(api):
        for name, field in model.model_fields.items():
            annotation = str(field.annotation)
            if field.annotation is str or annotation in {"str | None", "typing.Optional[str]"}:
                checked += 1
                patterns = [m.pattern for m in field.metadata if getattr(m, "pattern", None)]
                assert patterns, f"{model.__name__}.{name}"
                assert not re.search(patterns[0], ESC), f"{model.__name__}.{name}"
    assert checked > 20


def _assert_error_body(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert {"code", "message", "message_sv", "message_en"} <= body.keys()
    return body


@pytest.mark.django_db
def test_a_control_character_in_a_note_is_a_422_and_nothing_is_saved(
    agency_contact, agency, provider
):
    from samdrift.tests.factories import ServiceFactory

    service = ServiceFactory(provider=provider)
    client, _secret = bearer_client(agency_contact)
    before = ServiceRequest.objects.count()
    response = call(
        client,
        "POST",
        "/requests",
        {"organisation_id": agency.id, "service_code": service.code, "note": "ring\u001b[2J"},
    )
    body = _assert_error_body(response, 422)
    assert body["code"] == "invalid"
    assert ServiceRequest.objects.count() == before
    ok = call(
        client,
        "POST",
        "/requests",
        {"organisation_id": agency.id, "service_code": service.code, "note": "rad 1\nrad 2"},
    )
    assert ok.status_code in (200, 201), ok.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
@pytest.mark.parametrize(
    "path",
    [
        "/reporting/government/0",
        "/reporting/government/56872",
        "/billing/costs?year=0",
        "/billing/costs?year=56872",
        "/agencies?offset=99999999999999999999",
        "/billing/invoices?offset=99999999999999999999",
        f"/agencies/{INT_MAX + 1}",
        "/agencies/99999999999999999999",
        f"/billing/invoices/{INT_MAX + 1}",
        f"/cases/{INT_MAX + 1}",
        f"/jobs/{10**30}",
    ],
)
def test_out_of_range_numbers_are_a_422_in_our_format(settings, provider_admin, path, debug):
    settings.DEBUG = debug
    client, _secret = bearer_client(provider_admin)
    body = _assert_error_body(client.get(f"{API}{path}"), 422)
    assert body["code"] == "invalid"


@pytest.mark.django_db
def test_huge_line_positions_are_a_422_before_the_permission_check(agency_contact):
    """An agency contact may not credit; the malformed number is refused first, the same for
    every caller, and a 64-bit overflow never reaches the database."""
    client, _secret = bearer_client(agency_contact)
    response = call(
        client,
        "POST",
        f"/billing/invoices/{INT_MAX}/credit",
        {"reason": "fel", "line_positions": [10**20]},
    )
    assert _assert_error_body(response, 422)["code"] == "invalid"


@pytest.mark.parametrize("value", [0, 1735689600, 1.5])
def test_a_date_input_is_text_not_seconds_since_1970(value):
    """Every date or time input refuses a JSON number (pydantic read 0 as 1970-01-01: a plan
    date of the epoch was accepted, found by schemathesis), and still takes the ISO text."""
    dates = [
        (model, name)
        for model in input_models(api)
        for name, field in model.model_fields.items()
        if set(get_args(field.annotation) or [field.annotation]) - {type(None)}
        <= {datetime.date, datetime.datetime}
    ]
    assert dates
    for model, name in dates:
        with pytest.raises(ValueError, match="as text"):
            model.__pydantic_validator__.validate_assignment(model.model_construct(), name, value)
        text = (
            "2026-12-04T10:00:00+01:00"
            if "datetime" in str(model.model_fields[name])
            else "2026-12-04"
        )
        model.__pydantic_validator__.validate_assignment(model.model_construct(), name, text)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["NaN", "Infinity", "1" * 40])
def test_a_decimal_input_is_finite_and_bounded(value):
    """Every Decimal input (catalogue availability, …) refuses NaN, infinity and 40 digits."""
    decimals = [
        (model, name)
        for model in input_models(api)
        for name, field in model.model_fields.items()
        if "Decimal" in str(field.annotation)
    ]
    for model, name in decimals:
        errors = []
        try:
            model.__pydantic_validator__.validate_assignment(model.model_construct(), name, value)
        except ValueError as error:
            errors.append(error)
        assert errors, f"{model.__name__}.{name} took {value}"


@pytest.mark.parametrize("exp", [math.nan, math.inf, -math.inf, 1e300])
def test_a_client_assertion_with_a_non_finite_exp_is_refused(exp):
    key = ECKey.generate_key("P-256", auto_kid=True)
    now = int(time.time())
    claims = {"iss": "c", "sub": "c", "aud": "https://op.example/token", "iat": now, "exp": exp}
    claims["jti"] = f"j{time.perf_counter_ns()}"
    value = jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)
    with pytest.raises(assertions.ClientAuthError) as refused:
        assertions.verify(
            value,
            client_id="c",
            keys=KeySet.import_key_set({"keys": [key.as_dict(private=False)]}),
            audiences={"https://op.example/token"},
            replay=assertions.MemoryReplayStore(),
        )
    assert refused.value.reason == "time"


# -- item 7: the document -------------------------------------------------------------------------
def _models_of(annotation: Any, found: set[type[BaseModel]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models_of(field.annotation, found)
        return
    for arg in getattr(annotation, "__args__", ()) or ():
        _models_of(arg, found)


def test_no_two_schemas_share_a_name_in_the_document():
    """ninja names a component after its class: two classes with one name overwrite each other
    (ServiceRowOut documented the catalogue list with the demand-report row)."""
    found: set[type[BaseModel]] = set()
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.signature.models:
                    _models_of(model, found)
                for response in (operation.response_models or {}).values():
                    _models_of(response, found)
    by_name: dict[str, set[str]] = {}
    for model in found:
        if model.__module__.startswith("ninja"):
            continue
        by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    clashes = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert len(found) > 50
    assert clashes == {}


_JSON_TYPES = {list: "array", dict: "object", str: "string", type(None): "null"}


def _response_schema(document: dict[str, Any], path: str, method: str, status: int) -> Any:
    operation = document["paths"][path][method]
    return operation["responses"][status]["content"]["application/json"]["schema"]


@pytest.mark.django_db
def test_a_422_body_validates_against_the_document(document, agency_contact, provider):
    client, _secret = bearer_client(agency_contact)
    cases = [
        ("POST", "/requests", {"service_code": 5}, "/api/v1/requests", "post"),
        ("GET", "/agencies?offset=-1", None, "/api/v1/agencies", "get"),
        ("GET", "/agencies/x", None, "/api/v1/agencies/{agency_id}", "get"),
    ]
    for method, path, body, template, verb in cases:
        response = call(client, method, path, body)
        assert response.status_code == 422, response.content[:300]
        body = response.json()
        schema = _response_schema(document, template, verb, 422)
        assert schema == {"$ref": "#/components/schemas/ErrorOut"}
        ErrorOut.model_validate(body, strict=True)
        documented = document["components"]["schemas"]["ErrorOut"]
        assert set(body) <= set(documented["properties"])
        assert set(documented["required"]) <= set(body)
        errors_types = {part["type"] for part in documented["properties"]["errors"]["anyOf"]}
        assert body["errors"] and _JSON_TYPES[type(body["errors"])] in errors_types


@pytest.mark.parametrize("value", [[], [{}], "x", 1, 1.5, True])
def test_an_object_input_takes_only_a_json_object(value):
    """Every field that holds a schema (an operation's body, a nested object) refuses a list,
    text or number, and so does each item of a list of schemas: ninja's Schema read them as an
    object with every field missing, so `[]` to an endpoint whose body has only defaults did
    what `{}` does."""
    direct, listed = [], []
    for model in input_models(api):
        for name, field in model.model_fields.items():
            if _is_schema(_strip_none(field.annotation)):
                direct.append((model, name))
            elif any(_is_schema(a) for a in _types_in(field)):
                listed.append((model, name))
    assert len(direct) > 50 and listed
    for model, name in direct:
        with pytest.raises(ValueError, match="JSON object"):
            model.__pydantic_validator__.validate_assignment(model.model_construct(), name, value)
    for model, name in listed:
        with pytest.raises(ValueError):
            model.__pydantic_validator__.validate_assignment(model.model_construct(), name, [value])


def _is_schema(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _strip_none(annotation: Any) -> Any:
    args = [a for a in get_args(annotation) if a is not type(None)]
    return args[0] if len(args) == 1 and type(None) in get_args(annotation) else annotation


def _types_in(field: Any) -> list[Any]:
    found, todo = [], [field.annotation]
    while todo:
        annotation = todo.pop()
        found.append(annotation)
        todo.extend(get_args(annotation))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"[]", b'"x"', b"1"])
def test_a_body_that_is_no_object_is_a_422_before_the_view(provider_admin, body):
    """Through HTTP, on bodies with only optional fields: a list, text or number is refused in
    the API's format before the view runs (which would answer 404 for the missing invoice, or
    store the report's text), and nothing is written."""
    from samdrift.audit.models import AuditEvent

    client, _secret = bearer_client(provider_admin)
    before = AuditEvent.objects.count()
    for method, path in (
        ("post", f"/billing/invoices/{INT_MAX}/correct"),
        ("put", "/reporting/government/2026/text"),
    ):
        response = getattr(client, method)(
            f"{API}{path}", data=body, content_type="application/json"
        )
        assert _assert_error_body(response, 422)["code"] == "invalid", (path, response.content)
    assert AuditEvent.objects.count() == before


def test_every_operation_that_takes_a_provider_documents_its_404(document):
    """`provider` names a provider agency the caller works for; another one is a 404 like a
    missing one (ADR 0664), so the operation must say it can answer 404 (schemathesis found
    five that did not)."""
    components = document["components"]["schemas"]
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            takes = any(p["name"] == "provider" for p in operation.get("parameters", []))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                schema = _resolve(body["schema"], components)
                schema = _resolve(schema.get("items", schema), components)
                takes = takes or "provider" in schema.get("properties", {})
            if takes and "404" not in {str(code) for code in operation["responses"]}:
                missing.append(f"{method.upper()} {path}")
    assert missing == []
