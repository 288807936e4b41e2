"""Benchmark 8: the most expensive anonymous requests we can build, in CPU seconds and peak memory.

(`python -m bench.attacks --url http://127.0.0.1:PORT` instead reruns every attack of the security
review against a running server: see bench/outside.py.)

The photo bomb of the security review (three 40-megapixel PNGs of ~130 KB each, with an invalid
category) cost 6.5 s of CPU and 450 MB. Each request below is posted to the online box (or the
login) as a web worker would handle it, in this process; its cost is the CPU time of this process
and of the picture decoders it starts, and the peak resident memory of either.

Runs on a SQLite database of its own under bench/out/ (no PostgreSQL needed).
"""

from __future__ import annotations

import io
import resource
import time
from pathlib import Path

from bench import harness
from bench.harness import Figure, log

CPU_TARGET = 3.0  # seconds for one request (the decoders' hard cap is 3 × DECODE_CPU_SECONDS)
MEMORY_TARGET = 300  # MiB of peak resident memory, worker or decoder
REQUESTS = 9


def _png(width: int, height: int, mode: str = "L") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, "PNG")
    return out.getvalue()


def _jpeg(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 40, 40)).save(out, "JPEG", quality=40)
    return out.getvalue()


FILES = harness.OUT / "attack-files"


def _build_files() -> None:
    """The uploads, made once and kept on disk: building a 50 MP picture must not count as the request's cost."""
    from appeals import attachments

    FILES.mkdir(parents=True, exist_ok=True)
    side = int(attachments.MAX_PIXELS_LOSSLESS**0.5)
    made = {
        "bomb.png": lambda: _png(8000, 5000),
        "big.png": lambda: _png(side, side, "RGBA"),
        "big.jpg": lambda: _jpeg(8660, 5770),
        "doc.pdf": lambda: b"%PDF-1.4\n" + b"0" * (8 * 2**20 - 16),
    }
    for name, make in made.items():
        if not (FILES / name).exists():
            (FILES / name).write_bytes(make())


def _requests() -> list[tuple[str, str, dict]]:
    """Each request: its name, its address and its fields, files as (name, path on disk)."""
    from appeals import attachments

    form = {"author_kind": "student", "category": "bullying", "signed": "anonymous"}
    form["text"] = "The older boys take our lunch money every morning behind the gym."
    side = int(attachments.MAX_PIXELS_LOSSLESS**0.5)

    def files(name: str, n: int = 3) -> list:
        return [(f"{i}-{name}", FILES / name) for i in range(n)]

    return [
        ("3 × 40 MP PNG, invalid category (the review's photo bomb)", "/s/rakhmanov/write/",
         {**form, "category": "no-such", "files": files("bomb.png")}),
        ("3 × 40 MP PNG, valid form", "/s/rakhmanov/write/", {**form, "files": files("bomb.png")}),
        (f"3 × {side * side / 1e6:.0f} MP RGBA PNG (the largest lossless picture accepted)", "/s/rakhmanov/write/",
         {**form, "files": files("big.png")}),
        ("3 × 50 MP JPEG (the largest photo accepted, reduced on load)", "/s/rakhmanov/write/",
         {**form, "files": files("big.jpg")}),
        ("3 × 8 MB PDF", "/s/rakhmanov/write/", {**form, "files": files("doc.pdf")}),
        ("an appeal without files (a worker's first trains the triage model)", "/s/rakhmanov/write/", form),
        ("an 11 MB text (the form's limit is 6,000 characters)", "/s/rakhmanov/write/",
         {**form, "text": "ж" * 5_500_000}),
        ("login with a wrong password (Argon2id)", "/accounts/login/", {"username": "director", "password": "wrong-1"}),
        ("wrong receipt code", "/s/rakhmanov/follow/", {"code": "AAAAA-BBBBB-CCCCC-DDDDD"}),
    ]  # fmt: skip


def _body(index: int) -> Path:
    return FILES / f"request-{index}.body"


