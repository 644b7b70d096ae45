"""Reading a spa file (YAML): the scheduler's sections, validated, with line numbers on every error.

The file format is in docs/CONVENTIONS.md and docs/scheduler.md. Other services read their own
sections (`sms`, `notifiers`) from the same file, so unknown top-level keys are ignored here; inside
the scheduler's sections unknown keys are an error (a typo must not silently drop a setting).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from services.scheduler.domain import Closure, Interval, ProviderDef, Rules, ServiceDef, SpaCatalog
from shared.contracts.envelope import TenantId
from shared.contracts.sms import E164

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Money = Annotated[Decimal, Field(ge=0, max_digits=9, decimal_places=2)]
WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}
# Languages a spa may reply in (ISO 639-1): those its clients commonly text in, US first.
LANGUAGES = frozenset("en es fr pt it de zh vi ko tl ru ar ja hi fa pl uk ht he hy pa ur bn th km".split())
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_ID_NAMESPACE = uuid5(NAMESPACE_URL, "https://frontdesk.dev/spa")


def stable_id(spa_id: str, kind: str, key: str) -> UUID:
    """The same id for the same spa, kind and key on every load: reloading a file is idempotent."""
    return uuid5(_ID_NAMESPACE, f"{spa_id}/{kind}/{key}")


def parse_hours(value: str | list[str]) -> list[Interval]:
    """'09:00-17:00', a list of such spans, or 'closed'; '24:00' is the end of the day."""
    spans = [value] if isinstance(value, str) else list(value)
    out: list[Interval] = []
    for span in spans:
        if span.strip().lower() == "closed":
            continue
        m = _SPAN.match(span)
        if not m:
            raise ValueError(f"hours must look like '09:00-17:00' or 'closed', got {span!r}")
        h0, m0, h1, m1 = (int(g) for g in m.groups())
        if h0 > 23 or m0 > 59 or h1 > 24 or m1 > 59 or (h1 == 24 and m1):
            raise ValueError(f"not a time of day in {span!r}")
        start = time(h0, m0)
        end = time.max if h1 == 24 else time(h1, m1)
        if start >= end:
            raise ValueError(f"a span must end after it starts: {span!r}")
        out.append((start, end))
    out.sort()
    for (_, a1), (b0, _) in itertools.pairwise(out):
        if b0 < a1:
            raise ValueError("working spans overlap")
    return out


def weekly_hours(value: dict[str, str | list[str]]) -> dict[int, list[Interval]]:
    """{'mon': '09:00-17:00', ...} as {0: [(09:00, 17:00)], ...}."""
    week: dict[int, list[Interval]] = {}
    for name, spans in value.items():
        day = WEEKDAYS.get(name.lower())
        if day is None:
            raise ValueError(f"unknown weekday {name!r}: use mon, tue, wed, thu, fri, sat, sun")
        if day in week:
            raise ValueError(f"{name!r} is given twice")
        week[day] = parse_hours(spans)
    return week


Hours = str | list[str]


class Section(BaseModel):
    """A part of the scheduler's sections: unknown keys are typos, not extensions."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RulesSpec(Section):
    lead_time_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)
    horizon_days: int = Field(default=60, ge=1, le=365)
    slot_minutes: int = Field(default=15, ge=5, le=120)
    buffer_minutes: int = Field(default=0, ge=0, le=120)
    consult_first: bool = Field(
        default=True, description="a new client is offered a service's consultation before the service"
    )


class ServiceSpec(Section):
    key: Key
    name: str = Field(min_length=1, max_length=120)
    category: str = Field(min_length=1, max_length=40)
    duration_minutes: int = Field(ge=5, le=8 * 60)
    price: Money
    consultation: bool = False
    free_consult: bool = False
    consult: Key | None = Field(default=None, description="key of the consultation that precedes it")
    requires: str = Field(min_length=1, max_length=40, description="qualification a provider needs")
    words: list[Annotated[str, StringConstraints(min_length=1, max_length=60)]] = Field(default_factory=list)
    about: str = Field(
        default="",
        max_length=240,
        description="what the service is and is for, as the front desk says it to a client who asks",
    )


