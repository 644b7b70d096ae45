"""Train the medical guard's learned second line and write its weights file.

    frontdesk eval train-guard [--data DIR] [--out PATH] [--folds N] [--show N]

Positives: the public health questions (NLM consumer and clinician questions, MedQuAD) and the
train split of tests/data/medspa_medical.jsonl. Negatives: the Schema-Guided Dialogue appointment
turns of all four services and the train split of tests/data/medspa_chatter.jsonl. The medspa
sets are split by a stable hash of the text; their dev split is never trained on.

Held-out figures come from grouped k-fold cross-validation (a MedQuAD drug or topic, an NLM
question template or an SGD dialogue never sits on both sides of a fold) and from the medspa dev
split. The threshold is chosen on the out-of-fold scores only (see docs/guard-model.md), so the dev
split stays a clean check. Needs the `train` extra (scikit-learn); the runtime does not.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from services.agent.language import medical_model as runtime

REPO_ROOT = Path(__file__).resolve().parents[2]
MEDSPA_MEDICAL = REPO_ROOT / "tests" / "data" / "medspa_medical.jsonl"
MEDSPA_CHATTER = REPO_ROOT / "tests" / "data" / "medspa_chatter.jsonl"
DEV_SHARE = 30  # percent of each medspa set held out as its dev split
MEDSPA_WEIGHT = 10.0  # a client's own words count more than a clinician's or a salon dialogue's
DEFAULT_C = 1.0
PRUNE_BELOW = 0.02  # weights smaller than this are dropped from the shipped file
DECIMALS = 4
# The rule for the threshold: the highest recall whose out-of-fold false escalation stays within
# these limits on each named negative set.
FALSE_ESCALATION_LIMITS = {"sgd Services_1": 0.003, "medspa chatter": 0.01}
THRESHOLD_GRID = tuple(round(0.05 + 0.01 * i, 2) for i in range(91))
REPORT_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass(frozen=True)
class Example:
    """One text, whether it is medical, the set it comes from and its cross-validation group."""

    text: str
    medical: bool
    source: str
    group: str


@dataclass
class Corpus:
    """The training examples and the medspa dev split that is only ever scored."""

    train: list[Example] = field(default_factory=list)
    dev: list[Example] = field(default_factory=list)


def data_dir(explicit: Path | None = None) -> Path:
    """--data, else FRONTDESK_DATA_DIR, else ../shared/data beside the repository."""
    if explicit is not None:
        return explicit
    env = os.environ.get("FRONTDESK_DATA_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Each non-blank line of a JSON Lines file."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def is_dev(text: str) -> bool:
    """The medspa dev split: a stable hash of the text, the same on every machine and run."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % 100 < DEV_SHARE


# "What are the symptoms of Flu?" and "How to diagnose Flu?" are one topic: keep them in one fold.
_TOPIC = re.compile(
    r"^(?:what (?:is|are|causes)|how to diagnose|what are the \w+ of) (?:the )?(.+?) ?\?$", re.I
)


def _health_group(row: dict[str, Any], index: int) -> str:
    match = _TOPIC.match(row["question"]) if row.get("source") == "MEDIQA2019-QA-Alexa" else None
    return f"topic:{match.group(1).lower()}" if match else f"health:{index}"


def public_examples(directory: Path) -> list[Example]:
    """The public development sets, each text with its source and cross-validation group."""
    out: list[Example] = []
    for i, row in enumerate(read_jsonl(directory / "health_questions.jsonl")):
        source = f"health {row.get('qtype', '')}".strip()
        out.append(Example(row["question"], True, source, _health_group(row, i)))
    for row in read_jsonl(directory / "medquad_questions.jsonl"):
        out.append(Example(row["question"], True, "medquad", f"focus:{row['focus'].lower()}"))
    for row in read_jsonl(directory / "sgd_appointments.jsonl"):
        source = f"sgd {row['service']}"
        out.append(Example(row["utterance"], False, source, f"dialogue:{row['dialogue_id']}"))
    return out


def medspa_examples(path: Path, medical: bool, source: str) -> Iterator[tuple[bool, Example]]:
    """(is dev, example) for each line of one of the project's medspa sets."""
    for i, row in enumerate(read_jsonl(path)):
        text = row["text"]
        yield is_dev(text), Example(text, medical, source, f"{source}:{i}")


def load_corpus(directory: Path) -> Corpus:
    """Public sets plus the medspa train splits for training; the medspa dev splits apart."""
    corpus = Corpus(train=public_examples(directory))
    for path, medical, source in (
        (MEDSPA_MEDICAL, True, "medspa medical"),
        (MEDSPA_CHATTER, False, "medspa chatter"),
    ):
        for dev, example in medspa_examples(path, medical, source):
            (corpus.dev if dev else corpus.train).append(example)
    return corpus


# ----- the model -----


