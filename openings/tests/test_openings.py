import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document
from PIL import Image

from appeals.models import Appeal, Attachment
from openings.models import Entry, Opening
from openings.selectors import openings_overview
from openings.services import opening_set_count, opening_set_present, opening_set_seal, opening_start

BASE = "/staff/rakhmanov/commission"


def photo_with_exif() -> bytes:
    image = Image.new("RGB", (60, 40), "white")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (42.0, 52.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def run_flow(client, commission, *, letters=2, seal_state="intact"):
    client.post(f"{BASE}/openings/start/")
    opening = Opening.objects.latest("pk")
    present = [m.pk for m in commission.members.filter(user__username__in=["responsible", "parent", "deputy"])]
    step = f"{BASE}/openings/{opening.pk}/step"
    when = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    r = client.post(
        f"{step}/present/", {"opened_at": when.strftime("%Y-%m-%dT%H:%M"), "place": "фойе", "present": present}
    )
    assert r.status_code == 302, r.content
    note = "" if seal_state == "intact" else "Пломба үзүлгөн"
    assert client.post(f"{step}/seal/", {"number": "A-100", "state": seal_state, "note": note}).status_code == 302
    assert client.post(f"{step}/count/", {"letters_found": letters}).status_code == 302
    return opening, step


def letter(**extra):
    return {
        "category": "bullying",
        "author_kind": "student",
        "signed": "0",
        "summary": "Тыныгууда 7-класстын окуучусу кордолот",
        "language": "ky",
        **extra,
    }


def test_it_records_an_opening_with_letters_photos_and_an_act(commission, login):
    client = login("responsible")
    opening, step = run_flow(client, commission)
    upload = SimpleUploadedFile("page1.jpg", photo_with_exif(), content_type="image/jpeg")
    assert client.post(f"{step}/letters/", {**letter(), "pages": upload}).status_code == 302
    signed = letter(signed="1", full_name="Айбек Осмонов", school_class="9-б", phone="0555 123456", category="request")
    assert client.post(f"{step}/letters/", signed).status_code == 302
    r = client.post(
        f"{step}/close/", {"new_seal_number": "A-101", "sealed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    )
    assert r.status_code == 302
    opening.refresh_from_db()
    assert opening.status == Opening.Status.DONE and opening.act_number == 1
    appeals = Appeal.objects.filter(paper_letter__opening=opening).order_by("journal_number")
    assert [a.channel for a in appeals] == ["paper", "paper"]
    assert all(timezone.localdate(a.received_at) == timezone.localdate(opening.opened_at) for a in appeals)
    assert appeals[1].grade == 9 and not appeals[1].anonymous
    attachment = Attachment.objects.get(appeal=appeals[0])
    assert b"PhoneMaker" not in bytes(attachment.content_sealed)
    entry = Entry.objects.get(opening=opening)
    assert entry.fields["new_seal"] == "A-101"
    assert entry.fields["journal_numbers"] == [a.journal_number for a in appeals]
    act = client.get(f"{BASE}/openings/{opening.pk}/act.pdf?lang=ky")
    assert act["Content-Type"] == "application/pdf"
    docx = client.get(f"{BASE}/openings/{opening.pk}/act.docx?lang=ru")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "УТВЕРЖДАЮ" in text and "A-100" in text and "A-101" in text
    cells = [c.text for table in Document(io.BytesIO(docx.content)).tables for row in table.rows for c in row.cells]
    assert f"{appeals[0].journal_number}" in cells and "Тыныгууда" not in text + "".join(cells)
    page = client.get(f"{BASE}/openings/{opening.pk}/").content.decode()
    assert f"/staff/rakhmanov/appeals/{appeals[0].pk}/" in page  # the responsible person reads the letters


def test_it_strips_exif_from_the_stored_photo(commission, login):
    client = login("responsible")
    opening, step = run_flow(client, commission, letters=1)
    upload = SimpleUploadedFile("p.jpg", photo_with_exif(), content_type="image/jpeg")
    client.post(f"{step}/letters/", {**letter(), "pages": upload})
    attachment = Attachment.objects.get()
    from vault.services import keyring

    class Req:  # the keyring of the logged-in responsible person's session
        pass

    request = Req()
    request.user = attachment.appeal.school.memberships.get(role="responsible").user
    request.session = client.session
    request.COOKIES = {k: v.value for k, v in client.cookies.items()}
    content = keyring(request).open(bytes(attachment.content_sealed))
    image = Image.open(io.BytesIO(content))
    assert image.size == (60, 40) and not image.getexif()


def test_it_records_an_opening_without_letters_and_without_act(commission, login):
    client = login("deputy")
    opening, step = run_flow(client, commission, letters=0)
    r = client.post(
        f"{step}/close/", {"new_seal_number": "B-2", "sealed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    )
    assert r.status_code == 302
    opening.refresh_from_db()
    assert opening.status == Opening.Status.DONE and opening.act_number is None
    assert Entry.objects.get(opening=opening).fields["letters_found"] == 0
    assert client.get(f"{BASE}/openings/{opening.pk}/act.pdf").status_code == 404


def test_it_reports_a_broken_seal_to_the_director(commission, login, django_capture_on_commit_callbacks):
    client = login("responsible")
    with django_capture_on_commit_callbacks(execute=True):
        opening, step = run_flow(client, commission, letters=0, seal_state="broken")
    opening.refresh_from_db()
    assert opening.seal_broken and opening.incident_note == "Пломба үзүлгөн"
    assert len(mail.outbox) == 1
    assert "director@school.example" in mail.outbox[0].to
    assert "A-100" in mail.outbox[0].body


def test_it_refuses_a_broken_seal_without_a_description(commission, login):
    client = login("responsible")
    client.post(f"{BASE}/openings/start/")
    opening = Opening.objects.latest("pk")
    opening.step = Opening.Step.SEAL
    opening.save()
    r = client.post(f"{BASE}/openings/{opening.pk}/step/seal/", {"number": "A-1", "state": "broken"})
    assert r.status_code == 200 and 'value="A-1"' in r.content.decode()


def test_it_resumes_a_draft_and_keeps_pages_when_the_form_is_wrong(commission, login):
    client = login("responsible")
    opening, step = run_flow(client, commission, letters=1)
    upload = SimpleUploadedFile("p.jpg", photo_with_exif(), content_type="image/jpeg")
    r = client.post(f"{step}/letters/", {**letter(summary=""), "pages": upload})
    assert r.status_code == 200 and b'id="pending-pages"' in r.content
    body = r.content.decode()
    # The empty summary is marked, the rest of the letter is kept, and nothing is registered.
    assert 'aria-invalid="true" aria-describedby="id_summary_error" id="id_summary"' in body
    assert '<option value="bullying" selected>' in body
    assert not opening.letters.exists() and not Appeal.objects.exists()
    # the draft is listed and resumes at the letters step
    assert client.get(f"{BASE}/openings/{opening.pk}/")["Location"].endswith("/step/letters/")
    overview = openings_overview(commission.school)
    assert [o.pk for o in overview.drafts] == [opening.pk]
    assert client.post(f"{step}/letters/", letter()).status_code == 302
    assert Attachment.objects.filter(appeal__paper_letter__opening=opening).count() == 1
    assert not opening.pages.exists()


def test_it_does_not_skip_steps(commission, login):
    client = login("responsible")
    client.post(f"{BASE}/openings/start/")
    opening = Opening.objects.latest("pk")
    r = client.get(f"{BASE}/openings/{opening.pk}/step/close/")
    assert r["Location"].endswith("/step/present/")


def test_it_lists_missed_and_next_planned_openings(commission, user):
    school = commission.school
    now = timezone.make_aware(dt.datetime(2026, 10, 21, 9, 0))  # a Wednesday
    assert openings_overview(school, now).missed == []  # nothing is missed before the school used Ishenim
    school.created_at = now - dt.timedelta(days=90)
    overview = openings_overview(school, now)
    assert len(overview.missed) == 8  # eight weeks back, Tuesdays at 12:00
    assert overview.upcoming[0].at == timezone.make_aware(dt.datetime(2026, 10, 27, 12, 0))
    assert overview.missed[0].at == timezone.make_aware(dt.datetime(2026, 10, 20, 12, 0))
    opening = opening_start(school=school, actor=user("responsible"))
    opening.opened_at = timezone.make_aware(dt.datetime(2026, 10, 20, 12, 5))
    opening.save()
    assert timezone.make_aware(dt.datetime(2026, 10, 20, 12, 0)) not in [
        p.at for p in openings_overview(school, now).missed
    ]


def test_it_keeps_the_registered_count_consistent(commission, user):
    opening = opening_start(school=commission.school, actor=user("responsible"))
    opening_set_present(
        opening=opening, opened_at=timezone.now(), place="фойе", present=commission.members.all(), actor=None
    )
    opening_set_seal(opening=opening, number="1", state="intact", note="", actor=None)
    opening_set_count(opening=opening, letters_found=0, actor=None)
    assert opening.step == Opening.Step.CLOSE


@pytest.mark.django_db
def test_it_hides_openings_from_other_schools(commission, login):
    assert login("director2").get(f"{BASE}/openings/").status_code == 404


def test_it_treats_a_seal_that_is_not_the_last_one_put_on_as_an_incident(
    commission, login, django_capture_on_commit_callbacks
):
    client = login("responsible")
    opening, step = run_flow(client, commission, letters=0)
    client.post(
        f"{step}/close/", {"new_seal_number": "A-101", "sealed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    )
    client.post(f"{BASE}/openings/start/")
    second = Opening.objects.latest("pk")
    second_step = f"{BASE}/openings/{second.pk}/step"
    client.post(
        f"{second_step}/present/",
        {
            "opened_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "place": "фойе",
            "present": [opening.present.first().pk],
        },
    )
    form = client.get(f"{second_step}/seal/").content.decode()
    assert 'value="A-101"' in form  # the last seal is proposed
    refused = client.post(f"{second_step}/seal/", {"number": "A-999", "state": "intact", "note": ""})
    assert refused.status_code == 200 and 'value="A-999"' in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{second_step}/seal/", {"number": "A-999", "state": "intact", "note": "Номер башка"})
    second.refresh_from_db()
    assert second.seal_replaced and second.seal_broken
    assert len(mail.outbox) == 1 and "A-101" in mail.outbox[0].body


def test_the_letter_takes_the_class_by_the_public_forms_rule():
    from openings.forms import LetterForm

    data = {"category": "request", "author_kind": "student", "signed": "1", "full_name": "Айбек Осмонов"}
    form = LetterForm({**data, "summary": "x", "language": "ky", "school_class": "9-б"})
    assert form.is_valid(), form.errors
    assert form.author()["school_class"] == "9Б" and form.grade() == 9
    bad = LetterForm({**data, "summary": "x", "language": "ky", "school_class": "тогузунчу"})
    assert not bad.is_valid() and "school_class" in bad.errors
