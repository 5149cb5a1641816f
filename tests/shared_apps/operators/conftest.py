"""Fixtures of the operator console's tests."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client


@pytest.fixture
def console(db, django_capture_on_commit_callbacks):
    """A browser-like client on the public host, signed in as `user` when one is given.
    Requests run what waits for the commit (invitations, routing changes)."""

    class Console(Client):
        def request(self, **request):
            with django_capture_on_commit_callbacks(execute=True):
                return super().request(**request)

    def client_for(user=None) -> Client:
        connection.set_schema_to_public()
        client = Console(HTTP_HOST="localhost")
        if user is not None:
            client.force_login(user)
        return client

    return client_for


@pytest.fixture(autouse=True)
def _fresh_sign_in_failures():
    """Every test client signs in from 127.0.0.1: start each test with no failed operator
    sign-in counted (the cache is not rolled back with the test), and leave none behind."""
    from core.redis_client import redis_client

    def clear() -> None:
        client = redis_client()
        for key in client.scan_iter("*operators:sign-in-failures:*"):
            client.delete(key)

    clear()
    yield
    clear()
