"""A coarse guard only: the measured figures come from bench/nlu.py (docs/benchmarks.md)."""

from __future__ import annotations

import subprocess
import sys
import time

from assistant.nlu import classify
from assistant.nlu.dataset import INTENTS_FILE, read


def test_loads_in_a_fresh_interpreter_well_within_budget() -> None:
    snippet = "from assistant.nlu import classify; classify('oi, quero a segunda via')"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", snippet], check=True)
    # target < 1 s (bench/nlu.py measures it); the margin absorbs a busy CI machine and interpreter start
    assert time.perf_counter() - start < 5.0


def test_classify_cpu_time_is_milliseconds() -> None:
    texts = [f"{e.text} {i}" for i, e in enumerate(read(INTENTS_FILE))]  # uncached
    classify("oi")
    samples = []
    for text in texts:
        start = time.thread_time()
        classify(text)
        samples.append(time.thread_time() - start)
    samples.sort()
    assert samples[int(0.95 * len(samples))] < 0.005
