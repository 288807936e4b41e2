"""What every benchmark shares: figures and targets, databases, the production server.

A benchmark is a module with `run(scale: float) -> list[Figure]`. `python -m bench`
runs each one in its own process (`python -m bench.<name> --scale S --json OUT`),
so each gets fresh settings, its own database and honest memory figures.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/ishenim_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
# The benchmark's own server key: receipt codes and rate limits need one, and
# the benchmark must never read or create the key of a real installation.
SERVER_KEY = "YmVuY2gtc2VydmVyLWtleS1ub3QtZm9yLXByb2R1Y3Rpb24="


@dataclass
class Figure:
    """One measured figure; `target` is a human sentence, `met` None when it is information only."""

    benchmark: str
    name: str
    value: float | str
    unit: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""

    def shown(self) -> str:
        if isinstance(self.value, float):
            digits = 0 if abs(self.value) >= 100 else 1 if abs(self.value) >= 10 else 2
            return f"{self.value:,.{digits}f} {self.unit}".strip()
        return f"{self.value} {self.unit}".strip()


@dataclass
class Settings:
    """Where the benchmark runs, read from the environment once."""

    database_url: str = field(default_factory=lambda: os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    redis_url: str = field(default_factory=lambda: os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))

    def database(self, suffix: str = "") -> str:
        """The benchmark's database URL, or a sibling database named `<name>_<suffix>`."""
        parts = urlsplit(self.database_url)
        name = parts.path.lstrip("/") + (f"_{suffix}" if suffix else "")
        return urlunsplit(parts._replace(path="/" + name))


def env_for(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production-like process on the benchmark's database."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="ishenim.settings",
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY="bench-" + hashlib.sha256(database_url.encode()).hexdigest(),
        VAULT_SERVER_KEY=SERVER_KEY,
        ISHENIM_VAR_DIR=str(OUT / "var"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def django_setup(database_url: str | None = None, **extra: str) -> None:
    """Configure this process like the production server, then start Django."""
    os.environ.update(env_for(database_url or os.environ.get("DATABASE_URL") or Settings().database(), **extra))
    import django

    django.setup()


# --- databases ------------------------------------------------------------------


def _admin_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def _name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def postgres_ready(url: str) -> str:
    """'' when the server answers, else why not."""
    try:
        with _admin_connection(url) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable"
        return str(exc).strip().splitlines()[0]
    return ""


def database_exists(url: str) -> bool:
    with _admin_connection(url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [_name(url)]).fetchone() is not None


def database_drop(url: str) -> None:
    from psycopg import sql

    with _admin_connection(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(_name(url))))


def database_create(url: str, template: str | None = None) -> None:
    from psycopg import sql

    query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(_name(url)))
    if template:
        query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(_name(template)))
    with _admin_connection(url) as conn:
        conn.execute(query)


def schema_fingerprint() -> str:
    """Changes whenever a migration file changes: a stale template or data set is rebuilt."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/0*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()[:10]


def migrated_template(settings: Settings) -> str:
    """A migrated, empty database to copy from (CREATE DATABASE … TEMPLATE is instant)."""
    url = settings.database(f"tpl_{schema_fingerprint()}")
    if not database_exists(url):
        log(f"migrating a new template database {_name(url)} …")
        partial = url + "_partial"
        database_drop(partial)
        database_create(partial)
        subprocess.run([PYTHON, "-m", "ishenim.cli", "migrate", "-v", "0"], env=env_for(partial), check=True, cwd=ROOT)
        subprocess.run(
            [PYTHON, "-m", "ishenim.cli", "createcachetable", "-v", "0"], env=env_for(partial), check=True, cwd=ROOT
        )
        with _admin_connection(url) as conn:
            from psycopg import sql

            conn.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    sql.Identifier(_name(partial)), sql.Identifier(_name(url))
                )
            )
        _drop_stale(settings, keep=_name(url), prefix=f"{_name(settings.database())}_tpl_")
    return url


def _drop_stale(settings: Settings, *, keep: str, prefix: str) -> None:
    with _admin_connection(settings.database_url) as conn:
        names = [
            row[0] for row in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"])
        ]
    for name in names:
        if name != keep:
            database_drop(settings.database(name[len(_name(settings.database())) + 1 :]))


def fresh_database(settings: Settings, suffix: str) -> str:
    """An empty, migrated database `<bench>_<suffix>`, replacing any earlier one."""
    template = migrated_template(settings)
    url = settings.database(suffix)
    database_drop(url)
    database_create(url, template=template)
    return url


# --- the production server ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def collect_static(database_url: str) -> None:
    """The manifest and the compressed copies that WhiteNoise serves with DEBUG=0, and the triage model's weights
    in var/triage/ (as `ishenim serve` does): the workers then read them instead of each training the model."""
    for command in (
        ["collectstatic", "--noinput", "-v", "0"],
        ["shell", "-v", "0", "-c", "from appeals import triage; triage.warm_up()"],
    ):
        subprocess.run([PYTHON, "-m", "ishenim.cli", *command], env=env_for(database_url), check=True, cwd=ROOT)


@contextlib.contextmanager
def server(database_url: str, *, workers: int | None = None, threads: int | None = None, **extra: str) -> Iterator[str]:
    """`ishenim serve`'s gunicorn on a free loopback port; yields its base URL.

    Runs gunicorn with exactly the arguments `ishenim serve` gives it (workers
    and threads from ISHENIM_WORKERS / ISHENIM_THREADS, access log off as
    `--no-access-log` does), after collecting static files once.
    """
    from ishenim.management.commands.serve import Command

    port = free_port()
    options = Command().create_parser("ishenim", "serve").parse_args([])
    argv = [
        PYTHON,
        "-m",
        "gunicorn",
        "ishenim.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers or options.workers),
        "--threads",
        str(threads or options.threads),
        "--forwarded-allow-ips",
        "127.0.0.1",
    ]
    OUT.mkdir(parents=True, exist_ok=True)
    errors = open(OUT / "server.log", "ab")  # noqa: SIM115 - closed below, after the process
    process = subprocess.Popen(  # noqa: S603
        argv, env=env_for(database_url, **extra), cwd=ROOT, stdout=errors, stderr=errors, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    SERVERS[base] = process.pid
    try:
        wait_for(base + "/healthz", process)
        yield base
    finally:
        SERVERS.pop(base, None)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        errors.close()


SERVERS: dict[str, int] = {}


def server_memory_mib(base: str) -> tuple[float, int]:
    """Resident memory of a running server started by `server` (master and workers), and its process count."""
    master = SERVERS[base]
    pids = [master]
    with contextlib.suppress(OSError):
        for child in Path(f"/proc/{master}/task/{master}/children").read_text().split():
            pids.append(int(child))
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024, len(pids)


def wait_for(url: str, process: subprocess.Popen | None = None, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}; see {OUT / 'server.log'}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


# --- measuring --------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), nearest-rank, of unsorted values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def peak_rss_mib() -> float:
    """This process's peak resident memory, from the kernel."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def log(message: str) -> None:
    print(f"  · {message}", file=sys.stderr, flush=True)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    return f"{os.cpu_count()} × {cpu}{memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def child_main(benchmark: Callable[[float], list[Figure]]) -> None:
    """The entry point of `python -m bench.<name>`: run, print, and write JSON for the parent."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures = benchmark(args.scale)
    if args.json:
        args.json.write_text(json.dumps([asdict(f) for f in figures], ensure_ascii=False))
    else:
        from bench.table import table

        print(table(figures))
