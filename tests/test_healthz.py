"""/healthz: what the load balancer and monitoring ask."""

from django.db import OperationalError

import shuangzheng.views


def test_healthz_answers_200_when_the_database_answers(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_does_not(client, db, monkeypatch):
    class UnreachableDatabase:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(shuangzheng.views, "connection", UnreachableDatabase())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_healthz_needs_no_login_and_refuses_posts(client, db):
    assert client.get("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
