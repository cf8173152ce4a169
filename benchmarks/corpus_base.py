"""Shared pieces of the benchmark corpus: word lists, naming, domain entities, the file plan and
the per-file context that templates draw names and imports from."""

from __future__ import annotations

import posixpath
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

NOUNS = (
    "account", "invoice", "project", "task", "order", "customer", "product", "payment", "report", "session",
    "team", "member", "comment", "ticket", "message", "notification", "subscription", "plan", "workspace",
    "dataset", "experiment", "prompt", "evaluation", "label", "tag", "upload", "event", "metric", "dashboard",
    "widget", "chart", "address", "shipment", "inventory", "supplier", "review", "rating", "category",
    "article", "author", "post", "channel", "webhook", "token", "role", "permission", "audit", "schedule",
    "booking", "room", "device", "sensor", "reading", "alert", "job", "pipeline", "artifact", "deployment",
    "release", "feature", "quota", "budget", "expense", "transaction", "ledger", "contract", "lead",
    "campaign", "segment", "survey", "course", "lesson", "quiz", "enrollment", "vendor", "warehouse", "cart",
    "coupon", "folder", "snapshot", "region", "cluster", "node", "batch", "trace", "span",
)
ADJECTIVES = (
    "active", "pending", "archived", "recent", "featured", "shared", "public", "private", "draft", "primary",
    "latest", "default", "cached", "filtered", "sorted", "grouped", "selected", "visible", "remote", "local",
    "daily", "monthly", "bulk", "inline", "compact", "detailed", "stale", "pinned", "trending", "flagged",
)
VERBS = (
    "load", "fetch", "sync", "update", "create", "remove", "archive", "restore", "export", "import",
    "validate", "normalize", "compute", "resolve", "refresh", "publish", "approve", "reject", "assign",
    "merge", "split", "track", "render", "format", "parse", "schedule", "notify", "summarize", "rank", "score",
)
STRING_FIELDS = ("title", "description", "status", "email", "slug", "label", "currency", "notes", "region", "code")
INT_FIELDS = ("count", "quantity", "priority", "position", "version", "retries")
FLOAT_FIELDS = ("amount", "score", "price", "weight", "ratio", "total")
BOOL_FIELDS = ("isActive", "archived", "pinned", "verified")
DATE_FIELDS = ("dueDate", "startedAt", "closedAt", "publishedAt")
MAX_LINES = 600  # no generated source file grows past this


def pascal(*words: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in words)


def camel(*words: str) -> str:
    name = pascal(*words)
    return name[:1].lower() + name[1:]


def snake(*words: str) -> str:
    return "_".join(re.sub(r"(?<!^)([A-Z])", r"_\1", w).lower() for w in words)


def kebab(*words: str) -> str:
    return snake(*words).replace("_", "-")


def plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


@dataclass(frozen=True)
class Field:
    name: str  # camelCase
    kind: str  # string | int | float | bool | date | ref


@dataclass(frozen=True)
class Entity:
    words: tuple[str, ...]
    fields: tuple[Field, ...]
    parent: Entity | None = None

    @property
    def name(self) -> str:
        return pascal(*self.words)

    @property
    def var(self) -> str:
        return camel(*self.words)

    @property
    def snake(self) -> str:
        return snake(*self.words)

    @property
    def plural_var(self) -> str:
        return camel(*self.words[:-1], plural(self.words[-1]))

    @property
    def plural_snake(self) -> str:
        return snake(*self.words[:-1], plural(self.words[-1]))

    @property
    def route(self) -> str:
        return "/" + kebab(*self.words[:-1], plural(self.words[-1]))

    def of(self, *kinds: str) -> list[Field]:
        return [f for f in self.fields if f.kind in kinds]

    @property
    def text_field(self) -> str:
        return self.of("string")[0].name

    @property
    def number_field(self) -> str:
        return self.of("int", "float")[0].name


