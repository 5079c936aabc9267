"""Measures the card lookup: index build once, then CPU time per query (not run in CI).

Run: .venv/bin/python benchmarks/bench_search.py
"""

from __future__ import annotations

import statistics
import time

from knowledge.loader import load_knowledge_base
from knowledge.search import CardIndex

QUERIES = [
    "résiliation",
    "resiliation",
    "convension",
    "risques entreprise",
    "critères choix association",
    "contrat",
    "évaluation partenariat",
    "mecenat",
    "fréquence des réunions",
    "termination clause",
    "how to choose a partner",
    "zzqxw",
    "tva",
    "comité de pilotage",
    "freins",
]
ROUNDS = 2000


def main() -> None:
    started = time.process_time()
    index = CardIndex(load_knowledge_base())
    build = time.process_time() - started
    cold = []
    for query in QUERIES:
        # First sight of a word: typo and prefix matching run, then are cached.
        t0 = time.process_time_ns()
        index.search(query)
        cold.append((time.process_time_ns() - t0) / 1000)
    samples = []
    for _ in range(ROUNDS):
        for query in QUERIES:
            t0 = time.process_time_ns()
            index.search(query)
            samples.append((time.process_time_ns() - t0) / 1000)
    samples.sort()
    median, p99 = samples[len(samples) // 2], samples[int(len(samples) * 0.99)]
    print(f"cards: {len(index.cards)}, terms: {len(index.vocabulary)}")
    print(f"index build: {build * 1000:.1f} ms CPU (once per process)")
    print(
        f"first lookup of each query: mean {statistics.mean(cold):.0f} µs, max {max(cold):.0f} µs"
    )
    print(
        f"lookup over {len(samples)} queries: mean {statistics.mean(samples):.1f} µs, "
        f"median {median:.1f} µs, p99 {p99:.1f} µs"
    )


if __name__ == "__main__":
    main()
