"""Case handling from registration to a recorded outcome: every step is a journal amendment and an audit record."""

import pytest
from django.urls import reverse

from appeals.models import Answer, Appeal, Forwarding, Message, Note
from appeals.receipts import receipt_code_new
from appeals.selectors import writer_view
from appeals.services import appeal_submit
from audit.models import AuditRecord
from journal.models import Record, Volume
from journal.services import journal_verify

AUTHOR = {"full_name": "Сыдыков Эрмек", "address": "Ош ш., Ленин көч., 12", "class": "7Б", "phone": "+996 555 123 456"}


@pytest.fixture
def paper(demo):
    return appeal_submit(
        school=demo,
        channel=Appeal.Channel.PAPER,
        text="Балам 7Б классында куугунтукка кабылып жатат, жардам бериңиз.",
        category=Appeal.Category.BULLYING,
        author_kind=Appeal.AuthorKind.PARENT,
        author=AUTHOR,
        grade=7,
    )


@pytest.fixture
def online(demo):
    code = receipt_code_new()
    appeal = appeal_submit(
        school=demo,
        text="Ашканада тамак суук берилет, оңдоп бериңиздер.",
        category=Appeal.Category.SUGGESTION,
        author_kind=Appeal.AuthorKind.STUDENT,
        receipt_code=code,
    )
    appeal.code = code
    return appeal


def act(client, appeal, name, data=None):
    return client.post(reverse("cases:action", args=[appeal.school.slug, appeal.pk, name]), data or {})


def measure(client, appeal):
    """The measures a case needs before it can be closed."""
    data = {"kinds": ["talk_student"], "text": "Окуучу менен сүйлөшүү өттү.", "taken_on": "2026-11-20"}
    assert act(client, appeal, "measures", data).status_code == 302


def events(appeal):
    return [
        (r.fields.get("event"), r.fields.get("status"))
        for r in Record.objects.filter(appeal=appeal, kind="amendment").order_by("seq")
    ]


def test_it_carries_a_signed_paper_appeal_from_registration_to_closure(client, login, paper, django_user_model):
    psychologist = django_user_model.objects.get(username="psychologist")
    login("director")
    response = act(client, paper, "assign", {"handlers": [psychologist.pk]})
    assert response.status_code == 302 and response.url.endswith(f"/appeals/{paper.pk}/#case")
    paper.refresh_from_db()
    assert paper.status == Appeal.Status.CONSIDERING and list(paper.handlers.all()) == [psychologist]

    client.logout()
    login("psychologist")
    assert act(client, paper, "note", {"text": "Класс жетекчи менен сүйлөштүм."}).status_code == 302
    assert (
        act(
            client,
            paper,
            "measures",
            {"kinds": ["talk_parents"], "text": "Ата-энелер менен жолугушуу өттү.", "taken_on": "2026-11-20"},
        ).status_code
        == 302
    )
    response = act(
        client, paper, "forward", {"body": "police", "addressee": "", "forwarded_on": "2026-11-20", "cover": ""}
    )
    assert response.status_code == 302
    response = act(
        client,
        paper,
        "answer",
        {"mode": "letter", "given_on": "2026-11-21", "text": "Чаралар көрүлдү, балаңыз коопсуз."},
    )
    assert response.status_code == 302

    paper.refresh_from_db()
    assert paper.status == Appeal.Status.CLOSED and paper.closed_at
    assert events(paper) == [
        ("assigned", "considering"),
        ("measures", "measures"),
        ("forwarded", "forwarded"),
        ("answered", "closed"),
    ]
    assert Note.objects.filter(appeal=paper).count() == 1
    assert Forwarding.objects.get(appeal=paper).body == "police"
    assert Answer.objects.get(appeal=paper).mode == "letter"
    actions = set(AuditRecord.objects.filter(object_id=str(paper.pk)).values_list("action", flat=True))
    assert {
        "ishenim.case.assigned",
        "ishenim.case.note_added",
        "ishenim.case.measures",
        "ishenim.case.forwarded",
    } <= actions
    assert "ishenim.case.answered" in actions
    assert journal_verify(Volume.objects.get(school=paper.school)).ok
    # Nothing of the note, measures or answer is stored in the clear.
    assert b"\xd0\x96\xd0\xbe\xd0\xbb\xd1\x83\xd0\xb3" not in bytes(Record.objects.filter(appeal=paper).last().sealed)


