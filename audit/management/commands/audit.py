"""`ishenim audit verify [--scope SCOPE]`: walk every audit chain."""

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditChain
from audit.services import audit_verify


class Command(BaseCommand):
    help = "Check the audit trail: every chain (or one scope) must be unbroken."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="walk the chains and report the first altered record")
        verify.add_argument("--scope", action="append", help="a chain such as school:12 (repeatable)")

    def handle(self, *args, action, scope=None, **options):
        chains = AuditChain.objects.order_by("scope")
        if scope:
            chains = chains.filter(scope__in=scope)
            missing = set(scope) - set(chains.values_list("scope", flat=True))
            if missing:
                raise CommandError(f"no such audit chain: {', '.join(sorted(missing))}")
        broken = 0
        for chain in chains:
            check = audit_verify(chain.scope)
            if check.ok:
                self.stdout.write(f"ok      {check.scope}: {check.records} records")
            else:
                broken += 1
                self.stdout.write(f"BROKEN  {check.scope}: {check.problem} (after {check.records} good records)")
        if broken:
            raise CommandError(f"{broken} audit chain(s) broken")
        self.stdout.write(self.style.SUCCESS("every audit chain is intact"))
