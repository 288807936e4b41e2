"""`ishenim audit verify …`: the same as `ishenim verify audit …` (kept for scripts that use it)."""

from ishenim.management.commands import verify


class Command(verify.Command):
    help = "Same as `ishenim verify audit`."
    chain = "audit"