def test_it_makes_the_answer_letter_and_the_cover_letter_in_the_chosen_language(
    client, login, paper, django_user_model
):
    login("director")
    act(
        client,
        paper,
        "forward",
        {"body": "ombudsman", "addressee": "", "forwarded_on": "2026-11-20", "cover": "Шашылыш."},
    )
    measure(client, paper)
    act(
        client,
        paper,
        "answer",
        {"mode": "letter", "given_on": "2026-11-21", "text": "Чаралар көрүлдү, балаңыз коопсуз."},
    )
    answer, forwarding = Answer.objects.get(appeal=paper), Forwarding.objects.get(appeal=paper)
    base = f"/staff/rakhmanov/cases/{paper.pk}"
    pdf = client.get(f"{base}/answers/{answer.pk}/letter/", {"language": "ru", "format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = client.get(f"{base}/answers/{answer.pk}/letter/", {"language": "ky", "format": "docx"})
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    from io import BytesIO

    from docx import Document

    text = "\n".join(p.text for p in Document(BytesIO(docx.content)).paragraphs)
    assert "Сыдыков Эрмек" in text and "Чаралар көрүлдү" in text and "Айгүл Токтогулова" in text
    cover = client.get(f"{base}/forwardings/{forwarding.pk}/letter/", {"language": "en", "format": "docx"})
    text = "\n".join(p.text for p in Document(BytesIO(cover.content)).paragraphs)
    assert "we forward for consideration" in text and f"No. {paper.journal_number}" in text
    assert "куугунтукка" in text  # the copy of the appeal goes with it
    assert (
        client.get(f"{base}/forwardings/{forwarding.pk}/letter/", {"language": "ky", "format": "pdf"}).status_code
        == 200
    )
    assert client.get(f"{base}/answers/{answer.pk}/letter/", {"language": "xx", "format": "pdf"}).status_code == 404
    printed = AuditRecord.objects.filter(action="ishenim.case.letter_printed", object_id=str(paper.pk)).count()
    assert printed == 4


def test_it_answers_an_anonymous_online_writer_through_the_receipt_code(client, login, online):
    login("responsible")
    act(client, online, "consider")
    measure(client, online)
    response = act(
        client,
        online,
        "answer",
        {"mode": "receipt", "given_on": "2026-11-21", "text": "Ашкана текшерилди, тамак ысык берилет."},
    )
    assert response.status_code == 302
    online.refresh_from_db()
    assert online.status == Appeal.Status.CLOSED
    view = writer_view(online, online.code)
    assert view.answer is not None and view.answer.text == "Ашкана текшерилди, тамак ысык берилет."
    assert Message.objects.filter(appeal=online, side=Message.Side.ANSWER).count() == 1


def test_it_refuses_a_letter_to_an_anonymous_writer_and_keeps_the_text(client, login, online):
    login("director")
    response = act(
        client, online, "answer", {"mode": "letter", "given_on": "2026-11-21", "text": "Жооп текст ушул жерде."}
    )
    assert response.status_code == 400
    assert "Жооп текст ушул жерде." in response.content.decode()
    online.refresh_from_db()
    assert online.status == Appeal.Status.REGISTERED and not Answer.objects.exists()


def test_it_shows_a_translated_error_for_too_short_measures(client, login, paper):
    login("director")
    response = act(client, paper, "measures", {"kinds": ["talk_student"], "text": "ok", "taken_on": "2026-11-20"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and 'lang="ky"' in page
    assert events(paper) == []


def test_it_refuses_a_date_in_the_future(client, login, paper):
    login("director")
    response = act(
        client, paper, "measures", {"kinds": ["talk_student"], "text": "Жолугушуу өттү.", "taken_on": "2099-01-01"}
    )
    assert response.status_code == 400 and events(paper) == []


def test_it_leaves_an_appeal_without_consideration_with_a_reason_and_can_reopen_it(client, login, paper):
    login("director")
    assert act(client, paper, "dismiss", {"reason": "other", "details": ""}).status_code == 400
    assert act(client, paper, "dismiss", {"reason": "duplicate", "details": "№1 менен бирдей."}).status_code == 302
    paper.refresh_from_db()
    assert (paper.status, paper.dismissal_reason) == ("dismissed", "duplicate")
    assert (
        act(
            client, paper, "measures", {"kinds": ["talk_student"], "text": "Жолугушуу өттү.", "taken_on": "2026-11-20"}
        ).status_code
        == 400
    )
    assert act(client, paper, "reopen", {"reason": "Автор кайра кайрылды."}).status_code == 302
    paper.refresh_from_db()
    assert (paper.status, paper.dismissal_reason) == ("considering", "")
    assert events(paper) == [("dismissed", "dismissed"), ("reopened", "considering")]


def test_it_corrects_the_journal_summary_by_an_amendment(client, login, paper):
    from journal.selectors import journal_rows
    from vault.services import keyring

    login("director")
    response = act(client, paper, "correct", {"category": "child_rights", "summary": "Куугунтук тууралуу арыз."})
    assert response.status_code == 302
    entry = Record.objects.get(appeal=paper, kind="entry")
    assert entry.fields["category"] == "bullying"  # the entry itself is never rewritten
    request = response.wsgi_request
    row = journal_rows(entry.volume, keyring(request))[0]
    assert (row.category, row.summary, row.corrected) == ("child_rights", "Куугунтук тууралуу арыз.", True)


def test_it_shows_the_case_panel_on_the_appeal_page_and_audits_it(client, login, paper):
    login("director")
    act(client, paper, "note", {"text": "Ички эскертүү."})
    page = client.get(reverse("appeals:detail", args=["rakhmanov", paper.pk]))
    html = page.content.decode()
    assert 'id="case"' in html and "Ички эскертүү." in html
    assert AuditRecord.objects.filter(action="ishenim.case.viewed", object_id=str(paper.pk)).exists()


def test_it_never_shows_internal_notes_to_the_writer(client, login, online):
    login("director")
    act(client, online, "note", {"text": "Ички гана эскертүү."})
    view = writer_view(online, online.code)
    assert all("Ички" not in item.text for item in view.thread)


def test_it_refuses_a_second_answer_to_a_closed_case(client, login, paper):
    login("director")
    data = {"mode": "phone", "given_on": "2026-11-21", "text": "Телефон аркылуу жооп берилди."}
    measure(client, paper)
    assert act(client, paper, "answer", data).status_code == 302
    response = act(client, paper, "answer", data)
    assert response.status_code == 400
    assert Answer.objects.filter(appeal=paper).count() == 1
    assert events(paper) == [("measures", "measures"), ("answered", "closed")]


def test_it_answers_404_for_an_unknown_action_or_another_school(client, login, paper):
    login("director2")
    assert act(client, paper, "consider").status_code == 404
    client.logout()
    login("director")
    assert act(client, paper, "destroy").status_code == 404
    assert client.get(reverse("journal:page", kwargs={"school": "rakhmanov"}), {"year": "abc"}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_it_emails_a_newly_assigned_handler_without_any_content(client, login, paper, django_user_model, mailoutbox):
    psychologist = django_user_model.objects.get(username="psychologist")
    login("director")
    mailoutbox.clear()  # what registering the appeal sent (an urgent alert, when triage reads it as urgent)
    act(client, paper, "assign", {"handlers": [psychologist.pk]})
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [psychologist.email]
    assert (
        f"№{paper.journal_number}" in mail.subject
        or f"No. {paper.journal_number}" in mail.subject
        or str(paper.journal_number) in mail.subject
    )
    assert f"/staff/rakhmanov/appeals/{paper.pk}/" in mail.body
    assert "куугунтук" not in mail.body and "Сыдыков" not in mail.body
