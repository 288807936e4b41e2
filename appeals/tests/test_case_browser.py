"""One online and one paper appeal walked through a real browser, from registration to the answer."""

import re

import pytest
from playwright.sync_api import expect

from appeals.models import Appeal
from appeals.receipts import receipt_code_new
from appeals.services import appeal_submit
from journal.models import Record, Volume
from journal.services import journal_verify
from schools.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWER = "The canteen was checked; hot meals are served from Monday."


def _case_step(page, title: str, fill=None) -> None:
    """Open one action of the case panel, fill it and submit it."""
    action = page.locator("details.case-action", has=page.locator("summary", has_text=title))
    action.locator("summary").click()
    if fill:
        fill(action)
    action.get_by_role("button", name=title).click()
    page.wait_for_load_state()
    assert page.locator(".messages li").count() >= 1, page.content()[:2000]


def _walk(page, appeal: Appeal, *, answer_mode: str) -> None:
    page.goto(f"/staff/rakhmanov/appeals/{appeal.pk}/")
    assert page.locator("#case").is_visible()
    _case_step(page, "Assign case handlers", lambda a: a.get_by_label("Бермет Осмонова").check())
    page.locator("textarea[name=text]").last.fill("Spoke with the form tutor; watching the class.")
    page.get_by_role("button", name="Add the note").click()
    expect(page.get_by_text("Spoke with the form tutor; watching the class.")).to_be_visible()
    _case_step(
        page,
        "Forward to a competent body",
        lambda a: a.locator("select[name=body]").select_option("district"),
    )

    def measures(a):
        a.locator("input[name=kinds][value=organisation]").check()  # a change in the school's organisation
        a.locator("textarea[name=text]").fill("Meeting with the canteen staff held.")

    _case_step(page, "Record measures taken", measures)

    def answer(a):
        a.locator(f"input[name=mode][value={answer_mode}]").check()
        a.locator("textarea[name=text]").fill(ANSWER)

    _case_step(page, "Answer the author and close", answer)
    assert page.locator("#case .tag").first.inner_text().lower() == "answered and closed"


def test_it_walks_an_online_and_a_paper_appeal_to_the_answer(page, demo, browser, live_server):
    code = receipt_code_new()
    online = appeal_submit(
        school=demo,
        text="The soup in the canteen is always cold.",
        category=Appeal.Category.SUGGESTION,
        author_kind=Appeal.AuthorKind.STUDENT,
        receipt_code=code,
    )
    paper = appeal_submit(
        school=demo,
        channel=Appeal.Channel.PAPER,
        text="My son is bullied in class 7B.",
        category=Appeal.Category.BULLYING,
        author_kind=Appeal.AuthorKind.PARENT,
        author={"full_name": "Sydykov Ermek", "address": "Osh, Lenin st. 12", "class": "7B", "phone": "0555 123 456"},
    )

    page.goto("/")
    page.get_by_role("button", name="English").click()
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill("director")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()

    _walk(page, online, answer_mode="receipt")
    _walk(page, paper, answer_mode="letter")
    letter = page.locator(".letter-form").last
    assert letter.locator("select[name=language]").input_value() == "en"  # the language the appeal is written in
    letter.locator("select[name=language]").select_option("en")
    with page.expect_download() as download:
        letter.get_by_role("button", name="PDF").click()
    assert download.value.suggested_filename == f"answer-{paper.journal_number}-en.pdf"

    page.goto("/staff/rakhmanov/journal/")
    assert page.get_by_text("Meeting with the canteen staff held.").first.is_visible()
    head = Volume.objects.get(school=demo).head_hash
    assert page.locator("#head-hash").inner_text().replace(" ", "") == head
    page.get_by_role("button", name="Verify the journal").click()
    expect(page.locator(".verify-result")).to_have_text(re.compile(r"^\s*The journal verifies"))

    for appeal in (online, paper):
        appeal.refresh_from_db()
        assert appeal.status == Appeal.Status.CLOSED
        assert [r.fields["event"] for r in Record.objects.filter(appeal=appeal, kind="amendment").order_by("seq")] == [
            "assigned",
            "forwarded",
            "measures",
            "answered",
        ]
    assert journal_verify(Volume.objects.get(school=demo)).ok

    # The writer of the online appeal returns with the receipt code and reads the answer.
    writer = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url)
    public = writer.new_page()
    public.goto("/")
    public.get_by_role("button", name="English").click()
    public.goto("/s/rakhmanov/follow/")
    public.locator("input[name=code]").fill(code)
    public.locator("form.form button[type=submit]").click()
    expect(public.get_by_text(ANSWER)).to_be_visible()
    writer.close()
