"""The account page links each member to the key and audit pages their role may open (the permission map)."""

import pytest


def _links(client, login, username) -> str:
    login(username)
    page = client.get("/accounts/")
    assert page.status_code == 200
    return page.content.decode()


SCHOOL, DISTRICT = {"school": "rakhmanov"}, {"district": "osh"}
ALL = ["vault:keys", "audit:trail", "vault:recover"]


@pytest.mark.parametrize(
    ("username", "where", "shown", "hidden"),
    [
        ("director", SCHOOL, ALL, []),
        ("responsible", SCHOOL, ["vault:recover"], ["vault:keys", "audit:trail"]),
        ("district", DISTRICT, ALL, []),
        ("psychologist", SCHOOL, [], ALL),
    ],
)
def test_it_links_only_the_pages_the_role_may_open(client, login, demo, username, where, shown, hidden):
    from django.urls import reverse

    html = _links(client, login, username)
    for name in shown:
        url = reverse(name, kwargs=where)
        assert f'href="{url}"' in html, (username, name)
        assert client.get(url).status_code == 200, (username, name)
    for name in hidden:
        assert f'href="{reverse(name, kwargs=where)}"' not in html, (username, name)