def _bodies_write() -> None:
    """Each request's body, encoded once as a browser sends it. The request reads it from disk as a
    worker reads its socket: the test client's own copies of a body (its encoding, its in-memory
    payload: three of 24 MB for the PDFs) are not what a worker pays."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import BOUNDARY, encode_multipart

    for index, (_name, _url, data) in enumerate(_requests()):
        files = [SimpleUploadedFile(name, path.read_bytes()) for name, path in data.pop("files", [])]
        _body(index).write_bytes(encode_multipart(BOUNDARY, {**data, "files": files} if files else data))


def _usage() -> tuple[float, float, float]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    return cpu, own.ru_maxrss / 1024, children.ru_maxrss / 1024


DATABASE = harness.OUT / "attacks.sqlite3"


def one(index: int) -> dict:
    """Request number `index`, in a fresh process (so its peak memory is its own): what it cost."""
    harness.django_setup(f"sqlite:///{DATABASE}")
    from django.test import Client
    from django.test.client import MULTIPART_CONTENT

    name, url, _data = _requests()[index]
    client = Client(HTTP_HOST="127.0.0.1")
    client.get(url)  # the browser's counter cookie, as a real visitor has
    body = _body(index)
    with body.open("rb") as stream:
        cpu_before, own_before, _children = _usage()
        started = time.perf_counter()
        environ = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(body.stat().st_size), "wsgi.input": stream}
        status = client.generic("POST", url, **environ).status_code
        wall = time.perf_counter() - started
    cpu_after, own_after, children_peak = _usage()
    return {
        "name": name,
        "status": status,
        "cpu": cpu_after - cpu_before,
        "wall": wall,
        "grown": max(0.0, own_after - own_before),
        "peak": own_after,
        "decoder": children_peak,
    }


def run(scale: float) -> list[Figure]:
    import json
    import subprocess
    import sys

    _build_files()
    DATABASE.unlink(missing_ok=True)
    log("a database with the demo school …")
    setup = (
        "from bench import harness; from bench.attacks import DATABASE; harness.django_setup(f'sqlite:///{DATABASE}'); "
    )
    setup += "from django.core.management import call_command; call_command('migrate', verbosity=0); "
    setup += (
        "from schools.demo import demo_create; demo_create(); from bench.attacks import _bodies_write; _bodies_write()"
    )
    subprocess.run([sys.executable, "-c", setup], cwd=harness.ROOT, check=True, capture_output=True)
    figures = []
    for index in range(REQUESTS):
        code = f"import json; from bench.attacks import one; print(json.dumps(one({index})))"
        out = subprocess.run([sys.executable, "-c", code], cwd=harness.ROOT, check=True, capture_output=True, text=True)
        found = json.loads(out.stdout.strip().splitlines()[-1])
        name, cpu, peak = found["name"], found["cpu"], max(found["peak"], found["decoder"])
        log(
            f"{name}: HTTP {found['status']}, {cpu:.2f} s CPU, worker peak {found['peak']:.0f} MiB "
            f"(+{found['grown']:.0f} in the request), decoder peak {found['decoder']:.0f} MiB"
        )
        figures += [
            Figure("attacks", f"{name}: CPU", cpu, "s", f"≤ {CPU_TARGET} s", cpu <= CPU_TARGET, note=f"HTTP {found['status']}"),
            Figure("attacks", f"{name}: peak memory, worker (growth) / decoder",
                   f"{found['peak']:.0f} (+{found['grown']:.0f}) / {found['decoder']:.0f}", "MiB",
                   f"each ≤ {MEMORY_TARGET} MiB", peak <= MEMORY_TARGET),
        ]  # fmt: skip
    DATABASE.unlink(missing_ok=True)
    for index in range(REQUESTS):
        _body(index).unlink(missing_ok=True)
    return figures


if __name__ == "__main__":
    import sys

    if "--url" in sys.argv:
        from bench.outside import main

        main()
    else:
        harness.child_main(run)
