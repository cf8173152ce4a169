"""The loop codemods (promise-all-loop, batch-prisma-lookups): which loops they rewrite, which they decline
and why, when their rules offer them, and that the rewritten code gives the same results when Node runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from npm_helpers import REQUIRE_NODE

from optimizer.api import analyze
from rewriters.edits import NoFix, apply_edits
from rewriters.javascript import batch_prisma_lookups, promise_all_loop

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None and not REQUIRE_NODE, reason="node is not installed, so the before/after code cannot run")


def _rewrite(codemod, source: str, language: str = "typescript") -> str:
    data = source.encode()
    return apply_edits(data, codemod.compute_edits(data, language))[0].decode()


def _fixes(tmp_path: Path, files: dict[str, str], rule: str) -> list[str | None]:
    """The codemod named by each finding of ``rule`` (None: advice only), in line order."""
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    findings = analyze([tmp_path], root=tmp_path, use_cache=False).findings
    return [f.fix.codemod if f.fix else None for f in findings if f.rule == rule]


def _loop(body: str, header: str = "for (const user of users)", before: str = "", params: str = "users: User[]") -> str:
    return (
        f"export async function notify({params}, mailer: Mailer) {{\n{before}"
        f"  {header} {{\n{body}  }}\n}}\n"
    )


@pytest.mark.parametrize(
    ("source", "why"),
    [
        (_loop("    total += await mailer.sendDigest(user);\n", before="  let total = 0;\n"), "writes to `total`"),
        (_loop("    sent.push(user.id);\n    await mailer.send(user);\n", before="  const sent = [];\n"), "adds to `sent`"),
        (_loop("    await mailer.send(user);\n    log.set(user.id, true);\n"), "adds to `log`"),
        (_loop("    await mailer.send(user);\n    user.tags.forEach((tag) => { count += 1; });\n"), "writes to `count`"),
        (_loop("    if (!user.active) continue;\n    sent.push(await mailer.send(user));\n", before="  const sent = [];\n"),
         "`continue` on line 4 skips the push to `sent`"),
        (_loop("    await mailer.send(user);\n", header="for (user of users)"), "does not declare"),
        (_loop("    await mailer.send(user);\n", header="outer: for (const user of users)"), "has a label"),
        (_loop("    await mailer.send(user);\n", params="users: Set<User>"), "declared as `Set<User>`"),
        (_loop("    await mailer.send(user);\n", before="  const users = new Set(list);\n", params="list: User[]"),
         "built with `new Set\\(list\\)`"),
        (_loop("    await mailer.send(user);\n", before="  const users = byId.values();\n", params="byId: Lookup"),
         "built with `byId.values\\(\\)`"),
        (_loop("    await mailer.send(user);\n    sent.push(user);\n    count(sent);\n", before="  const sent = [];\n"),
         "adds to `sent`"),
        (_loop("    audit(sent);\n    sent.push(await mailer.send(user));\n", before="  const sent = [];\n"),
         "uses `sent` besides"),
    ],
)
def test_promise_all_loop_declines_loops_that_hand_state_on(source: str, why: str) -> None:
    with pytest.raises(NoFix, match=why):
        promise_all_loop.compute_edits(source.encode(), "typescript")


@pytest.mark.parametrize(
    "source",
    [
        _loop("    await mailer.send(user);\n", header="for await (const user of users)"),
        _loop("    await mailer.send(user);\n", header="for (const user of users.filter(isActive))"),
        _loop("    await mailer.send(user);\n", header="for (const key in users)"),
        _loop("    await mailer.send(users[i]);\n", header="for (let i = 0; i < users.length; i++)"),
        _loop("    if (await mailer.send(user)) break;\n"),
        _loop("    await fetch(`/api/notify/${user.id}`);\n"),  # chatty-client's, not this rule's
    ],
)
def test_promise_all_loop_leaves_loops_it_does_not_own(source: str) -> None:
    assert promise_all_loop.compute_edits(source.encode(), "typescript") == []


def test_promise_all_loop_keeps_let_and_returns_the_pushed_value() -> None:
    body = "    const sent = await mailer.send(user);\n    log(sent.id);\n    ids.push(sent.id);\n"
    after = _rewrite(promise_all_loop, _loop(body, before="  let ids = [];\n"))
    assert "  let ids = await Promise.all(users.map(async (user) => {\n" in after
    assert "    log(sent.id);\n    return sent.id;\n  }));\n}\n" in after


def test_promise_all_loop_lets_functions_in_the_body_return() -> None:
    body = "    const tags = user.tags.map((tag) => {\n      return tag.name;\n    });\n    await mailer.send(user, tags);\n"
    after = _rewrite(promise_all_loop, _loop(body))
    assert "  await Promise.all(users.map(async (user) => {\n    const tags = user.tags.map((tag) => {\n" in after
    assert after.endswith("    await mailer.send(user, tags);\n  }));\n}\n")


def test_promise_all_loop_needs_the_array_right_before_the_loop() -> None:
    source = _loop("    ids.push(await mailer.send(user));\n", before="  const ids = [];\n  log('start');\n")
    with pytest.raises(NoFix, match="adds to `ids`"):
        promise_all_loop.compute_edits(source.encode(), "typescript")


def test_sequential_loop_fix_is_offered_only_when_the_codemod_sees_the_same_loops(tmp_path: Path) -> None:
    audit = "class Audit {\n  async record(u) {\n    return u.id;\n  }\n}\nconst audit = new Audit();\n"
    quiet = "export async function a(users) {\n  for (const u of users) {\n    await audit.record(u);\n  }\n}\n"
    loud = "export async function b(users, mailer) {\n  for (const u of users) {\n    await mailer.send(u);\n  }\n}\n"
    # the graph sees that Audit.record does no I/O; the codemod, reading one file's shapes, would rewrite it too
    assert _fixes(tmp_path, {"a.js": audit + quiet + loud}, "sequential-await-in-loop") == [None]
    (tmp_path / "a.js").unlink()
    assert _fixes(tmp_path, {"b.js": loud}, "sequential-await-in-loop") == ["promise-all-loop"]


PRISMA = "import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n"


def _lookup(body: str, before: str = "  const users = [];\n", query: str = "{ where: { id } }") -> str:
    body = body.replace("QUERY", f"prisma.user.findUnique({query})")
    return f"{PRISMA}export async function load(ids: string[]) {{\n{before}  for (const id of ids) {{\n{body}  }}\n  return users;\n}}\n"


_PUSHED = "    const user = await QUERY;\n    users.push(user);\n"


@pytest.mark.parametrize(
    ("source", "why"),
    [
        (_lookup(_PUSHED, before="  let users;\n  users = [];\n"), "does not fill an empty array"),
        (_lookup(_PUSHED.replace("    users", "    // keep the order\n    users")), "holds comments"),
        (_lookup(_PUSHED + "    audit(user);\n"), "does more than look up"),
        (_lookup("    const user = await QUERY;\n    if (user) users.push(user);\n"), "does more than look up"),
        (_lookup(_PUSHED, query="{ where: { id: tenantId } }"), "not by the loop's item"),
        (_lookup(_PUSHED, query="{ where: { id }, select: { name: true } }"), "does not select `id`"),
        (_lookup(_PUSHED, query="{ where: { id }, relationLoadStrategy: 'join' }"), "only `where`, `select`"),
    ],
)
def test_batch_lookups_declines_shapes_it_cannot_prove(source: str, why: str) -> None:
    with pytest.raises(NoFix, match=why):
        batch_prisma_lookups.compute_edits(source.encode(), "typescript")


@pytest.mark.parametrize(
    "source",
    [
        _lookup(_PUSHED).replace("findUnique", "findFirst"),  # not unique: another row may come first
        _lookup(_PUSHED, query="options(id)"),
        _lookup(_PUSHED, query="{ where: { id, tenantId } }"),
        _lookup(_PUSHED + "    await prisma.audit.create({ data: { id } });\n"),
    ],
)
def test_batch_lookups_leaves_other_queries(source: str) -> None:
    assert batch_prisma_lookups.compute_edits(source.encode(), "typescript") == []


def test_batch_lookups_picks_names_free_in_the_file() -> None:
    after = _rewrite(batch_prisma_lookups, "const userRows = 1;\n" + _lookup(_PUSHED))
    assert "const userRows2 = await prisma.user.findMany({ where: { id: { in: ids } } });" in after
    assert "const users = ids.map((id) => userById.get(id) ?? null);" in after


SCHEMA = """model User {
  id        String   @id
  email     String   @unique
  name      String
  createdAt DateTime @unique
}
"""


@pytest.mark.parametrize(
    ("schema", "field", "offered"),
    [
        (SCHEMA, "email", True),
        (SCHEMA, "createdAt", False),  # rows come back with a new Date: the Map would not find them
        (None, "email", True),
        (None, "tenantId_email", False),  # may name a compound key, which rows do not have as a field
    ],
)
def test_batch_fix_is_offered_for_keys_a_map_finds_again(
    tmp_path: Path, schema: str | None, field: str, offered: bool
) -> None:
    files = {"users.ts": _lookup(_PUSHED, query=f"{{ where: {{ {field}: id }} }}")}
    if schema:
        files["schema.prisma"] = schema
    assert _fixes(tmp_path, files, "n-plus-one-query") == ["batch-prisma-lookups" if offered else None]


def test_batch_fix_is_not_offered_for_a_loop_that_stops_on_a_row(tmp_path: Path) -> None:
    """`findUnique` until one row is found: the batch would query every item and drop the early stop."""
    stops = "    const user = await QUERY;\n    if (user) break;\n"
    assert _fixes(tmp_path, {"users.ts": _lookup(stops)}, "n-plus-one-query") == [None]


def _node_results(tmp_path: Path, name: str, code: str) -> dict:
    script = tmp_path / f"{name}.mjs"
    script.write_text(code, encoding="utf-8")
    assert NODE is not None
    done = subprocess.run([NODE, str(script)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


SERVICE = """
export async function sendInvites(mailer, invites) {
  for (const invite of invites) {
    if (!invite.email) continue;
    let link = `https://example.com/join/${invite.teamId}`;
    for (const tag of invite.tags) {
      if (tag === "stop") break;
      if (!tag) continue;
      link += `&tag=${tag}`;
    }
    await mailer.sendInvite(invite.email, link);
  }
}

