"""Where the running instance is: `niochat run` writes `instance/run.json`, other terminals read it.

Why: a second terminal's `niochat status` or `niochat inbox create --json` knows only its own
environment, so with `WEB_PORT=9000 make run` it checked and printed :8000. The file holds what a
person may see (URLs and ports, never a credential), is replaced atomically, and is ignored once its
process is gone (a run killed with -9 leaves a stale file behind).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from niochat.config import Settings

FILE_NAME = "run.json"
# The settings a second terminal takes from the running instance, unless its environment sets them.
ADOPTED = ("public_url", "web_host", "web_port", "dashboards_host", "dashboards_port", "dashboards_base_path")


def run_file(settings: Settings) -> Path:
    return settings.instance_path / FILE_NAME


def write_run_file(settings: Settings) -> Path:
    path = run_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"pid": os.getpid(), **{key: getattr(settings, key) for key in ADOPTED}}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1))
    tmp.replace(path)
    return path


def remove_run_file(settings: Settings) -> None:
    """Only our own: a second `run` that refused to start must not erase the first one's file."""
    path = run_file(settings)
    record = _read(path)
    if record is not None and record.get("pid") == os.getpid():
        path.unlink(missing_ok=True)


def read_running(settings: Settings) -> dict[str, Any] | None:
    """The live instance's record, or None when there is none or its process has ended."""
    record = _read(run_file(settings))
    if record is None or not _alive(record.get("pid")):
        return None
    return record


def adopt_running(settings: Settings) -> Settings:
    """These settings, with the running instance's addresses for every one the environment left unset."""
    record = read_running(settings)
    if record is None:
        return settings
    explicit = settings.model_fields_set
    update = {key: record[key] for key in ADOPTED if key in record and key not in explicit}
    return settings.model_copy(update=update) if update else settings


def _read(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True
