"""`make mutate`: break each invariant on purpose and check that a test goes red.

Each mutant replaces one snippet of invariant code (gapless numbering, the hash chain, the
appeal bytes the journal vouches for, access helpers, vault seal/open, throttles, triage) and
runs the tests that guard it. A mutant is *killed* when those tests fail. The mutants are
applied in a copy of the working tree (var/mutate/), never in the tree itself, so other work
and other test runs are not disturbed. A snippet that is no longer in the code is reported as
"gone" (the mutant must be rewritten), and counts as not killed.

    python -m bench.mutate            # every mutant
    python -m bench.mutate gapless    # the mutants whose name contains "gapless"
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPY = ROOT / "var" / "mutate"


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    original: str
    mutated: str
    tests: tuple[str, ...]


JOURNAL = ("journal/tests/test_journal_tampering.py", "journal/tests/test_journal_quiet_edits.py")
MUTANTS = [
    Mutant("gapless numbering: the check is off", "journal/models.py",
           'if self.number != context["number"] + 1:', "if False:", JOURNAL),
    Mutant("gapless numbering: the next number repeats the last", "journal/services.py",
           "number=volume.last_number + 1,", "number=volume.last_number or 1,",
           ("journal/tests/test_journal_numbering.py",)),
    Mutant("chain verify: hashes not compared", "ishenim/chain.py",
           "    if recomputed != hashes:", "    if False:", JOURNAL),
    Mutant("chain verify: links not compared", "ishenim/chain.py",
           "    if prevs != expected_prevs:", "    if False:", JOURNAL),
    Mutant("chain verify: columns not compared with the bytes", "ishenim/chain.py",
           "if canonical(chain_link.chained_fields()) != body:", "if False:",
           (*JOURNAL, "openings/tests/test_book.py", "audit/tests/test_trail.py")),
    # The bulk column checks differ by database: the first three die on PostgreSQL only
    # (DATABASE_URL=postgres://…), the next five on SQLite only.
    Mutant("chain verify in bulk (PostgreSQL): JSON columns not compared with the bytes", "ishenim/chain.py",
           'held = f"CASE WHEN {ok} THEN {same} END"', 'held = f"CASE WHEN {ok} THEN TRUE END"', JOURNAL),
    Mutant("chain verify in bulk (PostgreSQL): other columns not compared with the bytes", "ishenim/chain.py",
           '"length(body) >= length(p) + length(s) AND substr(body, 1, length(p)) = p"',
           '"length(body) >= length(p) + length(s)"', JOURNAL),
    Mutant("chain verify in bulk (PostgreSQL): sealed blobs not compared with their digests", "ishenim/chain.py",
           "encode(sha256({blob}), 'hex') = {digest})", "TRUE)", JOURNAL),
    Mutant("chain verify in bulk (SQLite): JSON columns not compared with the bytes", "ishenim/chain.py",
           "        return column\n", "        return f\"json_extract(body, '$.{field.name}')\"\n",
           (*JOURNAL, "audit/tests/test_trail.py")),
    Mutant("chain verify in bulk (SQLite): other columns not compared with the bytes", "ishenim/chain.py",
           'held = " AND ".join([f"CAST({written} AS BLOB) = body", *valid])', 'held = " AND ".join(["1", *valid])',
           JOURNAL),
    Mutant("chain verify in bulk (SQLite): an integer column's type not checked", "ishenim/chain.py",
           "WHEN 'integer' THEN {column} WHEN 'null' THEN 'null' END", "WHEN 'null' THEN 'null' ELSE {column} END",
           JOURNAL),
    Mutant("chain verify in bulk (SQLite): text moved between adjacent JSON columns", "ishenim/chain.py",
           "for field in json_fields[:-1]]", "for field in json_fields[:0]]", ("tests/security/test_stored_chain.py",)),
    Mutant("chain verify in bulk (SQLite): sealed blobs not compared with their digests", "ishenim/chain.py",
           "    if not all(_blobs_match(*found[n : n + 3]) for n in range(0, len(found), 3)):", "    if False:",
           JOURNAL),
    Mutant("journal rules in bulk: numbers not checked", "journal/models.py",
           "WHERE number IS NULL OR number <> n", "WHERE 1 = 0", JOURNAL),
    Mutant("chain verify: the head not compared", "ishenim/chain.py",
           "    if prev != head.head_hash:", "    if False:", JOURNAL),
    Mutant("chain verify: a removed tail not noticed", "ishenim/chain.py",
           "    if count != head.last_seq:\n", "    if False:\n", JOURNAL),
    Mutant("chain verify: the one-pass check always reaches the head", "ishenim/chain.py",
           "    return running.decode() == head.head_hash", "    return True", JOURNAL),
    Mutant("chain verify: a record after the head is let in", "ishenim/chain.py",
           "if beyond is not None and", "if False and", JOURNAL),
    Mutant("appeal bytes: the stored appeal not compared", "journal/services.py",
           "if found.get(pk) != vouched[pk][1]", "if False", JOURNAL),
    Mutant("appeal bytes: status left out of what the journal vouches for", "journal/services.py",
           'return {"status": appeal.status, "category"', 'return {"status": "", "category"', JOURNAL),
    Mutant("appeal bytes: a later record vouches for a quiet edit", "journal/models.py",
           "if not _explained(", "if False and not _explained(", JOURNAL),
    Mutant("sealed columns: erased ones accepted without retention", "journal/models.py",
           'and (self.entry_id or self.pk) not in context["erased"]', "and False", JOURNAL),
    Mutant("sealed columns: blob not compared with its digest", "journal/models.py",
           "if self.sealed is not None and sha256(bytes(self.sealed)).hexdigest() != self.sealed_digest:",
           "if False:", ("journal/tests/test_journal_tampering.py", "tests/test_bench.py")),
    Mutant("access: district officers count at every school", "schools/access.py",
           "elif m.district_id == school.district_id and m.role == Role.DISTRICT_OFFICER:",
           "elif m.role == Role.DISTRICT_OFFICER:", ("tests/security/test_access_matrix.py",)),
    Mutant("access: a handler's assignment ignored", "schools/access.py",
           "if appeal.handlers.filter(pk=request.user.pk).exists():", "if False:",
           ("appeals/tests/test_inbox.py",)),
    Mutant("vault: an altered blob opens", "vault/crypto.py",
           "return AESGCM(_kdf(shared, ephemeral_public, recipient)).decrypt(nonce, ciphertext, header)",
           "return AESGCM(_kdf(shared, ephemeral_public, recipient)).decrypt(nonce, ciphertext, None)",
           ("vault/tests/test_keys.py", "vault/tests/test_case_keys.py")),
    Mutant("throttle: look-alike names get their own bucket", "accounts/throttle.py",
           'return unicodedata.normalize("NFKC", username).casefold().strip()', "return username.strip()",
           ("accounts/tests/test_login_throttle.py",)),
    Mutant("throttle: no delay after failures", "accounts/throttle.py",
           'return min(cfg["BASE_DELAY"] * 2**extra, cfg["MAX_DELAY"])', "return 0",
           ("accounts/tests/test_login_throttle.py",)),
    Mutant("triage: nothing is urgent", "appeals/triage.py",
           "return bool(urgent_concepts(text, school))", "return False",
           ("appeals/tests/test_triage.py", "appeals/tests/test_intake_urgent.py")),
]  # fmt: skip


def _copy_tree() -> None:
    """The working tree as it is now, without the virtualenv and generated files."""
    if COPY.exists():
        shutil.rmtree(COPY)
    ignore = shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "*.pyc", "node_modules", ".pytest_cache")
    shutil.copytree(ROOT, COPY, ignore=ignore, symlinks=True)
    (COPY / "var").mkdir()


def _run(mutant: Mutant) -> str:
    target = COPY / mutant.path
    source = target.read_text(encoding="utf-8")
    if source.count(mutant.original) != 1:
        return "gone"
    target.write_text(source.replace(mutant.original, mutant.mutated), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(COPY), PYTHONDONTWRITEBYTECODE="1")
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *mutant.tests],
            cwd=COPY, env=env, capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip
    finally:
        target.write_text(source, encoding="utf-8")
    if result.returncode == 1:
        return "killed"
    if result.returncode == 0:
        return "SURVIVED"
    return f"error {result.returncode}: {result.stdout.strip().splitlines()[-1:] or result.stderr[-200:]}"


def _baseline(tests: tuple[str, ...]) -> bool:
    """The guarding tests pass on the code as it is (else a "kill" would prove nothing)."""
    env = dict(os.environ, PYTHONPATH=str(COPY), PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests]
    return subprocess.run(command, cwd=COPY, env=env, capture_output=True, timeout=900, check=False).returncode == 0


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTANTS if not argv or any(word in m.name for word in argv)]
    _copy_tree()
    for tests in dict.fromkeys(m.tests for m in chosen):
        if not _baseline(tests):
            print(f"the unmutated code fails {' '.join(tests)}: fix that first")
            return 2
    killed = 0
    for mutant in chosen:
        started = time.perf_counter()
        outcome = _run(mutant)
        killed += outcome == "killed"
        print(f"{outcome:9} {time.perf_counter() - started:5.0f} s  {mutant.name}  ({mutant.path})", flush=True)
    print(f"\n{killed}/{len(chosen)} mutants killed")
    return 0 if killed == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
