"""The facts of the spa a suite runs against, read from its spa file (names, number, time zone)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml


@dataclass(frozen=True)
class SpaFacts:
    """What the checker and the player need: the spa's id, number, zone, catalog and people."""

    id: str
    number: str
    timezone: ZoneInfo
    services: dict[str, str]  # catalog key -> name
    providers: dict[str, str]  # provider key -> first name
    clients: frozenset[str]  # numbers of clients the spa file knows


def read_spa(path: str | Path) -> SpaFacts:
    """The spa file's facts; a clear error if it lacks what a suite needs."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return SpaFacts(
            id=data["id"],
            number=data["sms"]["numbers"][0],
            timezone=ZoneInfo(data["timezone"]),
            services={s["key"]: s["name"] for s in data["catalog"]},
            providers={p["key"]: p["name"].split()[0] for p in data["providers"]},
            clients=frozenset(str(c["phone"]) for c in data.get("clients") or []),
        )
    except (OSError, yaml.YAMLError, KeyError, IndexError, TypeError) as exc:
        raise ValueError(f"{path}: not a usable spa file ({type(exc).__name__}: {exc})") from None
