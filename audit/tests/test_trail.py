"""The audit trail: every account and key operation recorded, chained, verified, shown to the right people."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from audit.models import AuditRecord
from audit.services import audit_record, audit_verify
from schools.demo import DEMO_PASSWORD
from vault.tests.helpers import full_appeal


def test_it_records_logins_failures_and_logouts_without_content(client, demo, login):
    client.post("/accounts/login/", {"username": "director", "password": "not-it-at-all"})
    login("director")
    client.post("/accounts/logout/")
    actions = list(AuditRecord.objects.filter(chain__scope="platform").order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["ishenim.account.login_failed", "ishenim.account.login", "ishenim.account.logout"]
    for record in AuditRecord.objects.all():
        assert "not-it-at-all" not in str(record.detail) and DEMO_PASSWORD not in str(record.detail)


def test_it_verifies_every_chain_from_the_command(demo, login, client):
    full_appeal(demo, marker="AUD")
    login("director")
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "chains verify" in out.getvalue()
    assert f"OK      audit {demo.vault_scope}" in out.getvalue()


@pytest.mark.parametrize("tamper", ["edit", "delete", "truncate"])
def test_it_finds_a_changed_removed_or_cut_record(demo, tamper):
    scope = demo.vault_scope
    for n in range(4):
        audit_record(action="ishenim.test.event", scope=scope, detail={"n": n})
    records = AuditRecord.objects.filter(chain__scope=scope).order_by("seq")
    middle = records[2]
    if tamper == "edit":
        AuditRecord.objects.filter(pk=middle.pk).update(detail={"n": 99})
    elif tamper == "delete":
        middle.delete()
    else:
        records.last().delete()
    assert not audit_verify(scope).ok
    with pytest.raises(CommandError, match="1 of 1 chains do not verify"):
        call_command("audit", "verify", "--scope", scope, stdout=io.StringIO())


def test_it_checks_the_chain_in_bulk_and_catches_a_detail_changed_in_canonical_text(demo):
    """An untouched chain holds in bulk (no walk); one value of `detail` changed, written exactly
    as the chain writes JSON, does not."""
    from ishenim.chain import canonical, columns_hold

    scope = demo.vault_scope
    for n in range(3):
        audit_record(action="ishenim.test.event", scope=scope, detail={"n": n, "name": "Айгүл"})
    records = AuditRecord.objects.filter(chain__scope=scope)
    chain = records.first().chain
    assert columns_hold(chain.records.all(), chain.last_seq)
    middle = records.order_by("seq")[1]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditRecord._meta.db_table} SET detail = %s WHERE id = %s",  # noqa: S608
            [canonical({**middle.detail, "n": 99}).decode(), middle.pk],
        )

    assert not columns_hold(chain.records.all(), chain.last_seq)
    check = audit_verify(scope)
    assert (check.ok, check.problem, check.bad_seq) == (False, "record was edited", middle.seq)


def test_it_names_an_unknown_chain(demo):
    with pytest.raises(CommandError, match="no such audit chain"):
        call_command("audit", "verify", "--scope", "school:999999", stdout=io.StringIO())


def test_it_shows_the_director_the_school_trail_with_the_staff_logins(client, demo, login):
    Client().post("/accounts/login/", {"username": "psychologist", "password": DEMO_PASSWORD})
    Client().post("/accounts/login/", {"username": "director2", "password": DEMO_PASSWORD})  # another school
    login("director")
    client.get("/staff/rakhmanov/settings/")
    page = client.get("/staff/rakhmanov/audit/")
    assert page.status_code == 200
    actors = {r.actor.username for r in page.context["page"] if r.actor}
    assert "psychologist" in actors
    assert "director2" not in actors
    login_only = client.get("/staff/rakhmanov/audit/", {"action": "ishenim.account."})
    assert all(r.action.startswith("ishenim.account.") for r in login_only.context["page"])


def test_it_shows_the_district_the_trails_of_its_schools(client, demo, login):
    login("director")
    client.post("/staff/rakhmanov/keys/recovery/")
    login("district")
    page = client.get("/district/osh/audit/")
    assert page.status_code == 200
    assert any(r.action == "ishenim.key.recovery_renewed" for r in page.context["page"])
    assert "Н. Рахманов" in page.content.decode()


def test_it_checks_the_chain_on_request(client, demo, login):
    login("director")
    response = client.post("/staff/rakhmanov/audit/verify/", follow=True)
    assert any("intact" in str(m) or "бүтүн" in str(m) for m in response.context["messages"])


@pytest.mark.parametrize("username", ["responsible", "psychologist", "parent", "director2"])
def test_it_hides_the_trail_from_everyone_but_the_director(client, demo, login, username):
    login(username)
    assert client.get("/staff/rakhmanov/audit/").status_code == 404
    assert client.get("/district/osh/audit/").status_code == 404


def test_it_pages_the_trail_with_few_queries(client, demo, login, django_assert_max_num_queries):
    for n in range(120):
        audit_record(action="ishenim.test.event", scope=demo.vault_scope, detail={"n": n})
    login("director")
    with django_assert_max_num_queries(14):
        page = client.get("/staff/rakhmanov/audit/", {"page": 2})
    assert page.context["page"].number == 2
