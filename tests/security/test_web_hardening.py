"""Headers, cookies, CSRF and inline code: the browser-side hardening of every page."""

import os
import re
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from schools.demo import DEMO_PASSWORD
from tests.security.urlconf import fill, staff_routes
from tests.security.world import world_create

PUBLIC_PAGES = [
    "/",
    "/s/rakhmanov/",
    "/s/rakhmanov/write/",
    "/s/rakhmanov/follow/",
    "/s/rakhmanov/website/",
    "/accounts/login/",
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<[a-z][^>]*\sstyle=|<style", re.I)
HANDLER_ATTR = re.compile(r"<[a-z][^>]*\son[a-z]+=", re.I)


def login(username: str, client=None) -> Client:
    client = client or Client()
    assert client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD}).status_code == 302
    return client


def html_pages(world) -> list[tuple[str, object]]:
    client = login("director")
    pages = [(url, Client().get(url)) for url in PUBLIC_PAGES]
    for route in staff_routes():
        for url in fill(route, world.own):
            response = client.get(url)
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                pages.append((url, response))
    return pages


def test_it_sends_a_strict_policy_and_no_inline_code_on_every_page(db):
    world = world_create()
    pages = html_pages(world)
    assert len(pages) > 40
    for url, response in pages:
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
        assert "object-src 'none'" in csp and "base-uri 'none'" in csp, url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        body = response.content.decode()
        assert not INLINE_SCRIPT.search(body), f"inline script in {url}"
        assert not INLINE_STYLE.search(body.split("</head>", 1)[-1]), f"inline style in {url}"
        assert not HANDLER_ATTR.search(body), f"event handler attribute in {url}"
        if "embed" in url:
            continue
        assert response["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in csp, url


def test_it_lets_only_the_embeddable_page_be_framed(demo):
    embed = Client().get("/s/rakhmanov/embed/")
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert Client().get("/s/rakhmanov/")["X-Frame-Options"] == "DENY"


def test_it_asks_for_https_everywhere_when_served_over_https(demo, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    response = Client().get("/s/rakhmanov/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    client = Client()
    response = client.post("/accounts/login/", {"username": "director", "password": DEMO_PASSWORD}, secure=True)
    assert response.status_code == 302
    for name in ("sessionid", "ishenim_vk", "ishenim_device"):
        cookie = response.cookies[name]
        assert cookie["secure"] and cookie["httponly"], name
    assert response.cookies["ishenim_vk"]["samesite"] in ("Strict", "Lax")


def test_it_turns_on_the_https_settings_from_the_environment():
    code = (
        "from ishenim import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )
    env = {**os.environ, "ISHENIM_HTTPS": "1", "DJANGO_SETTINGS_MODULE": "ishenim.settings"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["31536000", "True", "True", "True"]


def test_it_keeps_the_session_short_and_httponly(settings):
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_AGE <= 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST


@pytest.mark.django_db
def test_it_refuses_every_post_without_the_csrf_token(demo):
    world_routes = staff_routes()
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="director"))
    checked = 0
    for route in world_routes:
        for url in fill(route, demo):
            response = client.post(url, {})
            assert response.status_code == 403 and b"CSRF" in response.content, f"POST {url} without a CSRF token"
            checked += 1
    anonymous = Client(enforce_csrf_checks=True)
    for url in ["/s/rakhmanov/write/", "/s/rakhmanov/follow/", "/accounts/login/", "/i18n/setlang/"]:
        response = anonymous.post(url, {})
        assert response.status_code == 403 and b"CSRF" in response.content, url
    assert checked > 30


def test_it_puts_the_token_in_every_form(db):
    world = world_create()
    for url, response in html_pages(world):
        body = response.content.decode()
        for form in re.findall(r"<form[^>]*>.*?</form>", body, re.S | re.I):
            if re.search(r"method=.?post", form, re.I):
                assert "csrfmiddlewaretoken" in form, f"a POST form without a CSRF token in {url}"
