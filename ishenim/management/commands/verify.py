"""`ishenim verify [journal|openings|audit|appeals] [--school S] [--district D] [--year Y] [--head H] [--scope S]`.

Walks the hash chains (`ishenim.chain.chain_verify`) and exits non-zero if any does not verify.
`ishenim journal verify`, `ishenim openings verify` and `ishenim audit verify` are the same command.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from appeals.stored import stored_scopes, stored_verify
from audit.models import AuditChain
from ishenim.chain import ChainCheck, chain_verify
from journal.models import Volume
from journal.services import journal_verify
from openings.models import Book
from openings.services import openings_verify
from schools.models import District, School

CHAINS = ("journal", "openings", "audit", "appeals")


class Command(BaseCommand):
    help = (
        "Check the hash chains (registration journal, box-opening journal, audit log, appeals' messages, notes "
        "and files): all, or one of them."
    )
    chain: str | None = None  # set by the aliases (`ishenim journal verify` …)

    def add_arguments(self, parser):
        if self.chain:
            parser.add_argument("action", choices=["verify"])
        else:
            parser.add_argument("chain", nargs="?", choices=CHAINS, help="only this chain (default: all four)")
        parser.add_argument("--school", help="only this school (its address in links, e.g. rakhmanov)")
        parser.add_argument("--district", help="only this district office's own journal volumes")
        parser.add_argument("--year", type=int, help="only the volume of the school year starting in this year")
        parser.add_argument("--head", help="a journal head written down earlier: it must still be in the chain")
        parser.add_argument("--scope", action="append", help="an audit chain such as school:12 (repeatable)")

    def handle(self, *args, chain=None, school=None, district=None, year=None, head=None, scope=None, **options):
        chains = [self.chain or chain] if (self.chain or chain) else list(CHAINS)
        school = _one(School, school, "school")
        district = _one(District, district, "district")
        if head and chains != ["journal"]:
            raise CommandError("--head is a journal head: use `ishenim verify journal --head …`")
        checks = []
        for name in chains:
            checks += getattr(self, f"_{name}")(school=school, district=district, year=year, head=head, scope=scope)
        if not checks:
            self.stdout.write("nothing to verify yet")
            return
        broken = 0
        for label, check in checks:
            if check.ok:
                self.stdout.write(f"OK      {label}: {_counts(check)}, head {check.head.head_hash}")
                continue
            broken += 1
            self.stdout.write(f"BROKEN  {label}: {check.problem}")
            self.stdout.write(f"        {check.records} records check out before it; first bad record: {_bad(check)}")
            if getattr(check, "detail", ""):
                self.stdout.write(f"        the row: {check.detail}")
        if broken:
            raise CommandError(f"{broken} of {len(checks)} chains do not verify")
        self.stdout.write(self.style.SUCCESS(f"all {len(checks)} chains verify"))

    def _journal(self, *, school, district, year, head, **options) -> list[tuple[str, ChainCheck]]:
        volumes = Volume.objects.select_related("school", "district").order_by("school_id", "district_id", "year")
        if school:
            volumes = volumes.filter(school=school)
        if district:
            volumes = volumes.filter(district=district)
        if year:
            volumes = volumes.filter(year=year)
        if head:
            head = "".join(head.split()).lower()  # as printed, in groups
            if len(head) < 16:
                raise CommandError("--head needs at least the first 16 characters of the head")
            if not (school or district) or volumes.count() != 1:
                raise CommandError("--head needs exactly one volume: give --school or --district, and --year")
        return [(f"journal {_owner(v)} {v.year}-{v.year + 1}", journal_verify(v, head=head)) for v in volumes]

    def _openings(self, *, school, district, year, **options) -> list[tuple[str, ChainCheck]]:
        books = Book.objects.select_related("school").order_by("school__slug", "year")
        if school:
            books = books.filter(school=school)
        if district:
            books = books.filter(school__district=district)
        if year:
            books = books.filter(year=year)
        return [(f"openings {b.school.slug} {b.year}-{b.year + 1}", openings_verify(b)) for b in books]

    def _audit(self, *, school, district, scope, **options) -> list[tuple[str, ChainCheck]]:
        scopes = list(scope or []) + [office.vault_scope for office in (school, district) if office]
        chains = AuditChain.objects.order_by("scope")
        if scopes:
            chains = chains.filter(scope__in=scopes)
            missing = set(scopes) - {c.scope for c in chains}
            if missing:
                raise CommandError(f"no such audit chain: {', '.join(sorted(missing))}")
        return [(f"audit {c.scope}", chain_verify(c)) for c in chains]

    def _appeals(self, *, school, district, **options) -> list[tuple[str, ChainCheck]]:
        return [(f"appeals {scope}", stored_verify(scope)) for scope in stored_scopes(school=school, district=district)]


def _one(model, slug: str | None, what: str):
    if not slug:
        return None
    found = model.objects.filter(slug=slug).first()
    if found is None:
        raise CommandError(f"no {what} with the address {slug!r}")
    return found


def _owner(volume: Volume) -> str:
    if volume.school is not None:
        return volume.school.slug
    assert volume.district is not None  # a volume belongs to a school or a district
    return f"district {volume.district.slug}"


def _counts(check: ChainCheck) -> str:
    counts = f"{check.records} records"
    if isinstance(check.head, Volume):
        counts += f", {check.head.last_number} entries"
    return counts


def _bad(check: ChainCheck) -> str:
    if check.bad_seq is None:
        return (
            "none (a row no record names)"
            if getattr(check, "detail", "")
            else "none (the head given is not in the chain)"
        )
    found = check.bad_link
    if found is None:
        return f"record {check.bad_seq} (not in the database)"
    what = found.description if hasattr(found, "description") else str(found)
    return f"record {found.seq} ({what}, written {found.at:%Y-%m-%d %H:%M} UTC, id {found.pk})"
