"""A small world for the security tests: three schools in two districts, their
staff, and in every school objects of each kind the staff pages show, with
marker texts that must never reach the wrong reader."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from appeals.models import Answer, Appeal
from schools.demo import DEMO_PASSWORD, demo_create
from schools.models import District, Membership, Role, School
from schools.services import school_create
from vault.services import Keyring, user_key_set, user_key_unlock
from vault.tests.helpers import full_appeal, png

User = get_user_model()


@dataclass
class World:
    own: School
    sibling: School  # same district
    stranger: School  # another district
    appeals: dict[str, Appeal] = field(default_factory=dict)  # key → appeal
    plain: dict[str, dict] = field(default_factory=dict)  # key → plaintexts
    problems: list[str] = field(default_factory=list)  # objects the world could not make

    def texts(self, key: str) -> list[str]:
        return [self.plain[key]["text"], self.plain[key]["message"]]

    def names(self, key: str) -> list[str]:
        return [self.plain[key]["name"]]


def _user(username: str, place: dict, role: str) -> None:
    user = User.objects.create_user(username, f"{username}@school.example", DEMO_PASSWORD)
    user_key_set(user=user, password=DEMO_PASSWORD)
    Membership.objects.create(user=user, role=role, **place)
    return user


def _try(world: World, what: str, service, **kwargs) -> None:
    try:
        service(**kwargs)
    except Exception as error:  # noqa: BLE001 - another app's service changed: the test reports it
        world.problems.append(f"{what}: {error!r}")


def world_create() -> World:
    demo_create()
    own, sibling = School.objects.get(slug="rakhmanov"), School.objects.get(slug="gymnasium5")
    naryn = District.objects.create(slug="naryn", name_ky="Нарын шаары")
    director3 = User.objects.create_user("director3", "d3@school.example", DEMO_PASSWORD)
    user_key_set(user=director3, password=DEMO_PASSWORD)
    stranger, _code = school_create(district=naryn, slug="naryn1", name_ky="Нарын №1 мектеби", grantees=[director3])
    Membership.objects.create(user=director3, school=stranger, role=Role.DIRECTOR)
    _user("district3", {"district": naryn}, Role.DISTRICT_OFFICER)
    world = World(own=own, sibling=sibling, stranger=stranger)

    users = {u.username: u for u in User.objects.all()}
    for key, school, kwargs in (
        ("own_socped", own, {}),
        ("own_psychologist", own, {}),
        ("own_unassigned", own, {}),
        ("own_district", own, {"to_district": True}),
        ("sibling", sibling, {}),
        ("stranger", stranger, {}),
    ):
        appeal, plain = full_appeal(school, marker=f"M{key.upper()}", **kwargs)
        world.appeals[key], world.plain[key] = appeal, plain

    from appeals.services.cases import case_answer, case_assign, case_forward, case_measures, case_note_add

    today = timezone.localdate()
    directors = {own.pk: users["director"], sibling.pk: users["director2"], stranger.pk: director3}
    director_ring = Keyring(users["director"], user_key_unlock(users["director"], DEMO_PASSWORD))
    for key, handler in (("own_socped", "socped"), ("own_psychologist", "psychologist")):
        _try(
            world,
            "assign",
            case_assign,
            appeal=world.appeals[key],
            handlers=[users[handler]],
            actor=users["director"],
            ring=director_ring,
        )
    for key in ("own_socped", "sibling", "stranger"):
        appeal = world.appeals[key]
        text = f"{world.plain[key]['text']} note"
        _try(world, "note", case_note_add, appeal=appeal, text=text, actor=directors[appeal.school_id])
    for key in ("own_psychologist", "sibling"):
        appeal = world.appeals[key]
        _try(
            world,
            "forward",
            case_forward,
            appeal=appeal,
            body="police",
            addressee="Inspector",
            forwarded_on=today,
            cover="Cover letter text",
            actor=directors[appeal.school_id],
        )
    for key in ("own_unassigned", "sibling"):
        appeal = world.appeals[key]
        _try(
            world,
            "measures",
            case_measures,
            appeal=appeal,
            kinds=["talk_student"],
            text="Talked with the class.",
            taken_on=today,
            actor=directors[appeal.school_id],
        )
        _try(
            world,
            "answer",
            case_answer,
            appeal=appeal,
            mode=Answer.Mode.RECEIPT,
            text="We met the teacher and the class.",
            given_on=today,
            actor=directors[appeal.school_id],
        )

    from commission.services import (
        commission_from_accounts,
        commission_of,
        meeting_add_agenda_item,
        meeting_create,
        order_record,
    )
    from openings.services import opening_start
    from reports.actions import action_add
    from reports.periods import quarter_of
    from reports.services import quarterly_report_draft, weekly_summary_build

    def commission_papers(school, actor):
        commission = commission_of(school)
        order = order_record(
            commission=commission, number="12", issued_on=today, scan=png(), scan_type="image/png", actor=actor
        )
        commission_from_accounts(commission=commission, on=today, order=order, actor=actor)
        meeting = meeting_create(commission=commission, actor=actor, held_on=today)
        meeting_add_agenda_item(meeting=meeting, title="Appeals of the quarter")

    for school in (own, sibling, stranger):
        actor = directors[school.pk]
        _try(world, "commission", commission_papers, school=school, actor=actor)
        _try(world, "opening", opening_start, school=school, actor=actor)
        _try(world, "weekly", weekly_summary_build, school=school, on=today)
        period = quarter_of(school, today - dt.timedelta(days=92))
        _try(world, "quarterly", quarterly_report_draft, school=school, period=period)
        _try(
            world,
            "action",
            action_add,
            school=school,
            title="A teacher on duty in the yard",
            kind="organisation",
            owner=actor,
            decided_on=today,
            due_on=today,
            actor=actor,
        )
    # one logged-in session, for the routes about sessions
    Client().post("/accounts/login/", {"username": "responsible", "password": DEMO_PASSWORD})
    return world


def admin_client() -> Client:
    """The platform administrator, logged in as /admin/ requires: password, then a two-factor code."""
    import pyotp

    client = Client()
    assert client.post("/admin/login/", {"username": "admin", "password": DEMO_PASSWORD}).status_code == 302
    seed = client.get("/accounts/login/two-factor/").context["seed"]
    assert client.post("/accounts/login/two-factor/", {"code": pyotp.TOTP(seed).now()}).status_code == 200
    return client
