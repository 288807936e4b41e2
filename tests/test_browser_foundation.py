import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_opens_in_kyrgyz_switches_to_russian_and_logs_staff_in(page, demo):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "ky"
    assert page.get_by_role("heading", level=1).inner_text() == "Ишеним — мектептин «Ишеним кутучасы»"

    page.get_by_role("button", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert page.get_by_text("Выберите свою школу").is_visible()

    page.get_by_role("link", name="Вход для сотрудников").click()
    page.get_by_label("Имя пользователя").fill("director")
    page.get_by_label("Пароль").fill("ishenim-demo-2026")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Моя работа")  # every login lands on My work
    # The language chosen before login is still the one in use.
    assert page.locator("html").get_attribute("lang") == "ru"
