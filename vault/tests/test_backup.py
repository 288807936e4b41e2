"""`ishenim backup` and `ishenim restore`: one encrypted archive, back into an empty installation."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from appeals.models import Appeal
from journal.models import Volume
from journal.services import journal_verify
from reports.counts import counts_verify
from reports.models import FigureCount
from schools.demo import DEMO_PASSWORD
from vault.backup import MAGIC, BackupError, backup_restore
from vault.services import Keyring, user_key_unlock
from vault.tests.helpers import full_appeal

PASSPHRASE = "correct horse battery staple 2026"


def opening_books_verify() -> bool:
    """The opening books, when there are any."""
    from openings.models import Book
    from openings.services import openings_verify

    return all(openings_verify(book).ok for book in Book.objects.all())


@pytest.fixture
def archive(tmp_path, demo, monkeypatch):
    appeals = {}
    for marker in ("BK1", "BK2"):
        appeal, plain = full_appeal(demo, marker=marker)
        appeals[appeal.pk] = plain
    district_appeal, plain = full_appeal(demo, marker="BK3", to_district=True)
    appeals[district_appeal.pk] = plain
    path = tmp_path / "ishenim.backup"
    monkeypatch.setenv("ISHENIM_BACKUP_PASSPHRASE", PASSPHRASE)
    call_command("backup", str(path), stdout=io.StringIO())
    return path, appeals


def test_it_writes_an_archive_that_reveals_nothing(archive):
    path, appeals = archive
    raw = path.read_bytes()
    assert raw.startswith(MAGIC)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    for plain in appeals.values():
        for value in plain.values():
            assert value.encode() not in raw
    for word in (b"rakhmanov", b"director", b"Rakhmanov", "Рахманов".encode()):
        assert word not in raw


@pytest.mark.django_db(transaction=True)  # flush needs its own transaction on PostgreSQL
def test_it_restores_into_an_empty_installation_and_everything_reads_back(archive, client, login, monkeypatch):
    path, appeals = archive
    call_command("flush", interactive=False, verbosity=0)
    assert not Appeal.objects.exists()

    call_command("restore", str(path), stdout=io.StringIO())

    assert set(Appeal.objects.values_list("pk", flat=True)) == set(appeals)
    assert all(journal_verify(volume).ok for volume in Volume.objects.all())
    assert Volume.objects.count() >= 2  # the school's and the district's
    assert opening_books_verify()
    assert FigureCount.objects.exists() and counts_verify() == []  # the figures count the restored appeals
    User = get_user_model()
    for username in ("director", "district"):
        user = User.objects.get(username=username)
        ring = Keyring(user, user_key_unlock(user, DEMO_PASSWORD))
        for appeal in Appeal.objects.filter(district__isnull=(username == "director")):
            plain = appeals[appeal.pk]
            assert ring.open_text(appeal.text_sealed) == plain["text"]
            assert json.loads(ring.open_text(appeal.author_sealed))["name"] == plain["name"]
    # and through the web, with a staff login after the restore
    login("director")
    assert client.get("/staff/rakhmanov/").status_code == 200


@pytest.mark.django_db(transaction=True)  # flush needs its own transaction on PostgreSQL
def test_it_refuses_a_wrong_passphrase(archive):
    path, _ = archive
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(BackupError, match="passphrase"):
        backup_restore(path, passphrase="not the right passphrase")
    assert not Appeal.objects.exists()


@pytest.mark.django_db(transaction=True)  # flush needs its own transaction on PostgreSQL
def test_it_refuses_an_altered_or_truncated_archive(archive, tmp_path):
    path, _ = archive
    call_command("flush", interactive=False, verbosity=0)
    raw = bytearray(path.read_bytes())
    altered = tmp_path / "altered.backup"
    raw[len(raw) // 2] ^= 1
    altered.write_bytes(bytes(raw))
    with pytest.raises(BackupError):
        backup_restore(altered, passphrase=PASSPHRASE)
    cut = tmp_path / "cut.backup"
    cut.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(BackupError):
        backup_restore(cut, passphrase=PASSPHRASE)


def test_it_refuses_to_restore_over_a_live_installation(archive):
    path, _ = archive
    with pytest.raises(CommandError, match="empty installation"):
        call_command("restore", str(path), stdout=io.StringIO())


def test_it_refuses_a_short_passphrase(tmp_path, demo, monkeypatch):
    monkeypatch.setenv("ISHENIM_BACKUP_PASSPHRASE", "short")
    with pytest.raises(CommandError, match="12 characters"):
        call_command("backup", str(tmp_path / "x.backup"))
    assert not (tmp_path / "x.backup").exists()
