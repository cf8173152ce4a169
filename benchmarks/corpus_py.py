"""Python web-service templates for the corpus: SQLAlchemy models and repositories, pydantic schemas,
FastAPI routers, package ``__init__`` files and the fixed entry points."""

from __future__ import annotations

import posixpath
import textwrap

from corpus_base import ADJECTIVES, NOUNS, VERBS, Entity, FileContext, fill, line_count, snake
from corpus_py_common import _use_module, _util_block, grow_py, module_name, render_imports

PY_TYPES = {"string": "str", "int": "int", "float": "float", "bool": "bool", "date": "datetime | None", "ref": "str"}
SA_TYPES = {"string": "String(200)", "int": "Integer", "float": "Float", "bool": "Boolean", "date": "DateTime", "ref": "String(36)"}


def orm_module(ctx: FileContext) -> str:
    e = ctx.entity
    ctx.need("sqlalchemy", "Boolean", "DateTime", "Float", "ForeignKey", "Integer", "String", "func")
    ctx.need("sqlalchemy.orm", "Mapped", "mapped_column", "relationship")
    base = _use_module(ctx, "py_base")
    columns = []
    for f in e.fields:
        if f.kind == "ref" and e.parent is not None:
            columns.append(f'    {snake(f.name)}: Mapped[str] = mapped_column(ForeignKey("{e.parent.plural_snake}.id"), index={ctx.rng.random() < 0.6})')
        else:
            default = {"bool": ", default=False", "int": ", default=0", "float": ", default=0.0"}.get(f.kind, "")
            nullable = ", nullable=True" if f.kind == "date" else ""
            columns.append(f"    {snake(f.name)}: Mapped[{PY_TYPES[f.kind]}] = mapped_column({SA_TYPES[f.kind]}{default}{nullable})")
    relation = f'\n    {e.parent.snake}: Mapped["{e.parent.name}"] = relationship(lazy="select")' if e.parent else ""
    text = fill(
        """class «Name»(«base»):
    __tablename__ = "«table»"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: uuid4().hex)
«columns»
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())«relation»

    def __repr__(self) -> str:
        return f"<«Name» {self.id} {self.«text»!r}>"
""",
        Name=e.name, base=base, table=e.plural_snake, columns="\n".join(columns), relation=relation,
        text=snake(e.text_field),
    )
    body = grow_py(ctx, [text], [_util_block])
    ctx.stdlib.update(["from datetime import datetime", "from uuid import uuid4"])
    return render_imports(ctx, body)


def _service_method(ctx: FileContext, e: Entity, model: str) -> str:
    name = ctx.fresh(lambda: snake(ctx.rng.choice(VERBS), ctx.rng.choice(ADJECTIVES), e.plural_snake))
    text, num = snake(e.text_field), snake(e.number_field)
    kind = ctx.rng.choice(("list", "get", "loop", "batch", "aggregate", "create", "raw", "lazy"))
    code = {
        "list": """def «name»(self, search: str | None = None, limit: int = «limit») -> list[«M»]:
    query = select(«M»).order_by(«M».created_at.desc()).limit(limit)
    if search:
        query = query.where(«M».«text».ilike(f"%{search}%"))
    return list(self.session.scalars(query))
""",
        "get": """def «name»(self, item_id: str) -> «M»:
    item = self.session.get(«M», item_id)
    if item is None:
        raise LookupError(f"«M» {item_id} not found")
    return item
""",
        "loop": """def «name»(self, ids: list[str]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for item_id in ids:
        item = self.session.get(«M», item_id)
        if item is not None:
            totals[item_id] = float(item.«num» or 0) * «factor»
    return totals
""",
        "batch": """def «name»(self, ids: list[str]) -> list[«M»]:
    if not ids:
        return []
    rows = self.session.scalars(select(«M»).where(«M».id.in_(ids))).all()
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]
""",
        "aggregate": """def «name»(self) -> dict[str, float]:
    count, average = self.session.execute(select(func.count(«M».id), func.avg(«M».«num»))).one()
    return {"count": int(count), "average": float(average or 0)}
""",
        "create": """def «name»(self, «text»: str, **fields: object) -> «M»:
    item = «M»(«text»=«text».strip(), **fields)
    self.session.add(item)
    self.session.commit()
    self.session.refresh(item)
    return item
""",
        "raw": """def «name»(self, days: int = «days») -> list[dict[str, object]]:
    rows = self.session.execute(
        text("SELECT date(created_at) AS day, count(*) AS total FROM «table» "
             "WHERE created_at >= date('now', :offset) GROUP BY day ORDER BY day"),
        {"offset": f"-{days} days"},
    )
    return [dict(row._mapping) for row in rows]
""",
        "lazy": """def «name»(self, limit: int = «limit») -> list[dict[str, object]]:
    result = []
    for item in self.session.scalars(select(«M»).limit(limit)):
        result.append({"id": item.id, "«text»": item.«text», "label": repr(item)})
    return result
""",
    }[kind]
    return textwrap.indent(fill(code, name=name, M=model, text=text, num=num, limit=ctx.rng.choice((20, 50, 100)),
                                factor=ctx.rng.choice((1, 2, 100)), days=ctx.rng.choice((7, 30, 90)), table=e.plural_snake), "    ")


