"""Fixtures of the online box's tests."""

import pytest
from django.core.cache import cache
from django.core.management import call_command

DB_FIXTURES = {"db", "transactional_db", "demo", "live_server", "page"}


@pytest.fixture(autouse=True)
def _cache_table(request):
    """The rate limits count in the database cache, as in production: create its table."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not DB_FIXTURES & set(request.fixturenames):
        return
    transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server", "page"} & set(request.fixturenames)
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    call_command("createcachetable", verbosity=0)
    cache.clear()
