"""Whole-library imports in browser code: lodash, moment, icon barrels pulled into the bundle entire."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzers.detectors._import_costs import JS_LIBRARIES, JsLibrary
from analyzers.detectors.base import ProjectDetector
from analyzers.facts import Import
from optimizer.findings import Applicability, Category, Finding, Fix, Severity

if TYPE_CHECKING:
    from optimizer.api import Project

_WHOLE = {"default", "*"}
_CHERRY_PICK = Fix(
    "Import each lodash method from its own module (`lodash/get`) and call it directly",
    Applicability.SAFE,
    codemod="cherry-pick-lodash",
)


class WholeLibraryImport(ProjectDetector):
    """## What it does
    Finds imports that put a whole utility library into a browser bundle: default, namespace and
    `require` imports of lodash, moment, date-fns and ramda (`import _ from 'lodash'`,
    `import * as fns from 'date-fns'`), named imports from CommonJS lodash and moment, and named imports
    from icon barrels (`import { Delete } from '@mui/icons-material'`). Per-function paths
    (`lodash/get`, `@mui/icons-material/Delete`) and named imports from ES-module builds (`lodash-es`,
    `date-fns`) are fine: the bundler keeps only what is used.

    ## Why is this slow?
    Every kilobyte of JavaScript is downloaded, parsed and compiled before the page becomes interactive,
    and on a mid-range phone that is roughly 1 ms per kB. A default or namespace import hands the bundler
    an object it cannot prune, so all of lodash (~70 kB) or moment with its locales (~290 kB) ships for
    one `debounce`. The `@mui/icons-material` barrel holds over 2,000 icons and makes development builds
    and test runs load all of them. Only files that can run in a browser are checked (frontend and
    unclassified components); bundle size does not matter on a server.

    ## Example
    ```tsx
    import _ from 'lodash';
    import { Delete } from '@mui/icons-material';

    const onSearch = _.debounce(search, 300);
    ```

    ## Use instead
    ```tsx
    import debounce from 'lodash/debounce';
    import Delete from '@mui/icons-material/Delete';

    const onSearch = debounce(search, 300);
    ```

    ## Known limits
    Sizes come from a fixed table of well-known libraries, not from the user's bundle. A bundler plugin
    (`babel-plugin-lodash`, `optimizePackageImports` in Next.js) may already rewrite these imports, which
    this rule cannot see. Dynamic `import()` is not reported: it already loads the library on demand.
    Test files are skipped.

    ## Fix safety
    Safe fix for a lone default or namespace import of `lodash` (codemod `cherry-pick-lodash`): the import
    becomes one `import name from 'lodash/name'` per method and each `_.name(...)` becomes `name(...)`. The
    codemod declines, and says why, when the object is used any other way (passed, assigned, `_.chain`
    used as a value) or a method name is already taken in the file. Other libraries have no automatic fix.
    """

    id = "whole-library-import"
    category = Category.HEAVY_IMPORT
    languages = ("typescript", "tsx", "javascript")
    severity = Severity.WARNING
    options = {"include-tests": False}

    def check_project(self, project: Project) -> Iterable[Finding]:
        for module, ctx in self.checked_modules(project):
            if ctx.component == "backend":
                continue  # server code is not shipped to browsers
            for imp in module.imports:
                library = JS_LIBRARIES.get(imp.source)
                if library is None or imp.type_only or not _loads_whole(imp, library):
                    continue
                how = "`require`" if imp.kind == "require" else _describe(imp)
                message = (
                    f"{how} of `{imp.source}` puts the whole library (~{library.kb} kB minified) into the browser "
                    f"bundle; {library.advice}."
                )
                finding = self.finding(module, imp.span, message, ctx=ctx, weight=library.kb / 50, estimated_kb=library.kb)
                yield finding.with_(fix=_CHERRY_PICK) if _cherry_pickable(imp) else finding


def _loads_whole(imp: Import, library: JsLibrary) -> bool:
    if imp.kind == "require":
        return True
    if imp.kind != "esm" or not imp.names:
        return False  # dynamic import() loads on demand; a bare side-effect import is for a stylesheet or polyfill
    return library.named_too or any(name.imported in _WHOLE for name in imp.names)


def _cherry_pickable(imp: Import) -> bool:
    """A lone default or namespace import of lodash; whether every use is a method call is read from the
    source by the codemod, since facts do not record every reference to a name."""
    return imp.source == "lodash" and imp.kind == "esm" and len(imp.names) == 1 and imp.names[0].imported in _WHOLE


def _describe(imp: Import) -> str:
    kinds = {name.imported for name in imp.names}
    if "*" in kinds:
        return "A namespace import"
    if "default" in kinds:
        return "A default import"
    return "A named import"
