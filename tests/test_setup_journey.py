"""Issue 14's set-up journey in a real browser, as a new user would do it: the platform
administrator imports two schools and their staff from the XLSX template (a row with a
mistake, fixed after the dry run), the director comes in by the invitation link, sets up
two-factor login, receives the recovery sheet, adds a psychologist and gives her the key;
then an appeal arrives and the psychologist handles it from "My work" on a 390 px phone.
Screens are in Kyrgyz; screenshots at 390 and 1280 px go to var/screenshots/."""

import io
import re
from pathlib import Path

import pyotp
import pytest
from django.conf import settings as django_settings
from openpyxl import load_workbook

from appeals.models import Appeal
from appeals.services import appeal_submit
from schools.demo import DEMO_PASSWORD
from schools.models import School
from vault.services import key_holders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "Jangy-syrsoz-2026"  # noqa: S105 - a test account


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"setup-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})


def enrol(page) -> None:
    """The first login's two-factor step: type the key shown into an 'app' (pyotp)."""
    page.wait_for_url("**/login/two-factor/**")
    seed = page.inner_text("code.seed").strip()
    page.fill("#id_code", pyotp.TOTP(seed).now())
    page.click("button.primary")
    page.wait_for_selector("ul.backup-codes")
    page.click("a.button.primary")


def log_in(page, username: str, password: str) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button.primary")


def accept(browser, live_server, link: str, username: str):
    context = browser.new_context(viewport={"width": 390, "height": 900}, base_url=live_server.url)
    context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "ky", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(link.replace(django_settings.SITE_URL.rstrip("/"), live_server.url))
    page.fill("#id_new_password1", PASSWORD)
    page.fill("#id_new_password2", PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/accounts/login/**")
    log_in(page, username, PASSWORD)
    enrol(page)
    return page


def workbook(content: bytes, *, mistake: bool) -> bytes:
    book = load_workbook(io.BytesIO(content))
    book["schools"].append(["ak-tilek", "Ак-Тилек мектеби", "Школа Ак-Тилек", "Oq-Tilak maktabi", "", "Ош ш."])
    book["schools"].append(["manas-7", "Манас №7 мектеби"])
    role = "direktor" if mistake else "director"
    book["staff"].append(
        ["ak-tilek", "Айгүл Сапарова", "asaparova", "", "a@school.example", "", role, "director", "жок"]
    )
    book["staff"].append(["manas-7", "Бакыт Осмонов", "bosmonov", "", "", "", "director", "director", "жок"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_it_a_district_comes_online_from_a_spreadsheet(page, browser, live_server, demo, settings, tmp_path):
    settings.ISHENIM_TWO_FACTOR_ROLES = ("director", "responsible", "district_officer")
    page.context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "ky", "url": live_server.url}])
    page.goto("/accounts/login/?next=/staff/setup/")
    log_in(page, "admin", DEMO_PASSWORD)
    enrol(page)
    page.wait_for_url("**/staff/setup/")
    with page.expect_download() as download:
        page.click("a[href$='template.xlsx']")
    template = Path(download.value.path()).read_bytes()

    page.goto("/staff/setup/districts/osh/import/")
    wrong = tmp_path / "district.xlsx"
    wrong.write_bytes(workbook(template, mistake=True))
    page.set_input_files("#id_sheet", str(wrong))
    page.click("form[enctype] button")
    errors = page.inner_text("ul.import-errors")
    assert "direktor" in errors and "2" in errors
    assert page.locator("input[name=apply]").count() == 0
    shot(page, "import-dry-run")
    assert not School.objects.filter(slug="ak-tilek").exists()

    wrong.write_bytes(workbook(template, mistake=False))
    page.set_input_files("#id_sheet", str(wrong))
    page.click("form[enctype] button")
    page.click("input[name=apply] + button")
    page.wait_for_selector("ul.invitations")
    shot(page, "import-done")
    links = page.locator("code.invitation-link").all_inner_texts()
    assert len(links) == 2
    director_link = next(link for link in links if link)
    assert School.objects.filter(slug__in=["ak-tilek", "manas-7"]).count() == 2
    page.goto("/staff/setup/districts/osh/")
    shot(page, "district")

    # the director: invitation, password, two-factor, the recovery sheet once
    director = accept(browser, live_server, links[0], "asaparova")
    director.wait_for_url("**/staff/welcome/")
    shot(director, "welcome")
    with director.expect_download() as sheet:
        director.click("form[action$='recovery-sheet/'] button")
    assert Path(sheet.value.path()).read_bytes()[:4] == b"%PDF"
    school = School.objects.get(slug="ak-tilek")
    assert len(key_holders(school.vault_scope)) == 1
    director.goto("/staff/welcome/")
    assert "/staff/welcome/" not in director.url  # shown once

    # she adds a psychologist (responsible person), who comes in and waits for the key
    director.goto("/staff/ak-tilek/staff/")
    director.fill("#id_full_name", "Бермет Алиева")
    director.fill("#id_username", "baliyeva")
    director.check("input[name=roles][value=responsible]")
    director.select_option("#id_position", "psychologist")
    director.click("form.form button.primary")
    link = director.inner_text("code.invitation-link")
    psychologist = accept(browser, live_server, link, "baliyeva")
    director.goto("/staff/ak-tilek/staff/")
    assert director.locator(".waiting-for-key").count() == 1
    shot(director, "staff")
    director.click("form[action$='keys/grant/'] button")
    director.wait_for_url("**/keys/")
    assert len(key_holders(school.vault_scope)) == 2
    director.goto("/staff/ak-tilek/staff/")
    assert director.locator(".waiting-for-key").count() == 0
    assert re.search(r"/staff/", psychologist.url)
    assert director_link

    # an appeal arrives; the psychologist finds it on "My work" on her phone and takes it up
    appeal = appeal_submit(
        school=school,
        text="Биздин класста бир бала мени шылдыңдап, телефонумду тартып алат.",
        category=Appeal.Category.BULLYING,
        author_kind=Appeal.AuthorKind.STUDENT,
    )
    psychologist.set_viewport_size({"width": 390, "height": 900})
    psychologist.goto("/staff/work/")
    psychologist.click(f"a[href$='/appeals/{appeal.pk}/']")
    psychologist.wait_for_url(f"**/appeals/{appeal.pk}/")
    assert "телефонумду тартып алат" in psychologist.inner_text("main")  # opened with her own key
    assert psychologist.evaluate("document.scrollingElement.scrollWidth") <= 390
    psychologist.click("form[action$='/consider/'] button.primary")
    psychologist.wait_for_load_state()
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CONSIDERING
    shot(psychologist, "case")
