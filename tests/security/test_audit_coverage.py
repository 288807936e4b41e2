"""Every reading of an appeal, every export and every print leaves an audit record —
checked for every such URL of the URL conf, whoever wrote the view."""

from django.test import Client

from audit.models import AuditRecord
from schools.demo import DEMO_PASSWORD
from tests.security.urlconf import fill, response_text, staff_routes
from tests.security.world import world_create

DOCUMENTS = (".pdf", ".xlsx", ".docx", ".csv")


def is_document(route) -> bool:
    return route.route.endswith(DOCUMENTS) or "export" in route.route


def audited_routes():
    for route in staff_routes():
        names_appeal = any(segment in ("appeals", "cases") and c == "int" for c, _n, segment in route.params)
        if names_appeal or is_document(route):
            yield route


def test_it_audits_every_reading_export_and_print(db):
    world = world_create()
    client = Client()
    assert client.post("/accounts/login/", {"username": "director", "password": DEMO_PASSWORD}).status_code == 302
    tokens = [t for plain in world.plain.values() for t in (plain["text"][:20], plain["name"])]
    silent, checked = [], 0
    for route in audited_routes():
        for url in fill(route, world.own):
            before = AuditRecord.objects.filter(actor__username="director").count()
            response = client.get(url)
            if response.status_code != 200:
                continue
            shows_content = any(t in " ".join(response_text(response).split()) for t in tokens)
            if not (shows_content or is_document(route)):
                continue  # a form that shows no content is not a reading
            checked += 1
            if AuditRecord.objects.filter(actor__username="director").count() == before:
                silent.append(url)
    assert checked >= 5
    assert not silent, "read, exported or printed without an audit record:\n" + "\n".join(silent)
