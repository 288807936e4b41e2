"""The account page links each member to the key and audit pages their role may open (the permission map)."""

import pytest


def _links(client, login, username) -> str:
    login(username)
    page = client.get("/accounts/")
    assert page.status_code == 200
    return page.content.decode()


@pytest.mark.parametrize(
    ("username", "shown", "hidden"),
    [
        ("director", ["vault:school_keys", "audit:school_trail", "vault:school_recover"], []),
        ("responsible", ["vault:school_recover"], ["vault:school_keys", "audit:school_trail"]),
        ("district", ["vault:district_keys", "audit:district_trail", "vault:district_recover"], []),
        ("psychologist", [], ["vault:school_keys", "audit:school_trail", "vault:school_recover"]),
    ],
)
def test_it_links_only_the_pages_the_role_may_open(client, login, demo, username, shown, hidden):
    from django.urls import reverse

    html = _links(client, login, username)
    args = {"vault:district_keys": "osh", "audit:district_trail": "osh", "vault:district_recover": "osh"}
    for name in shown:
        url = reverse(name, args=[args.get(name, "rakhmanov")])
        assert f'href="{url}"' in html, (username, name)
        assert client.get(url).status_code == 200, (username, name)
    for name in hidden:
        assert f'href="{reverse(name, args=["rakhmanov"])}"' not in html, (username, name)
