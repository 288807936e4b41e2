"""The whole commission in a real browser on a 360 px screen: a commission, an election, a
meeting confirmed by every member, an opening with two letters (one on a printed form, linked by
its form number) and a new seal, the act, and the writer following that appeal on the public page
with the code from the stub they kept."""

import io
import re
import subprocess

import pytest
from PIL import Image
from playwright.sync_api import expect

from appeals.models import Appeal
from appeals.receipts import receipt_hash
from commission.models import Meeting
from openings.models import Entry, Opening
from schools.demo import DEMO_PASSWORD

BASE = "/staff/rakhmanov/commission"
MEMBERS = ["responsible", "psychologist", "deputy", "parent", "teacher"]


def log_in(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(re.compile(r"/staff/"))


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 120), "white").save(out, "JPEG")
    return out.getvalue()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_runs_the_commission_from_appointment_to_the_writers_follow_up(page, demo, tmp_path):
    # The director appoints the commission by order and seats the five commission accounts.
    log_in(page, "director")
    page.goto(f"{BASE}/order/new/")
    page.fill("#id_number", "45-к")
    page.fill("#id_issued_on", "2026-09-01")
    page.click("form.form button[type=submit]")
    page.click(f"form[action='{BASE}/members/from-accounts/'] button")
    expect(page.locator(".c-status.ok")).to_have_count(1)  # odd, a parents' representative, one responsible

    # First meeting: all five present; the chair and the secretary are elected by open vote.
    page.goto(f"{BASE}/meetings/new/")
    for box in page.locator("input[name=attendees]").all():
        box.check()
    page.fill("#id_place", "Мугалимдер бөлмөсү")
    page.click("form.form button[type=submit]")
    meeting = Meeting.objects.get()
    for office, username, votes in (("chair", "responsible", "5"), ("secretary", "teacher", "4")):
        page.goto(f"{BASE}/meetings/{meeting.pk}/election/?office={office}")
        member = meeting.attendees.get(user__username=username)
        page.check(f"#id_c{member.pk}")
        page.fill(f"#id_c{member.pk}_for", votes)
        page.click("form.form button[type=submit]")
    page.goto(f"{BASE}/meetings/{meeting.pk}/items/new/")
    page.fill("#id_title", "Ишеним почтасынын иш тартиби")
    page.fill("#id_heard", "Н. Асанова жобону тааныштырды.")
    page.fill("#id_resolved", "Жобо эске алынсын.")
    page.click("form.form button[type=submit]")
    page.click(f"form[action$='/meetings/{meeting.pk}/circulate/'] button")

    # Each member confirms the protocol from their own account.
    for username in MEMBERS:
        log_in(page, username)
        page.goto(f"{BASE}/meetings/{meeting.pk}/")
        page.click(f"form[action$='/meetings/{meeting.pk}/confirm/'] button")
        page.wait_for_selector("#protocol-status")
    assert page.locator("#protocol-status.ok").count() == 1
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.FINAL and Entry.objects.filter(meeting=meeting).exists()

    # The responsible person prints paper forms; the codes exist only in that PDF.
    log_in(page, "responsible")
    page.goto(f"{BASE}/paper-forms/")
    page.fill("#id_count", "2")
    with page.expect_download() as download:
        page.click("form.form button[type=submit]")
    forms_pdf = tmp_path / "forms.pdf"
    download.value.save_as(forms_pdf)
    text = subprocess.run(["pdftotext", str(forms_pdf), "-"], capture_output=True, text=True, check=True).stdout
    code = re.findall(r"[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}", text)[0]  # on the first stub
    number = re.findall(r"\b\d+-\d{2}-\d\b", text)[0]  # on the first form: the letter carries only this

    # At the box: who is present, the seal, two letters (one on a printed form), the new seal.
    page.goto(f"{BASE}/openings/")
    page.click(f"form[action='{BASE}/openings/start/']:not(:has(input[name=planned_for])) button")
    page.wait_for_url(re.compile(r"/step/present/"))
    for username in ("responsible", "parent", "deputy"):
        page.check(f"input[name=present][value='{meeting.attendees.get(user__username=username).pk}']")
    page.click("form.form button[type=submit]")
    page.fill("#id_number", "0042")
    page.click("form.form button[type=submit]")
    page.fill("#id_letters_found", "2")
    page.click("form.form button[type=submit]")
    page.set_input_files("#id_pages", files=[{"name": "p1.jpg", "mimeType": "image/jpeg", "buffer": photo()}])
    page.select_option("#id_category", "bullying")
    page.fill("#id_summary", "Тыныгууда кордоо")
    page.click("form.form button[type=submit]")
    page.select_option("#id_category", "request")
    page.fill("#id_summary", "Ашкана боюнча өтүнүч")
    page.fill("#id_form_number", number)
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r"/step/close/"))
    page.fill("#id_new_seal_number", "0043")
    page.click("form.form button[type=submit]")
    opening = Opening.objects.get()
    assert opening.status == Opening.Status.DONE and opening.new_seal_number == "0043"
    with page.expect_download() as download:
        page.click(f"a[href='{BASE}/openings/{opening.pk}/act.pdf?lang=ky']")
    act = tmp_path / "act.pdf"
    download.value.save_as(act)
    act_text = subprocess.run(["pdftotext", str(act), "-"], capture_output=True, text=True, check=True).stdout
    appeal = Appeal.objects.get(receipt_hash=receipt_hash(code))
    assert f"№{appeal.journal_number}" in act_text and "0043" in act_text
    assert "Ашкана" not in act_text  # no content in the act

    # The writer, not logged in, follows the appeal with the code from the stub.
    page.context.clear_cookies()
    page.goto("/s/rakhmanov/follow/")
    page.fill("input[name=code]", code)
    page.click("main form button[type=submit].primary")
    page.wait_for_selector(f"text=№ {appeal.journal_number}")
    assert appeal.channel == Appeal.Channel.PAPER
