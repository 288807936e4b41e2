"""The server key file: made once, even when several app processes start at the same moment."""

import multiprocessing
import os


def _hmac_in_a_new_process(path: str) -> str:
    from django.conf import settings

    from vault import services

    services._server_key.cache_clear()
    settings.VAULT_SERVER_KEY = ""
    settings.VAULT_SERVER_KEY_PATH = type(settings.VAULT_SERVER_KEY_PATH)(path)
    return services.server_hmac("receipt", "ABCDE")


def test_it_makes_one_key_for_processes_that_start_together(tmp_path):
    path = tmp_path / "var" / "server.key"
    with multiprocessing.get_context("fork").Pool(8) as pool:
        hashes = pool.map(_hmac_in_a_new_process, [str(path)] * 32)
    assert len(set(hashes)) == 1
    assert os.listdir(path.parent) == ["server.key"]  # no drafts left behind
    assert path.stat().st_mode & 0o777 == 0o600
