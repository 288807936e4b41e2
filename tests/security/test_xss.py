"""Script and HTML payloads in every public field and in staff fields: every page escapes them."""

import re

from django.contrib.auth import get_user_model
from django.test import Client

from appeals.models import Appeal
from appeals.services.intake import message_post
from commission.models import AgendaItem, Meeting
from schools.demo import DEMO_PASSWORD
from schools.models import HelpNumber
from tests.security.urlconf import fill, response_text, staff_routes
from tests.security.world import world_create

PAYLOAD = '<script>alert("x1")</script>"><img src=x onerror=alert(2)><b onmouseover=alert(3)>b</b>'
RAW = ["<script>alert(", "<img src=x onerror", "<b onmouseover"]
JS_LINK = re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


def seed(world) -> str:
    """Put the payload wherever a writer or a staff member can type; returns a receipt code."""
    writer = Client()
    response = writer.post(
        "/s/rakhmanov/write/",
        {
            "author_kind": "parent",
            "signed": "signed",
            "full_name": f"Asel {PAYLOAD}",
            "address": f"Osh {PAYLOAD}",
            "school_class": "7Б",
            "phone": "0555 123 456",
            "category": "bullying",
            "text": f"They hurt my son again. {PAYLOAD} javascript:alert(4)",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    appeal = Appeal.objects.order_by("-pk").first()
    staff = get_user_model().objects.get(username="director")
    staff.first_name = f"Aigul {PAYLOAD}"
    staff.save()
    message_post(appeal=appeal, side="staff", body=f"We will call you. {PAYLOAD}", sender=staff)
    school = world.own
    school.box_location = f"foyer {PAYLOAD}"
    school.address = f"Lenin 200 {PAYLOAD}"
    school.save()
    HelpNumber.objects.create(school=school, kind="other", label=f"Help {PAYLOAD}", number="0312 000 000")
    Meeting.objects.filter(commission__school=school).update(place=f"room 5 {PAYLOAD}")
    AgendaItem.objects.filter(meeting__commission__school=school).update(title=f"item {PAYLOAD}")
    return writer


def assert_escaped(url: str, body: str) -> None:
    for raw in RAW:
        assert raw not in body, f"unescaped {raw!r} in {url}"
    assert not JS_LINK.search(body), f"javascript: link in {url}"


def test_it_escapes_payloads_on_every_public_and_staff_page(db):
    world = world_create()
    writer = seed(world)
    escaped_seen = 0
    # the writer's own pages
    for url in [
        "/s/rakhmanov/",
        "/s/rakhmanov/receipt/",
        "/s/rakhmanov/follow/",
        "/s/rakhmanov/embed/",
        "/s/rakhmanov/website/",
    ]:
        response = writer.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert_escaped(url, body)
        escaped_seen += "&lt;script&gt;" in body
    # every staff page of every role that reads content, for every appeal
    for username in ("director", "responsible", "district"):
        client = Client()
        assert client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD}).status_code == 302
        for route in staff_routes():
            for url in fill(route, world.own, every_appeal=True):
                response = client.get(url)
                if response.status_code != 200:
                    continue
                kind = response.get("Content-Type", "")
                if kind.startswith("text/html"):
                    body = response.content.decode()
                    assert_escaped(url, body)
                    escaped_seen += "&lt;script&gt;" in body
                elif "csv" in kind:
                    # a spreadsheet program must not run a formula typed by a writer
                    assert not re.search(r"(^|,)[=+@-]\w+\(", response_text(response), re.M), url
    assert escaped_seen >= 5  # the payloads were really shown, escaped