export async function signedUrls(storage, keys) {
  const urls = [];
  for (const key of keys) {
    urls.push(await storage.getSignedUrl(key));
  }
  return urls;
}

export async function archive(storage, lines) {
  const etags = [];
  for (const { id, total } of lines) {
    const receipt = await storage.putObject(`receipts/${id}.json`, JSON.stringify({ id, total }));
    etags.push(receipt.etag);
  }
  return etags;
}
"""

# Each call resolves after a delay that shrinks with the item, so calls started together finish out of order.
SERVICE_DRIVER = """
const calls = [];
let running = 0, peak = 0;
const call = (name) => async (...args) => {
  running += 1; peak = Math.max(peak, running);
  await new Promise((resolve) => setTimeout(resolve, 40 - 10 * calls.length));
  calls.push([name, ...args]);
  running -= 1;
  return name === "putObject" ? { etag: `etag-${args[0]}` } : `signed:${args[0]}`;
};
const client = { sendInvite: call("sendInvite"), getSignedUrl: call("getSignedUrl"), putObject: call("putObject") };
await sendInvites(client, [
  { email: "a@x.io", teamId: "t1", tags: ["red", "", "blue", "stop", "green"] },
  { email: "", teamId: "t0", tags: [] },
  { email: "b@x.io", teamId: "t2", tags: [] },
]);
const urls = await signedUrls(client, ["k1", "k2", "k3"]);
const etags = await archive(client, [{ id: "r1", total: 5 }, { id: "r2", total: 7 }]);
calls.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
console.log(JSON.stringify({ urls, etags, calls, peak }));
"""


@needs_node
def test_promise_all_loop_gives_the_same_results_with_calls_overlapping(tmp_path: Path) -> None:
    after = _rewrite(promise_all_loop, SERVICE, "javascript")
    assert after.count("Promise.all(") == 3
    # the turn's own `continue` returns from the callback; the inner loop's `break`/`continue` stay
    assert "if (!invite.email) return;" in after and 'if (tag === "stop") break;' in after
    before_run = _node_results(tmp_path, "before", SERVICE + SERVICE_DRIVER)
    after_run = _node_results(tmp_path, "after", after + SERVICE_DRIVER)
    assert before_run["peak"] == 1 and after_run["peak"] > 1
    assert {k: v for k, v in after_run.items() if k != "peak"} == {k: v for k, v in before_run.items() if k != "peak"}


LOOKUPS = """
export async function customersFor(prisma, orders) {
  const customers = [];
  for (const order of orders) {
    const customer = await prisma.customer.findUnique({ where: { id: order.customerId }, select: { id: true, name: true } });
    customers.push(customer);
  }
  return customers;
}
"""

# A stub client that records each query and answers from a table, rows as fresh objects like Prisma's.
LOOKUPS_DRIVER = """
const rows = [{ id: "c1", name: "Ada", tier: "gold" }, { id: "c2", name: "Lin", tier: "free" }];
const queries = [];
const pick = (row, select) => (select ? Object.fromEntries(Object.keys(select).map((k) => [k, row[k]])) : { ...row });
const prisma = { customer: {
  async findUnique({ where, select }) {
    queries.push("findUnique");
    const row = rows.find((r) => r.id === where.id);
    return row ? pick(row, select) : null;
  },
  async findMany({ where, select }) {
    queries.push("findMany");
    return rows.filter((r) => where.id.in.includes(r.id)).reverse().map((r) => pick(r, select));
  },
} };
const orders = [{ customerId: "c2" }, { customerId: "missing" }, { customerId: "c1" }, { customerId: "c2" }];
console.log(JSON.stringify({ customers: await customersFor(prisma, orders), queries }));
"""


@needs_node
def test_batch_lookups_gives_the_same_rows_with_one_query(tmp_path: Path) -> None:
    after = _rewrite(batch_prisma_lookups, LOOKUPS, "javascript")
    assert "findMany" in after
    before_run = _node_results(tmp_path, "before", LOOKUPS + LOOKUPS_DRIVER)
    after_run = _node_results(tmp_path, "after", after + LOOKUPS_DRIVER)
    assert after_run["customers"] == before_run["customers"]
    assert before_run["customers"][1] is None
    assert before_run["queries"] == ["findUnique"] * 4
    assert after_run["queries"] == ["findMany"]


def test_promise_all_loop_takes_arrays_from_object_values() -> None:
    source = _loop("    await mailer.send(user);\n", before="  const users = Object.values(byId);\n", params="byId: Lookup")
    assert "await Promise.all(users.map(async (user) => {" in _rewrite(promise_all_loop, source)
