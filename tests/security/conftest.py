import pytest
from django.core.cache import cache
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _cache_table(request):
    """Throttles count in the database cache, as in production: create its table."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if not ({"db", "demo", "transactional_db", "live_server"} & names or marker):
        return
    transactional = (
        "transactional_db" in names or "live_server" in names or (marker and marker.kwargs.get("transaction"))
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    call_command("createcachetable", verbosity=0)
    cache.clear()