@dataclass
class Trained:
    """A fitted model: its two vectorizers and the logistic regression over their union."""

    word: CountVectorizer
    char: CountVectorizer
    classifier: LogisticRegression

    def matrix(self, texts: Sequence[str]) -> Any:
        """Presence features of the texts (word columns, then char columns)."""
        return hstack([self.word.transform(texts), self.char.transform(texts)]).tocsr()

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """scikit-learn's probability that each text is medical."""
        if not texts:
            return np.zeros(0)
        return self.classifier.predict_proba(self.matrix(texts))[:, 1]


def _vectorizers(min_df: int) -> tuple[CountVectorizer, CountVectorizer]:
    common: dict[str, Any] = {"preprocessor": runtime.prepare, "binary": True, "min_df": min_df}
    word = CountVectorizer(token_pattern=runtime.WORD_PATTERN, ngram_range=runtime.WORD_NGRAMS, **common)
    char = CountVectorizer(analyzer="char_wb", ngram_range=runtime.CHAR_NGRAMS, **common)
    return word, char


def weight_of(example: Example) -> float:
    """Training weight: the project's own medspa texts count more."""
    return MEDSPA_WEIGHT if example.source.startswith("medspa") else 1.0


def fit(examples: Sequence[Example], *, c: float = DEFAULT_C, min_df: int = 2) -> Trained:
    """Fit vectorizers and a class-balanced logistic regression, then prune and round the weights."""
    texts = [e.text for e in examples]
    word, char = _vectorizers(min_df)
    x = hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
    y = np.array([e.medical for e in examples], dtype=int)
    classifier = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, solver="liblinear")
    classifier.fit(x, y, sample_weight=np.array([weight_of(e) for e in examples]))
    trained = Trained(word, char, classifier)
    _prune(trained)
    return trained


def _prune(trained: Trained) -> None:
    # The shipped file carries rounded weights above a floor; make the fitted model carry exactly
    # those, so every figure reported is the figure of the file that ships.
    coef = np.round(trained.classifier.coef_, DECIMALS)
    coef[np.abs(coef) < PRUNE_BELOW] = 0.0
    trained.classifier.coef_ = coef
    trained.classifier.intercept_ = np.round(trained.classifier.intercept_, DECIMALS)


def export(trained: Trained, threshold: float, report: dict[str, Any] | None = None) -> dict[str, Any]:
    """The weights file's content: the non-zero weights by n-gram, intercept, threshold, figures."""
    coef = trained.classifier.coef_[0]
    n_word = len(trained.word.vocabulary_)

    def weights(vocabulary: dict[str, int], offset: int) -> dict[str, float]:
        items = ((g, float(coef[offset + i])) for g, i in vocabulary.items())
        return {g: w for g, w in sorted(items) if w != 0.0}

    return {
        "format": runtime.FORMAT,
        "word_pattern": runtime.WORD_PATTERN,
        "word_ngrams": list(runtime.WORD_NGRAMS),
        "char_ngrams": list(runtime.CHAR_NGRAMS),
        "preprocess": "shared.text.for_matching(text, accents=False)",
        "intercept": float(trained.classifier.intercept_[0]),
        "threshold": threshold,
        "word": weights(trained.word.vocabulary_, 0),
        "char": weights(trained.char.vocabulary_, n_word),
        "report": report or {},
        "attribution": "docs/data-attribution.md",
    }


def write_weights(content: dict[str, Any], path: Path) -> None:
    """Write the weights file, byte-for-byte the same for the same content (no gzip name or timestamp)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    with (
        path.open("wb") as fh,
        gzip.GzipFile(filename="", fileobj=fh, mode="wb", mtime=0, compresslevel=9) as gz,
    ):
        gz.write(raw)


# ----- held-out evaluation and the threshold -----


def out_of_fold(examples: Sequence[Example], folds: int, *, c: float = DEFAULT_C) -> np.ndarray:
    """Each example's probability from a model that never saw its group."""
    y = np.array([e.medical for e in examples], dtype=int)
    groups = [e.group for e in examples]
    scores = np.zeros(len(examples))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=0)
    for k, (train_idx, test_idx) in enumerate(splitter.split(np.zeros(len(y)), y, groups), start=1):
        print(f"  fold {k}/{folds}: training on {len(train_idx)}, scoring {len(test_idx)}", flush=True)
        model = fit([examples[i] for i in train_idx], c=c)
        scores[test_idx] = model.probabilities([examples[i].text for i in test_idx])
    return scores


def by_source(examples: Sequence[Example], scores: np.ndarray) -> dict[str, tuple[bool, np.ndarray]]:
    """Scores grouped by source set: {source: (positive set?, scores)}."""
    out: dict[str, list[float]] = {}
    kind: dict[str, bool] = {}
    for example, score in zip(examples, scores, strict=True):
        out.setdefault(example.source, []).append(float(score))
        kind[example.source] = example.medical
    return {s: (kind[s], np.array(v)) for s, v in sorted(out.items())}


