"""A monorepo's own packages: `@acme/lib/x` resolves to the package's source in the repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from optimizer.api import analyze
from optimizer.js_packages import load_local_packages
from optimizer.resolve import ModuleResolver, ProjectFiles

FILES = [
    "apps/web/src/page.ts",
    "packages/lib/index.ts",
    "packages/lib/utils/dates.ts",
    "packages/lib/src/money.ts",
    "packages/db/src/client.ts",
    "packages/db/src/models/user.ts",
    "packages/ui/src/index.tsx",
]
MANIFESTS = {
    "packages/lib": {"name": "@acme/lib", "main": "./index.ts"},
    "packages/db": {
        "name": "@acme/db",
        "exports": {".": {"types": "./dist/index.d.ts", "import": "./src/client.ts"}, "./models/*": "./src/models/*.ts"},
    },
    "packages/ui": {"name": "ui-kit"},
    "apps/web": {"name": "web", "dependencies": {"@acme/lib": "workspace:*"}},
}


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    for rel in FILES:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("export const x = 1;\n")
    for directory, manifest in MANIFESTS.items():
        (tmp_path / directory / "package.json").write_text(json.dumps(manifest))
    return tmp_path


@pytest.mark.parametrize(
    ("specifier", "expected"),
    [
        ("@acme/lib", "packages/lib/index.ts"),  # the main field
        ("@acme/lib/utils/dates", "packages/lib/utils/dates.ts"),  # subpath as written
        ("@acme/lib/money", "packages/lib/src/money.ts"),  # subpath under src/
        ("@acme/db", "packages/db/src/client.ts"),  # exports ".", the import condition (types is emitted)
        ("@acme/db/models/user", "packages/db/src/models/user.ts"),  # an exports wildcard
        ("ui-kit", "packages/ui/src/index.tsx"),  # no entry field: src/index
        ("@acme/lib/missing", None),
        ("@acme/other", None),  # not a package of this repository
        ("react", None),
    ],
)
def test_specifiers_resolve_to_the_package_source(monorepo: Path, specifier: str, expected: str | None) -> None:
    packages = load_local_packages(monorepo, FILES)
    resolver = ModuleResolver(ProjectFiles(monorepo, set(FILES), {}, packages))
    assert resolver.js("apps/web/src/page.ts", specifier) == expected


def test_unreadable_or_unnamed_manifests_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "package.json").write_text("{ not json")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "package.json").write_text(json.dumps({"private": True}))
    assert load_local_packages(tmp_path, ["a/x.ts", "b/y.ts"]) == {}


def test_n_plus_one_is_followed_into_a_workspace_package(monorepo: Path) -> None:
    (monorepo / "packages/db/src/models/user.ts").write_text(
        "import { PrismaClient } from '@prisma/client';\n"
        "const prisma = new PrismaClient();\n"
        "export async function findUser(id: string) {\n"
        "  return prisma.user.findUnique({ where: { id } });\n"
        "}\n"
    )
    (monorepo / "apps/web/src/page.ts").write_text(
        "import { findUser } from '@acme/db/models/user';\n"
        "export async function owners(ids: string[]) {\n"
        "  const out = [];\n"
        "  for (const id of ids) {\n"
        "    out.push(await findUser(id));\n"
        "  }\n"
        "  return out;\n"
        "}\n"
    )
    report = analyze([monorepo], root=monorepo, use_cache=False)
    found = [f for f in report.findings if f.rule == "n-plus-one-query"]
    assert [(f.path, f.line) for f in found] == [("apps/web/src/page.ts", 5)]
    assert any(r.path == "packages/db/src/models/user.ts" for r in found[0].related)

