import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appeals.followup import open_for_writer, writer_public_key
from appeals.receipts import receipt_hash
from openings.models import Opening, Stub
from openings.paper_forms import paper_forms_pdf
from openings.services import (
    opening_letter_register,
    opening_set_count,
    opening_set_present,
    opening_set_seal,
    opening_start,
    stub_batch_create,
)
from openings.services.stubs import form_number


@pytest.fixture
def opening(commission, user):
    opening = opening_start(school=commission.school, actor=user("responsible"))
    opening_set_present(
        opening=opening, opened_at=timezone.now(), place="фойе", present=commission.members.all(), actor=None
    )
    opening_set_seal(opening=opening, number="7", state="intact", note="", actor=None)
    opening_set_count(opening=opening, letters_found=3, actor=None)
    return opening


def register(opening, user, typed):
    return opening_letter_register(
        opening=opening,
        actor=user("responsible"),
        category="request",
        author_kind="parent",
        summary="Өтүнүч",
        form_number=typed,
    )


def test_it_stores_codes_only_as_hashes(commission, user):
    batch, forms = stub_batch_create(
        school=commission.school, count=3, size="A5", language="ru", actor=user("director")
    )
    codes = [f.code for f in forms]
    assert len(set(codes)) == 3
    stored = set(Stub.objects.filter(batch=batch).values_list("code_hash", flat=True))
    assert stored == {receipt_hash(c) for c in codes}
    assert not any(code in h for code in codes for h in stored)
    assert [f.number for f in forms] == [form_number(batch.pk, n) for n in (1, 2, 3)]
    assert not any(code in f.number or f.number in code for code in codes for f in forms)


def test_it_links_a_letter_by_its_form_number_and_the_stub_code_opens_it(commission, opening, user):
    batch, forms = stub_batch_create(
        school=commission.school, count=2, size="A4", language="ky", actor=user("director")
    )
    letter = register(opening, user, " " + forms[1].number.replace("-", " ") + " ")  # typed loosely
    assert letter.with_stub and letter.appeal.receipt_hash == receipt_hash(forms[1].code)
    # The writer follows it with the code on the stub, which nobody at the opening saw.
    followup = letter.appeal.followup
    assert bytes(followup.writer_public_key) == writer_public_key(forms[1].code)
    assert open_for_writer(forms[1].code, followup.text_for_writer) == "Өтүнүч"
    stub = Stub.objects.get(code_hash=receipt_hash(forms[1].code))
    assert stub.used_at and stub.appeal == letter.appeal
    with pytest.raises(ValidationError) as used:
        register(opening, user, forms[1].number)
    assert used.value.code == "used"
    assert opening.letters.count() == 1


@pytest.mark.parametrize("typed", ["mistyped check digit", "another batch", "the stub's code", "a made-up code"])
def test_it_refuses_what_is_not_a_form_of_this_school(commission, opening, user, typed):
    batch, forms = stub_batch_create(
        school=commission.school, count=2, size="A4", language="ky", actor=user("director")
    )
    number = forms[0].number
    wrong = {
        "mistyped check digit": number[:-1] + str((int(number[-1]) + 1) % 10),
        "another batch": form_number(batch.pk + 1, 1),
        "the stub's code": forms[0].code,  # the commission never needs it, so it does not work
        "a made-up code": "ABCDE-FGHJK-MNPQR-STUVW",
    }[typed]
    with pytest.raises(ValidationError) as refused:
        register(opening, user, wrong)
    assert refused.value.code == "unknown"
    assert not opening.letters.exists()


def test_it_refuses_another_schools_form(commission, opening, user):
    from schools.models import School

    other = School.objects.get(slug="gymnasium5")
    _batch, forms = stub_batch_create(school=other, count=1, size="A4", language="ky", actor=user("director2"))
    with pytest.raises(ValidationError):
        register(opening, user, forms[0].number)


def test_it_still_takes_the_code_of_a_form_printed_before_forms_had_numbers(commission, opening, user):
    batch, forms = stub_batch_create(
        school=commission.school, count=1, size="A4", language="ky", actor=user("director")
    )
    Stub.objects.filter(batch=batch).update(position=None, writer_public_key=None)
    letter = register(opening, user, forms[0].code.lower())
    assert letter.appeal.receipt_hash == receipt_hash(forms[0].code)
    assert bytes(letter.appeal.followup.writer_public_key) == writer_public_key(forms[0].code)


def test_it_keeps_the_letter_form_when_the_number_is_wrong(commission, opening, login):
    client = login("responsible")
    opening.step = Opening.Step.LETTERS
    opening.save()
    r = client.post(
        f"/staff/rakhmanov/commission/openings/{opening.pk}/step/letters/",
        {
            "category": "request",
            "author_kind": "parent",
            "signed": "1",
            "full_name": "Гүлнара Токтосунова",
            "summary": "Ашкана боюнча өтүнүч",
            "language": "ky",
            "form_number": "999-99-9",
        },
    )
    body = r.content.decode()
    assert r.status_code == 200
    assert "Гүлнара Токтосунова" in body and "Ашкана боюнча өтүнүч" in body and 'value="999-99-9"' in body
    assert not opening.letters.exists()


def test_it_prints_the_code_only_on_the_stub(commission, user):
    batch, forms = stub_batch_create(
        school=commission.school, count=2, size="A5", language="en", actor=user("director")
    )
    pdf = paper_forms_pdf(school=commission.school, forms=forms, size="A5", language="en")
    pages = pdf_text(pdf).split("\f")
    for page, printed in zip(pages, forms, strict=False):
        # pdftotext may split a word where two letters are kerned ("A JJ74"): read without spaces.
        into_the_box, stub = ("".join(part.split()) for part in page.split("Tear off the stub"))
        assert printed.number in into_the_box
        assert printed.code not in into_the_box and printed.code[:5] not in into_the_box
        assert printed.code in stub


def pdf_text(pdf: bytes) -> str:
    import subprocess

    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_it_prints_the_paper_forms_once(commission, login):
    client = login("director")
    r = client.post("/staff/rakhmanov/commission/paper-forms/", {"count": "2", "size": "A5", "language": "ru"})
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert Stub.objects.count() == 2
    bad = client.post("/staff/rakhmanov/commission/paper-forms/", {"count": "900", "size": "A4", "language": "ky"})
    assert bad.status_code == 200 and Stub.objects.count() == 2
    assert login("teacher").get("/staff/rakhmanov/commission/paper-forms/").status_code == 404
