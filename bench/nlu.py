"""The offline NLU's speed: load time in a fresh interpreter, and per-message latency of classify,
sentiment and extract against a baseline (a bare keyword lookup on lowercased words), in the same run.

    .venv/bin/python -m bench.nlu [--rounds 5] [--save]

Targets (issue #11): loads in under a second, classifies in under 5 ms. Messages: the labelled set
(tests/data/nlu_intents.tsv) plus long rambling ones, each timed `--rounds` times; cold calls (the first
of each distinct message, before the normalization cache is warm) are reported apart. Latency is
reported as CPU time of the calling thread (what the code costs) next to wall time (what a caller
waited, including time the machine gave to other processes).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date

from assistant.nlu.dataset import INTENTS_FILE, read

LONG = (
    "olha eu vou te falar viu, eu moro aqui faz uns 5 anos, sempre paguei tudo certinho, nunca atrasei, "
    "e agora essa semana a internet ta caindo toda hora, de noite principalmente, meu filho estuda online "
    "e nao consegue assistir as aulas, ja desliguei o roteador da tomada e liguei de novo umas dez vezes "
    "e nada, meu cpf é 529.982.247-25, contrato 17402, se nao resolverem ate sexta eu vou cancelar. "
)
KEYWORDS = {"boleto": "fatura", "fatura": "fatura", "internet": "sem_conexao", "cancelar": "cancelamento"}

LOAD_SNIPPET = """
import time
t0 = time.perf_counter()
from assistant.nlu import classify, sentiment, extract
t1 = time.perf_counter()
classify("oi bom dia quero a segunda via")
t2 = time.perf_counter()
print(f"{t1 - t0:.4f} {t2 - t0:.4f}")
"""


def baseline(text: str) -> str:
    """The least a classifier can do: lowercase, split, look words up."""
    for word in text.lower().split():
        if word in KEYWORDS:
            return KEYWORDS[word]
    return "outro"


def load_times(runs: int) -> list[tuple[float, float]]:
    """(import, import + first classify) seconds, each in a fresh interpreter."""
    out = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", LOAD_SNIPPET], capture_output=True, text=True, check=True
        )
        first, second = done.stdout.split()
        out.append((float(first), float(second)))
    return out


def timings(fn: Callable[[str], object], texts: list[str], rounds: int) -> tuple[list[float], list[float]]:
    """(CPU ms, wall ms) per call. CPU time is this thread's own work; wall time also counts the waits
    for a core, which on a shared 2-core machine dominate the slow tail."""
    cpu, wall = [], []
    for _ in range(rounds):
        for text in texts:
            start_cpu, start = time.thread_time(), time.perf_counter()
            fn(text)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.thread_time() - start_cpu) * 1000)
    return cpu, wall


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--save", action="store_true", help="write the report into docs/benchmarks.md")
    args = parser.parse_args()
    from assistant.nlu import classify, extract, sentiment
    from assistant.nlu.normalize import normalize

    texts = [e.text for e in read(INTENTS_FILE)] + [LONG * k for k in (1, 2, 4)]
    loads = load_times(3)
    cold_texts = [f"{t} {i}" for i, t in enumerate(texts)]  # never seen: normalize cache misses
    today = date(2026, 12, 3)
    rows = [
        ("baseline (keyword lookup)", timings(baseline, texts, args.rounds)),
        ("classify", timings(classify, texts, args.rounds)),
        ("classify, cold", timings(classify, cold_texts, 1)),
        ("sentiment", timings(sentiment, texts, args.rounds)),
        ("extract", timings(lambda t: extract(t, today=today), texts, args.rounds)),
    ]
    normalize.cache_clear()
    base_p95 = max(pct(rows[0][1][0], 0.95), 1e-4)
    lines = [
        f"Command: `.venv/bin/python -m bench.nlu --rounds {args.rounds}`",
        "",
        f"Load (fresh interpreter, 3 runs): import {max(i for i, _ in loads) * 1000:.0f} ms, "
        f"import + first classify {max(f for _, f in loads) * 1000:.0f} ms (worst run; target < 1 s)",
        "",
        "| call | calls | CPU p50 | CPU p95 | CPU p99 | CPU max | wall p95 | CPU p95 / baseline |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, (cpu, wall) in rows:
        lines.append(
            f"| {name} | {len(cpu)} | {pct(cpu, 0.5):.3f} ms | {pct(cpu, 0.95):.3f} ms | "
            f"{pct(cpu, 0.99):.3f} ms | {max(cpu):.3f} ms | {pct(wall, 0.95):.3f} ms | "
            f"{pct(cpu, 0.95) / base_p95:.0f}× |"
        )
    report = "\n".join(lines)
    print(report)
    if args.save:
        from bench.harness import save

        save(report, "nlu", "Offline NLU (assistant/nlu)")


if __name__ == "__main__":
    main()
