"""The agent's language handling: agreement on the public data sets and throughput.

Prints the time parser's exact agreement (time, date) on the SGD appointment turns, the inbound
guard's recall on MedQuAD and false-escalation rate on the salon turns, and how many texts per
second the parser, `understand` (every detector of one turn) and the guard handle on this machine.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from services.agent.evaluate import read_jsonl, score_escalation, score_time_parsing
from services.agent.language.guard import check_inbound, check_outbound
from services.agent.language.timeparse import parse_preference
from services.agent.language.understanding import understand

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SAMPLES = [
    "Hi, I'm Sarah, something for my forehead lines",
    "Monday around 2pm",
    "tomorrow morning",
    "after work Thursday",
    "the 12th at 3",
    "Can you book it for the 7th at 4 pm please?",
    "What are the side effects or risks of Botox?",
    "that's expensive",
]


def _rate(fn, texts: list[str], seconds: float = 1.0) -> float:
    """Calls per second of fn over the texts, measured for about `seconds`."""
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for t in texts:
            fn(t)
        n += len(texts)
    return n / elapsed


def main() -> None:
    """Print agreement, recall, false-escalation rate and throughput."""
    sgd, medquad = DATA / "sgd_appointments.jsonl", DATA / "medquad_questions.jsonl"
    texts = list(SAMPLES)
    if sgd.is_file():
        ts = score_time_parsing(read_jsonl(sgd))
        print(f"time parsing agreement   time {ts.time_agreement:.2%} ({ts.time_correct}/{ts.time_total})")
        print(f"                         date {ts.date_agreement:.2%} ({ts.date_correct}/{ts.date_total})")
        texts = [str(row["utterance"]) for _, row in read_jsonl(sgd)]
    else:
        print(f"time parsing agreement   skipped: {sgd} absent")
    if medquad.is_file() and sgd.is_file():
        gs = score_escalation(read_jsonl(medquad))
        score_escalation(read_jsonl(sgd), gs)
        print(f"guard recall             {gs.recall:.2%} ({gs.escalated}/{gs.positives} MedQuAD questions)")
        print(
            f"guard false escalations  {gs.false_escalation_rate:.2%} "
            f"({gs.false_escalations}/{gs.negatives} Services_1 turns)"
        )
        texts += [str(row["question"]) for _, row in read_jsonl(medquad)]
    else:
        print("guard recall             skipped: data sets absent")
    now = datetime(2019, 3, 1, 9, 0)
    print(f"parse throughput         {_rate(lambda t: parse_preference(t, now, 'UTC'), texts):,.0f} texts/s")
    labels = ["Tuesday, Mar 5 at 2pm with Julia", "Wednesday, Mar 6 at 10am with Lilian"]

    def read(text: str) -> object:
        return understand(text, now=now, tz="UTC", option_labels=labels, provider_names=["Julia", "Lilian"])

    print(f"understand throughput    {_rate(read, texts):,.0f} texts/s")
    print(f"inbound guard throughput {_rate(check_inbound, texts):,.0f} texts/s")
    print(f"outbound guard throughput {_rate(check_outbound, texts):,.0f} texts/s")


if __name__ == "__main__":
    main()
