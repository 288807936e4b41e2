"""The site's URLs and the write floor, served only by the benchmark's server (`bench.settings`).

`POST /healthz/write` commits one row through the same middleware a public appeal passes
(sessions, CSRF, locale, security headers): what one short write transaction costs over HTTP,
the floor a submission is compared with.
"""

from django.contrib.auth.decorators import login_not_required
from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from ishenim.urls import urlpatterns as site

TABLE = "bench_write_floor"


def floor_table() -> None:
    """The floor's table, created by the benchmark in its own database."""
    key = "id bigserial PRIMARY KEY" if connection.vendor == "postgresql" else "id integer PRIMARY KEY AUTOINCREMENT"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} ({key}, at timestamp NOT NULL)")  # noqa: S608


@login_not_required
@require_POST
def write_floor(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (at) VALUES (%s)", [timezone.now()])  # noqa: S608
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("healthz/write", write_floor, name="write_floor"), *site]
