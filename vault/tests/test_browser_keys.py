"""In a real browser, at phone width: a director replaces the key and gets the recovery sheet."""

import pytest

from schools.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_replaces_the_key_and_shows_the_recovery_code_once(page, demo, tmp_path):
    page.goto("/accounts/login/")
    page.fill("#id_username", "director")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button.primary")
    page.goto("/staff/rakhmanov/keys/")
    assert page.locator("h1").inner_text() == "Кайрылууларга кирүү укугу"
    assert page.locator(".tag.ok").count() == 2  # director and responsible; handlers hold their cases only
    page.screenshot(path=str(tmp_path / "keys.png"), full_page=True)
    page.click("a.button")  # Replace the key…
    page.check("#id_confirm")
    page.click("button.primary")
    code = page.locator(".recovery-code").inner_text()
    assert len(code.replace("-", "")) == 35
    page.screenshot(path=str(tmp_path / "sheet.png"), full_page=True)
    with page.expect_download() as download:
        page.click("button.primary")
    assert download.value.suggested_filename.endswith(".pdf")
    page.go_back()
    page.goto("/staff/rakhmanov/keys/")
    assert code not in page.content()
