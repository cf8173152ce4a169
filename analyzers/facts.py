"""Language-neutral module facts: the plain, picklable IR every front-end produces and every detector reads.

Lines are 1-based; columns are 1-based and counted in UTF-8 bytes (what both tree-sitter and
``ast`` report); byte offsets are 0-based into the UTF-8 encoded source.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

LANGUAGES = ("python", "javascript", "typescript", "tsx")


@dataclass(frozen=True)
class Span:
    line: int
    column: int
    end_line: int
    end_column: int
    start_byte: int = -1
    end_byte: int = -1

    def contains(self, other: Span) -> bool:
        if self.start_byte >= 0 and other.start_byte >= 0:
            return self.start_byte <= other.start_byte and other.end_byte <= self.end_byte
        return (self.line, self.column) <= (other.line, other.column) and (other.end_line, other.end_column) <= (
            self.end_line,
            self.end_column,
        )


@dataclass(frozen=True)
class ImportedName:
    """One binding an import creates. ``imported`` is the exported name, ``"default"`` or ``"*"``."""

    imported: str
    local: str


@dataclass(frozen=True)
class Import:
    """``kind``: ``esm`` | ``require`` | ``dynamic`` | ``python``.

    ``source`` is the specifier as written (``'../lib/db'``, ``'@/lib/db'``, ``'app.models'``); Python
    relative imports keep the module part in ``source`` and the dots in ``level``. ``function`` is the
    qualified name of the enclosing function for imports done inside a function (lazy imports).
    """

    source: str
    names: tuple[ImportedName, ...]
    kind: str
    span: Span
    level: int = 0
    type_only: bool = False
    function: str | None = None


@dataclass(frozen=True)
class Export:
    """``kind``: ``named`` | ``default`` | ``reexport`` | ``all`` (``export * from``)."""

    name: str
    local: str | None
    kind: str
    line: int
    source: str | None = None


@dataclass(frozen=True)
class Function:
    """A function, method, arrow function or class (``kind``: function | method | arrow | class | lambda).

    ``qualname`` is unique within the module: ``Class.method``, ``outer.inner``, or ``<arrow@LINE:COL>``
    for anonymous functions. Arrow functions assigned to a variable take the variable's name.
    ``parent`` is the qualname of the enclosing function or class, if any.
    """

    qualname: str
    name: str
    kind: str
    span: Span
    is_async: bool = False
    is_component: bool = False
    class_name: str | None = None
    parent: str | None = None
    params: tuple[str, ...] = ()
    decorators: tuple[str, ...] = ()
    exported: bool = False
    is_generator: bool = False
    # JS/TS: a ``return`` (or an arrow's expression body) gives an object or array literal, a new object on
    # each call; a custom hook like that hands its caller an unstable value.
    returns_literal: bool = False


@dataclass(frozen=True)
class Loop:
    """A loop or per-item callback. ``kind``: for | for_of | for_in | for_await | while | do | comprehension
    | forEach | map | flatMap | reduce | filter | some | every | find (callbacks of array methods).

    ``iterable`` is the source text of what is iterated (truncated to 200 chars; for a C-style ``for`` its
    header ``init; condition; update``, which tells a chunked loop from a per-item one); ``literal_size`` is the
    element count when it is an array/list/tuple literal; ``batched`` is true for a ``.map`` whose result
    goes straight to ``Promise.all``/``Promise.allSettled``/``asyncio.gather`` (the per-item calls then run
    concurrently and Prisma batches them), or for a loop that only pushes promises onto an array later handed
    to ``Promise.all``. ``constant`` is true when the loop goes over an UPPER_CASE constant, directly or as the
    default of a parameter (``{ status = JOB_STATUSES }``): a fixed list, not data (JS/TS).
    """

    id: int  # index of this loop in ``ModuleFacts.loops``
    kind: str
    span: Span
    function: str | None
    iterable: str = ""
    literal_size: int | None = None
    batched: bool = False
    parent: int | None = None
    constant: bool = False


@dataclass(frozen=True)
class Call:
    """A call site. ``chain`` is the receiver chain split on dots, ``this``/``self`` kept
    (``("this", "prisma", "user", "findUnique")``); computed or complex parts become ``"?"`` and a call in
    the chain becomes ``"name()"``. ``loops`` is the stack of enclosing loop ids within the same function,
    outermost first. ``args`` holds the source text of each argument, truncated to 200 chars.
    ``is_new`` marks ``new X()``.

    ``arg_keys`` is filled for Prisma delegate methods that take a query object (``findMany``, ``count``,
    ``update``, ...; see ``analyzers.js_sites.QUERY_OBJECT_METHODS``): the dotted key paths of the leaves of the
    first argument when it is an object literal, in source order. ``{ where: { id, tags: { some: {} } },
    orderBy: [{ at: 'desc' }] }`` -> ``("where.id", "where.tags.some", "orderBy.at")``: a key whose value is not
    a non-empty object literal is a leaf, array elements that are objects and both branches of a conditional
    continue the path, ``undefined`` adds nothing, and a spread, a computed key or a cut-off (depth 8, 64 keys)
    shows as a ``*`` segment.
    """

    callee: str
    chain: tuple[str, ...]
    span: Span
    function: str | None
    loops: tuple[int, ...] = ()
    awaited: bool = False
    args: tuple[str, ...] = ()
    is_new: bool = False
    arg_keys: tuple[str, ...] = ()
    # Python: the callee texts of the enclosing ``with`` items within the same function, outermost first
    # (``("torch.no_grad",)``), so a rule can tell a call inside ``with torch.no_grad():`` from one outside.
    context: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.chain[-1] if self.chain else self.callee


@dataclass(frozen=True)
class Await:
    """An awaited expression. ``targets`` are the names it assigns (``const {a, b} = await f(x)`` ->
    ``("a", "b")``); ``uses`` are the identifiers read by the awaited expression (for data dependence).
    ``call`` is the callee text of the awaited call, if the expression is a call.

    Where its value goes, for telling independent awaits from dependent ones:
    ``block`` is the start byte of the statement list (block, function body, ``case``) holding the statement
    that runs the await, or -1 when the await runs only on some paths through that statement (a ternary
    branch, the right of ``&&``/``||``/``??``/``or``/``and``, an ``if`` without braces, a loop header).
    ``next_read`` is the byte offset of the first later mention, in the same function, of a name the await's
    statement sets from its value (``const id = (await f()).id`` -> the next ``id``; ``out.push(await f())``
    -> the next ``out``; ``await doc.loadInfo()`` alone as a statement, on an object the function declares
    (``const doc = new Sheet(id)``, not a parameter) -> the next ``doc``), or -1 when there is none.
    ``loop_carried`` is true when the innermost enclosing loop of the same function hands the value on to its
    next turn or stops on it: a name set from it (directly or through assignments in the loop) is read by
    the awaited expression or the loop condition (``cursor = page.next``, ``prev = await f(prev)``,
    ``while (!done)``), the await is in the condition, the loop has none (``while (true)``), or the loop
    body can ``return``, ``break`` or ``yield``.
    """

    span: Span
    function: str | None
    call: str | None = None
    targets: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    loops: tuple[int, ...] = ()
    block: int = -1
    next_read: int = -1
    loop_carried: bool = False
    # For awaited Prisma reads (``findMany``, ``findUnique``, ``findFirst`` and their ``OrThrow`` forms): how the
    # names set from the value are used later in the function, one entry per mention: the member chain read
    # from it (``"length"``, ``"filter.length"``, ``"reduce"``, ``"map"``, ``"posts.length"``), ``"!"`` when it
    # is only tested for presence (``!row``, ``if (row)``, ``row && …``, ``row == null``), ``"of"`` for the
    # list of a ``for … of``, or ``""`` when the value itself is passed on, returned or spread. A destructuring
    # ``const { a, b } = await …`` gives its keys. After a per-item callback (``map``, ``filter``, ``reduce``,
    # ...) or ``for … of``, entries prefixed ``"[]"`` say what is read from each element (``"[]title"``; ``"[]"``
    # when the element is passed on).
    result_uses: tuple[str, ...] = ()


RESULT_ELEMENT = "[]"  # ``Await.result_uses``: prefix of a read from each element of a list
RESULT_PRESENCE = "!"  # ``Await.result_uses``: the value is only tested for presence


@dataclass(frozen=True)
class JsxProp:
    """``kind``: arrow | function | object | array | identifier | literal | call | member | spread | other."""

    name: str
    kind: str
    span: Span
    text: str = ""


@dataclass(frozen=True)
class JsxElement:
    name: str
    span: Span
    function: str | None
    props: tuple[JsxProp, ...] = ()
    loops: tuple[int, ...] = ()


@dataclass(frozen=True)
class SqlString:
    """A string or template literal that holds SQL. ``kind``: string | template | tagged.
    ``tag`` is the template tag (``prisma.$queryRaw``, ``sql``); ``call`` the callee the literal is passed
    to directly (``pool.query``), if any. Template substitutions are replaced by ``?`` placeholders.
    """

    text: str
    span: Span
    function: str | None
    kind: str = "string"
    tag: str | None = None
    call: str | None = None
    loops: tuple[int, ...] = ()


@dataclass(frozen=True)
class Binding:
    """A name bound to an instance or a value, used to resolve ``this.x.m()`` / ``self.x.m()`` / singletons.

    ``name`` is ``prisma`` or ``this.imageService`` / ``self.repo``; ``value`` the class or callee
    (``PrismaClient``, ``ImageService``, ``Repo``); ``kind``: new | call | param_type | alias | items (Python: an
    annotated container, ``Dict[str, Model]`` or ``list[Model]``, whose elements are of the class ``value``).
    ``scope`` is the class name for ``this``/``self`` members, the function qualname for locals, and
    ``None`` at module level.
    """

    name: str
    value: str
    kind: str
    line: int
    scope: str | None = None


@dataclass(frozen=True)
class FlagGate:
    """Python: an `if` whose test reads only a debug, tracing or feature flag (see ``analyzers.py_flags``), and
    the lines of its body; its `else` and `elif` branches are not gated by the test."""

    test: str  # as ``ast.unparse`` writes it
    first_line: int
    last_line: int


@dataclass(frozen=True)
class Suppression:
    """A ``perfrewrite: ignore[...]`` comment. A comment alone on its line also covers the next line."""

    rules: tuple[str, ...]
    own_line: bool = False


@dataclass(frozen=True)
class Tokens:
    """The module's code as normalised tokens, for clone detection (built by ``analyzers.tokens``).

    ``kinds`` has one byte per token (identifiers share a kind, literals share one per type; comments,
    imports and type-only declarations are left out) and ``lines[i]`` is the line of token ``i``.
    ``hashes``/``offsets`` are the winnowed fingerprints: the hash of a window of tokens and the offset of its
    first token. ``line_hashes[n - 1]`` is a checksum of line ``n`` as written, to tell exact copies from
    renamed ones. Arrays keep the cached facts small.
    """

    kinds: bytes = b""
    lines: array = field(default_factory=lambda: array("H"))
    hashes: array = field(default_factory=lambda: array("I"))
    offsets: array = field(default_factory=lambda: array("I"))
    line_hashes: array = field(default_factory=lambda: array("I"))


@dataclass
class ModuleFacts:
    path: str
    language: str
    lines: int = 0
    imports: list[Import] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    awaits: list[Await] = field(default_factory=list)
    jsx: list[JsxElement] = field(default_factory=list)
    sql: list[SqlString] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)
    # ``const style = { ... }`` / ``= [...]``: Binding kind ``object`` | ``array`` with the literal's text as value.
    # Kept apart from ``bindings``, which name instances for call resolution; a literal in a function is new per call.
    literals: list[Binding] = field(default_factory=list)
    # line of a ``perfrewrite: ignore[...]`` comment -> what it suppresses
    suppressions: dict[int, Suppression] = field(default_factory=dict)
    complexity: dict[str, int] = field(default_factory=dict)
    flag_gates: list[FlagGate] = field(default_factory=list)
    tokens: Tokens = field(default_factory=Tokens)
    errors: list[str] = field(default_factory=list)

    def flag_gate(self, line: int) -> str | None:
        """The test of the innermost flag `if` whose body holds ``line``, or None."""
        inside = [gate for gate in self.flag_gates if gate.first_line <= line <= gate.last_line]
        return max(inside, key=lambda gate: gate.first_line).test if inside else None

    def loop(self, loop_id: int) -> Loop:
        return self.loops[loop_id]

    def function(self, qualname: str | None) -> Function | None:
        if qualname is None:
            return None
        # detectors ask once per call site: an index keeps that linear in the module's size
        index = self.__dict__.get("_by_qualname")
        if index is None or index[0] != len(self.functions):  # rebuilt while a front-end is still adding
            index = (len(self.functions), {fn.qualname: fn for fn in reversed(self.functions)})
            self.__dict__["_by_qualname"] = index
        return index[1].get(qualname)

    def slim(self) -> ModuleFacts:
        """The facts a rule with ``slim_facts`` reads, a fraction of the whole to cache and load: the path,
        language, line count, functions, JSX elements without their props, hook calls, suppressions, tokens
        and errors."""
        return ModuleFacts(
            path=self.path,
            language=self.language,
            lines=self.lines,
            functions=self.functions,
            calls=self.hook_calls,
            jsx=[JsxElement(element.name, element.span, element.function) for element in self.jsx],
            suppressions=self.suppressions,
            tokens=self.tokens,
            errors=self.errors,
        )

    @property
    def hook_calls(self) -> list[Call]:
        return [c for c in self.calls if _is_hook_name(c.name)]

    @property
    def components(self) -> list[Function]:
        return [f for f in self.functions if f.is_component]


def _is_hook_name(name: str) -> bool:
    return name.startswith("use") and len(name) > 3 and name[3].isupper()
