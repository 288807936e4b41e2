"""Anonymity: no trace of the visitor, no content in the clear, anywhere."""

import logging
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from appeals.models import Appeal
from appeals.services import message_post
from appeals.tests.helpers import database_bytes, jpeg_with_gps

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.77"
AGENT = "Mozilla/5.0 (Linux; Android 9; Distinctive-Phone-Z42) Trace/7.7"
TEXT = "Физика мугалими экзамен үчүн акча талап кылат, 500 сом. Уникалдуу-белги-QX7."
NAME = "Жамиля Уникалдуубекова"
PHONE_DIGITS = "555987654"


def test_it_no_address_user_agent_or_content_is_written_anywhere(demo, caplog, capsys, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    caplog.set_level(logging.DEBUG)
    visitor = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT, HTTP_X_FORWARDED_FOR=ADDRESS)
    visitor.get("/s/rakhmanov/")
    visitor.get("/s/rakhmanov/write/")
    photo = SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = visitor.post(
        "/s/rakhmanov/write/",
        {
            "author_kind": "parent",
            "signed": "signed",
            "full_name": NAME,
            "school_class": "9А",
            "phone": "0" + PHONE_DIGITS,
            "address": "Уникалдуу көчөсү 77",
            "category": "corruption",
            "text": TEXT,
            "files": [photo],
        },
        follow=True,
    )
    code = response.context["code"]
    visitor.post("/s/rakhmanov/follow/message/", {"body": "Кошумча: Уникалдуу-кабар-ZZ9"})
    Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT).post("/s/rakhmanov/follow/", {"code": "WRONG-CODE"})
    visitor.get("/s/rakhmanov/receipt.pdf")
    visitor.get("/s/rakhmanov/nothing-here/")  # a 404 is logged by Django: it must not name the visitor
    appeal = Appeal.objects.get()
    director = demo.memberships.get(role="director").user
    message_post(appeal=appeal, side="answer", body="Жооп: Уникалдуу-жооп-KK1", sender=director)

    stored = database_bytes()
    logs = caplog.text + "".join(capsys.readouterr())
    for trace in (ADDRESS, AGENT, "Distinctive-Phone-Z42"):
        assert trace.encode() not in stored, trace
        assert trace not in logs, trace
    for secret in (
        "Уникалдуу-белги-QX7",
        NAME,
        PHONE_DIGITS,
        "Уникалдуу көчөсү",
        "Уникалдуу-кабар-ZZ9",
        "Уникалдуу-жооп-KK1",
        "IMG_0001",
        code,
        code.replace("-", ""),
    ):
        assert secret.encode() not in stored, secret
        assert secret not in logs, secret
    assert b"PhoneMaker" not in stored  # the photo's EXIF did not reach the database either


def _database_file(connection, tmp_path) -> bytes:
    """The whole database as it lies on disk: a copy of the SQLite file, or pg_dump's output."""
    if connection.vendor == "sqlite":
        target = tmp_path / "copy.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(target)])
        content = target.read_bytes()
        assert content[:16] == b"SQLite format 3\x00"
        return content
    params = connection.get_connection_params()
    return subprocess.run(
        [
            "pg_dump",
            "--no-owner",
            "-h",
            params.get("host") or "127.0.0.1",
            "-p",
            str(params.get("port") or 5432),
            "-U",
            params.get("user") or "postgres",
            params["dbname"],
        ],
        check=True,
        capture_output=True,
    ).stdout


@pytest.mark.django_db(transaction=True)
def test_it_database_file_holds_no_text_in_the_clear(demo, tmp_path):
    """The same check on the database as a whole: the SQLite file, or a dump of PostgreSQL."""
    from django.db import connection

    Client().post(
        "/s/rakhmanov/write/",
        {"author_kind": "student", "signed": "anonymous", "category": "bullying", "text": TEXT},
    )
    assert Appeal.objects.count() == 1
    content = _database_file(connection, tmp_path)
    assert b"bullying" in content  # the category stays in the clear
    assert "Уникалдуу-белги-QX7".encode() not in content and TEXT.encode() not in content
