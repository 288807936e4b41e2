"""Finding an appeal: filters on the clear fields, a journal number jump, the handler column, bulk assignment."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from appeals.models import Appeal
from appeals.receipts import receipt_code_new
from appeals.services import appeal_submit
from schools.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

INBOX = "/staff/rakhmanov/appeals/"


def submit(school, text="Мектептин короосунда жарык жок, кечинде коркунучтуу.", **fields):
    fields.setdefault("category", "request")
    fields.setdefault("author_kind", "student")
    return appeal_submit(school=school, text=text, receipt_code=receipt_code_new(), **fields)


def person(username):
    return get_user_model().objects.get(username=username)


def rows(response) -> list[int]:
    return [a.pk for a in response.context["page"].object_list]


def test_it_filters_on_the_clear_fields(client, demo, login):
    bullying = submit(demo, category="bullying")
    paper = submit(demo, channel=Appeal.Channel.PAPER)
    urgent = submit(demo, text="Мени коркутушат, үйгө баргым келбейт.", urgent=True)
    old = submit(demo, received_at=timezone.now() - dt.timedelta(days=60))
    Appeal.objects.filter(pk=old.pk).update(due_on=timezone.localdate() - dt.timedelta(days=30))
    Appeal.objects.filter(pk=paper.pk).update(status=Appeal.Status.CONSIDERING)
    bullying.handlers.add(person("psychologist"))
    login("director")
    assert rows(client.get(INBOX, {"category": "bullying"})) == [bullying.pk]
    assert rows(client.get(INBOX, {"channel": "paper"})) == [paper.pk]
    assert rows(client.get(INBOX, {"status": "considering"})) == [paper.pk]
    assert rows(client.get(INBOX, {"urgent": "on"})) == [urgent.pk]
    assert rows(client.get(INBOX, {"overdue": "on"})) == [old.pk]
    assert rows(client.get(INBOX, {"handler": person("psychologist").pk})) == [bullying.pk]
    assert bullying.pk not in rows(client.get(INBOX, {"handler": "0"}))
    since = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    assert old.pk not in rows(client.get(INBOX, {"since": since})) and bullying.pk in rows(client.get(INBOX))
    until = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    assert rows(client.get(INBOX, {"until": until})) == [old.pk]
    # a wrong value is ignored, never an error page; unacknowledged urgent stays first
    response = client.get(INBOX, {"category": "no-such", "since": "yesterday"})
    assert response.status_code == 200 and rows(response)[0] == urgent.pk and len(rows(response)) == 4
    page = client.get(INBOX).content.decode()
    assert "Бермет Осмонова" in page  # the handler column


def test_it_opens_the_appeal_whose_journal_number_is_typed(client, demo, login):
    first = submit(demo)
    second = submit(demo)
    login("director")
    response = client.get(INBOX, {"q": f"№ {second.journal_number}"})
    assert response.status_code == 302 and response["Location"] == f"{INBOX}{second.pk}/"
    assert client.get(INBOX, {"q": str(first.journal_number)})["Location"] == f"{INBOX}{first.pk}/"
    missing = client.get(INBOX, {"q": "9999"})
    assert missing.status_code == 200 and "9999" in missing.content.decode()
    # a handler cannot reach a case that is not theirs by typing its number
    login("psychologist")
    assert client.get(INBOX, {"q": str(first.journal_number)}).status_code == 200


def test_it_keeps_a_pinned_query_count_on_filtered_pages(client, demo, login, django_assert_num_queries):
    for n in range(30):
        appeal = submit(demo, text=f"Кайрылуу {n}: дааратканада суу жок.", category="bullying" if n % 2 else "request")
        appeal.handlers.add(person("psychologist"), person("socped"))
    login("director")
    query = {"category": "bullying", "handler": person("psychologist").pk, "since": "2020-01-01", "overdue": ""}
    # session (read, and its expiry saved: 4), user, school, memberships, handlers for the filter, the
    # capped count, the pinned urgent rows, the page, its unread messages, files and handlers, and the
    # menu's notify failures: the same for 5 rows or 25
    with django_assert_num_queries(15):
        response = client.get(INBOX, {**query, "show": "all"})
    assert len(rows(response)) == 15
    with django_assert_num_queries(15):
        client.get(INBOX, {**query, "show": "all", "page": "1", "channel": "online"})


def test_it_gives_chosen_cases_to_a_handler_who_can_then_read_them(client, demo, login):
    a = submit(demo, text="Биринчи кайрылуу: дааратканада суу жок.")
    b = submit(demo, text="Экинчи кайрылуу: класста жылуу эмес.")
    c = submit(demo)
    psychologist = person("psychologist")
    login("director")
    response = client.post(f"{INBOX}assign/", {"appeal": [a.pk, b.pk], "handler": psychologist.pk, "query": "show=all"})
    assert response.status_code == 302 and response["Location"] == f"{INBOX}?show=all"
    assert set(Appeal.objects.filter(handlers=psychologist).values_list("pk", flat=True)) == {a.pk, b.pk}
    handler = Client()
    handler.post("/accounts/login/", {"username": "psychologist", "password": DEMO_PASSWORD})
    assert "Биринчи кайрылуу" in handler.get(f"{INBOX}{a.pk}/").content.decode()  # the case key was sealed to them
    assert handler.get(f"{INBOX}{c.pk}/").status_code == 404
    # handlers may not assign; an appeal of another school is not in the choice
    assert handler.post(f"{INBOX}assign/", {"appeal": [c.pk], "handler": psychologist.pk}).status_code == 404
    other = submit(demo.__class__.objects.get(slug="gymnasium5"))
    client.post(f"{INBOX}assign/", {"appeal": [other.pk], "handler": psychologist.pk})
    assert not other.handlers.exists()
