"""The API is documented: every URL under /api/v1/ (but the schema and its page) is an operation
of the OpenAPI schema, each with a Chinese summary and description, its token scheme and its
problem answers; the documentation page loads Swagger UI from the portal's own static files,
with no inline script or style, under the portal's CSP."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.urls import URLResolver, get_resolver

from tests.security.test_permission_matrix import walk

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
UNDOCUMENTED = {"api:schema", "api:docs"}


def api_routes():
    """(name, OpenAPI path) of every URL under /api/v1/."""
    routes = []
    for name, route, _pattern in walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/"):
            continue
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        routes.append((name, path.replace("{pk}", "{id}")))
    return routes


@pytest.fixture(scope="module")
def schema():
    from django.test import Client

    response = Client().get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_api_is_routed_under_api_v1():
    resolvers = [p for p in get_resolver().url_patterns if isinstance(p, URLResolver)]
    assert any(str(p.pattern) == "api/v1/" for p in resolvers)
    assert len(api_routes()) >= 20


def test_every_url_under_api_v1_is_in_the_schema(schema):
    missing = [
        (name, path)
        for name, path in api_routes()
        if name not in UNDOCUMENTED and path not in schema["paths"]
    ]
    assert not missing, f"URLs of /api/v1/ missing from the schema: {missing}"
    documented = {path for name, path in api_routes()}
    assert set(schema["paths"]) <= documented, "the schema names a path that is not routed"


def test_every_operation_is_described_in_chinese_and_needs_a_token(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert CJK.search(operation.get("summary", "")), f"{where}: no Chinese summary"
            assert CJK.search(operation.get("description", "")) or "{" in path, (
                f"{where}: no Chinese description"
            )
            assert operation.get("security") == [{"ClientToken": []}], where
    assert schema["components"]["securitySchemes"]["ClientToken"]["scheme"] == "bearer"


def test_writes_document_their_problem_answers(schema):
    for path in (
        "/api/v1/hazards/work-orders/",
        "/api/v1/warnings/cap/",
        "/api/v1/incidents/",
        "/api/v1/population/",
    ):
        assert "400" in schema["paths"][path]["post"]["responses"], path


def test_lists_are_cursor_paginated_and_filter_by_unit_and_updated_since(schema):
    hazards = schema["paths"]["/api/v1/hazards/"]["get"]
    names = {p["name"] for p in hazards["parameters"]}
    assert {"cursor", "unit", "state", "updated_since", "page_size"} <= names


def test_the_docs_page_loads_swagger_ui_from_static_files_without_inline_code(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert 'style="' not in html
    assert "http://" not in html and "https://" not in html, "an outside address (CDN)"
    for src in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(src), f"static file not found: {src}"
    assert "swagger-ui-bundle.js" in html and "api/docs.js" in html
    assert 'data-schema-url="/api/v1/schema/"' in html
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
