"""The access matrix, generated from the URL conf.

For every staff URL (a view added tomorrow is included without being listed)
and every role: strangers get 404/403, objects of another school or district
never open through one's own school's address, and no page, PDF, spreadsheet
or document ever shows an appeal's text or its writer's name to someone whose
role does not allow it.
"""

import pytest
from django.contrib import admin
from django.test import Client

from schools.demo import DEMO_PASSWORD
from tests.security.urlconf import fill, public_routes, response_text, staff_routes
from tests.security.world import admin_client, world_create

DENIED = {403, 404, 405}
OWN_SCHOOL_APPEALS = {"own_socped", "own_psychologist", "own_unassigned"}
# role → (appeals whose text it may read, appeals whose writer it may know)
MAY_READ = {
    "director": (OWN_SCHOOL_APPEALS, OWN_SCHOOL_APPEALS),
    "responsible": (OWN_SCHOOL_APPEALS, OWN_SCHOOL_APPEALS),
    "psychologist": ({"own_psychologist"}, set()),
    "socped": ({"own_socped"}, set()),
    "deputy": (set(), set()),
    "parent": (set(), set()),
    "teacher": (set(), set()),
    "district": ({"own_district"}, {"own_district"}),
    "director2": ({"sibling"}, {"sibling"}),
}


@pytest.fixture
def world(db):
    return world_create()


def client_of(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    return client


def urls_for(world, school, **kwargs) -> list[str]:
    urls = []
    for route in staff_routes():
        if route.district_route or route.school_route:
            urls += fill(route, school, **kwargs)
    return urls


def test_it_fills_every_staff_route_with_real_objects(world):
    uncovered = [r.route for r in staff_routes() if not fill(r, world.own)]
    assert not world.problems, world.problems
    assert not uncovered, f"no object to test these routes with: {uncovered}"
    assert len(staff_routes()) >= 20


def test_it_marks_only_the_public_pages_public():
    allowed = ("", "healthz", "i18n/", "accounts/login/", "admin/login/", "s/<slug:school>/")
    for route in public_routes():
        assert route.startswith(allowed) or route == "", f"{route} is public: is that intended?"


def test_it_sends_an_anonymous_visitor_to_the_login(world):
    client = Client()
    for route in staff_routes():
        for url in fill(route, world.own):
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code == 302, f"anonymous {method.upper()} {url} → {response.status_code}"
                assert "/login/" in response.url


@pytest.mark.parametrize("username", ["director2", "director3", "district3"])
def test_it_answers_404_to_staff_of_another_school_or_district(world, username):
    client = client_of(username)
    for route in staff_routes():
        if not (route.school_route or route.district_route):
            continue
        if username == "director2" and route.district_route and not route.school_route:
            pass  # same district: tested below with a school-only role
        for url in fill(route, world.own):
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                assert status in DENIED, f"{username} {method.upper()} {url} → {status}"


@pytest.mark.parametrize("username", ["director", "responsible", "psychologist", "parent"])
def test_it_keeps_school_staff_out_of_the_district_pages(world, username):
    client = client_of(username)
    for route in staff_routes():
        if route.district_route and not route.school_route:
            for url in fill(route, world.own):
                for method in ("get", "post"):
                    status = getattr(client, method)(url).status_code
                    assert status in DENIED, f"{username} {method.upper()} {url} → {status}"


@pytest.mark.parametrize("username", ["director", "responsible"])
@pytest.mark.parametrize("other", ["sibling", "stranger"])
def test_it_never_opens_another_schools_object_through_ones_own_address(world, username, other):
    client = client_of(username)
    object_school = getattr(world, other)
    checked = 0
    for route in staff_routes():
        if not route.school_route or all(c != "int" or n == "year" for c, n, _s in route.params):
            continue
        for url in fill(route, world.own, object_school=object_school):
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                assert status in DENIED, f"{username} {method.upper()} {url} (object of {other}) → {status}"
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize("username", sorted(MAY_READ))
def test_it_shows_content_and_identity_only_to_the_roles_that_may_see_them(world, username):
    texts, names = MAY_READ[username]
    forbidden = []
    for key, plain in world.plain.items():
        if key not in texts:
            forbidden += [plain["text"][:20], plain["message"][:20], plain["file"]]
        if key not in names:
            forbidden.append(plain["name"])
    allowed = [world.plain[key]["text"][:20] for key in texts]
    client = client_of(username)
    home = world.sibling if username == "director2" else world.own
    leaks, seen = [], set()
    for url in urls_for(world, home, every_appeal=True):
        response = client.get(url)
        assert response.status_code != 500, url
        if response.status_code != 200:
            continue
        body = " ".join(response_text(response).split())
        leaks += [f"{url}: {token!r}" for token in forbidden if token in body]
        seen.update(token for token in allowed if token in body)
    assert not leaks, f"{username} sees what their role must not:\n" + "\n".join(leaks)
    # and the check can see: what the role may read does show somewhere
    assert seen == set(allowed), f"{username} never saw {set(allowed) - seen}"


@pytest.mark.parametrize("username", ["director", "responsible", "psychologist", "district"])
def test_it_keeps_staff_out_of_the_admin(world, username):
    response = client_of(username).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_it_never_shows_content_to_the_platform_administrator(world):
    client = admin_client()
    assert client.get("/admin/").status_code == 200
    tokens = [t for plain in world.plain.values() for t in (plain["text"][:20], plain["name"])]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        pages = [f"/admin/{info[0]}/{info[1]}/"]
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            pages.append(f"/admin/{info[0]}/{info[1]}/{obj.pk}/change/")
        for url in pages:
            response = client.get(url)
            assert response.status_code in (200, 302, 403), url
            body = response.content.decode(errors="replace")
            assert not [t for t in tokens if t in body], url


@pytest.mark.parametrize("username", ["psychologist", "deputy", "parent", "teacher"])
def test_it_keeps_a_handler_out_of_a_case_given_to_another_handler(world, username):
    """`own_socped` is the social pedagogue's case: no other handler, no commission member may open or act on it."""
    client = client_of(username)
    appeal = world.appeals["own_socped"]
    checked = 0
    for route in staff_routes():
        params = [(c, n, s) for c, n, s in route.params if c == "int" and s in ("appeals", "cases")]
        if not params:
            continue
        for url in fill(route, world.own, every_appeal=True):
            prefix = f"/{params[0][2]}/{appeal.pk}/"
            if prefix not in url:
                continue
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                assert status in DENIED, f"{username} {method.upper()} {url} (another handler's case) → {status}"
            checked += 1
    assert checked >= 3
