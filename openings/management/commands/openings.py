"""`ishenim openings verify …`: the same as `ishenim verify openings …` (kept for scripts that use it)."""

from ishenim.management.commands import verify


class Command(verify.Command):
    help = "Same as `ishenim verify openings`."
    chain = "openings"
