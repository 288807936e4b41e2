"""Keys that follow the assignment: a handler opens exactly the cases given to them,
the writer's name only when it was shown to them, and loses both when the case is
taken away (issue 12, attack 6)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from appeals.followup import open_for_writer
from appeals.models import Message
from appeals.services.cases import case_assign, case_note_add
from appeals.services.intake import message_post
from audit.models import AuditRecord
from journal.models import Record
from vault import crypto
from vault.models import CaseKey, CaseKeyCopy
from vault.tests.helpers import full_appeal, legacy_appeal
from vault.tests.test_keys import journals_verify, reads_content, reads_identity, ring

User = get_user_model()
PAGE = "/staff/rakhmanov/appeals/{}/"


@pytest.fixture
def staff(demo):
    return {u.username: u for u in User.objects.filter(username__in=["director", "psychologist", "socped", "deputy"])}


def test_it_seals_a_new_appeal_to_keys_of_its_own(demo):
    appeal, plain = full_appeal(demo, marker="OWN")
    content = CaseKey.objects.get(appeal=appeal, part="content")
    identity = CaseKey.objects.get(appeal=appeal, part="identity")
    assert crypto.key_id_of(bytes(appeal.text_sealed)) == content.id
    assert crypto.key_id_of(bytes(appeal.author_sealed)) == identity.id
    entry = Record.objects.get(appeal=appeal, kind=Record.Kind.ENTRY)
    assert crypto.key_id_of(bytes(entry.sealed)) == identity.id  # the entry names the writer
    message = Message.objects.get(appeal=appeal)
    assert crypto.key_id_of(bytes(message.body_sealed)) == content.id
    # copies only for the school's key, until the case is given to someone
    assert not CaseKeyCopy.objects.filter(case_key__appeal=appeal, user__isnull=False).exists()
    assert reads_content(ring("director"), appeal, plain) and reads_identity(ring("responsible"), appeal, plain)
    for username in ("psychologist", "socped", "deputy", "parent", "teacher", "director2"):
        assert not reads_content(ring(username), appeal, plain), username


def test_it_gives_and_takes_the_case_with_the_assignment(demo, staff):
    appeal, plain = full_appeal(demo, marker="ROUND")
    director = staff["director"]

    case_assign(appeal=appeal, handlers=[staff["psychologist"]], actor=director, ring=ring("director"))
    assert reads_content(ring("psychologist"), appeal, plain)
    assert not reads_identity(ring("psychologist"), appeal, plain)
    assert not reads_content(ring("socped"), appeal, plain)

    case_assign(appeal=appeal, handlers=[staff["socped"]], actor=director, ring=ring("director"))
    assert not reads_content(ring("psychologist"), appeal, plain)
    assert not CaseKeyCopy.objects.filter(case_key__appeal=appeal, user=staff["psychologist"]).exists()
    assert reads_content(ring("socped"), appeal, plain)

    # a note written after the assignment reads for the handler too: new content goes to the same key
    case_note_add(appeal=appeal, text="MNOTE spoke with the class teacher", actor=staff["socped"])
    assert ring("socped").open_text(appeal.notes.get().text_sealed) == "MNOTE spoke with the class teacher"
    assert journals_verify()


def test_it_shows_the_writers_name_only_when_asked_to(demo, staff):
    appeal, plain = full_appeal(demo, marker="SHOWN")
    director, psychologist = staff["director"], staff["psychologist"]
    case_assign(appeal=appeal, handlers=[psychologist], actor=director, ring=ring("director"), share_identity=True)
    assert reads_identity(ring("psychologist"), appeal, plain)
    entry = Record.objects.filter(appeal=appeal, fields__event="assigned").latest("pk")
    assert entry.fields["identity_shown"] == [psychologist.pk]

    # one more handler, the choice left as it was (the inbox's bulk assignment): the name stays
    # shown to her and to nobody new
    socped = staff["socped"]
    case_assign(appeal=appeal, handlers=[psychologist, socped], actor=director, ring=ring("director"))
    assert reads_identity(ring("psychologist"), appeal, plain)
    assert not reads_identity(ring("socped"), appeal, plain) and reads_content(ring("socped"), appeal, plain)

    # the same people, the name no longer shown: only the identity copy goes
    case_assign(appeal=appeal, handlers=[psychologist], actor=director, ring=ring("director"), share_identity=False)
    assert not reads_identity(ring("psychologist"), appeal, plain)
    assert reads_content(ring("psychologist"), appeal, plain)
    with pytest.raises(ValidationError):
        case_assign(appeal=appeal, handlers=[psychologist], actor=director, ring=ring("director"), share_identity=False)


def test_it_lets_only_someone_who_opens_the_case_give_it(demo, staff):
    appeal, plain = full_appeal(demo, marker="GIVER")
    with pytest.raises(ValidationError):
        case_assign(appeal=appeal, handlers=[staff["deputy"]], actor=staff["deputy"], ring=ring("deputy"))
    appeal.refresh_from_db()
    assert not appeal.handlers.exists()
    assert not reads_content(ring("deputy"), appeal, plain)


def test_it_gives_an_older_appeal_its_keys_when_it_is_assigned(demo, staff):
    appeal, plain = legacy_appeal(demo, marker="OLDASSIGN")
    case_assign(appeal=appeal, handlers=[staff["psychologist"]], actor=staff["director"], ring=ring("director"))
    appeal.refresh_from_db()
    assert crypto.key_id_of(bytes(appeal.text_sealed)) == CaseKey.objects.get(appeal=appeal, part="content").id
    assert reads_content(ring("psychologist"), appeal, plain)
    assert not reads_identity(ring("psychologist"), appeal, plain)
    assert reads_content(ring("director"), appeal, plain) and reads_identity(ring("director"), appeal, plain)
    assert Record.objects.filter(appeal=appeal, fields__event="resealed").exists()
    assert journals_verify()


def test_it_keeps_the_writers_copies_readable(demo, staff):
    appeal, plain = full_appeal(demo, marker="WRITER")
    case_assign(appeal=appeal, handlers=[staff["psychologist"]], actor=staff["director"], ring=ring("director"))
    reply = message_post(
        appeal=appeal, side=Message.Side.STAFF, body="MREPLY we will talk", sender=staff["psychologist"]
    )
    assert open_for_writer(plain["code"], reply.body_for_writer) == "MREPLY we will talk"
    assert ring("psychologist").open_text(reply.body_sealed) == "MREPLY we will talk"
    assert open_for_writer(plain["code"], appeal.followup.text_for_writer) == plain["text"]


def test_it_shows_a_handler_the_case_without_the_name_unless_shown(client, login, demo, staff):
    appeal, plain = full_appeal(demo, marker="PAGE")
    case_assign(appeal=appeal, handlers=[staff["psychologist"]], actor=staff["director"], ring=ring("director"))
    login("psychologist")
    page = client.get(PAGE.format(appeal.pk)).content.decode()
    phone = "+996 555 000 111"  # the writer's, as the page shows it
    assert plain["text"] in page and phone not in page
    viewed = AuditRecord.objects.filter(action="ishenim.appeal.viewed", actor=staff["psychologist"]).latest("pk")
    assert viewed.detail["identity"] is False

    case_assign(
        appeal=appeal,
        handlers=[staff["psychologist"]],
        actor=staff["director"],
        ring=ring("director"),
        share_identity=True,
    )
    page = client.get(PAGE.format(appeal.pk)).content.decode()
    assert phone in page


def test_it_gives_a_case_from_the_assign_form(client, login, demo, staff):
    appeal, plain = full_appeal(demo, marker="FORM")
    login("director")
    response = client.post(
        f"/staff/rakhmanov/cases/{appeal.pk}/assign/",
        {"handlers": [staff["psychologist"].pk], "share_identity": "on"},
    )
    assert response.status_code == 302
    assert reads_content(ring("psychologist"), appeal, plain)
    assert reads_identity(ring("psychologist"), appeal, plain)


def test_it_tells_the_director_to_replace_the_key_while_older_appeals_remain(client, login, demo):
    legacy_appeal(demo, marker="OLDPAGE")
    full_appeal(demo, marker="NEWPAGE")
    login("director")
    assert client.get("/staff/rakhmanov/keys/").context["older"] == 1
    client.post("/staff/rakhmanov/keys/rotate/", {"confirm": "on"})
    page = client.get("/staff/rakhmanov/keys/")
    assert page.context["older"] == 0
    assert "danger-line" not in page.content.decode()
