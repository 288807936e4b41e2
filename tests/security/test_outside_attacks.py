"""The security review's attacks (issue 12), rerun from outside against a real server.

A production-like gunicorn (DEBUG=0, `bench.harness.server`) on the test database — the SQLite
file, or PostgreSQL when DATABASE_URL names it — and `python -m bench.attacks --url … --prepare`,
which makes the demo school and prints closed/open for each of the nine attacks. Every one
must be closed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench import harness
from tests.test_scaling import _database_url

NUMBERS = set(range(1, 10))
# Key derivation as cheap as the other tests make it: the stored parameters go with each key.
FAST = {"VAULT_ARGON2_TIME": "1", "VAULT_ARGON2_MEMORY_KIB": "64", "DB_CONN_MAX_AGE": "0"}


@pytest.mark.django_db(transaction=True)
def test_every_attack_of_the_review_is_closed_from_outside(django_db_setup, tmp_path):
    database = _database_url()
    harness.collect_static(database)
    found = tmp_path / "attacks.json"
    with harness.server(database, workers=2, threads=4, **FAST) as base:
        attacks = subprocess.run(
            [sys.executable, "-m", "bench.attacks", "--url", base, "--prepare", "--json", str(found)],
            env=harness.env_for(database, **FAST),
            cwd=harness.ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    printed = attacks.stdout + attacks.stderr
    results = json.loads(found.read_text())
    assert {r["attack"] for r in results} == NUMBERS, printed
    still_open = [f"{r['attack']} {r['name']}: {r['seen']}" for r in results if not r["closed"]]
    assert not still_open, printed
    assert attacks.returncode == 0, printed
