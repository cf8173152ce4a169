"""The correlation test behind `correlated-subquery`, on SQL text alone."""

from __future__ import annotations

import pytest

from analyzers.detectors.correlated_subquery import correlated_select_items


@pytest.mark.parametrize(
    ("sql", "outer"),
    [
        ("SELECT p.id, (SELECT count(*) FROM comments c WHERE c.post_id = p.id) FROM posts p", "posts"),
        ('SELECT (SELECT count(*) FROM "Comment" WHERE "Comment"."postId" = "Post"."id") FROM "Post"', "Post"),
        ("SELECT u.id FROM users u JOIN teams t ON t.id = u.team_id "
         "WHERE u.id > 1 AND t.id IN (SELECT 1) AND (SELECT 1) = 1", None),
        ("SELECT u.id, (SELECT name FROM teams t WHERE t.id = u.team_id) FROM users u JOIN x ON x.id = u.id", "users"),
    ],
)
def test_outer_table_named(sql, outer):
    found = correlated_select_items(sql)
    assert [o for _, o in found] == ([outer] if outer else [])


def test_nested_correlation_counts_once_and_keeps_the_dialect():
    sql = ("SELECT u.id, (SELECT json_agg(x) FROM (SELECT * FROM orders o WHERE o.user_id = u.id LIMIT 5) x) "
           "FROM users u")
    [(subquery, outer)] = correlated_select_items(sql)
    assert outer == "users" and subquery.startswith("(SELECT JSON_AGG(x)")


@pytest.mark.parametrize("sql", ["SELECT FROM WHERE (((", "", "UPDATE users SET a = 1 WHERE id = $1"])
def test_unreadable_or_other_sql_is_quietly_skipped(sql):
    assert correlated_select_items(sql) == ()
