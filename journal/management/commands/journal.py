"""`ishenim journal verify …`: the same as `ishenim verify journal …` (kept for scripts that use it)."""

from ishenim.management.commands import verify


class Command(verify.Command):
    help = "Same as `ishenim verify journal`."
    chain = "journal"
