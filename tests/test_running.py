"""A second terminal finds the running instance (`instance/run.json`) instead of assuming :8000/:8501."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from niochat.cli import cli, manage, status  # noqa: F401  (registers the commands)
from niochat.config import load_settings, reset_settings
from niochat.running import ADOPTED, adopt_running, read_running, remove_run_file, run_file, write_run_file


@pytest.fixture()
def second_terminal(settings, monkeypatch) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The test environment without the addresses a developer's second terminal would not set."""
    for key in ("WEB_PORT", "DASHBOARDS_PORT", "PUBLIC_URL"):
        monkeypatch.delenv(key, raising=False)
    reset_settings()
    yield
    run_file(settings).unlink(missing_ok=True)
    reset_settings()


def _running_elsewhere(settings, pid: int, web_port: int = 9123, dash_port: int = 9124) -> None:  # type: ignore[no-untyped-def]
    record = {"pid": pid, "public_url": f"http://localhost:{web_port}", "web_host": "127.0.0.1",
              "web_port": web_port, "dashboards_host": "127.0.0.1", "dashboards_port": dash_port,
              "dashboards_base_path": ""}  # fmt: skip
    run_file(settings).write_text(json.dumps(record))


def test_public_url_follows_web_port(second_terminal, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Without PUBLIC_URL, `WEB_PORT=9000 make run` prints URLs on :9000, not :8000."""
    monkeypatch.setenv("WEB_PORT", "9000")
    assert load_settings().public_url == "http://localhost:9000"


def test_adopts_the_running_instance(settings, second_terminal) -> None:  # type: ignore[no-untyped-def]
    """Ports and URL come from the live instance's file when the environment leaves them unset."""
    _running_elsewhere(settings, os.getpid())
    adopted = adopt_running(load_settings())
    assert (adopted.web_port, adopted.dashboards_port) == (9123, 9124)
    assert adopted.public_url == "http://localhost:9123"


def test_environment_wins_over_the_file(settings, second_terminal, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An explicit WEB_PORT (a second instance on purpose) is never overridden."""
    _running_elsewhere(settings, os.getpid())
    monkeypatch.setenv("WEB_PORT", "9555")
    adopted = adopt_running(load_settings())
    assert adopted.web_port == 9555 and adopted.dashboards_port == 9124


def test_stale_file_is_ignored(settings, second_terminal) -> None:  # type: ignore[no-untyped-def]
    """A run killed with -9 leaves its file; a dead pid means nothing is running."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    _running_elsewhere(settings, dead.pid)
    assert read_running(load_settings()) is None
    assert adopt_running(load_settings()).web_port == 8000


def test_write_and_remove_only_our_own(settings, second_terminal) -> None:  # type: ignore[no-untyped-def]
    """A second `run` that refused to start must not erase the first one's file."""
    current = load_settings()
    write_run_file(current)
    assert read_running(current) == {"pid": os.getpid(), **{k: getattr(current, k) for k in ADOPTED}}
    remove_run_file(current)
    assert not run_file(current).exists()
    _running_elsewhere(settings, os.getppid())
    remove_run_file(current)
    assert run_file(current).exists()


def test_inbox_create_prints_the_running_url(settings, db, second_terminal) -> None:  # type: ignore[no-untyped-def]
    """`niochat inbox create --json` in another terminal prints webhook URLs of the running instance."""
    _running_elsewhere(settings, os.getpid(), web_port=9321)
    runner = CliRunner()
    assert runner.invoke(cli, ["tenant", "create", "--slug", "provedor-px", "--name", "P"]).exit_code == 0
    args = ["--tenant", "provedor-px", "--channel", "telegram", "--json", "--credential", "bot_token=123:abc"]
    result = runner.invoke(cli, ["inbox", "create", *args])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["webhook_url"].startswith("http://localhost:9321/webhooks/telegram/")


def test_status_checks_the_running_ports(settings, db, second_terminal) -> None:  # type: ignore[no-untyped-def]
    """`niochat status` probes the running instance's web port, not the default one."""
    _running_elsewhere(settings, os.getpid(), web_port=9411, dash_port=9412)
    report = json.loads(CliRunner().invoke(cli, ["status", "--json"]).output)
    web = next(p for p in report["parts"] if p["name"] == "web")
    assert ":9411/readyz" in web["detail"]
