"""A database made when the openings lived in the commission app migrates forward with its rows:
the tables are taken over and renamed, the many-to-many of who was present and the ids keep."""

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

OLD_LAYOUT = [("commission", "0004_stub_form_number"), ("openings", None)]


def _migrate(targets=None):
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state([t for t in targets if t[1]]).apps


@pytest.mark.django_db(transaction=True)
def test_openings_written_in_the_commission_app_survive_the_split(demo):
    try:
        old = _migrate(OLD_LAYOUT)
        with connection.cursor() as cursor:
            tables = set(connection.introspection.table_names(cursor))
        assert {"commission_opening", "commission_opening_present", "commission_entry"} <= tables
        assert not any(t.startswith("openings_") for t in tables)

        school = old.get_model("schools", "School").objects.get(slug="rakhmanov")
        director = old.get_model(settings.AUTH_USER_MODEL).objects.get(username="director")
        commission = old.get_model("commission", "Commission").objects.create(school=school)
        member = old.get_model("commission", "Member").objects.create(
            commission=commission, full_name="Асанова Гүлзат", member_from=timezone.localdate()
        )
        opening = old.get_model("commission", "Opening").objects.create(
            school=school, opened_at=timezone.now(), place="кире бериш", created_by=director, status="done"
        )
        opening.present.add(member)
        book = old.get_model("commission", "Book").objects.create(school=school, year=2026, last_seq=1)
        old.get_model("commission", "Entry").objects.create(
            book=book, seq=1, kind="opening", opening=opening, at=timezone.now(), prev_hash="0" * 64, hash="a" * 64
        )
        batch = old.get_model("commission", "StubBatch").objects.create(school=school, count=1, created_by=director)
        old.get_model("commission", "Stub").objects.create(batch=batch, position=1, code_hash="b" * 64)
        old.get_model("commission", "Page").objects.create(
            opening=opening, sealed=b"sealed", content_type="image/png", size=6, uploaded_by=director
        )
    finally:
        new = _migrate()

    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    assert {"openings_opening", "openings_opening_present", "openings_entry", "openings_stub"} <= tables
    assert not {"commission_opening", "commission_opening_present", "commission_entry"} & tables

    moved = new.get_model("openings", "Opening").objects.get(pk=opening.pk)
    assert list(moved.present.values_list("full_name", flat=True)) == ["Асанова Гүлзат"]
    assert new.get_model("openings", "Entry").objects.get(book_id=book.pk, seq=1).opening_id == opening.pk
    assert new.get_model("openings", "Stub").objects.get(code_hash="b" * 64).batch_id == batch.pk
    assert bytes(new.get_model("openings", "Page").objects.get(opening_id=opening.pk).sealed) == b"sealed"
    later = new.get_model("openings", "Opening").objects.create(
        school_id=school.pk, opened_at=timezone.now(), place="x", created_by_id=director.pk
    )
    assert later.pk > opening.pk
