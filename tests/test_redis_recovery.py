"""The worker recovers from a Redis crash by itself: delayed jobs run on time within seconds of Redis's
return (issue #14: RQ's scheduler died with Redis and came back 7–12 minutes later)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from rq import Queue
from rq.job import Job

from jobs.queues import REPORTING, connect
from niochat import embedded
from niochat.config import PROJECT_ROOT

WORKER = "import sys; from jobs.worker import run_worker; run_worker(sys.argv[1], 'bulk')"


def _scheduler_keys(url: str) -> list[bytes]:
    return list(connect(url, retries=0).keys("rq:scheduler-lock:*"))


def _wait(predicate, timeout: float, what: str) -> float:  # type: ignore[no-untyped-def]
    started, last = time.monotonic(), None
    while time.monotonic() - started < timeout:
        try:
            if predicate():
                return time.monotonic() - started
        except Exception as exc:  # Redis still down
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what} (last error: {last!r})")


def test_delayed_jobs_run_on_time_after_redis_is_killed_and_restarted(tmp_path: Path) -> None:
    """SIGKILL Redis under a running worker, start it again, schedule jobs: none runs late."""
    data = tmp_path / "redis"
    url = embedded.ensure_redis(data)
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    worker = subprocess.Popen([sys.executable, "-c", WORKER, url], cwd=PROJECT_ROOT, env=env)
    try:
        _wait(lambda: _scheduler_keys(url), 30, "the scheduler to take its locks")
        os.kill(embedded.redis_running_pid(data) or 0, signal.SIGKILL)
        time.sleep(20)  # the scheduler child meets the dead socket and exits; the worker's backoff grows
        url = embedded.ensure_redis(data)
        conn = connect(url)
        queue = Queue(REPORTING, connection=conn)
        due = time.time() + 3
        jobs = [queue.enqueue_in(timedelta(seconds=3), "operator.add", n, 1) for n in range(5)]
        late = []
        for job in jobs:
            assert worker.poll() is None, "the worker process died with Redis"
            _wait(lambda job=job: Job.fetch(job.id, connection=conn).is_finished, 60, f"job {job.id}")
            late.append(time.time() - due)
        assert max(late) < 15, late  # was 400–700 s
        assert [Job.fetch(j.id, connection=conn).return_value() for j in jobs] == [1, 2, 3, 4, 5]
        scheduler_pids = _children(worker.pid)
        assert scheduler_pids  # the one the watch started after Redis came back
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        embedded.stop_redis(data)
    # Nothing outlives the worker: a scheduler started by the watch during shutdown held `niochat run`'s
    # output open forever.
    _wait(
        lambda: not [pid for pid in scheduler_pids if Path(f"/proc/{pid}").exists()],
        15,
        "the scheduler to end",
    )


def _children(pid: int) -> list[int]:
    return [
        int(c)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for c in (task / "children").read_text().split()
    ]