def service_module(ctx: FileContext) -> str:
    e = ctx.entity
    ctx.need("sqlalchemy", "func", "select", "text")
    ctx.need("sqlalchemy.orm", "Session")
    model = _use_module(ctx, "py_orm", e) or "object"
    (cls,) = ctx.module.exports
    text = f'class {cls}:\n    """Data access for {e.plural_snake.replace("_", " ")}."""\n\n    def __init__(self, session: Session) -> None:\n        self.session = session\n'
    # Most of the file is the service class; module-level helpers follow it.
    methods = [text]
    lines = line_count(text)
    while lines < ctx.module.target * 0.75 or len(methods) < 3:
        methods.append(_service_method(ctx, e, model))
        lines += line_count(methods[-1]) + 1
    body = grow_py(ctx, ["\n".join(methods)], [_util_block])
    return render_imports(ctx, body)


def schema_module(ctx: FileContext) -> str:
    e = ctx.entity
    ctx.need("pydantic", "BaseModel", "ConfigDict", "Field")
    base, create, out = ctx.module.exports
    fields = "\n".join(f"    {snake(f.name)}: {PY_TYPES[f.kind]}" + (" = None" if f.kind == "date" else "") for f in e.fields)
    optional = "\n".join(f"    {snake(f.name)}: {PY_TYPES[f.kind]} | None = None".replace("| None | None", "| None") for f in e.fields)
    text = fill(
        """class «base»(BaseModel):
«fields»


class «create»(«base»):
    «text»: str = Field(min_length=1, max_length=«max»)


class «Name»Update(BaseModel):
«optional»


class «out»(«base»):
    model_config = ConfigDict(from_attributes=True)

    id: str
    created_at: datetime


class «Name»Page(BaseModel):
    items: list[«out»]
    total: int
    page: int = 1
""",
        base=base, create=create, out=out, Name=e.name, fields=fields, optional=optional,
        text=snake(e.text_field), max=ctx.rng.choice((120, 200, 255)),
    )
    body = grow_py(ctx, [text], [_util_block])
    ctx.stdlib.update(["from datetime import datetime"])
    return render_imports(ctx, body)


def _endpoint(ctx: FileContext, e: Entity, service: str, model: str, out: str | None) -> str:
    name = ctx.fresh(lambda: snake(ctx.rng.choice(VERBS), ctx.rng.choice(ADJECTIVES), e.plural_snake))
    kind = ctx.rng.choice(("list", "get", "loop", "predict", "background"))
    response = f", response_model=list[{out}]" if out and kind == "list" else ""
    predictor = _use_module(ctx, "py_torch", None, 1) if kind == "predict" else None
    if kind == "predict" and predictor is None:
        kind = "list"
    code = {
        "list": """@router.get("/«slug»"«response»)
def «name»(skip: int = 0, limit: int = Query(«limit», le=500), db: Session = Depends(get_db)):
    service = «service»(db)
    return [item for item in service.session.scalars(select_page(skip, limit))]
""",
        "get": """@router.get("/«slug»/{item_id}")
async def «name»(item_id: str, db: Session = Depends(get_db)) -> dict:
    item = db.get(«model», item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="not found")
    return {"id": item.id, "repr": repr(item)}
""",
        "loop": """@router.post("/«slug»/lookup")
async def «name»(ids: list[str], db: Session = Depends(get_db)) -> list[dict]:
    found = []
    for item_id in ids:
        row = db.execute(text("SELECT id FROM «table» WHERE id = :id"), {"id": item_id}).first()
        if row is not None:
            found.append({"id": row.id})
    return found
""",
        "predict": """@router.post("/«slug»/predict")
async def «name»(features: list[list[float]]) -> dict:
    scores = «predictor»(features)
    return {"scores": scores, "count": len(scores)}
""",
        "background": """@router.post("/«slug»/refresh", status_code=202)
def «name»(background: BackgroundTasks, db: Session = Depends(get_db)) -> dict:
    background.add_task(db.execute, text("ANALYZE «table»"))
    return {"status": "scheduled"}
""",
    }[kind]
    return fill(code, name=name, slug=name.replace("_", "-"), response=response, service=service, model=model,
                limit=ctx.rng.choice((20, 50, 100)), table=e.plural_snake, predictor=predictor)


