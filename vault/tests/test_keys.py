"""Each path of the key hierarchy: rotate, grant, revoke, password change,
administrator reset, recovery with the sheet, a membership that ends."""

import json

import pytest
from django.contrib.auth import get_user_model

from appeals.models import Attachment, Message
from appeals.services.cases import case_assign
from audit.models import AuditRecord
from journal.models import Record, Volume
from journal.services import journal_verify
from schools.demo import DEMO_PASSWORD
from schools.models import Membership, Role
from vault import crypto
from vault.models import CaseKey, CaseKeyCopy, KeyGrant, VaultKey
from vault.services import (
    Keyring,
    VaultError,
    active_key,
    key_grant,
    key_recovery_renew,
    key_rotate,
    recovery_check,
    user_key_unlock,
)
from vault.tests.helpers import full_appeal, legacy_appeal

User = get_user_model()


def ring(username: str, password: str = DEMO_PASSWORD) -> Keyring:
    user = User.objects.get(username=username)
    return Keyring(user, user_key_unlock(user, password))


def reads_content(keyring: Keyring, appeal, plain: dict) -> bool:
    """Text, messages, files: what a handler of the case reads."""
    appeal.refresh_from_db()
    try:
        ok = keyring.open_text(appeal.text_sealed) == plain["text"]
        message = Message.objects.get(appeal=appeal, side="writer")
        ok &= keyring.open_text(message.body_sealed) == plain["message"]
        attachment = Attachment.objects.get(appeal=appeal)
        ok &= keyring.open_text(attachment.name_sealed) == plain["file"]
        ok &= keyring.open(attachment.content_sealed).startswith(b"\x89PNG")
    except VaultError:
        return False
    return ok


def reads_identity(keyring: Keyring, appeal, plain: dict) -> bool:
    """The writer's name, in the appeal and in its journal entry."""
    appeal.refresh_from_db()
    try:
        ok = json.loads(keyring.open_text(appeal.author_sealed))["name"] == plain["name"]
        entry = Record.objects.get(appeal=appeal, kind=Record.Kind.ENTRY)
        ok &= json.loads(keyring.open_text(entry.sealed))["author"]["name"] == plain["name"]
    except VaultError:
        return False
    return ok


def reads_everything(keyring: Keyring, appeal, plain: dict) -> bool:
    return reads_content(keyring, appeal, plain) and reads_identity(keyring, appeal, plain)


def journals_verify() -> bool:
    return all(journal_verify(volume).ok for volume in Volume.objects.all())


def test_it_rotates_the_key_and_every_appeal_still_reads(client, demo, login):
    appeal, plain = full_appeal(demo, marker="ROT1")
    psychologist = User.objects.get(username="psychologist")
    case_assign(appeal=appeal, handlers=[psychologist], actor=psychologist, ring=ring("director"))
    old = active_key(demo.vault_scope)
    old_private = ring("director").private_for(old.id)  # what a former key holder kept
    old_code = key_recovery_renew(ring=ring("director"), scope=demo.vault_scope)
    login("director")

    page = client.post("/staff/rakhmanov/keys/rotate/", {"confirm": "on"})

    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    new = active_key(demo.vault_scope)
    assert new.id != old.id
    # the appeal stays sealed to its own keys; their copies for the school move to the new key
    content = CaseKey.objects.get(appeal=appeal, part="content")
    appeal.refresh_from_db()
    assert crypto.key_id_of(bytes(appeal.text_sealed)) == content.id
    assert set(CaseKey.objects.filter(appeal=appeal).values_list("scope_key_id", flat=True)) == {new.id}
    assert journals_verify()
    for username in ("director", "responsible"):
        assert reads_everything(ring(username), appeal, plain), username
    assert reads_content(ring("psychologist"), appeal, plain)
    assert not reads_identity(ring("psychologist"), appeal, plain)
    for username in ("socped", "deputy", "director2"):
        assert not reads_content(ring(username), appeal, plain), username
    # the old key opens nothing of the appeal any more
    assert not [k for k in CaseKey.objects.filter(appeal=appeal) if opens_with(old_private, k)]
    assert not [c for c in CaseKeyCopy.objects.filter(case_key__appeal=appeal) if opens_with(old_private, c)]
    assert recovery_check(scope=demo.vault_scope, code=old_code) is None
    new_code = page.context["code"]
    assert recovery_check(scope=demo.vault_scope, code=new_code) is not None
    assert new_code in page.content.decode()
    assert AuditRecord.objects.filter(action="ishenim.key.rotated", chain__scope=demo.vault_scope).exists()
    assert not KeyGrant.objects.filter(key=old).exists()  # reached through the new key only


