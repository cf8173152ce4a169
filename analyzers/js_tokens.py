"""JS/TS token streams for clone detection: the leaves of the tree-sitter tree, normalised (see ``analyzers.tokens``).

One cursor walk creates a node only for leaves. Imports, re-exports and TypeScript type-only declarations
are recognised by their first keyword and skipped with their whole statement; object and array literals by
their opening bracket, to be folded when they turn out to be data tables.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, count, repeat
from operator import add

from tree_sitter import Node, TreeCursor

from analyzers.facts import Tokens
from analyzers.js_queries import language_of
from analyzers.tokens import (
    BOOLEAN,
    BREAK,
    DATA_CLOSE,
    DATA_OPEN,
    FIRST_FREE,
    IDENT,
    NUMBER,
    OTHER,
    STRING,
    build_tokens,
)

_DROP = -1
_LANGUAGES = ("javascript", "typescript", "tsx")
_IDENTIFIERS = frozenset({
    "identifier", "property_identifier", "type_identifier", "shorthand_property_identifier",
    "shorthand_property_identifier_pattern", "private_property_identifier", "statement_identifier",
})  # fmt: skip
_NAMED_LEAVES = {"number": NUMBER, "jsx_text": STRING, "regex_pattern": STRING, "true": BOOLEAN, "false": BOOLEAN}
# the fragments and escapes inside a string are dropped: its quotes stand for the whole literal
_DROPPED = frozenset({
    "comment", "html_comment", "hash_bang_line", "string_fragment", "escape_sequence", "regex_flags",
    "html_character_reference",
})  # fmt: skip
_QUOTES = frozenset({'"', "'"})
# semicolons are optional in JavaScript: without them a copy in another code style still matches
_DROPPED_PUNCTUATION = frozenset({";"})
# leaves that keep their own kind although they are named nodes
_OWN_KIND = ("null", "undefined", "this", "super")
# what a data table is made of: keys and values, nesting, ``...spread``, ``as const``, JSX elements and calls
# such as ``t('Label')`` as values
_DATA_TOKENS = (
    ":", ",", "{", "}", "[", "]", "(", ")", "-", ".", "...", "`", "as", "const", "<", ">", "/>", "</", "=",
)  # fmt: skip
# the first leaf of a statement that is left out whole, and of a literal that may be a data table
_TRIGGERS = ("import", "export", "interface", "type", "enum", "declare", "function", "abstract", "{", "[")
_SKIPPED_PARENTS = frozenset({
    "import_statement", "interface_declaration", "type_alias_declaration", "enum_declaration",
    "ambient_declaration", "function_signature", "abstract_method_signature",
})  # fmt: skip
_LITERAL_PARENTS = frozenset({"object", "array"})
OPENERS = ("{", "(", "[", "${")
CLOSERS = ("}", ")", "]")
# tokens that carry a statement on after its brackets close (``} else {``, ``} catch (e) {``)
CONTINUATIONS = ("else", "catch", "finally", "while")


@dataclass(frozen=True)
class _Tables:
    # tree-sitter kind id -> normalised kind; _DROP; or -2 - kind for a trigger (its parent is looked at)
    kinds: tuple[int, ...]
    skipped: frozenset[int]  # kind ids of statements left out
    literals: frozenset[int]  # kind ids of object and array literals
    export: int
    data_kinds: bytes


@cache
def vocabulary() -> dict[str, int]:
    """Normalised kind of every keyword and punctuation token, the same for JavaScript, TypeScript and TSX,
    so that a copy between a ``.ts`` and a ``.tsx`` file is found."""
    names: set[str] = set()
    for language in _LANGUAGES:
        lang = language_of(language)
        names.update(
            lang.node_kind_for_id(i)
            for i in range(lang.node_kind_count)
            if lang.node_kind_is_visible(i) and not lang.node_kind_is_named(i)
        )
    ordered = sorted(names - _QUOTES) + list(_OWN_KIND)
    return {name: FIRST_FREE + index for index, name in enumerate(ordered)}


def kinds_of(*texts: str) -> frozenset[int]:
    """Normalised kinds of the given keywords or punctuation."""
    words = vocabulary()
    return frozenset(words[text] for text in texts if text in words)


@cache
def _tables(language: str) -> _Tables:
    lang = language_of(language)
    words = vocabulary()
    kinds = []
    for kind_id in range(lang.node_kind_count):
        name = lang.node_kind_for_id(kind_id) or ""
        if not lang.node_kind_is_named(kind_id):
            if name in _DROPPED_PUNCTUATION:
                kinds.append(_DROP)
                continue
            kind = STRING if name in _QUOTES else words.get(name, OTHER)
            kinds.append(-2 - kind if name in _TRIGGERS else kind)
        elif name in _IDENTIFIERS:
            kinds.append(IDENT)
        elif name in _DROPPED:
            kinds.append(_DROP)
        else:
            kinds.append(_NAMED_LEAVES.get(name, words.get(name, OTHER)))
    ids = {lang.node_kind_for_id(i): i for i in range(lang.node_kind_count) if lang.node_kind_is_named(i)}
    data = bytes(sorted({IDENT, NUMBER, STRING, BOOLEAN, DATA_OPEN, DATA_CLOSE} | kinds_of(*_DATA_TOKENS, *_OWN_KIND)))
    return _Tables(
        kinds=tuple(kinds),
        skipped=frozenset(ids[name] for name in _SKIPPED_PARENTS if name in ids),
        literals=frozenset(ids[name] for name in _LITERAL_PARENTS),
        export=ids["export_statement"],
        data_kinds=data,
    )


def js_tokens(root: Node, source: bytes, language: str, skipped_lines: list[tuple[int, int]]) -> Tokens:
    """The token stream of one parsed module; ``skipped_lines`` are line ranges to leave out as well
    (top-level ``require`` declarations, which the front-end has already found)."""
    walk = _Walk(_tables(language))
    if root.child_count:
        walk.run(root.walk())
    starts = walk.starts
    newlines = [-1, *_newlines(source)]
    lines = list(map(bisect_right, repeat(newlines), starts))
    literals = [(start, bisect_left(starts, end), entries) for start, end, entries in walk.literals]
    skipped = [(bisect_left(lines, first), bisect_right(lines, last)) for first, last in skipped_lines]
    return build_tokens(
        walk.kinds, lines, source, data_kinds=walk.tables.data_kinds, literals=literals, skipped=skipped
    )


class _Walk:
    def __init__(self, tables: _Tables) -> None:
        self.tables = tables
        self.kinds: list[int] = []
        self.starts: list[int] = []
        # (first token, end byte, entries) of object and array literals
        self.literals: list[tuple[int, int, int]] = []

    def run(self, cursor: TreeCursor) -> None:
        table = self.tables.kinds
        kinds, starts = self.kinds, self.starts
        append_kind, append_start = kinds.append, starts.append
        first_child, next_sibling, parent = cursor.goto_first_child, cursor.goto_next_sibling, cursor.goto_parent
        # only leaves become Node objects: this loop runs once per token of the file
        while True:
            if first_child():
                continue
            node = cursor.node
            try:
                kind = table[node.kind_id]
            except IndexError:  # an ERROR leaf has a kind id past the grammar's symbols
                kind = OTHER
            if kind >= 0:
                append_kind(kind)
                append_start(node.start_byte)
            elif kind != _DROP and self._trigger(node, -2 - kind):
                parent()  # the whole statement is left out: carry on after it
            while not next_sibling():
                if not parent():
                    break
            else:
                continue
            break

    def _trigger(self, leaf: Node, kind: int) -> bool:
        """Record the leaf, or its whole statement as one BREAK; True when the statement is left out."""
        tables = self.tables
        statement = leaf.parent
        if statement is not None:
            parent_kind = statement.kind_id
            if parent_kind in tables.skipped or (
                parent_kind == tables.export and statement.child_by_field_name("source") is not None
            ):
                if not self.kinds or self.kinds[-1] != BREAK:
                    self.kinds.append(BREAK)
                    self.starts.append(statement.start_byte)
                return True
            if parent_kind in tables.literals:
                self.literals.append((len(self.kinds), statement.end_byte, statement.named_child_count))
        self.kinds.append(kind)
        self.starts.append(leaf.start_byte)
        return False


def _newlines(source: bytes) -> list[int]:
    """Offsets of the line feeds in ``source`` (tree-sitter counts rows by them), without a Python loop:
    line ``i`` ends after the ``i`` line feeds before it and the characters of lines ``0..i``."""
    ends = list(map(add, accumulate(map(len, source.split(b"\n"))), count()))
    return ends[:-1]
