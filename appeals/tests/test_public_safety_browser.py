"""The writer is never left alone with it, in a real browser 360 px wide: the danger choice and
its receipt, quick exit, the language switch that keeps the text, the file-size check, copying."""

import os
from pathlib import Path

import pytest

from appeals.models import Appeal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Ашканада тамак суук берилет, балдар ырааттуу тамактана албай жатышат."


@pytest.fixture
def shots(tmp_path) -> Path:
    """Screenshots go to $ISHENIM_SHOTS (to look at them) or a temporary folder."""
    folder = Path(os.environ.get("ISHENIM_SHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fill_form(page, text=TEXT):
    page.check("input[name=author_kind][value=student]")
    page.select_option("#id_category", "bullying")
    page.fill("#id_text", text)


def test_it_danger_choice_gives_an_urgent_receipt_with_numbers_to_tap(page, demo, shots):
    page.goto("/s/rakhmanov/write/")
    page.screenshot(path=shots / "write-ky-360.png", full_page=True)
    danger = page.locator("#id_danger")
    assert danger.bounding_box()["y"] < page.locator("#id_text").bounding_box()["y"]
    danger.check()
    fill_form(page)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/receipt/")
    page.screenshot(path=shots / "receipt-urgent-ky-360.png", full_page=True)
    assert Appeal.objects.get().urgent_reason == Appeal.UrgentReason.WRITER
    calls = page.locator(".call-now a")
    assert calls.nth(0).get_attribute("href") == "tel:111" and calls.nth(1).get_attribute("href") == "tel:112"
    # the numbers are on the first screen, above the code, and big enough to tap
    first = calls.nth(0).bounding_box()
    assert first["y"] + first["height"] < 740 and first["height"] >= 44 and first["width"] >= 280
    assert first["y"] < page.locator("#receipt-code").bounding_box()["y"]
    section = page.inner_text(".urgent-help")
    assert "жалгыз эмессиз" in section and "жашыруун код" in section


def test_it_quick_exit_leaves_and_back_does_not_return_to_the_form(page, demo):
    page.goto("/s/rakhmanov/")
    page.click("a.button.primary[href$='/write/']")
    page.wait_for_url("**/write/")
    page.fill("#id_text", "Мени үйдө урушат, эч кимге айта албайм.")
    page.click("[data-quick-exit]")
    page.wait_for_url("**/table/")
    assert "rakhmanov" not in page.content()
    page.go_back()
    page.wait_for_timeout(300)
    assert "/write/" not in page.url and "/s/rakhmanov/" not in page.url
    assert page.locator("#id_text").count() == 0


def test_it_escape_twice_is_a_quick_exit(page, demo):
    page.goto("/s/rakhmanov/write/")
    page.fill("#id_text", "Бир нерсе жазып жатам.")
    page.keyboard.press("Escape")
    page.wait_for_timeout(1700)
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert "/write/" in page.url  # once, or twice slowly, is not enough: Esc also closes menus
    with page.expect_navigation():
        page.keyboard.press("Escape")
    assert page.url.endswith("/table/")


def test_it_quick_exit_is_reachable_by_keyboard_first(page, demo):
    page.goto("/s/rakhmanov/follow/")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.hasAttribute('data-quick-exit')"):
            break
    else:
        pytest.fail("quick exit not reached with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/table/")


def test_it_switching_language_keeps_what_was_typed(page, demo, shots):
    page.goto("/s/rakhmanov/write/")
    page.check("#id_danger")
    fill_form(page, text="Бул текст тил алмашканда жоголбошу керек.")
    page.click("header .lang button[value=ru]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "ru"
    assert page.input_value("#id_text") == "Бул текст тил алмашканда жоголбошу керек."
    assert page.is_checked("#id_danger") and page.is_checked("input[name=author_kind][value=student]")
    assert page.input_value("#id_category") == "bullying"
    assert "Ящик доверия" in page.title() or "Написать" in page.inner_text("h1")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/receipt/")
    assert Appeal.objects.get().urgent


def test_it_a_file_too_large_is_refused_before_sending_and_nothing_is_lost(page, demo):
    page.goto("/s/rakhmanov/write/")
    fill_form(page)
    big = {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff" + b"0" * (9 * 1024 * 1024)}
    small = {"name": "note.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    page.set_input_files("#id_files", [big, small])
    message = page.locator("#id_files_size")
    assert message.is_visible()
    assert "photo.jpg" in message.inner_text() and "9.0" in message.inner_text()
    assert page.evaluate("document.getElementById('id_files').files.length") == 1  # the small one stays
    assert page.input_value("#id_text") == TEXT
    page.set_input_files("#id_files", [])
    assert not message.is_visible()


def test_it_copy_works_without_the_clipboard_api(page, demo):
    page.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined});")
    page.goto("/s/rakhmanov/write/")
    fill_form(page)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/receipt/")
    code = page.inner_text("#receipt-code").strip()
    button = page.locator("button[data-copy=receipt-code]")
    before = button.inner_text()
    button.click()
    assert page.evaluate("window.getSelection().toString()").strip() == code
    assert button.inner_text() != before  # "copied", or how to copy by hand


def test_it_pages_load_no_missing_file(page, demo):
    missing = []
    page.on("response", lambda response: missing.append(response.url) if response.status >= 400 else None)
    for url in ("/s/rakhmanov/", "/s/rakhmanov/write/", "/s/rakhmanov/embed/?language=uz", "/table/"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    assert missing == []


def test_it_not_solved_reopens_and_offers_the_district(page, demo, shots):
    from django.utils import timezone

    from appeals.models import Message
    from appeals.services import message_post

    page.goto("/s/rakhmanov/write/")
    fill_form(page)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/receipt/")
    appeal = Appeal.objects.get()
    director = demo.memberships.get(role="director").user
    message_post(appeal=appeal, side=Message.Side.ANSWER, body="Ашкана текшерилди, баары жакшы.", sender=director)
    Appeal.objects.filter(pk=appeal.pk).update(status=Appeal.Status.CLOSED, closed_at=timezone.now())
    page.goto("/s/rakhmanov/follow/")
    page.check("input[name=solved][value=no]")
    page.click("form.solved button[type=submit]")
    page.wait_for_selector(".reopened")
    page.screenshot(path=shots / "follow-reopened-ky-360.png", full_page=True)
    assert page.is_visible("#id_body") and page.is_visible("#id_note")
    page.fill("#id_note", "Эч нерсе өзгөргөн жок.")
    page.click(".send-on button[type=submit]")
    page.wait_for_url("**/receipt/")
    page.screenshot(path=shots / "receipt-district-ky-360.png", full_page=True)
    assert Appeal.objects.filter(district=demo.district).count() == 1
    page.click("[data-quick-exit]")
    page.wait_for_url("**/table/")
    page.screenshot(path=shots / "neutral-ky-360.png", full_page=True)


def test_it_quick_exit_in_the_schools_frame_takes_the_whole_page_away(page, demo, live_server):
    school_site = f'<h1>School website</h1><iframe src="{live_server.url}/s/rakhmanov/embed/?language=ru"></iframe>'
    # another origin on this machine (a public one would be stopped by Chromium's private network rules)
    outside = live_server.url.replace("127.0.0.1", "localhost") + "/school-site/"
    page.route(outside, lambda route: route.fulfill(body=school_site, content_type="text/html"))
    page.goto(outside)
    frame = page.frame_locator("iframe")
    with page.expect_navigation():
        frame.locator("[data-quick-exit]").click()
    assert page.url.endswith("/table/") and "School website" not in page.content()
