"""The server key file: made once, even when several app processes start at the same moment."""

import multiprocessing
import os


def _hmac_in_a_new_process(path: str, start, results) -> None:
    import django
    from django.conf import settings

    django.setup()
    from vault import services

    services._server_key.cache_clear()
    settings.VAULT_SERVER_KEY = ""
    settings.VAULT_SERVER_KEY_PATH = type(settings.VAULT_SERVER_KEY_PATH)(path)
    start.wait()  # every process reaches for the key at the same moment
    results.put(services.server_hmac("receipt", "ABCDE"))


def test_it_makes_one_key_for_processes_that_start_together(tmp_path):
    path = tmp_path / "var" / "server.key"
    # Spawned, not forked: after browser and server tests the test process has threads, and a
    # fork copies whatever lock one of them held at that moment (the pool then hangs).
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(8), context.Queue()
    processes = [context.Process(target=_hmac_in_a_new_process, args=(str(path), start, results)) for _ in range(8)]
    for process in processes:
        process.start()
    hashes = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert len(set(hashes)) == 1
    assert os.listdir(path.parent) == ["server.key"]  # no drafts left behind
    assert path.stat().st_mode & 0o777 == 0o600
