"""unstable-context-value stays quiet where a new value costs no render: a frontend package without `memo`
whose provider re-renders only with its parent or for state the value carries."""

from __future__ import annotations

from pathlib import Path

from optimizer.api import analyze

RULE = "unstable-context-value"
PACKAGE = '{"dependencies": {"react": "18.2.0"}}'
PROVIDER = (
    "import { createContext, useState } from 'react';\n"
    "const C = createContext(null);\n"
    "export function P({ children }) {\n"
    "  const [open, setOpen] = useState(false);\n"
    "  STATE\n"
    "  return <C.Provider value={{ open, setOpen }}>{children}</C.Provider>;\n"
    "}\n"
)
MEMO = "import { memo } from 'react';\nexport const Row = memo(function Row() { return <i />; });\n"


def _lines(root: Path, files: dict[str, str]) -> list[int]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return [f.line for f in analyze(root, use_cache=False).findings if f.rule == RULE]


def test_state_carried_by_the_value_without_memo_in_the_package_is_not_reported(tmp_path):
    assert _lines(tmp_path, {"web/package.json": PACKAGE, "web/P.tsx": PROVIDER.replace("STATE", "")}) == []


def test_a_memo_anywhere_in_the_package_makes_the_identity_matter(tmp_path):
    files = {"web/package.json": PACKAGE, "web/P.tsx": PROVIDER.replace("STATE", ""), "web/Row.tsx": MEMO}
    assert _lines(tmp_path, files) == [6]


def test_state_left_out_of_the_value_makes_the_identity_matter(tmp_path):
    extra = "const [hover] = useState(false); console.log(hover);"
    assert _lines(tmp_path, {"web/package.json": PACKAGE, "web/P.tsx": PROVIDER.replace("STATE", extra)}) == [6]


def test_a_custom_hook_result_left_out_of_the_value_makes_the_identity_matter(tmp_path):
    extra = "const { data: user } = useUser(); console.log(user);"
    assert _lines(tmp_path, {"web/package.json": PACKAGE, "web/P.tsx": PROVIDER.replace("STATE", extra)}) == [6]


def test_without_a_frontend_package_in_view_the_finding_stays(tmp_path):
    assert _lines(tmp_path, {"P.tsx": PROVIDER.replace("STATE", "")}) == [6]
