"""An office: a school, or a district office (which keeps the appeals about a school's leadership).

Both own a vault scope, a registration journal and an audit trail, and both have
the same pages: a school's under `/staff/<school>/…`, a district's under
`/district/<district>/…`. Each such page is one view and one URL name with two
paths (`office_paths`), told apart by the keyword (`school` or `district`) that
carries the slug; `schools.access.office_for` resolves it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, path, reverse

from schools.models import District, School

# The model behind an office: what notify, recipients and the chains take.
OfficeOwner = School | District


@dataclass(frozen=True)
class Office:
    school: School | None = None
    district: District | None = None

    def __post_init__(self):
        if (self.school is None) == (self.district is None):
            raise TypeError("an office is a school or a district")

    @property
    def owner(self) -> OfficeOwner:
        return self.school if self.school is not None else self.district  # type: ignore[return-value]

    @property
    def kind(self) -> str:
        return "school" if self.school is not None else "district"

    @property
    def slug(self) -> str:
        return self.owner.slug

    @property
    def name(self) -> str:
        return self.owner.name

    def name_in(self, language: str) -> str:
        return self.owner.name_in(language)

    @property
    def scope(self) -> str:
        """The vault scope its appeals are sealed to."""
        return self.owner.vault_scope

    def url(self, name: str) -> str:
        """The office's page `name` (a URL name with a school and a district path)."""
        return reverse(name, kwargs={self.kind: self.slug})


def office_paths(route: str, view, name: str) -> list[URLPattern]:
    """`route` under a school (`staff/<school>/route`) and under a district office (`district/<district>/route`),
    one view and one name: `reverse(name, kwargs={"school": slug})` or `{"district": slug}`."""
    return [
        path(f"staff/<slug:school>/{route}", view, name=name),
        path(f"district/<slug:district>/{route}", view, name=name),
    ]