def opens_with(private: bytes, copy: CaseKey | CaseKeyCopy) -> bool:
    try:
        crypto.unseal(private, bytes(copy.sealed_private))
    except VaultError:
        return False
    return True


def test_it_converts_appeals_stored_before_per_case_keys_when_rotating(demo):
    """Real schools have appeals sealed straight to the school's key, and handlers who
    were given that key: a rotation gives every appeal its own keys, and the handlers
    only their cases."""
    legacy, plain = legacy_appeal(demo, marker="LEGACY")
    other, other_plain = legacy_appeal(demo, marker="LEGACY2")
    psychologist = User.objects.get(username="psychologist")
    legacy.handlers.add(psychologist)
    key_grant(ring=ring("director"), scope=demo.vault_scope, user=psychologist)  # as the old versions did
    first = active_key(demo.vault_scope)
    assert reads_content(ring("psychologist"), other, other_plain)  # the flaw being closed

    rotation = key_rotate(ring=ring("director"), scope=demo.vault_scope)

    assert rotation.resealed >= 8
    assert not KeyGrant.objects.filter(user=psychologist).exists()
    assert reads_everything(ring("director"), legacy, plain)
    assert reads_everything(ring("responsible"), other, other_plain)
    assert reads_content(ring("psychologist"), legacy, plain)
    assert not reads_identity(ring("psychologist"), legacy, plain)
    assert not reads_content(ring("psychologist"), other, other_plain)
    legacy.refresh_from_db()
    assert crypto.key_id_of(bytes(legacy.author_sealed)) == CaseKey.objects.get(appeal=legacy, part="identity").id
    entry = Record.objects.get(appeal=legacy, kind=Record.Kind.ENTRY)
    assert crypto.key_id_of(bytes(entry.sealed)) == first.id  # the chain covers it: kept under the old key
    assert journals_verify()
    # the writer still reads their appeal with the receipt code
    from appeals.followup import open_for_writer

    assert open_for_writer(plain["code"], legacy.followup.text_for_writer) == plain["text"]


def test_it_reaches_the_oldest_journal_columns_after_two_rotations(demo):
    appeal, plain = legacy_appeal(demo, marker="ROT2")
    first = active_key(demo.vault_scope)
    key_rotate(ring=ring("director"), scope=demo.vault_scope)
    key_rotate(ring=ring("responsible"), scope=demo.vault_scope)
    assert VaultKey.objects.filter(scope=demo.vault_scope).count() == 3
    assert reads_everything(ring("responsible"), appeal, plain)
    entry = Record.objects.get(appeal=appeal, kind=Record.Kind.ENTRY)
    assert crypto.key_id_of(bytes(entry.sealed)) == first.id
    assert journals_verify()


def test_it_rotates_a_district_key(demo):
    appeal, plain = full_appeal(demo, marker="DIST", to_district=True)
    scope = demo.district.vault_scope
    rotation = key_rotate(ring=ring("district"), scope=scope)
    assert rotation.resealed >= 2  # the appeal's two keys
    assert reads_everything(ring("district"), appeal, plain)
    assert not reads_everything(ring("director"), appeal, plain)


def test_it_refuses_to_rotate_without_holding_the_key(client, demo, login):
    director = User.objects.get(username="director")
    KeyGrant.objects.filter(user=director).delete()
    before = VaultKey.objects.filter(scope=demo.vault_scope).count()
    login("director")
    response = client.post("/staff/rakhmanov/keys/rotate/", {"confirm": "on"}, follow=True)
    assert "cannot replace" in response.content.decode() or response.redirect_chain
    assert VaultKey.objects.filter(scope=demo.vault_scope).count() == before


