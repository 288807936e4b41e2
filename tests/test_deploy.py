"""deploy/: the systemd units and the nginx site pass `systemd-analyze verify` and `nginx -t`
(deploy/check.sh, which CI runs too), and a unit or log format that breaks the rules is caught."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "deploy"
TOOLS = all(
    shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists() for tool in ("systemd-analyze", "nginx", "openssl")
)
# No skipping: a machine without the tools fails here, as `.ci/run` (which installs them) would.
needs_tools = pytest.mark.usefixtures("_tools")


@pytest.fixture
def _tools():
    assert TOOLS, "systemd-analyze, nginx and openssl are needed (apt: systemd nginx-light openssl)"


def check(deploy: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(deploy / "check.sh")], capture_output=True, text=True, timeout=120)


def copy(tmp_path: Path) -> Path:
    """deploy/ in a tree of its own whose .venv is this one's."""
    shutil.copytree(DEPLOY, tmp_path / "deploy")
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    return tmp_path / "deploy"


@needs_tools
def test_it_passes_systemd_analyze_and_nginx_t():
    result = check(DEPLOY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nginx logs: no addresses, no user agents" in result.stdout


@needs_tools
def test_it_catches_a_broken_unit(tmp_path):
    deploy = copy(tmp_path)
    unit = deploy / "systemd" / "ishenim-worker.service"
    unit.write_text(
        unit.read_text()
        .replace("ishenim db_worker", "no-such-program db_worker")
        .replace("Type=exec", "Type=sometimes")
    )
    result = check(deploy)
    assert result.returncode != 0


@needs_tools
def test_it_catches_a_log_format_with_addresses(tmp_path):
    deploy = copy(tmp_path)
    site = deploy / "nginx" / "ishenim.conf"
    site.write_text(site.read_text().replace("'$time_iso8601 ", "'$remote_addr $time_iso8601 "))
    result = check(deploy)
    assert result.returncode != 0 and "names a visitor" in result.stderr


@needs_tools
def test_it_catches_an_nginx_syntax_error(tmp_path):
    deploy = copy(tmp_path)
    site = deploy / "nginx" / "ishenim.conf"
    site.write_text(site.read_text().replace("proxy_read_timeout 300s;", "proxy_read_timeout 300s"))
    assert check(deploy).returncode != 0


def test_it_runs_the_web_worker_tick_and_backup_through_the_ishenim_command():
    units = {path.name: path.read_text() for path in (DEPLOY / "systemd").iterdir()}
    assert "ExecStart=/srv/ishenim/.venv/bin/ishenim serve" in units["ishenim-web.service"]
    assert "ExecStart=/srv/ishenim/.venv/bin/ishenim db_worker" in units["ishenim-worker.service"]
    assert "ExecStart=/srv/ishenim/.venv/bin/ishenim tick" in units["ishenim-tick.service"]
    assert "OnCalendar=*-*-* *:*:00" in units["ishenim-tick.timer"]
    assert 'ishenim" backup' in (DEPLOY / "backup.sh").read_text()
    assert "--passphrase-file" in (DEPLOY / "backup.sh").read_text()
    install = (DEPLOY / "install.sh").read_text()
    assert install.startswith("#!/bin/sh") or install.startswith("#!/usr/bin/env bash")
    for unit in units:
        assert unit in install or unit.endswith(".service") and unit.replace(".service", ".timer") in install, unit
