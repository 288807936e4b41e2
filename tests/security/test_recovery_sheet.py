"""The recovery sheet waiting for a new school's director, against a stolen database.

A school made in the browser keeps its key's recovery code until its director takes the sheet
at their first login. Once the director is named, nothing the server holds opens it: it goes
under a key derived from the director's invitation link (the database keeps only the link's
keyed hash), and from the link's use on, it is sealed to the director's own key pair.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import Invitation
from schools.demo import DEMO_PASSWORD
from schools.models import District, PendingRecoverySheet, Role
from schools.setup import PURPOSE, member_add, member_invite, recovery_take, school_set_up
from tests.security.test_stolen_database import as_bytes, opens, server_key_material, stolen_rows
from vault.services import key_holders, server_unbox

PASSWORD = "a-long-pass-phrase-9"


def path(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def accept(link: str) -> Client:
    client = Client()
    response = client.post(path(link), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return client


def new_school(slug: str = "ak-tilek") -> tuple[object, str]:
    """A school the district officer sets up; the code it waits with (read before anyone is named)."""
    officer = get_user_model().objects.get(username="district")
    school = school_set_up(district=District.objects.get(slug="osh"), by=officer, slug=slug, name_ky="Ак-Тилек")
    code = server_unbox(PURPOSE, bytes(PendingRecoverySheet.objects.get(scope=school.vault_scope).code_boxed))
    return school, code.decode()


def thief_opens(tmp_path, code: str) -> list[str]:
    """What of the recovery code a copy of the database and every key the server holds give."""
    keys = server_key_material()
    found = []
    for table, column, value in stolen_rows(tmp_path):
        blob = as_bytes(value)
        if blob and len(blob) >= 29 and (opened := opens(blob, keys)) is not None and code.encode() in opened:
            found.append(f"{table}.{column}")
    if any(code in str(value) or code.encode() in (as_bytes(value) or b"") for _t, _c, value in stolen_rows(tmp_path)):
        found.append("in the clear")
    return found


def director_added(school, username: str = "asaparova"):
    return member_add(
        school=school,
        by=get_user_model().objects.get(username="district"),
        full_name="Айгүл Сапарова",
        username=username,
        roles=[Role.DIRECTOR],
    )


@pytest.mark.django_db(transaction=True)
def test_a_stolen_copy_with_the_server_key_opens_no_sheet_once_the_director_is_invited(demo, tmp_path):
    school, code = new_school()
    assert thief_opens(tmp_path, code) == ["schools_pendingrecoverysheet.code_boxed"]  # the window before

    invited = director_added(school)
    assert thief_opens(tmp_path, code) == [], "the invited director's sheet opens from the copy"

    client = accept(invited.link)  # the link is used: the code is sealed to her new key pair
    assert thief_opens(tmp_path, code) == []

    assert client.post("/accounts/login/", {"username": "asaparova", "password": PASSWORD}).status_code == 302
    sheet = client.post("/staff/welcome/recovery-sheet/", {"scope": school.vault_scope})
    assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"
    assert invited.user.pk in key_holders(school.vault_scope)
    assert not PendingRecoverySheet.objects.filter(scope=school.vault_scope).exists()  # shown once, then gone
    assert not Invitation.objects.filter(sheet_boxed__isnull=False).exists()


def test_a_director_who_has_an_account_gets_the_sheet_sealed_to_their_key(demo):
    school, _code = new_school()
    director = get_user_model().objects.get(username="director")  # directs rakhmanov already
    assert director_added(school, username="director").link is None
    row = PendingRecoverySheet.objects.get(scope=school.vault_scope)
    from vault import crypto

    assert bytes(row.code_boxed)[:1] == crypto.SEALED
    other = get_user_model().objects.get(username="psychologist")
    assert recovery_take(scope=school.vault_scope, user=director, private=None) is None
    assert recovery_take(scope=school.vault_scope, user=other, private=b"\x01" * 32) is None
    client = Client()
    assert client.post("/accounts/login/", {"username": "director", "password": DEMO_PASSWORD}).status_code == 302
    assert client.post("/staff/welcome/recovery-sheet/", {"scope": school.vault_scope}).status_code == 200
    assert director.pk in key_holders(school.vault_scope)


def test_a_replaced_link_still_brings_the_sheet_to_its_owner(demo):
    """The first link lapsed and a second was sent: the code stays with the first link (nothing
    on the server can move it); the director, logged in through the second, opens the first."""
    school, _code = new_school()
    first = director_added(school).link
    director = get_user_model().objects.get(username="asaparova")
    second = member_invite(school=school, user=director, by=get_user_model().objects.get(username="district"))
    client = accept(second)
    assert client.get(path(first)).status_code == 410  # to a stranger, the first link is gone
    assert client.post("/accounts/login/", {"username": "asaparova", "password": PASSWORD}).status_code == 302
    assert client.get("/staff/welcome/").status_code == 302  # nothing waits yet: the code is with the first link
    opened = client.get(path(first))
    assert opened.status_code == 302 and opened.url.endswith("/staff/welcome/")
    assert client.post("/staff/welcome/recovery-sheet/", {"scope": school.vault_scope}).status_code == 200
    assert director.pk in key_holders(school.vault_scope)