def test_it_asks_for_confirmation_before_rotating(client, demo, login):
    login("director")
    before = active_key(demo.vault_scope)
    response = client.post("/staff/rakhmanov/keys/rotate/", {})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert active_key(demo.vault_scope) == before


def test_it_gives_and_removes_access(client, demo, login):
    appeal, plain = full_appeal(demo, marker="GRANT")
    responsible = User.objects.get(username="responsible")
    login("director")

    client.post("/staff/rakhmanov/keys/revoke/", {"user": responsible.pk})
    assert not reads_everything(ring("responsible"), appeal, plain)
    assert AuditRecord.objects.filter(action="ishenim.key.revoked", object_id=str(responsible.pk)).exists()

    client.post("/staff/rakhmanov/keys/grant/", {"user": responsible.pk})
    assert reads_everything(ring("responsible"), appeal, plain)
    assert AuditRecord.objects.filter(action="ishenim.key.granted", object_id=str(responsible.pk)).exists()


def test_it_never_gives_the_school_key_to_a_case_handler(client, demo, login):
    psychologist = User.objects.get(username="psychologist")
    login("director")
    client.post("/staff/rakhmanov/keys/grant/", {"user": psychologist.pk}, follow=True)
    assert not KeyGrant.objects.filter(user=psychologist).exists()


def test_it_never_gives_the_key_to_a_commission_member_without_a_reading_role(client, demo, login):
    parent = User.objects.get(username="parent")
    login("director")
    response = client.post("/staff/rakhmanov/keys/grant/", {"user": parent.pk}, follow=True)
    assert response.status_code == 200
    assert not KeyGrant.objects.filter(user=parent).exists()


def test_it_does_not_let_a_director_remove_their_own_access(client, demo, login):
    director = User.objects.get(username="director")
    login("director")
    client.post("/staff/rakhmanov/keys/revoke/", {"user": director.pk})
    assert KeyGrant.objects.filter(user=director, key__scope=demo.vault_scope).exists()


def test_it_lists_who_holds_the_key(client, demo, login):
    login("director")
    page = client.get("/staff/rakhmanov/keys/")
    holders = {m["user"].username: m["holds"] for m in page.context["members"]}
    assert holders == {"director": True, "responsible": True}  # handlers hold their cases' keys only
    assert page.context["can_open"]


def test_it_keeps_access_through_a_password_change(client, demo, login):
    appeal, plain = full_appeal(demo, marker="PWD")
    login("director")
    response = client.post(
        "/accounts/password/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "a-new-long-secret-41",
            "new_password2": "a-new-long-secret-41",
        },
    )
    assert response.status_code == 302
    assert reads_everything(ring("director", "a-new-long-secret-41"), appeal, plain)


