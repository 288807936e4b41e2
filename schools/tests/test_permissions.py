"""The permission map is the only access policy: every permission in it is asked for
somewhere, and no role list is written anywhere else."""

import re
from pathlib import Path

import pytest
from django.http import Http404
from django.test import RequestFactory

from appeals.services.cases import MOVES
from schools.access import appeal_roles, may, school_for
from schools.models import Role
from schools.permissions import ASSIGNED, PERMISSIONS, permitted, roles_with

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", "migrations", "tests", "bench", "docs", "var", "static"}
# Who is told or who signs, not who may: recipients of messages and signature lines.
NOT_ACCESS = {"ishenim/scheduler.py", "journal/documents.py", "appeals/services/urgent.py"}
ROLE_LIST = re.compile(r"[(\[{]\s*Role\.[A-Z_]+\s*,\s*Role\.|\b[A-Z_]*ROLES\s*=\s*[(\[{]")
ROLE_IN_TEMPLATE = re.compile(
    r"""["'](director|responsible|handler|commission|district_officer)["']\s+in\b|school_roles"""
)


def _sources(suffix: str):
    for path in ROOT.rglob(f"*{suffix}"):
        parts = set(path.relative_to(ROOT).parts)
        if not parts & SKIP and not path.name.startswith("conftest"):
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def test_it_asks_for_every_named_permission_somewhere():
    code = "\n".join(text for name, text in _sources(".py") if name != "schools/permissions.py")
    code += "\n".join(text for _name, text in _sources(".html"))
    case_actions = set(MOVES) | {"print_letters"}  # asked for as f"case.{action}" (appeals.selectors_case)
    unused = [
        name
        for name in PERMISSIONS
        if f'"{name}"' not in code and not (name.startswith("case.") and name[5:] in case_actions)
    ]
    assert not unused, f"permissions nobody asks for: {unused}"


def test_it_has_no_role_list_outside_the_map():
    found = [
        f"{name}:{n}: {line.strip()}"
        for name, text in _sources(".py")
        if name not in NOT_ACCESS | {"schools/permissions.py"}
        for n, line in enumerate(text.splitlines(), 1)
        if ROLE_LIST.search(line) or "school_roles" in line
    ]
    assert not found, "decide with schools.permissions, not with a list of roles:\n" + "\n".join(found)


def test_it_has_no_role_name_in_templates():
    found = [
        f"{name}:{n}"
        for name, text in _sources(".html")
        for n, line in enumerate(text.splitlines(), 1)
        if ROLE_IN_TEMPLATE.search(line)
    ]
    assert not found, "use {% permitted %} in templates: " + ", ".join(found)


def test_it_refuses_a_permission_that_is_not_in_the_map():
    assert permitted({Role.DIRECTOR}, "journal.read")
    assert not permitted({Role.DIRECTOR}, "journal.reed")
    assert not permitted(set(Role.values) | {ASSIGNED}, "anything.at_all")
    assert roles_with("no.such") == frozenset()
    assert ASSIGNED not in roles_with("case.note")


def test_it_only_names_roles_that_exist():
    assert all(roles <= set(Role.values) | {ASSIGNED} for roles in PERMISSIONS.values())


@pytest.fixture
def director_request(demo, django_user_model):
    request = RequestFactory().get("/")
    request.user = django_user_model.objects.get(username="director")
    return request


def test_it_answers_404_for_an_unknown_permission_and_refuses_a_role_name(director_request, demo):
    assert school_for(director_request, demo.slug, "journal.read") == demo
    assert may(director_request, demo, "audit.read")
    with pytest.raises(Http404):
        school_for(director_request, demo.slug, "journal.reed")
    with pytest.raises(TypeError):
        school_for(director_request, demo.slug, Role.DIRECTOR)
    assert not hasattr(director_request, "school_roles")


def test_it_gives_a_districts_appeal_only_to_district_officers(director_request, demo):
    from appeals.services import appeal_submit

    appeal = appeal_submit(
        school=demo, text="Директор тууралуу кайрылуу.", category="other", author_kind="parent", to_district=True
    )
    assert appeal_roles(director_request, appeal) == frozenset()
    assert not permitted(appeal_roles(director_request, appeal), "case.assign")
