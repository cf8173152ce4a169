"""Correlated subqueries in a SELECT list: a query that runs once per row of the outer query."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from analyzers.detectors.base import Detector, FileContext
from analyzers.facts import ModuleFacts
from analyzers.sql import parse_query
from optimizer.findings import Category, Finding, Severity


class CorrelatedSubquery(Detector):
    """## What it does
    Finds SQL strings whose select list holds a subquery that refers to a table of the outer query, e.g.
    `SELECT p.id, (SELECT count(*) FROM comments c WHERE c.post_id = p.id) FROM posts p`.

    ## Why is this slow?
    The subquery is evaluated once per row of the outer query: an N+1 inside the database. Planners
    rarely turn a scalar subquery in the select list into a join, so 10,000 posts mean 10,000 index
    lookups (or 10,000 scans when `comments.post_id` is not indexed).

    ## Example
    ```sql
    SELECT p.id, p.title,
           (SELECT count(*) FROM comments c WHERE c.post_id = p.id) AS comment_count
    FROM posts p
    ```

    ## Use instead
    ```sql
    SELECT p.id, p.title, count(c.id) AS comment_count
    FROM posts p LEFT JOIN comments c ON c.post_id = p.id
    GROUP BY p.id, p.title
    ```
    or aggregate once in a derived table / CTE and join it; for "latest row per parent", a
    `LATERAL` join or a window function (`row_number() OVER (PARTITION BY ...)`).

    ## Known limits
    Only string and template literals that read as SQL are checked; queries built from fragments are
    not. A correlation is recognised through qualified columns (`p.id`); an unqualified outer column is
    ambiguous and not reported. `WHERE EXISTS (...)` / `IN (...)` subqueries are not reported: planners
    run them as semi-joins.

    ## Fix safety
    No automatic fix: a join changes row multiplicity and needs the right GROUP BY.
    """

    id = "correlated-subquery"
    category = Category.N_PLUS_ONE
    languages = ("typescript", "tsx", "javascript", "python")
    severity = Severity.WARNING

    def check(self, module: ModuleFacts, ctx: FileContext) -> Iterable[Finding]:
        for sql in module.sql:
            for subquery, outer in correlated_select_items(sql.text):
                yield self.finding(
                    module,
                    sql.span,
                    f"The select list runs `{_short(subquery)}` once per row of `{outer}`; "
                    "join and aggregate once (GROUP BY, a derived table or a LATERAL join) instead.",
                    ctx=ctx,
                    weight=2.0,
                )


@lru_cache(maxsize=4096)
def correlated_select_items(text: str) -> tuple[tuple[str, str], ...]:
    """(subquery SQL, outer table) for each select-list item whose subquery refers to the outer query's tables.

    One result per select item: a correlated subquery nested in another counts once, at the outermost.
    """
    parsed = parse_query(text)
    if parsed is None:
        return ()
    from sqlglot import exp

    tree, dialect = parsed
    found: list[tuple[str, str]] = []
    for select in tree.find_all(exp.Select):
        outer = _source_names(select)
        for item in select.expressions:
            for subquery in item.find_all(exp.Subquery):  # breadth first: the outermost comes first
                inner = subquery.this
                if not isinstance(inner, exp.Select):
                    continue
                referenced = {col.table for col in inner.find_all(exp.Column) if col.table}
                correlated = (referenced - set(_source_names(inner))) & set(outer)
                if correlated:
                    found.append((subquery.sql(dialect=dialect), outer[sorted(correlated)[0]]))
                    break
    return tuple(found)


def _source_names(select) -> dict[str, str]:
    """Alias or name -> table name for the FROM and JOIN sources of one SELECT (not of nested ones)."""
    from sqlglot import exp

    names: dict[str, str] = {}
    # sqlglot 30 names the FROM clause "from_", older releases "from"
    sources = [select.args.get("from_") or select.args.get("from"), *(select.args.get("joins") or [])]
    for source in sources:
        if source is None:
            continue
        table = source.this if isinstance(source, (exp.From, exp.Join)) else source
        if isinstance(table, exp.Table):
            names[table.alias_or_name] = table.name
            names[table.name] = table.name
    return names


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