def router_module(ctx: FileContext) -> str:
    e = ctx.entity
    ctx.need("fastapi", "APIRouter", "BackgroundTasks", "Depends", "HTTPException", "Query")
    ctx.need("sqlalchemy", "select", "text")
    ctx.need("sqlalchemy.orm", "Session")
    _use_module(ctx, "py_session")
    service = _use_module(ctx, "py_service", e) or "dict"
    out = _use_module(ctx, "py_schema", e, 2)
    model = _use_module(ctx, "py_orm", e) or "object"
    head = fill(
        """router = APIRouter(prefix="«prefix»", tags=["«tag»"])


def select_page(skip: int, limit: int):
    return select(«model»).offset(skip).limit(limit)
""",
        prefix=e.route, tag=e.plural_snake, model=model,
    )
    body = grow_py(ctx, [head], [lambda c: _endpoint(c, e, service, model, out)] * 3 + [_util_block])
    return render_imports(ctx, body)


def init_module(ctx: FileContext) -> str:
    package = posixpath.dirname(ctx.module.path)
    exported = [(m, m.exports[0]) for m in ctx.plan.modules if posixpath.dirname(m.path) == package and m.exports and m.kind != "py_init"]
    lines = [f'"""The {module_name(package + "/x.py").rsplit(".", 1)[0]} package."""', ""]
    seen: set[str] = set()
    for m, name in exported[: ctx.rng.randint(0, 6)]:
        stem = posixpath.basename(m.path).removesuffix(".py")
        alias = f" as {stem}_{name}" if name in seen else ""
        seen.add(name)
        lines.append(f"from .{stem} import {name}{alias}")
    return "\n".join(lines).rstrip("\n") + "\n"


def fixed_module(ctx: FileContext) -> str:
    """The service's fixed files: declarative base, session factory and FastAPI entry point."""
    kind = ctx.module.kind
    if kind == "py_base":
        return 'from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    """Declarative base for every ORM model."""\n'
    if kind == "py_session":
        return '''import os
from collections.abc import Iterator

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine(os.environ.get("DATABASE_URL", "sqlite:///./local.db"), pool_pre_ping=True)
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


def get_db() -> Iterator[Session]:
    session = SessionLocal()
    try:
        yield session
    finally:
        session.close()
'''
    if kind == "py_main":
        ctx.need("fastapi", "FastAPI")
        routers = []
        for m in ctx.plan.of("py_router"):
            alias = f"{m.entity.snake}_router_{len(routers)}"
            ctx.imports.setdefault(m.path, set()).add(f"router as {alias}")
            routers.append(f"app.include_router({alias})")
        body = 'app = FastAPI(title="ml-service")\n\n' + "\n".join(routers) + '\n\n\n@app.get("/health")\ndef health() -> dict:\n    return {"ok": True}\n'
        return render_imports(ctx, body)
    raise ValueError(f"no fixed module of kind {kind}")


def _sorting_test(ctx: FileContext) -> str:
    values = [ctx.rng.randint(-99, 99) for _ in range(ctx.rng.randint(3, 6))]
    name = ctx.fresh(lambda: snake(ctx.rng.choice(VERBS), ctx.rng.choice(NOUNS)))
    return fill(
        """def test_«name»_orders_values():
    values = «values»
    assert sorted(values) == «expected»
    assert min(values) == «low»
""",
        name=name, values=values, expected=sorted(values), low=min(values),
    )


def test_module(ctx: FileContext) -> str:
    """Pytest tests of a few utility modules (their first export is always a statistics summary)."""
    tests = []
    for m in ctx.rng.sample(ctx.plan.of("py_util"), min(3, len(ctx.plan.of("py_util")))):
        summary = m.exports[0]
        ctx.imports.setdefault(m.path, set()).add(summary)
        tests.append(fill(
            """def test_«name»_handles_empty_input():
    assert «name»([])["count"] == 0


def test_«name»_counts_values():
    assert «name»([«a», «b»])["count"] == 2
""",
            name=summary, a=ctx.rng.randint(0, 9), b=ctx.rng.randint(10, 99),
        ))
    body = grow_py(ctx, tests, [_sorting_test])
    return render_imports(ctx, body)
