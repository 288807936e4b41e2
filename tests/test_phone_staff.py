"""Phone-first staff pages at 390 px: no sideways scrolling, status and deadline in view, a one-line header.

Screenshots go to var/screenshots/phone-*.png (look at them after a change of the CSS)."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model

from appeals.receipts import receipt_code_new
from appeals.services import appeal_submit
from schools.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
WIDTH = 390


def submit(school, text, **fields):
    fields.setdefault("category", "bullying")
    fields.setdefault("author_kind", "student")
    return appeal_submit(school=school, text=text, receipt_code=receipt_code_new(), **fields)


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/staff/work/")


def check(page, name) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"phone-{name}-{WIDTH}.png"), full_page=True)
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= WIDTH, (name, width)
    header = page.locator("header.top").bounding_box()
    assert header["height"] <= 56, (name, header)  # one line while the menu is closed


def in_view(page, selector) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (selector, box)
    assert page.locator(selector).first.is_visible(), selector


def test_it_staff_pages_fit_a_390_px_phone(phone, demo):
    from commission.demo import commission_demo_create

    commission_demo_create(demo)
    long = "Класстагы балдар мени ар күнү шылдыңдашат жана телефонумду тартып алышат. " * 3
    urgent = submit(demo, "Мени коркутушат, үйгө баргым келбейт.", urgent=True)
    for n in range(6):
        submit(demo, f"{n}. {long}", category="request" if n % 2 else "bullying")
    urgent.handlers.add(get_user_model().objects.get(username="psychologist"))

    log_in(phone, "director")
    check(phone, "work")
    in_view(phone, ".worklist li a")
    phone.goto("/staff/rakhmanov/appeals/")
    check(phone, "inbox")
    in_view(phone, ".inbox td.status")
    in_view(phone, ".inbox td.due")
    phone.goto(f"/staff/rakhmanov/appeals/{urgent.pk}/")
    check(phone, "case")
    in_view(phone, ".case-panel .facts dd")
    phone.goto("/staff/rakhmanov/commission/")
    check(phone, "commission")
    phone.goto("/accounts/")  # a staff page outside a school keeps the one-line header too
    check(phone, "account")
    phone.goto("/staff/rakhmanov/commission/")
    # the menu opens on a tap and shows the school's links and "My work"
    assert not phone.locator(".staff-nav").is_visible()
    phone.locator(".menu-button").click()
    assert phone.locator(".staff-nav").is_visible() and phone.locator("a[href='/staff/work/']").is_visible()
    phone.screenshot(path=str(SHOTS / f"phone-menu-{WIDTH}.png"))
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= WIDTH
