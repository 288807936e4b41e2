"""'My work': every role lands on its own work; every menu link opens; friendly error pages."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from appeals.models import Message
from appeals.receipts import receipt_code_new
from appeals.services import appeal_submit
from schools.demo import DEMO_PASSWORD, STAFF

pytestmark = pytest.mark.django_db

WORK = "/staff/work/"
NAV = re.compile(r"<nav\b[^>]*>(.*?)</nav>", re.S)
HREF = re.compile(r'href="(/[^"#]*)"')


def submit(school, text="Мектептин короосунда жарык жок, кечинде коркунучтуу.", **fields):
    fields.setdefault("category", "request")
    fields.setdefault("author_kind", "student")
    return appeal_submit(school=school, text=text, receipt_code=receipt_code_new(), **fields)


def menu_links(html: str) -> set[str]:
    return {link.replace("&amp;", "&") for nav in NAV.findall(html) for link in HREF.findall(nav)}


def test_it_login_lands_on_my_work(client, demo):
    response = client.post("/accounts/login/", {"username": "psychologist", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == WORK
    assert client.get(WORK).status_code == 200


def test_it_every_menu_link_of_every_demo_role_opens(client, demo, login):
    """No menu shows a page its role cannot open (a parent clicking 'Appeals' got a bare 404)."""
    usernames = [username for username, _name, _roles in STAFF] + ["admin"]
    seen: dict[str, set[str]] = {}
    for username in usernames:
        browser = Client()
        if username == "admin":
            browser.force_login(get_user_model().objects.get(username="admin"))
        else:
            login(username, client=browser)
        start = [WORK, "/staff/"] + [f"/staff/{slug}/" for slug in ("rakhmanov", "gymnasium5")]
        links, pages = set(), set()
        for url in start:
            response = browser.get(url, follow=True)
            if response.status_code == 404:
                continue  # a school that is not theirs: its overview is not in their menus
            pages.add(url)
            html = response.content.decode()
            links |= menu_links(html)
        assert WORK in links, username
        for link in sorted(links):
            if link.startswith(("/accounts/logout", "/i18n/")):
                continue
            status = browser.get(link).status_code
            assert status not in (403, 404), (username, link, status)
        assert pages, username
        seen[username] = links
    assert "/staff/rakhmanov/appeals/" in seen["director"] and "/staff/rakhmanov/appeals/" not in seen["parent"]
    assert "/staff/rakhmanov/commission/" in seen["parent"] and len(seen["director"]) > 8


def test_it_shows_each_role_only_its_work(client, demo, login):
    urgent = submit(demo, text="Мени коркутушат, бычак менен. Үйгө баргым келбейт.", urgent=True)
    plain = submit(demo)
    psychologist = get_user_model().objects.get(username="psychologist")
    plain.handlers.add(psychologist)
    Message.objects.filter(appeal=plain).delete()

    login("director")
    work = client.get(WORK).context["work"]
    assert [a.pk for a in work.urgent] == [urgent.pk]
    assert plain.pk in [a.pk for a in work.new] and urgent.pk not in [a.pk for a in work.new]

    login("psychologist")
    work = client.get(WORK).context["work"]
    assert [a.pk for a in work.cases] == [plain.pk]
    assert work.urgent == []  # not theirs to open

    for username in ("parent", "teacher"):
        login(username)
        response = client.get(WORK)
        work = response.context["work"]
        assert not (work.urgent or work.new or work.cases or work.messages), username
        assert f"/staff/rakhmanov/appeals/{plain.pk}/" not in response.content.decode()

    login("director2")
    work = client.get(WORK).context["work"]
    assert work.urgent == [] and work.new == []  # another school's appeals


def test_it_404_and_403_pages_are_translated_and_lead_back_to_my_work(client, demo, login, settings):
    settings.DEBUG = False
    login("parent")
    response = client.get("/staff/rakhmanov/appeals/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'href="/staff/work/"' in page and 'lang="ky"' in page and "Not Found" not in page
    anonymous = Client().get("/s/no-such-school/")
    assert anonymous.status_code == 404 and 'href="/staff/work/"' not in anonymous.content.decode()


def test_it_500_page_needs_no_database(django_assert_num_queries):
    from django.template import loader

    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render({})
    assert 'href="/staff/work/"' in html and 'lang="ky"' in html


def test_it_makes_no_query_per_appeal(client, demo, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    psychologist = get_user_model().objects.get(username="psychologist")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(WORK).status_code == 200
        return len(queries)

    for n in range(3):
        submit(demo, text=f"{n}. Мени коркутушат, үйгө баргым келбейт.", urgent=True).handlers.add(psychologist)
    login("director")
    few = count()
    for n in range(15):
        submit(demo, text=f"{n}. Мени коркутушат, үйгө баргым келбейт.", urgent=True).handlers.add(psychologist)
    assert count() == few
    login("psychologist")
    assert len(client.get(WORK).context["work"].cases) == 18
