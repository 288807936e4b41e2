from django.db.models import Count
from django.db.models.functions import TruncMonth

from appeals.models import Appeal
from reports.compliance import BROKEN, KEPT, compliance
from reports.demo import demo_appeals
from reports.tests.conftest import at
from schools.models import School

NOW = at("2026-11-20", 12)


def test_the_demo_year_has_varied_appeals_and_shows_rules_kept_and_broken_for_their_reasons(demo):
    made = demo_appeals(now=NOW)

    assert set(made) == {"rakhmanov", "gymnasium5"} and all(n > 80 for n in made.values())
    assert demo_appeals(now=NOW) == {}  # a second run adds nothing
    appeals = Appeal.objects.all()
    months = appeals.annotate(m=TruncMonth("received_at")).values("m").distinct().count()
    assert months >= 12
    assert appeals.values("category").distinct().count() == len(Appeal.Category.values)
    assert set(appeals.values_list("channel", flat=True)) == {"online", "paper"}
    assert set(appeals.values_list("author_kind", flat=True)) == {"student", "parent", "citizen"}
    assert appeals.filter(urgent=True).exists() and appeals.filter(grade__isnull=False).exists()
    statuses = dict(appeals.values_list("status").annotate(n=Count("pk")))
    assert statuses["closed"] > statuses.get("registered", 0)
    assert appeals.filter(status__in=Appeal.OPEN_STATUSES).exists()
    assert all(a.journal_number for a in appeals)

    schools = {s.slug: s for s in School.objects.all()}
    checks = compliance(list(schools.values()), now=NOW)
    by_code = {slug: {c.code: c for c in checks[s.pk]} for slug, s in schools.items()}
    assert by_code["rakhmanov"]["R18"].status == KEPT and by_code["gymnasium5"]["R18"].status == BROKEN
    assert by_code["rakhmanov"]["R19"].status == KEPT and by_code["gymnasium5"]["R19"].status == BROKEN
    assert "has not been put to the commission" in by_code["gymnasium5"]["R19"].evidence
    assert by_code["rakhmanov"]["R06"].status == KEPT and by_code["gymnasium5"]["R06"].status == BROKEN
