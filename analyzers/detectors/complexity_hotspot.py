"""Complexity hotspots: functions with many branches, ranked higher where a request or a render waits on them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from analyzers.detectors.base import ProjectDetector
from optimizer.findings import Category, Finding, Severity

if TYPE_CHECKING:
    from optimizer.api import Project


class ComplexityHotspot(ProjectDetector):
    """## What it does
    Reports functions whose cyclomatic (McCabe) complexity is above a threshold: one plus the number of
    decision points in the function's own body. Python counts what radon counts (`if`/`elif`, ternaries,
    `for`/`while` and their `else`, each `except` and a `try`'s `else`, each extra operand of `and`/`or`,
    comprehension `for`s and `if`s, `match` cases other than `case _`); JavaScript and TypeScript count
    `if`/`else if`, `for`/`for-in`/`for-of`/`while`/`do`, each `case`, `catch`, `?:` and each
    `&&`/`||`/`??` (optional chaining is not a decision). Nested functions are counted on their own, except
    that a Python `lambda`'s decisions count for the enclosing function, as in radon. A
    function that a route handler reaches, or a React component, weighs more: it runs while a request or a
    render waits.

    ## Why is this slow?
    Complexity is not slowness in itself, but branch-heavy functions are where slow paths hide: a rare
    branch that queries in a loop, a fallback that re-fetches, a render that recomputes on every state
    change. They are also the functions that are hardest to optimise safely, so they are where profiling
    and a split into smaller, testable (and memoisable) pieces pay off first.

    ## Example
    ```ts
    function priceFor(order) {
      if (order.coupon && order.coupon.active || order.vip) { ... }
      else if (order.total > 100 ?? false) { ... }
      for (const line of order.lines) { switch (line.kind) { case 'a': ...; case 'b': ...; } }
      ...
    }
    ```

    ## Use instead
    Split the function along its decisions: a lookup table instead of a long `switch`, early returns
    instead of nested conditions, and separate functions (or components) for the separate cases.

    ## Known limits
    Decorators and default arguments of a Python function count for the enclosing function, as in radon
    they count for no function. An `assert` is not a decision here (radon counts one per `assert` unless
    given `--no-assert`), so a function with asserts can score a few points below radon's default. Test files are skipped.

    ## Fix safety
    No automatic fix: advice only.
    """

    id = "complexity-hotspot"
    category = Category.COMPLEXITY
    languages = ("python", "typescript", "tsx", "javascript")
    severity = Severity.INFO
    options = {"threshold": 15, "include-tests": False}

    def check_project(self, project: Project) -> Iterable[Finding]:
        graph = project.graph
        on_path = graph.request_path_functions()
        for module, ctx in self.checked_modules(project):
            threshold = int(ctx.options["threshold"])
            for fn in module.functions:
                count = module.complexity.get(fn.qualname, 0)
                if count <= threshold:
                    continue
                where = ""
                weight = count / threshold
                if graph.function_node(module.path, fn.qualname) in on_path:
                    where, weight = " and runs on a request path", weight * 2
                elif fn.is_component:
                    where, weight = " and runs on every render of this component", weight * 2
                message = (
                    f"`{fn.qualname}` has cyclomatic complexity {count} (threshold {threshold}){where}; "
                    "split it along its decisions so each part can be profiled and optimised on its own."
                )
                yield self.finding(module, fn.span, message, ctx=ctx, weight=weight, complexity=count)
