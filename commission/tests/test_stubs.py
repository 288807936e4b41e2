import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appeals.receipts import receipt_hash
from commission.models import Opening, Stub
from commission.services import (
    opening_letter_register,
    opening_set_count,
    opening_set_present,
    opening_set_seal,
    opening_start,
    stub_batch_create,
)


@pytest.fixture
def opening(commission, user):
    opening = opening_start(school=commission.school, actor=user("responsible"))
    opening_set_present(
        opening=opening, opened_at=timezone.now(), place="фойе", present=commission.members.all(), actor=None
    )
    opening_set_seal(opening=opening, number="7", state="intact", note="", actor=None)
    opening_set_count(opening=opening, letters_found=3, actor=None)
    return opening


def register(opening, user, code):
    return opening_letter_register(
        opening=opening,
        actor=user("responsible"),
        category="request",
        author_kind="parent",
        summary="Өтүнүч",
        stub_code=code,
    )


def test_it_stores_codes_only_as_hashes(commission, user):
    batch, codes = stub_batch_create(
        school=commission.school, count=3, size="A5", language="ru", actor=user("director")
    )
    assert len(set(codes)) == 3
    stored = set(Stub.objects.filter(batch=batch).values_list("code_hash", flat=True))
    assert stored == {receipt_hash(c) for c in codes}
    assert not any(code in h for code in codes for h in stored)


def test_it_links_a_stub_code_once(commission, opening, user):
    batch, codes = stub_batch_create(
        school=commission.school, count=2, size="A4", language="ky", actor=user("director")
    )
    letter = register(opening, user, codes[0].lower().replace("-", " "))  # typed loosely
    assert letter.with_stub and letter.appeal.receipt_hash == receipt_hash(codes[0])
    assert letter.appeal.followup is not None  # the writer follows it like an online appeal
    stub = Stub.objects.get(code_hash=receipt_hash(codes[0]))
    assert stub.used_at and stub.appeal == letter.appeal
    with pytest.raises(ValidationError) as used:
        register(opening, user, codes[0])
    assert used.value.code == "used"
    with pytest.raises(ValidationError) as unknown:
        register(opening, user, "ABCDE-FGHJK-MNPQR-STUVW")
    assert unknown.value.code == "unknown"
    assert opening.letters.count() == 1


def test_it_refuses_another_schools_code(commission, opening, user):
    from schools.models import School

    other = School.objects.get(slug="gymnasium5")
    _batch, codes = stub_batch_create(school=other, count=1, size="A4", language="ky", actor=user("director2"))
    with pytest.raises(ValidationError):
        register(opening, user, codes[0])


def test_it_keeps_the_letter_form_when_the_code_is_wrong(commission, opening, login):
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
            "stub_code": "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ",
        },
    )
    body = r.content.decode()
    assert r.status_code == 200
    assert "Гүлнара Токтосунова" in body and "Ашкана боюнча өтүнүч" in body and "ZZZZZ-ZZZZZ" in body
    assert not opening.letters.exists()


def test_it_prints_the_paper_forms_once(commission, login):
    client = login("director")
    r = client.post("/staff/rakhmanov/commission/paper-forms/", {"count": "2", "size": "A5", "language": "ru"})
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert Stub.objects.count() == 2
    bad = client.post("/staff/rakhmanov/commission/paper-forms/", {"count": "900", "size": "A4", "language": "ky"})
    assert bad.status_code == 200 and Stub.objects.count() == 2
    assert login("teacher").get("/staff/rakhmanov/commission/paper-forms/").status_code == 404
