"""Full journeys in a real browser (Chromium, 360 px wide): write, save the receipt,
come back with it, talk with the school, see the answer."""

import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from appeals.models import Appeal, Message
from appeals.services import message_post
from appeals.tests.helpers import jpeg_with_gps
from schools.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shots(tmp_path) -> Path:
    """Screenshots go to $ISHENIM_SHOTS (to look at them) or a temporary folder."""
    folder = Path(os.environ.get("ISHENIM_SHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def requests_seen(page):
    urls = []
    page.context.on("request", lambda request: urls.append(request.url))
    return urls


def only_local(urls, live_server):
    host = urlparse(live_server.url).netloc
    foreign = [u for u in urls if not u.startswith(("data:", "blob:")) and urlparse(u).netloc != host]
    assert foreign == [], foreign


def write_appeal(page, photo_path, *, signed=False, text, name="", school_class="", phone=""):
    page.goto("/s/rakhmanov/write/")
    page.check("input[name=author_kind][value=student]")
    if signed:
        page.check("input[name=signed][value=signed]")
        assert page.is_visible("#id_full_name")
        page.fill("#id_full_name", name)
        page.fill("#id_school_class", school_class)
        page.fill("#id_phone", phone)
    else:
        assert not page.is_visible("#id_full_name")  # hidden while anonymous is chosen
    page.select_option("#id_category", "bullying")
    page.fill("#id_text", text)
    page.set_input_files("#id_files", str(photo_path))
    page.click("button[type=submit].primary")
    page.wait_for_url("**/receipt/")
    return page.inner_text("#receipt-code").strip()


def staff_login(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1024, "height": 900}, base_url=live_server.url)
    staff = context.new_page()
    staff.set_default_timeout(15000)
    staff.goto("/accounts/login/")
    staff.fill("#id_username", username)
    staff.fill("#id_password", DEMO_PASSWORD)
    with staff.expect_navigation():
        staff.click("form.form button[type=submit]")
    assert "/accounts/login/" not in staff.url, staff.inner_text("main")
    return staff


def come_back(browser, live_server, code, language):
    """Another visit, another day: nothing but the code."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url)
    context.add_cookies([{"name": "ishenim_lang", "value": language, "url": live_server.url}])
    writer = context.new_page()
    writer.set_default_timeout(15000)
    writer.goto("/s/rakhmanov/follow/")
    writer.fill("#id_code", code.lower())
    writer.click("button[type=submit].primary")
    writer.wait_for_url("**/follow/")
    return writer


def test_it_anonymous_appeal_in_kyrgyz_with_photo_receipt_messages_and_answer(
    page, browser, live_server, demo, tmp_path, shots, requests_seen
):
    photo = tmp_path / "IMG_20261120.jpg"
    photo.write_bytes(jpeg_with_gps())
    text = "Тыныпалдыкта 7Б класстын балдары мени күн сайын шылдыңдашат. Мугалимге айтсам, уялам."

    page.goto("/s/rakhmanov/")
    assert page.locator("html").get_attribute("lang") == "ky"
    page.screenshot(path=str(shots / "box-ky-360.png"), full_page=True)
    page.goto("/s/rakhmanov/write/")
    page.screenshot(path=str(shots / "write-ky-360.png"), full_page=True)
    # An error first: the text is kept, the file must be chosen again
    page.check("input[name=author_kind][value=student]")
    page.fill("#id_text", "Жардам")
    page.click("button[type=submit].primary")
    expect(page.locator(".has-error").nth(1)).to_be_attached()  # waits for the answer: two fields at least
    assert page.input_value("#id_text") == "Жардам"
    page.screenshot(path=str(shots / "write-errors-ky-360.png"), full_page=True)

    code = write_appeal(page, photo, text=text)
    assert re.fullmatch(r"([A-Z2-9]{5}-){3}[A-Z2-9]{5}", code)
    page.screenshot(path=str(shots / "receipt-ky-360.png"), full_page=True)
    with page.expect_download() as download:
        page.click("a[href$='receipt.pdf']")
    assert download.value.suggested_filename.endswith(".pdf")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone

    appeal = Appeal.objects.get()
    assert appeal.anonymous and appeal.language == "ky" and appeal.attachments.count() == 1

    writer = come_back(browser, live_server, code, "ky")
    assert text in writer.content()

    staff = staff_login(browser, live_server, "responsible")
    staff.goto(f"/staff/rakhmanov/appeals/{appeal.pk}/")
    assert text in staff.content()
    image = staff.locator(".attachments img")
    image.scroll_into_view_if_needed()  # the picture loads lazily
    staff.wait_for_function("() => document.querySelector('.attachments img').naturalWidth > 0")
    assert image.evaluate("img => img.naturalWidth") == 640
    staff.fill("#id_reply-body", "Салам! Бул кайсы сабакта болду? Биз сизге жардам беребиз.")
    staff.click("form[action$='/reply/'] button[type=submit]")
    staff.wait_for_url(f"**/appeals/{appeal.pk}/")

    writer.reload()
    assert "Бул кайсы сабакта болду?" in writer.content()
    writer.fill("#id_body", "Тарых сабагында, бейшемби күнү.")
    writer.click("form[action$='/follow/message/'] button[type=submit]")
    writer.wait_for_url("**/follow/#thread")
    staff.reload()
    assert "Тарых сабагында, бейшемби күнү." in staff.content()

    # The case is closed with the official answer (the case-handling pages do this through the same service).
    message_post(appeal=appeal, side=Message.Side.ANSWER, body="Класс жетекчи менен сүйлөштүк, чара көрүлдү.")
    Appeal.objects.filter(pk=appeal.pk).update(status=Appeal.Status.CLOSED)
    writer.reload()
    assert "Класс жетекчи менен сүйлөштүк, чара көрүлдү." in writer.content()
    writer.screenshot(path=str(shots / "follow-ky-360.png"), full_page=True)
    writer.check("input[name=solved][value=yes]")
    writer.click("form.solved button[type=submit]")
    writer.wait_for_url("**/follow/")
    assert appeal.followup.__class__.objects.get(appeal=appeal).solved == "yes"
    only_local(requests_seen, live_server)


def test_it_signed_appeal_in_russian_with_photo_and_a_reply(page, browser, live_server, demo, tmp_path, requests_seen):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_with_gps(color=(20, 120, 20)))
    text = "В столовой старшеклассники отбирают у младших деньги. Это происходит каждый день."

    page.goto("/s/rakhmanov/")
    page.click("button[name=language][value=ru]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    code = write_appeal(
        page, photo, signed=True, text=text, name="Азамат Исаков", school_class="6В", phone="0700 123 456"
    )
    appeal = Appeal.objects.get()
    assert not appeal.anonymous and appeal.grade == 6 and appeal.language == "ru"

    staff = staff_login(browser, live_server, "director")
    staff.goto("/staff/rakhmanov/appeals/")
    staff.click(f"a[href='/staff/rakhmanov/appeals/{appeal.pk}/']")
    staff.wait_for_url(f"**/appeals/{appeal.pk}/")
    assert "Азамат Исаков" in staff.content() and "6В" in staff.content() and text in staff.content()
    staff.fill("#id_reply-body", "Спасибо, мы разберёмся до пятницы.")
    staff.click("form[action$='/reply/'] button[type=submit]")
    staff.wait_for_url(f"**/appeals/{appeal.pk}/")

    writer = come_back(browser, live_server, code, "ru")
    assert "Спасибо, мы разберёмся до пятницы." in writer.content()
    writer.fill("#id_body", "Спасибо! Жду.")
    writer.click("form[action$='/follow/message/'] button[type=submit]")
    writer.wait_for_url("**/follow/#thread")
    message_post(appeal=appeal, side=Message.Side.ANSWER, body="Дежурство учителей в столовой усилено.")
    writer.reload()
    assert "Дежурство учителей в столовой усилено." in writer.content()
    only_local(requests_seen, live_server)
