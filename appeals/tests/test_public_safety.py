"""The writer is never left alone with it: the danger choice, honest receipts, "not solved"
reopens the case or sends it to the district, quick exit, and the small faults of the pages."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from appeals.models import Appeal, FollowUp, Message
from appeals.selectors import writer_view
from appeals.services import message_post
from audit.models import AuditRecord
from journal.models import Record

pytestmark = pytest.mark.django_db

CALM = "Ашканада тамак суук берилет, балдар ырааттуу тамактана албай жатышат."
FORM = {"author_kind": "student", "signed": "anonymous", "category": "bullying", "text": CALM}


def writer(language="en") -> Client:
    client = Client()
    client.cookies["ishenim_lang"] = language
    client.get("/s/rakhmanov/write/")
    return client


def submit(client, **fields) -> str:
    response = client.post("/s/rakhmanov/write/", {**FORM, **fields}, follow=True)
    assert response.redirect_chain[-1][0] == "/s/rakhmanov/receipt/", response.content.decode()[:2000]
    return response.context["code"]


# --- 1. The writer can say it -------------------------------------------------------------


def test_it_danger_choice_makes_a_calm_text_urgent_and_says_why(demo):
    client = writer()
    submit(client, danger="on")
    appeal = Appeal.objects.get()
    assert appeal.urgent and appeal.urgent_reason == Appeal.UrgentReason.WRITER
    # A writer's own appeal is recorded by its journal entry; the audit log is the log of staff acts.
    assert not AuditRecord.objects.filter(action="ishenim.appeal.registered").exists()


def test_it_without_the_choice_a_calm_text_is_not_urgent(demo):
    submit(writer())
    appeal = Appeal.objects.get()
    assert not appeal.urgent and appeal.urgent_reason == ""


def test_it_danger_words_alone_are_the_reason_when_the_writer_did_not_tick(demo):
    submit(writer(), text="Мен өзүмдү өлтүргүм келет, эч ким мени түшүнбөйт.")
    appeal = Appeal.objects.get()
    assert appeal.urgent and appeal.urgent_reason == Appeal.UrgentReason.WORDS


def test_it_danger_choice_is_the_first_thing_on_the_form(demo):
    page = writer().get("/s/rakhmanov/write/").content.decode()
    form = page[page.index('id="appeal-form"') :]
    assert form.index('name="danger"') < form.index('name="author_kind"') < form.index('name="text"')
    assert "I or someone else is in danger right now" in form


def test_it_urgent_receipt_puts_the_childrens_numbers_first_and_promises_only_an_alert(demo):
    client = writer()
    code = submit(client, danger="on")
    page = client.get("/s/rakhmanov/receipt/").content.decode()
    page = page[page.index("<main") :]
    first_111, first_112 = page.index('href="tel:111"'), page.index('href="tel:112"')
    assert first_111 < first_112 < page.index("Save your receipt code") < page.index(code.split("-")[0])
    assert "You are not alone" in page and "The staff are being alerted now" in page
    assert "secret code" in page
    for claim in ("have been told", "was told", "were told", "director"):
        assert claim not in page, claim


def test_it_urgent_receipt_uses_the_schools_own_helpline(demo):
    demo.help_numbers.filter(kind="children").update(number="0800 111 111")
    client = writer()
    submit(client, danger="on")
    page = client.get("/s/rakhmanov/receipt/").content.decode()
    assert 'href="tel:0800111111"' in page


def test_it_calm_receipt_has_no_alarm(demo):
    client = writer()
    submit(client)
    page = client.get("/s/rakhmanov/receipt/").content.decode()
    assert "call-now" not in page and "being alerted" not in page


def test_it_says_seen_by_staff_only_once_someone_acknowledged(demo):
    client = writer()
    submit(client, danger="on")
    page = client.get("/s/rakhmanov/follow/").content.decode()
    assert "Seen by staff" not in page and "The staff are being alerted" in page
    director = demo.memberships.get(role="director").user
    Appeal.objects.update(acknowledged_at=timezone.now(), acknowledged_by=director)
    page = client.get("/s/rakhmanov/follow/").content.decode()
    assert "Seen by staff" in page and "being alerted" not in page


def test_it_box_page_promises_an_alert_not_a_told_director(demo):
    page = writer().get("/s/rakhmanov/").content.decode()
    assert "staff are alerted at once" in page and "director are told" not in page


# --- 4. Not alone after closing -----------------------------------------------------------


def closed_with_answer(demo, client) -> Appeal:
    appeal = Appeal.objects.get()
    director = demo.memberships.get(role="director").user
    message_post(appeal=appeal, side=Message.Side.ANSWER, body="Ашкана текшерилди, баары жакшы.", sender=director)
    Appeal.objects.filter(pk=appeal.pk).update(status=Appeal.Status.CLOSED, closed_at=timezone.now())
    return appeal


def test_it_not_solved_reopens_the_case_with_an_amendment_and_audit(demo):
    client = writer()
    submit(client)
    appeal = closed_with_answer(demo, client)
    assert client.post("/s/rakhmanov/follow/solved/", {"solved": "no"}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CONSIDERING and appeal.closed_at is None
    amendment = Record.objects.filter(appeal=appeal, kind=Record.Kind.AMENDMENT).last()
    assert amendment.fields["event"] == "reopened" and amendment.fields["by"] == "writer"
    assert amendment.actor is None
    assert AuditRecord.objects.filter(action="ishenim.case.reopened_by_writer", object_id=str(appeal.pk)).exists()
    page = client.get("/s/rakhmanov/follow/").content.decode()
    assert "Your appeal is open again" in page and "Send the message" in page
    # the writer keeps writing
    assert client.post("/s/rakhmanov/follow/message/", {"body": "Бүгүн дагы ошондой болду."}).status_code == 302
    assert appeal.messages.filter(side=Message.Side.WRITER).count() == 1


def test_it_solved_or_partly_leaves_the_case_closed(demo):
    client = writer()
    submit(client)
    appeal = closed_with_answer(demo, client)
    client.post("/s/rakhmanov/follow/solved/", {"solved": "yes"})
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED
    assert not AuditRecord.objects.filter(action="ishenim.case.reopened_by_writer").exists()
    assert "Send it to the district" not in client.get("/s/rakhmanov/follow/").content.decode()


def test_it_a_reopened_case_closed_again_asks_again(demo):
    client = writer()
    submit(client)
    appeal = closed_with_answer(demo, client)
    client.post("/s/rakhmanov/follow/solved/", {"solved": "no"})
    assert "Was the problem solved?" not in client.get("/s/rakhmanov/follow/").content.decode()
    Appeal.objects.filter(pk=appeal.pk).update(status=Appeal.Status.CLOSED, closed_at=timezone.now())
    assert "Was the problem solved?" in client.get("/s/rakhmanov/follow/").content.decode()


def test_it_not_solved_can_be_sent_on_to_the_district(demo):
    client = writer()
    old_code = submit(client)
    appeal = closed_with_answer(demo, client)
    assert "Send it to the district" not in client.get("/s/rakhmanov/follow/").content.decode()
    client.post("/s/rakhmanov/follow/solved/", {"solved": "no"})
    assert "Send it to the district" in client.get("/s/rakhmanov/follow/").content.decode()

    response = client.post("/s/rakhmanov/follow/district/", {"note": "Директор да билет, бирок эч нерсе өзгөргөн жок."})
    assert response.status_code == 302 and response["Location"] == "/s/rakhmanov/receipt/"
    receipt = client.get("/s/rakhmanov/receipt/")
    new_code = receipt.context["code"]
    assert new_code != old_code and "went to the district education department" in receipt.content.decode()

    sent = Appeal.objects.get(district__isnull=False)
    assert sent.district == demo.district and sent.school == demo and sent.anonymous
    assert sent.category == appeal.category and sent.vault_scope == demo.district.vault_scope
    text = writer_view(sent, new_code).own_text
    assert "Директор да билет" in text and CALM in text and "Ашкана текшерилди" in text
    assert f"No. {appeal.journal_number}" in text
    assert FollowUp.objects.get(appeal=appeal).district_appeal == sent
    amendment = Record.objects.filter(appeal=appeal, kind=Record.Kind.AMENDMENT).last()
    assert amendment.fields["event"] == "sent_to_district" and amendment.fields["district_appeal"] == sent.pk

    # once only; the old code still opens the school's case
    again = Client()
    again.cookies["ishenim_lang"] = "en"
    again.post("/s/rakhmanov/follow/", {"code": old_code})
    page = again.get("/s/rakhmanov/follow/").content.decode()
    assert "You sent this appeal on to the district" in page and 'action="/s/rakhmanov/follow/district/"' not in page
    again.post("/s/rakhmanov/follow/district/", {"note": ""})
    assert Appeal.objects.filter(district__isnull=False).count() == 1


def test_it_cannot_send_on_before_saying_not_solved(demo):
    client = writer()
    submit(client)
    closed_with_answer(demo, client)
    response = client.post("/s/rakhmanov/follow/district/", {"note": ""})
    assert response.status_code == 200 and "says it was not solved" in response.content.decode()
    assert not Appeal.objects.filter(district__isnull=False).exists()


# --- 3. Quick exit ------------------------------------------------------------------------


def test_it_quick_exit_leads_to_a_neutral_page_that_forgets_the_code(demo):
    client = writer()
    submit(client)
    assert CALM in client.get("/s/rakhmanov/follow/").content.decode()
    response = client.get("/table/")
    page = response.content.decode()
    assert response.status_code == 200 and "Multiplication table" in page
    for trace in ("Ishenim", "Ишеним", demo.name_ky, "rakhmanov", "tel:"):
        assert trace not in page, trace
    assert "no-store" in response["Cache-Control"]
    assert CALM not in client.get("/s/rakhmanov/follow/").content.decode()  # the code is forgotten


def test_it_every_public_page_has_the_quick_exit(demo):
    client = writer()
    for url in ("/s/rakhmanov/", "/s/rakhmanov/write/", "/s/rakhmanov/follow/", "/s/rakhmanov/embed/"):
        page = client.get(url).content.decode()
        assert re.search(r'<a class="button quick-exit" href="/table/"[^>]*data-quick-exit', page), url
        assert "shared phone" in page, url
    submit(client)
    for url in ("/s/rakhmanov/receipt/", "/s/rakhmanov/follow/"):
        assert 'href="/table/"' in client.get(url).content.decode(), url


# --- 5. Small faults of the pages ---------------------------------------------------------


def test_it_language_switch_on_the_form_keeps_what_was_typed(demo):
    client = writer("ky")
    fields = {**FORM, "danger": "on", "language": "ru", "text": "Мени коркутушат, жардам бериңиз."}
    response = client.post("/s/rakhmanov/write/", fields)
    page = response.content.decode()
    assert response.status_code == 200 and 'lang="ru"' in page and response["Content-Language"] == "ru"
    assert response.cookies["ishenim_lang"].value == "ru"
    assert "Мени коркутушат, жардам бериңиз." in page
    assert re.search(r'name="danger"[^>]*checked', page) and re.search(r'value="student"[^>]*checked', page)
    assert "has-error" not in page and "error notice" not in page
    assert not Appeal.objects.exists()


def test_it_form_language_buttons_post_the_form(demo):
    page = writer().get("/s/rakhmanov/write/").content.decode()
    buttons = re.findall(r'<button type="submit" name="language"[^>]*>', page)
    assert len(buttons) == 4
    assert all('form="appeal-form"' in b and 'formaction="/s/rakhmanov/write/"' in b for b in buttons)


@pytest.mark.parametrize(("language", "word"), [("ru", "Ящик доверия"), ("en", "Trust box"), ("uz", 'lang="uz"')])
def test_it_embed_page_speaks_the_language_asked(demo, language, word):
    response = Client().get(f"/s/rakhmanov/embed/?language={language}")
    page = response.content.decode()
    assert f'<html lang="{language}">' in page and response["Content-Language"] == language
    assert word in page


def test_it_file_input_carries_its_limit_and_translated_message(demo):
    page = writer("ru").get("/s/rakhmanov/write/").content.decode()
    field = re.search(r'<input type="file"[^>]*>', page).group(0)
    assert 'data-max-bytes="8388608"' in field and "data-too-large=" in field
    assert 'id="id_files_size"' in page


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.described = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if attrs.get("aria-describedby"):
            self.described.extend(attrs["aria-describedby"].split())


def missing_ids(html: str) -> list[str]:
    parser = Ids()
    parser.feed(html)
    return [ref for ref in parser.described if ref not in parser.ids]


def test_it_aria_describedby_points_only_at_ids_that_exist(demo):
    client = writer()
    pages = {url: client.get(url) for url in ("/s/rakhmanov/", "/s/rakhmanov/write/", "/s/rakhmanov/follow/")}
    pages["write with errors"] = client.post("/s/rakhmanov/write/", {"signed": "signed", "text": "x"})
    pages["code with error"] = client.post("/s/rakhmanov/follow/", {"code": "12"})
    submit(client, danger="on")
    pages["receipt"] = client.get("/s/rakhmanov/receipt/")
    closed_with_answer(demo, client)
    client.post("/s/rakhmanov/follow/solved/", {"solved": "no"})
    pages["thread, send on"] = client.get("/s/rakhmanov/follow/")
    pages["embed"] = client.get("/s/rakhmanov/embed/")
    pages["website"] = client.get("/s/rakhmanov/website/")
    described = 0
    for name, response in pages.items():
        html = response.content.decode()
        assert missing_ids(html) == [], name
        described += html.count("aria-describedby")
    assert described >= 10


def test_it_missing_ids_are_found(demo):
    assert missing_ids('<input aria-describedby="a b"><p id="a"></p>') == ["b"]


def test_it_favicon_is_ours(client, db):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200 and response.redirect_chain[0][0].endswith("img/favicon.ico")
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_it_kyrgyz_urgent_receipt_speaks_to_a_child_and_claims_nothing(demo):
    client = writer("ky")
    submit(client, danger="on")
    page = client.get("/s/rakhmanov/receipt/").content.decode()
    assert "Сиз жалгыз эмессиз" in page and "кабар жөнөтүлүп жатат" in page and "жашыруун код" in page
    assert "директор" not in page.lower()


def test_it_language_switch_on_the_follow_page_keeps_the_message_draft(demo):
    client = writer()
    submit(client)
    page = client.get("/s/rakhmanov/follow/").content.decode()
    assert 'form="message-form" formaction="/s/rakhmanov/follow/message/"' in page
    response = client.post("/s/rakhmanov/follow/message/", {"language": "uz", "body": "Yana bir narsa aytmoqchiman."})
    page = response.content.decode()
    assert response.status_code == 200 and '<html lang="uz">' in page
    assert "Yana bir narsa aytmoqchiman." in page and response.cookies["ishenim_lang"].value == "uz"
    assert not Message.objects.exists()


def test_it_embed_links_open_the_box_in_the_frames_language(demo):
    page = Client().get("/s/rakhmanov/embed/?language=ru").content.decode()
    assert "/s/rakhmanov/write/?language=ru" in page
    response = Client().get("/s/rakhmanov/write/?language=ru")
    assert '<html lang="ru">' in response.content.decode() and response.cookies["ishenim_lang"].value == "ru"
    assert '<html lang="ky">' in Client().get("/s/rakhmanov/write/?language=xx").content.decode()


def test_it_not_solved_tells_the_responsible_person(demo, django_capture_on_commit_callbacks):
    from notify.models import Outbox

    client = writer()
    submit(client)
    closed_with_answer(demo, client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/s/rakhmanov/follow/solved/", {"solved": "no"})
    responsible = demo.memberships.get(role="responsible").user
    rows = Outbox.objects.filter(kind="case_reopened", recipient=responsible)
    assert rows.exists() and all(CALM not in row.body for row in rows)


def test_it_staff_see_why_the_case_came_back_and_where_it_went(demo, login):
    client = writer()
    submit(client)
    appeal = closed_with_answer(demo, client)
    client.post("/s/rakhmanov/follow/solved/", {"solved": "no"})
    client.post("/s/rakhmanov/follow/district/", {"note": ""})
    staff = login("responsible", client=Client())
    staff.cookies["ishenim_lang"] = "en"
    page = staff.get(f"/staff/rakhmanov/appeals/{appeal.pk}/").content.decode()
    assert "The writer answered that the problem was not solved." in page
    assert "Sent on to the district education department by its writer" in page


def test_it_staff_see_that_the_writer_said_it_is_urgent(demo, login):
    submit(writer(), danger="on")
    staff = login("responsible", client=Client())
    staff.cookies["ishenim_lang"] = "en"
    page = staff.get(f"/staff/rakhmanov/appeals/{Appeal.objects.get().pk}/").content.decode()
    assert "Marked urgent: the writer said someone is in danger right now" in page


def test_it_a_link_language_applies_to_everything_on_the_page(demo):
    page = Client().get("/s/rakhmanov/write/?language=ru").content.decode()
    assert "До 3 файлов" in page  # the files' limits, made when the form is made