def _off_or_hours(off: bool, hours: Hours | None, what: str, flag: str) -> None:
    """A dated entry closes the day (`flag: true`) or gives that day's own hours: one, never both."""
    if off == (hours is not None):
        raise ValueError(f"{what} is either '{flag}: true' or has 'hours'")
    if hours is not None:
        parse_hours(hours)


class ExceptionSpec(Section):
    day: date = Field(alias="date")
    # Not `off`: YAML 1.1 reads a bare `off` key as the boolean false.
    time_off: bool = False
    hours: Hours | None = None
    reason: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ExceptionSpec:
        _off_or_hours(self.time_off, self.hours, "an exception", "time_off")
        return self


class ClosureSpec(Section):
    """A holiday or short day for the whole spa: `closed: true`, or the day's own `hours`."""

    day: date = Field(alias="date")
    closed: bool = False
    hours: Hours | None = None
    reason: str = Field(default="", max_length=80)

    @model_validator(mode="after")
    def _one_kind(self) -> ClosureSpec:
        _off_or_hours(self.closed, self.hours, "a closure", "closed")
        return self

    def closure(self) -> Closure:
        return Closure(self.day, () if self.closed else tuple(parse_hours(self.hours or [])), self.reason)


class ProviderSpec(Section):
    key: Key
    name: str = Field(min_length=1, max_length=120)
    first_name: str | None = None
    credentials: list[str] = Field(default_factory=list)
    qualifications: list[str] = Field(min_length=1)
    room: str | None = None
    hours: dict[str, Hours]
    exceptions: list[ExceptionSpec] = Field(default_factory=list)

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, Hours]) -> dict[str, Hours]:
        weekly_hours(value)
        return value


class PackageSpec(Section):
    key: Key
    name: str = Field(min_length=1, max_length=120)
    service: Key
    sessions: int = Field(ge=1, le=100)
    price: Money


class MembershipSpec(Section):
    key: Key
    name: str = Field(min_length=1, max_length=120)
    monthly_price: Money
    discount_percent: int = Field(default=0, ge=0, le=100)
    covers: list[Key] = Field(default_factory=list)


class ClientPackageSpec(Section):
    package: Key
    sessions_remaining: int = Field(ge=0, le=100)


class ClientSpec(Section):
    phone: E164
    name: str | None = Field(default=None, max_length=120)
    packages: list[ClientPackageSpec] = Field(default_factory=list)
    membership: Key | None = None