def test_it_gives_no_access_after_an_administrator_reset_until_recovered(client, demo, login):
    appeal, plain = full_appeal(demo, marker="RESET")
    code = key_recovery_renew(ring=ring("responsible"), scope=demo.vault_scope)
    director = User.objects.get(username="director")
    director.set_password("reset-by-the-admin-77")  # e.g. in /admin/: Ishenim is not told
    director.save()

    client.post("/accounts/login/", {"username": "director", "password": "reset-by-the-admin-77"})
    page = client.get("/staff/rakhmanov/keys/")
    assert page.status_code == 200
    assert not page.context["can_open"]
    assert not reads_everything(ring("director", "reset-by-the-admin-77"), appeal, plain)

    wrong = client.post("/staff/rakhmanov/keys/recover/", {"code": "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF-GGGGG"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert AuditRecord.objects.filter(action="ishenim.key.recover_failed").exists()

    done = client.post("/staff/rakhmanov/keys/recover/", {"code": code.lower().replace("-", " ")})
    assert done.status_code == 302
    assert reads_everything(ring("director", "reset-by-the-admin-77"), appeal, plain)
    assert AuditRecord.objects.filter(action="ishenim.key.recovered", actor=director).exists()


def test_it_lets_the_director_give_a_case_back_after_a_reset(client, demo, login):
    appeal, plain = full_appeal(demo, marker="COLL")
    psychologist = User.objects.get(username="psychologist")
    case_assign(appeal=appeal, handlers=[psychologist], actor=psychologist, ring=ring("director"))
    psychologist.set_password("reset-by-the-admin-78")
    psychologist.save()
    client.post("/accounts/login/", {"username": "psychologist", "password": "reset-by-the-admin-78"})
    assert not reads_content(ring("psychologist", "reset-by-the-admin-78"), appeal, plain)
    client.post("/accounts/logout/")
    login("director")
    client.post(f"/staff/rakhmanov/cases/{appeal.pk}/assign/", {"handlers": [psychologist.pk]})
    assert reads_content(ring("psychologist", "reset-by-the-admin-78"), appeal, plain)


def test_it_prints_the_recovery_sheet_only_for_the_current_code(client, demo, login):
    login("director")
    sheet = client.post("/staff/rakhmanov/keys/recovery/")
    code = sheet.context["code"]
    assert "no-store" in sheet["Cache-Control"]
    pdf = client.post("/staff/rakhmanov/keys/recovery/sheet.pdf", {"code": code})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert AuditRecord.objects.filter(action="ishenim.key.recovery_printed").exists()
    stale = client.post("/staff/rakhmanov/keys/recovery/sheet.pdf", {"code": "AAAAA-" * 6 + "AAAAA"})
    assert stale.status_code == 302


def test_it_removes_the_keys_when_a_membership_ends(demo):
    appeal, _plain = full_appeal(demo, marker="ENDS")
    socped, responsible = User.objects.get(username="socped"), User.objects.get(username="responsible")
    case_assign(appeal=appeal, handlers=[socped], actor=responsible, ring=ring("director"))
    assert CaseKeyCopy.objects.filter(user=socped).exists()
    membership = Membership.objects.get(user=socped, school=demo, role=Role.HANDLER)
    membership.active = False
    membership.save()
    assert not CaseKeyCopy.objects.filter(user=socped).exists()
    Membership.objects.filter(user=responsible, school=demo, role=Role.RESPONSIBLE).delete()
    assert not KeyGrant.objects.filter(user=responsible).exists()
    assert AuditRecord.objects.filter(action="ishenim.key.revoked", chain__scope=demo.vault_scope).exists()


def test_it_keeps_the_key_while_another_key_role_remains(demo):
    responsible = User.objects.get(username="responsible")
    Membership.objects.create(user=responsible, school=demo, role=Role.DIRECTOR)
    Membership.objects.filter(user=responsible, school=demo, role=Role.RESPONSIBLE).delete()
    assert KeyGrant.objects.filter(user=responsible, key__scope=demo.vault_scope).exists()


def test_it_takes_the_school_key_from_someone_left_only_a_case_handler(demo):
    responsible = User.objects.get(username="responsible")
    Membership.objects.create(user=responsible, school=demo, role=Role.HANDLER)
    Membership.objects.filter(user=responsible, school=demo, role=Role.RESPONSIBLE).delete()
    assert not KeyGrant.objects.filter(user=responsible, key__scope=demo.vault_scope).exists()


@pytest.mark.parametrize("username", ["responsible", "psychologist", "parent", "district", "director2"])
def test_it_lets_only_the_director_manage_the_school_key(client, demo, login, username):
    login(username)
    assert client.get("/staff/rakhmanov/keys/").status_code == 404
    assert client.post("/staff/rakhmanov/keys/rotate/", {"confirm": "on"}).status_code == 404


def test_it_lets_the_district_officer_manage_the_district_key(client, demo, login):
    login("district")
    page = client.get("/district/osh/keys/")
    assert page.status_code == 200
    assert page.context["can_open"]
    assert page.context["links"]["rotate"] == "/district/osh/keys/rotate/"
    old = client.get("/staff/districts/osh/keys/")  # the address before every district page moved under /district/
    assert old.status_code == 301 and old["Location"] == "/district/osh/keys/"
    login("director")
    assert client.get("/district/osh/keys/").status_code == 404
    assert client.get("/staff/districts/osh/keys/").status_code == 404
