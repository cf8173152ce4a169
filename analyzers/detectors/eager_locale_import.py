"""Eager locale imports: every translation dictionary bundled and loaded although one locale is shown at a time."""

from __future__ import annotations

import re
from collections.abc import Iterable

from analyzers.detectors.base import Detector, FileContext
from analyzers.facts import Import, ModuleFacts
from optimizer.findings import Category, Finding, Related, Severity

# folders that hold one dictionary per locale
_LOCALE_DIRS = frozenset({"locales", "locale", "i18n", "lang", "langs", "languages", "translations", "messages", "l10n"})
# ``en``, ``pt-BR``, ``zh_CN``, ``zh-Hans``, ``es-419``: a two-letter language code (three-letter ones read like
# ``api``, ``app``) and an optional region or script
_LOCALE_CODE = re.compile(r"[a-z]{2}(?:[-_](?:[A-Za-z]{2}|[A-Z][a-z]{3}|\d{3}))?")
_EXTENSIONS = re.compile(r"\.(?:json|ya?ml|po|js|mjs|cjs|ts)$")
# date libraries whose locales are separate modules: ``date-fns/locale/de``, ``moment/locale/fr``, ``dayjs/locale/es``
_LIBRARY_LOCALE = re.compile(r"^(?:date-fns|moment|dayjs)/locale/[^/]+")


class EagerLocaleImport(Detector):
    """## What it does
    Finds frontend modules that statically import several (by default three or more) translation or locale
    dictionaries: imports from a `locales/`, `i18n/`, `lang/`, `translations/` or `messages/` folder whose
    file or folder name is a locale code (`en`, `de.json`, `pt-BR`, `zh-CN/common.json`), and
    `date-fns/locale/*`, `moment/locale/*` and `dayjs/locale/*` modules (named imports from
    `date-fns/locale` count one each).

    ## Why is this slow?
    A static import puts every dictionary into the bundle that imports it and parses it at start-up,
    although a user reads one language at a time. Ten dictionaries of 50 KB each add half a megabyte
    to download and parse before the first render, for text that is never shown.

    ## Example
    ```ts
    import en from './locales/en.json';
    import de from './locales/de.json';
    import fr from './locales/fr.json';
    const messages = { en, de, fr };
    ```

    ## Use instead
    ```ts
    const loaders = {
      en: () => import('./locales/en.json'),
      de: () => import('./locales/de.json'),
      fr: () => import('./locales/fr.json'),
    };
    const messages = (await loaders[locale]()).default;
    ```
    i18next has `i18next-resources-to-backend` for this; date-fns locales load the same way.

    ## Known limits
    Whether the dictionaries really are used one at a time is not checked. Server-side modules (the
    backend component) and dynamic `import()`s are not reported; test files are skipped.

    ## Fix safety
    No automatic fix: loading a dictionary becomes asynchronous, and the code that switches locales has
    to wait for it.
    """

    id = "eager-locale-import"
    category = Category.HEAVY_IMPORT
    languages = ("typescript", "tsx", "javascript")
    severity = Severity.WARNING
    options = {"min-imports": 3}

    def check(self, module: ModuleFacts, ctx: FileContext) -> Iterable[Finding]:
        if ctx.component == "backend" or ctx.is_test:
            return
        eager = [(imp, _dictionaries(imp)) for imp in module.imports if _is_eager(imp)]
        eager = [(imp, count) for imp, count in eager if count]
        total = sum(count for _, count in eager)
        if total < int(ctx.options["min-imports"]):
            return
        first = eager[0][0]
        related = tuple(Related(module.path, imp.span.line, f"imports `{imp.source}`") for imp, _ in eager[1:6])
        message = (
            f"{total} locale dictionaries are imported statically (`{first.source}`, ...), so every user downloads "
            "and parses all of them; load the active one with a dynamic `import()` per locale."
        )
        yield self.finding(module, first.span, message, ctx=ctx, related=related, weight=float(total))


def _is_eager(imp: Import) -> bool:
    return imp.kind in ("esm", "require") and imp.function is None and not imp.type_only


def _dictionaries(imp: Import) -> int:
    """How many locale dictionaries one import loads: 0 when it is not a locale import."""
    source = imp.source
    if source == "date-fns/locale":  # the index re-exports every locale; each named import pulls one in
        return sum(1 for name in imp.names if name.imported not in ("*", "default"))
    if _LIBRARY_LOCALE.match(source):
        return 1
    parts = source.split("/")
    for index, part in enumerate(parts[:-1]):
        if part in _LOCALE_DIRS:
            return int(any(_LOCALE_CODE.fullmatch(_EXTENSIONS.sub("", p)) for p in parts[index + 1 :]))
    return 0
