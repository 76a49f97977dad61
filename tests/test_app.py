"""The server around the API: health, the offline GraphiQL page, the portal, headers, limits and masking."""

import logging
import re

import httpx
import pytest

from server.app import create_app
from server.config import Settings
from server.db import Database

pytestmark = pytest.mark.anyio


async def test_healthz_checks_the_database(http):
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_healthz_reports_an_unreachable_database(tmp_path, caplog):
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/caseway.db")
    app = create_app(Settings(database_url=db.url, secret_key="x" * 40), db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get("/healthz")
    await db.dispose()
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


async def test_graphiql_is_served_with_its_assets_from_this_server(http):
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Caseway API" in page.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/static/") or s.startswith("data:") for s in sources)
    for source in (s for s in sources if s.startswith("/static/")):
        asset = await http.get(source)
        assert asset.status_code == 200, source
        assert len(asset.content) > 100
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text  # no inline script: the CSP forbids it


async def test_graphql_answers_get_queries(http, gql):
    token = gql.tokens["caseworker"]
    response = await http.get(
        "/graphql", params={"query": "{ viewer { name } }"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.json()["data"]["viewer"]["name"] == "Connor Reyes"


async def test_the_portal_is_served(http):
    assert (await http.get("/portal", follow_redirects=False)).headers["location"] == "/portal/"
    page = await http.get("/portal/")
    assert page.status_code == 200
    assert "Caseway provider portal" in page.text


async def test_too_deep_a_query_is_refused(gql):
    deep = "{ careSpecialties { nodes { " + "children { " * 10 + "code" + " }" * 10 + " } } }"
    result = await gql("caseworker", deep)
    assert result.data is None
    assert "exceeds maximum operation depth" in result.errors[0]["message"]


async def test_too_many_aliases_are_refused(gql):
    aliases = " ".join(f"a{i}: viewer {{ name }}" for i in range(20))
    result = await gql("caseworker", f"{{ {aliases} }}")
    assert result.data is None
    assert "aliases" in result.errors[0]["message"]


async def test_too_many_tokens_are_refused(gql):
    fields = " ".join("__typename" for _ in range(2100))
    result = await gql("caseworker", f"{{ {fields} }}")
    assert result.data is None
    assert "token" in result.errors[0]["message"].lower()


async def test_an_unknown_field_is_a_typed_validation_error(gql):
    result = await gql("caseworker", "{ viewer { shoeSize } }")
    assert result.errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "shoeSize" in result.errors[0]["message"]


async def test_an_unexpected_error_is_masked_and_logged(gql, monkeypatch, caplog):
    from server.domain.network import providers

    async def broken(*args, **kwargs):
        raise RuntimeError("connection string postgres://secret@db")

    monkeypatch.setattr(providers, "list_providers", broken)
    with caplog.at_level(logging.ERROR, logger="server.graphql"):
        result = await gql("caseworker", "{ providers { totalCount } }")
    assert result.errors[0]["message"] == "Unexpected error; it has been logged."
    assert "secret" not in str(result.body)
    assert any("secret" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)
