"""Deny by default: a staff member of one school never reaches another school's pages."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        route = prefix + str(item.pattern)
        if isinstance(item, URLResolver):
            yield from _patterns(item, route)
        elif isinstance(item, URLPattern):
            yield route


def _school_urls(slug: str) -> list[str]:
    """Every staff route that names a school, filled in for `slug`."""
    urls = []
    for route in _patterns():
        if "<slug:school>" not in route or route.startswith("s/"):
            continue
        path = route.replace("<slug:school>", slug)
        path = PARAM.sub(lambda m: "1" if m["converter"] in ("int", None) else "x", path)
        urls.append("/" + path.lstrip("^").rstrip("$"))
    return urls


def test_it_finds_the_staff_routes():
    assert "/staff/other/settings/" in _school_urls("other")


@pytest.mark.parametrize("username", ["director", "responsible", "psychologist", "parent"])
def test_it_answers_404_on_every_page_of_another_school(client, demo, login, username):
    login(username)
    for url in _school_urls("gymnasium5"):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 404, f"{username} {method.upper()} {url} → {response.status_code}"


def test_it_answers_404_for_a_school_that_does_not_exist(client, demo, login):
    login("director")
    assert client.get("/staff/no-such-school/").status_code == 404