def make_entities(rng: random.Random, count: int) -> list[Entity]:
    """``count`` distinct entities: single nouns first, then compounds; about half belong to a parent."""
    nouns = list(NOUNS)
    rng.shuffle(nouns)
    word_sets: list[tuple[str, ...]] = [(n,) for n in nouns[:count]]
    while len(word_sets) < count:
        pair = (rng.choice(NOUNS), rng.choice(NOUNS))
        if pair[0] != pair[1] and pair not in word_sets:
            word_sets.append(pair)
    entities: list[Entity] = []
    for words in word_sets:
        chosen = [Field(rng.choice(("name", "title")), "string")]
        chosen += [Field(n, "string") for n in rng.sample(STRING_FIELDS[1:], rng.randint(1, 3))]
        chosen += [Field(n, "int") for n in rng.sample(INT_FIELDS, rng.randint(0, 2))]
        chosen += [Field(n, "float") for n in rng.sample(FLOAT_FIELDS, rng.randint(1, 2))]
        chosen += [Field(n, "bool") for n in rng.sample(BOOL_FIELDS, rng.randint(0, 2))]
        chosen += [Field(n, "date") for n in rng.sample(DATE_FIELDS, rng.randint(0, 1))]
        parent = rng.choice(entities) if entities and rng.random() < 0.55 else None
        if parent is not None and parent.var in {f.name for f in chosen}:
            parent = None  # the relation field would clash with a scalar field of the same name
        if parent is not None:
            chosen.append(Field(parent.var + "Id", "ref"))
        entities.append(Entity(tuple(words), tuple(chosen), parent))
    return entities


@dataclass
class Module:
    """One planned file. ``exports`` are fixed at planning time so that other files can import them."""

    path: str  # relative to the corpus root, '/' separators
    kind: str
    target: int  # lines to grow the file to
    entity: Entity | None = None
    exports: list[str] = field(default_factory=list)


@dataclass
class Plan:
    entities: list[Entity]
    modules: list[Module] = field(default_factory=list)

    def of(self, *kinds: str) -> list[Module]:
        return [m for m in self.modules if m.kind in kinds]

    def barrel_dirs(self) -> set[str]:
        return {posixpath.dirname(m.path) for m in self.modules if m.kind == "barrel"}


def fill(template: str, **values: object) -> str:
    """Replace «key» placeholders; templates use them because braces and ``$`` are code in TS and Python."""

    def value(match: re.Match[str]) -> str:
        return str(values[match.group(1)])

    return re.sub(r"«(\w+)»", value, template)


def line_count(text: str) -> int:
    return text.count("\n")


def target_lines(rng: random.Random, median: float, low: int = 30, high: int = MAX_LINES) -> int:
    """A skewed size like real source trees: most files are short, a few are long."""
    return int(min(high, max(low, rng.lognormvariate(0, 0.6) * median)))


class FileContext:
    """Per-file state: a seeded generator, names already declared here, and imports the body used."""

    def __init__(self, plan: Plan, module: Module, seed: int):
        self.plan = plan
        self.module = module
        self.rng = random.Random(f"{seed}:{module.path}")
        self.used: set[str] = set(module.exports)
        self.imports: dict[str, set[str]] = {}  # target module path -> names
        self.type_imports: dict[str, set[str]] = {}
        self.stdlib: set[str] = set()  # standard-library import lines the body needs
        self.external: dict[str, set[str]] = {}  # package -> names ("default:X" and "*:X" for those forms)
        self._candidates: dict[str, list[tuple[Module, str]]] = {}

    @property
    def entity(self) -> Entity:
        return self.module.entity or self.plan.entities[0]

    def other_entity(self) -> Entity:
        return self.rng.choice(self.plan.entities)

    def fresh(self, make: Callable[[], str]) -> str:
        for _ in range(30):
            name = make()
            if name not in self.used:
                break
        else:
            name = f"{make()}{len(self.used)}"
        self.used.add(name)
        return name

    def fresh_fn(self, style: Callable[..., str] = camel) -> str:
        return self.fresh(lambda: style(self.rng.choice(VERBS), self.rng.choice(ADJECTIVES), self.rng.choice(NOUNS)))

    def pick(self, seq: Sequence[str], k: int) -> list[str]:
        return self.rng.sample(list(seq), min(k, len(seq)))

    def use(self, *kinds: str, type_only: bool = False, where: Callable[[str], bool] | None = None) -> str | None:
        """Import one exported name from another planned module of ``kinds``; None when there is none."""
        key = ",".join(kinds)
        if key not in self._candidates:
            self._candidates[key] = [
                (m, name)
                for m in self.plan.of(*kinds)
                if m.path != self.module.path and same_package(m.path, self.module.path)
                for name in m.exports
            ]
        options = [o for o in self._candidates[key] if where is None or where(o[1])]
        if not options:
            return None
        target, name = self.rng.choice(options)
        (self.type_imports if type_only else self.imports).setdefault(target.path, set()).add(name)
        return name

    def need(self, package: str, *names: str) -> None:
        self.external.setdefault(package, set()).update(names)

    def use_type(self, entity: Entity) -> str:
        for m in self.plan.of("types", "schema"):
            if m.entity == entity and same_package(m.path, self.module.path):
                self.type_imports.setdefault(m.path, set()).add(entity.name)
        return entity.name


def same_package(a: str, b: str) -> bool:
    return a.split("/", 1)[0] == b.split("/", 1)[0]
