"""Per-process cache of tree-sitter languages, parsers and the compiled queries the JS/TS front-end runs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import tree_sitter_javascript
import tree_sitter_typescript
from tree_sitter import Language, Parser, Query

# ``branch`` marks the decision points counted into a function's cyclomatic complexity.
# Capture names, in the order the sweep handles nodes that start and end at the same bytes: frames
# (functions, loops) before the nodes they contain.
CAPTURES = (
    "fn", "loop", "export", "import", "decorator", "decl", "assign", "field", "param_prop",
    "call", "await", "jsx", "str", "branch",
)

_COMMON = """
[(function_declaration) (generator_function_declaration) (function_expression) (generator_function)
 (arrow_function) (method_definition) (class_declaration) (class)] @fn
[(for_statement) (for_in_statement) (while_statement) (do_statement)] @loop
(export_statement) @export
(import_statement) @import
(decorator) @decorator
(variable_declarator
  name: (identifier)
  value: [(new_expression) (call_expression) (await_expression) (identifier) (member_expression) (object) (array)]) @decl
(assignment_expression left: [(identifier) (member_expression)]) @assign
[(call_expression) (new_expression)] @call
(await_expression) @await
[(string) (template_string)] @str
[(if_statement) (for_statement) (for_in_statement) (while_statement) (do_statement) (switch_case)
 (catch_clause) (ternary_expression)] @branch
(binary_expression operator: ["&&" "||" "??"]) @branch
"""

_JS_ONLY = """
(field_definition) @field
"""

_TS_ONLY = """
(abstract_class_declaration) @fn
(public_field_definition) @field
[(required_parameter (accessibility_modifier)) (optional_parameter (accessibility_modifier))
 (required_parameter "readonly") (optional_parameter "readonly")] @param_prop
"""

_JSX = """
[(jsx_opening_element) (jsx_self_closing_element)] @jsx
"""

# Names read by an awaited expression; run on the small awaited subtree only.
_USES = "[(identifier) (shorthand_property_identifier)] @id"


@dataclass(frozen=True)
class Grammar:
    parser: Parser
    facts: Query
    uses: Query


_GRAMMARS: dict[str, Grammar] = {}


@cache
def language_of(language: str) -> Language:
    """The tree-sitter language of ``javascript`` | ``typescript`` | ``tsx``, without compiling any query."""
    if language == "javascript":
        return Language(tree_sitter_javascript.language())
    if language == "typescript":
        return Language(tree_sitter_typescript.language_typescript())
    if language == "tsx":
        return Language(tree_sitter_typescript.language_tsx())
    raise ValueError(f"not a JavaScript/TypeScript language: {language!r}")


def _build(language: str) -> Grammar:
    lang = language_of(language)
    source = _COMMON + {"javascript": _JS_ONLY + _JSX, "typescript": _TS_ONLY, "tsx": _TS_ONLY + _JSX}[language]
    return Grammar(Parser(lang), Query(lang, source), Query(lang, _USES))


def grammar(language: str) -> Grammar:
    """The cached grammar bundle for ``javascript`` | ``typescript`` | ``tsx``; built on first use."""
    found = _GRAMMARS.get(language)
    if found is None:
        found = _GRAMMARS[language] = _build(language)
    return found
