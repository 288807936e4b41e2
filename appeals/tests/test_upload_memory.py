"""What three 8 MB PDFs cost a web worker's memory: a small multiple of what was sent.

The request's body is read from a file, as a worker reads its socket (the test client would
otherwise copy it into memory first); the peak is tracemalloc's, which counts every Python
allocation (bytes, the database driver's buffers) and is steady from run to run, unlike the
resident size. The first appeal of a worker trains the triage model: it is sent before.
"""

import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from appeals.attachments import MAX_BYTES, MAX_FILES
from appeals.models import Attachment
from appeals.stored import stored_verify

URL = "/s/rakhmanov/write/"
FORM = {
    "author_kind": "student",
    "category": "bullying",
    "signed": "anonymous",
    "text": "The older boys take our lunch money every morning behind the gym.",
}
PDF = b"%PDF-1.4\n" + b"0" * (MAX_BYTES - 16)
SENT = MAX_FILES * len(PDF)
# Held at the peak: the three files as read (the form keeps them), and for the file being stored
# its sealed copy and its copy read back for the chain's digest on SQLite; on PostgreSQL the
# driver writes the sealed copy into the INSERT as hex text, twice the size, then the statement.
ALLOWED = {"sqlite": 2 * SENT, "postgresql": 4 * SENT}


def _post(client, tmp_path, fields: dict) -> tuple[int, int]:
    """The response's status and the peak of the memory the request allocated, in bytes."""
    body = tmp_path / "body"
    body.write_bytes(encode_multipart(BOUNDARY, fields))
    with body.open("rb") as stream:
        environ = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(body.stat().st_size), "wsgi.input": stream}
        tracemalloc.start()
        try:
            start = tracemalloc.get_traced_memory()[0]
            status = client.generic("POST", URL, **environ).status_code
            peak = tracemalloc.get_traced_memory()[1] - start
        finally:
            tracemalloc.stop()
    return status, peak


@pytest.mark.django_db
def test_three_8_mb_pdfs_cost_a_small_multiple_of_their_size(client, demo, tmp_path):
    client.get(URL)
    assert client.post(URL, FORM).status_code == 302  # the worker's first appeal: the triage model
    files = [SimpleUploadedFile(f"letter-{n}.pdf", PDF, "application/pdf") for n in range(MAX_FILES)]

    status, peak = _post(client, tmp_path, {**FORM, "files": files})

    assert status == 302
    assert sorted(Attachment.objects.values_list("size", flat=True)) == [len(PDF)] * MAX_FILES
    assert stored_verify(demo.vault_scope).ok  # each file chained, its digest that of the stored blob
    allowed = ALLOWED[connection.vendor]
    assert peak <= allowed, f"{peak / 2**20:.0f} MiB at the peak for {SENT / 2**20:.0f} MiB sent"