def rate(scores: np.ndarray, threshold: float) -> float:
    """Share at or above the threshold: recall on a positive set, false escalation on a negative one."""
    return float(np.mean(scores >= threshold)) if len(scores) else 0.0


def choose_threshold(sets: dict[str, tuple[bool, np.ndarray]]) -> float:
    """The lowest threshold (the highest recall) whose false escalation stays within the limits."""
    for threshold in THRESHOLD_GRID:
        if all(rate(sets[name][1], threshold) <= limit for name, limit in FALSE_ESCALATION_LIMITS.items()):
            return threshold
    return THRESHOLD_GRID[-1]


def table(title: str, sets: dict[str, tuple[bool, np.ndarray]], thresholds: Iterable[float]) -> list[str]:
    """Rows: each set's recall (positives) or false-escalation rate (negatives) per threshold."""
    thresholds = list(thresholds)
    head = f"  {title:<32}{'n':>6}  " + " ".join(f"{t:>6.2f}" for t in thresholds)
    rows = [head]
    for name, (positive, scores) in sets.items():
        label = f"{'recall' if positive else 'false esc'} {name}"
        cells = " ".join(f"{rate(scores, t):>6.1%}" for t in thresholds)
        rows.append(f"  {label:<32}{len(scores):>6}  {cells}")
    return rows


def summary(sets: dict[str, tuple[bool, np.ndarray]], threshold: float) -> dict[str, dict[str, float]]:
    """The figures at the chosen threshold, for the weights file's report."""
    return {
        name: {
            "n": len(scores),
            ("recall" if pos else "false_escalation"): round(rate(scores, threshold), 4),
        }
        for name, (pos, scores) in sets.items()
    }


def _misses(examples: Sequence[Example], scores: np.ndarray, threshold: float, limit: int) -> list[str]:
    wrong = [(e, s) for e, s in zip(examples, scores, strict=True) if (s >= threshold) != e.medical]
    return [
        f"    {s:.2f} {'miss' if e.medical else 'false'} [{e.source}] {e.text[:140]}"
        for e, s in wrong[:limit]
    ]


# ----- command line -----


def run(directory: Path, out: Path, folds: int, show: int, c: float = DEFAULT_C) -> int:
    """Cross-validate, choose the threshold, fit on all training examples, score dev, write weights."""
    corpus = load_corpus(directory)
    print(f"training examples {len(corpus.train)}, medspa dev examples {len(corpus.dev)}")
    oof = out_of_fold(corpus.train, folds, c=c)
    oof_sets = by_source(corpus.train, oof)
    threshold = choose_threshold(oof_sets)
    print(f"  fitting the shipped model on all {len(corpus.train)} training examples", flush=True)
    model = fit(corpus.train, c=c)
    dev_scores = model.probabilities([e.text for e in corpus.dev])
    dev_sets = by_source(corpus.dev, dev_scores)
    shown = sorted({*REPORT_THRESHOLDS, threshold})
    print("\n".join(["", f"held out ({folds}-fold, grouped) out-of-fold:", *table("set", oof_sets, shown)]))
    print("\n".join(["", "medspa dev split (never trained on):", *table("set", dev_sets, shown)]))
    report = {"threshold_rule": FALSE_ESCALATION_LIMITS, "out_of_fold": summary(oof_sets, threshold)}
    report["medspa_dev"] = summary(dev_sets, threshold)
    content = export(model, threshold, report)
    write_weights(content, out)
    print(f"\nthreshold {threshold:.2f}; {len(content['word'])} word and {len(content['char'])} char weights")
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")
    if show:
        print("held-out mistakes at the threshold:")
        print(
            "\n".join(
                _misses(corpus.train, oof, threshold, show) + _misses(corpus.dev, dev_scores, threshold, show)
            )
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    """`frontdesk eval train-guard`: train, report held-out figures, write the weights file."""
    parser = argparse.ArgumentParser(prog="frontdesk eval train-guard", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="the public data sets (default: ../shared/data)")
    parser.add_argument("--out", type=Path, default=runtime.MODEL_PATH, help="where to write the weights")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    parser.add_argument("--c", type=float, default=DEFAULT_C, help="inverse regularisation strength")
    parser.add_argument("--show", type=int, default=0, metavar="N", help="print N held-out mistakes")
    args = parser.parse_args(argv)
    directory = data_dir(args.data)
    missing = [
        n
        for n in ("health_questions.jsonl", "medquad_questions.jsonl", "sgd_appointments.jsonl")
        if not (directory / n).is_file()
    ]
    if missing:
        print(
            f"error: {directory} lacks {', '.join(missing)} (set --data or FRONTDESK_DATA_DIR)",
            file=sys.stderr,
        )
        return 2
    return run(directory, args.out, args.folds, args.show, args.c)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
