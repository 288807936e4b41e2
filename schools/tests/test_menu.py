"""The staff menu asks the permission map: every link it shows opens, for every role."""

import re

import pytest

HREF = re.compile(r'href="(/(?:staff|district)/[^"#?]*)"')


@pytest.mark.parametrize("username", ["director", "responsible", "socped", "parent", "district"])
def test_it_shows_each_role_only_links_that_open(client, login, demo, username):
    login(username)
    page = client.get("/staff/rakhmanov/")
    assert page.status_code == 200
    links = sorted(set(HREF.findall(page.content.decode())))
    assert links, username
    refused = [url for url in links if client.get(url).status_code in (403, 404)]
    assert not refused, f"{username} is shown links that refuse them: {refused}"


def test_it_hides_the_inbox_from_a_commission_member_and_the_settings_from_a_handler(client, login, demo):
    login("parent")
    html = client.get("/staff/rakhmanov/").content.decode()
    assert 'href="/staff/rakhmanov/appeals/"' not in html and 'href="/staff/rakhmanov/commission/"' in html
    client.logout()
    login("socped")
    html = client.get("/staff/rakhmanov/").content.decode()
    assert 'href="/staff/rakhmanov/appeals/"' in html and "/settings/" not in html
