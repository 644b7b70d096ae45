"""The medical guard's learned second line: load time, file size and time per text on one core.

Scores the project's medspa texts and, when the public sets are beside the project, the SGD turns
and the health questions (long, multi-sentence texts: the slow end). Prints p50/p99 per text and
texts per second.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from services.agent.language.medical_model import MODEL_PATH, load_model, padded_word_ngrams

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SETS = {
    "medspa texts": [
        (ROOT / "tests" / "data" / "medspa_chatter.jsonl", "text"),
        (ROOT / "tests" / "data" / "medspa_medical.jsonl", "text"),
    ],
    "sgd turns": [(DATA / "sgd_appointments.jsonl", "utterance")],
    "health questions": [(DATA / "health_questions.jsonl", "question")],
}


def _texts(sources: list[tuple[Path, str]]) -> list[str]:
    out: list[str] = []
    for path, key in sources:
        if path.is_file():
            with path.open(encoding="utf-8") as fh:
                out += [json.loads(line)[key] for line in fh if line.strip()]
    return out


def _per_text(score, texts: list[str], rounds: int = 5) -> list[float]:
    """Seconds per text: each text timed on its own, the best of a few rounds.

    The machine is shared, so one round's figure includes other processes' time slices; the best
    of several is the cost of the scoring itself. Each round starts with an empty word cache and
    fills it as a stream of texts would."""
    best = [float("inf")] * len(texts)
    for _ in range(rounds):
        padded_word_ngrams.cache_clear()
        for i, text in enumerate(texts):
            start = time.perf_counter()
            score(text)
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def main() -> None:
    """Print the weights file's size, load time and per-text latency on each set."""
    start = time.perf_counter()
    model = load_model()
    loaded = time.perf_counter() - start
    size = MODEL_PATH.stat().st_size
    counts = f"{len(model.word):,} word + {len(model.char):,} char weights"
    print(f"weights file             {size / 1024:,.0f} KiB ({counts})")
    print(f"load time                {loaded * 1000:,.0f} ms")
    for name, sources in SETS.items():
        texts = _texts(sources)
        if not texts:
            print(f"{name:<24} skipped: data absent")
            continue
        timings = sorted(_per_text(model.probability, texts))
        p50 = statistics.median(timings)
        p99 = timings[int(0.99 * (len(timings) - 1))]
        rate = len(timings) / sum(timings)
        latency = f"p50 {p50 * 1e6:,.0f} µs  p99 {p99 * 1e6:,.0f} µs"
        print(f"{name:<24} {latency}  {rate:,.0f} texts/s  (n={len(texts):,})")


if __name__ == "__main__":
    main()
