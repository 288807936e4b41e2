"""Fuzzing the public surface with hypothesis: the box's form and the follow-up
pages never answer 500, and a rejected submission stores nothing."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appeals.models import Appeal, Attachment, Message
from appeals.receipts import receipt_code_new
from appeals.services.intake import appeal_submit
from audit.models import AuditRecord
from journal.models import Record

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
# Any text a browser can send, and some it should not: control characters, NUL, surrogates
# are refused by the client before sending, long strings, right-to-left marks, markup.
texts = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=7000),
    st.sampled_from(["", " ", "\x00", "<script>alert(1)</script>", "' OR 1=1 --", "\u202e\u200b", "7Б" * 50]),
)
choices = st.one_of(
    st.sampled_from(["student", "parent", "citizen", "", "admin", "signed", "anonymous"]), st.text(max_size=20)
)


def counts() -> tuple[int, ...]:
    return (
        Appeal.objects.count(),
        Attachment.objects.count(),
        Record.objects.count(),
        Message.objects.count(),
        AuditRecord.objects.filter(action__startswith="ishenim.appeal.").count(),
    )


def clean(value: str) -> str:
    return value.replace("\x00", "")  # the test client cannot send NUL in form fields either


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    settings.ISHENIM = {
        **settings.ISHENIM,
        "SUBMITS_PER_BROWSER_HOUR": 10_000,
        "SUBMITS_PER_SCHOOL_HOUR": 10_000,
        "WRONG_CODES_PER_BROWSER_15MIN": 10_000,
        "WRONG_CODES_PER_SCHOOL_15MIN": 10_000,
        "MESSAGES_PER_BROWSER_HOUR": 10_000,
        "MESSAGES_PER_APPEAL_HOUR": 10_000,
    }


@FUZZ
@given(
    author_kind=choices,
    signed=choices,
    full_name=texts,
    address=texts,
    school_class=texts,
    phone=texts,
    category=choices,
    text=texts,
    to_district=st.sampled_from(["", "on", "yes", "x"]),
    website=st.sampled_from(["", "http://spam.example"]),
    file=st.one_of(st.none(), st.tuples(st.text(max_size=40), st.binary(max_size=2000))),
)
def test_it_never_fails_and_stores_nothing_it_rejects(
    demo, author_kind, signed, full_name, address, school_class, phone, category, text, to_district, website, file
):
    cache.clear()
    data = {
        "author_kind": author_kind,
        "signed": signed,
        "full_name": clean(full_name),
        "address": clean(address),
        "school_class": clean(school_class),
        "phone": clean(phone),
        "category": category,
        "text": clean(text),
        "to_district": to_district,
        "website": website,
    }
    if file is not None:
        name, content = file
        data["files"] = SimpleUploadedFile(clean(name).replace("/", "_") or "f", content)
    before = counts()
    response = Client().post("/s/rakhmanov/write/", data)
    assert response.status_code in (200, 302, 429), response.status_code
    if response.status_code == 302:
        assert counts()[0] == before[0] + 1
    else:
        assert counts() == before


@FUZZ
@given(code=texts)
def test_it_never_fails_on_a_typed_receipt_code(demo, code):
    cache.clear()
    response = Client().post("/s/rakhmanov/follow/", {"code": clean(code)})
    assert response.status_code in (200, 429)


@FUZZ
@given(body=texts, solved=choices)
def test_it_never_fails_in_the_conversation_and_keeps_only_good_messages(demo, body, solved):
    cache.clear()
    code = receipt_code_new()
    appeal_submit(
        school=demo,
        text="A long enough appeal about the canteen.",
        category="other",
        author_kind="student",
        receipt_code=code,
    )
    writer = Client()
    assert writer.post("/s/rakhmanov/follow/", {"code": code}).status_code == 302
    before = Message.objects.count()
    response = writer.post("/s/rakhmanov/follow/message/", {"body": clean(body)})
    assert response.status_code in (200, 302, 429)
    assert Message.objects.count() == before + (1 if response.status_code == 302 else 0)
    assert writer.post("/s/rakhmanov/follow/solved/", {"solved": solved}).status_code in (200, 302)


@FUZZ
@given(path=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_./%", max_size=40))
def test_it_never_fails_on_made_up_public_addresses(demo, path):
    response = Client().get(f"/s/rakhmanov/{path}")
    assert response.status_code in (200, 301, 302, 404, 405)