class SmsSection(BaseModel):
    """The gateway's section: the scheduler only reads the help text for the spa profile."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    help_text: str = ""


class SpaFile(BaseModel):
    """One spa, as the scheduler reads it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: TenantId
    name: str = Field(min_length=1, max_length=120)
    timezone: str
    address: str = ""
    parking_note: str = ""
    languages: list[str] = Field(default_factory=lambda: ["en"], min_length=1, max_length=10)
    sms: SmsSection = Field(default_factory=SmsSection)
    booking_rules: RulesSpec = Field(default_factory=RulesSpec)
    opening_hours: dict[str, Hours]
    closures: list[ClosureSpec] = Field(default_factory=list)
    catalog: list[ServiceSpec] = Field(min_length=1)
    providers: list[ProviderSpec] = Field(min_length=1)
    packages: list[PackageSpec] = Field(default_factory=list)
    memberships: list[MembershipSpec] = Field(default_factory=list)
    clients: list[ClientSpec] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        codes = [code.strip().lower() for code in value]
        unknown = [c for c in codes if c not in LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language code(s) {unknown}: use ISO 639-1 codes such as en, es")
        if len(set(codes)) != len(codes):
            raise ValueError("a language is listed twice")
        return codes

    @field_validator("opening_hours")
    @classmethod
    def _valid_opening(cls, value: dict[str, Hours]) -> dict[str, Hours]:
        weekly_hours(value)
        return value

    @field_validator("closures")
    @classmethod
    def _one_closure_a_day(cls, value: list[ClosureSpec]) -> list[ClosureSpec]:
        days = [c.day for c in value]
        twice = sorted({d.isoformat() for d in days if days.count(d) > 1})
        if twice:
            raise ValueError(f"a day has two closures: {', '.join(twice)}")
        return value

    # ----- derived -----
    def closure_map(self) -> dict[date, Closure]:
        return {c.day: c.closure() for c in self.closures}

    def service_id(self, key: str) -> UUID:
        return stable_id(self.id, "service", key)

    def provider_id(self, key: str) -> UUID:
        return stable_id(self.id, "provider", key)

    def package_id(self, key: str) -> UUID:
        return stable_id(self.id, "package", key)

    def membership_id(self, key: str) -> UUID:
        return stable_id(self.id, "membership", key)

    def rules(self) -> Rules:
        r = self.booking_rules
        return Rules(r.lead_time_minutes, r.horizon_days, r.slot_minutes, r.buffer_minutes, r.consult_first)

    def service_defs(self) -> list[ServiceDef]:
        return [
            ServiceDef(
                id=self.service_id(s.key),
                key=s.key,
                name=s.name,
                category=s.category,
                duration_minutes=s.duration_minutes,
                price_cents=cents(s.price),
                is_consultation=s.consultation,
                free_consult=s.free_consult,
                consult_service_id=self.service_id(s.consult) if s.consult else None,
                requires=s.requires,
                words=tuple(s.words),
                about=s.about.strip(),
            )
            for s in self.catalog
        ]

    def provider_defs(self) -> list[ProviderDef]:
        return [
            ProviderDef(
                id=self.provider_id(p.key),
                key=p.key,
                name=p.name,
                first_name=p.first_name or p.name.split()[0],
                qualifications=frozenset(p.qualifications),
                weekly=weekly_hours(p.hours),
                exceptions={e.day: ([] if e.time_off else parse_hours(e.hours or [])) for e in p.exceptions},
                credentials=tuple(p.credentials),
            )
            for p in self.providers
        ]

    def catalog_view(self) -> SpaCatalog:
        """The in-memory catalog straight from the file (tests and benchmarks use it)."""
        return SpaCatalog(
            id=self.id,
            name=self.name,
            timezone=self.timezone,
            opening=weekly_hours(self.opening_hours),
            rules=self.rules(),
            services={s.id: s for s in self.service_defs()},
            providers={p.id: p for p in self.provider_defs()},
            address=self.address,
            parking_note=self.parking_note,
            help_text=self.sms.help_text,
            languages=tuple(self.languages),
            closures=self.closure_map(),
        )


def cents(amount: Decimal) -> int:
    """Dollars in the file, cents in the database."""
    return int((amount * 100).to_integral_value())


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spa file."""

    line: int | None
    where: str
    reason: str

    def __str__(self) -> str:
        at = f"line {self.line}" if self.line else "file"
        return f"{at}: {self.where}: {self.reason}" if self.where else f"{at}: {self.reason}"


class SpaFileError(ValueError):
    """A spa file that cannot be loaded; nothing of it was written."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(str(p) for p in problems))


def _line_of(root: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at a pydantic error location (its nearest existing parent)."""
    node = root
    if node is None:
        return None
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            found = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if found is None:
                # A key named in the location but absent in the file (e.g. the key itself is wrong).
                key = next((k for k, _ in node.value if getattr(k, "value", None) == part), None)
                return (key.start_mark.line + 1) if key else node.start_mark.line + 1
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            continue  # a union branch name in the location; stay on this node
    return node.start_mark.line + 1


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("str", "list[str]") or "[" in str(part):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


Found = list[tuple[tuple[int | str, ...], str]]


def _duplicates(section: str, items: list[Any], attr: str = "key") -> tuple[set[str], Found]:
    """The section's values of `attr`, and an error for each one seen twice."""
    seen: set[str] = set()
    errors: Found = []
    for i, item in enumerate(items):
        value = getattr(item, attr)
        if value in seen:
            errors.append(((section, i, attr), f"duplicate {attr} {value!r}"))
        seen.add(value)
    return seen, errors


def _catalog_references(spa: SpaFile) -> Found:
    """Each service's consultation exists and is one; someone is qualified to perform it."""
    services = {s.key: s for s in spa.catalog}
    qualifications = {q for p in spa.providers for q in p.qualifications}
    errors: Found = []
    for i, s in enumerate(spa.catalog):
        target = services.get(s.consult) if s.consult is not None else None
        if s.consult is not None and target is None:
            errors.append((("catalog", i, "consult"), f"no service with key {s.consult!r}"))
        elif target is not None and not target.consultation:
            errors.append((("catalog", i, "consult"), f"{s.consult!r} is not a consultation"))
        if s.requires not in qualifications:
            errors.append((("catalog", i, "requires"), f"no provider has the qualification {s.requires!r}"))
    return errors


def _offer_references(spa: SpaFile, services: set[str]) -> Found:
    """Packages and memberships name services of the catalog."""
    errors: Found = [
        (("packages", i, "service"), f"no service with key {p.service!r}")
        for i, p in enumerate(spa.packages)
        if p.service not in services
    ]
    for i, m in enumerate(spa.memberships):
        errors += [
            (("memberships", i, "covers", j), f"no service with key {key!r}")
            for j, key in enumerate(m.covers)
            if key not in services
        ]
    return errors


def _client_references(spa: SpaFile, packages: set[str], memberships: set[str]) -> Found:
    """Clients hold packages and memberships the spa sells."""
    errors: Found = []
    for i, c in enumerate(spa.clients):
        errors += [
            (("clients", i, "packages", j, "package"), f"no package {cp.package!r}")
            for j, cp in enumerate(c.packages)
            if cp.package not in packages
        ]
        if c.membership is not None and c.membership not in memberships:
            errors.append((("clients", i, "membership"), f"no membership {c.membership!r}"))
    return errors


def _cross_check(spa: SpaFile) -> Found:
    """References between sections: keys exist, are unique, and every service can be performed."""
    services, errors = _duplicates("catalog", spa.catalog)
    errors += _duplicates("providers", spa.providers)[1]
    packages, found = _duplicates("packages", spa.packages)
    errors += found
    memberships, found = _duplicates("memberships", spa.memberships)
    errors += found
    errors += _duplicates("clients", spa.clients, "phone")[1]
    errors += _catalog_references(spa)
    errors += _offer_references(spa, services)
    errors += _client_references(spa, packages, memberships)
    return errors


def parse(text: str, path: str = "<spa file>") -> SpaFile:
    """Validate a spa file's text; raises SpaFileError naming the line and reason of each problem."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SpaFileError(path, [Problem(line, "", f"not valid YAML: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise SpaFileError(path, [Problem(None, "", f"not valid YAML: {exc}")]) from exc
    if not isinstance(data, dict):
        raise SpaFileError(path, [Problem(1, "", "a spa file is a mapping (id, name, timezone, ...)")])
    try:
        spa = SpaFile.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(_line_of(root, tuple(e["loc"])), _where(tuple(e["loc"])), e["msg"]) for e in exc.errors()
        ]
        raise SpaFileError(path, problems) from exc
    cross = _cross_check(spa)
    if cross:
        raise SpaFileError(path, [Problem(_line_of(root, loc), _where(loc), msg) for loc, msg in cross])
    return spa


def read(path: str | Path) -> SpaFile:
    """Read and validate a spa file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpaFileError(str(p), [Problem(None, "", f"cannot read: {exc.strerror}")]) from exc
    return parse(text, str(p))
