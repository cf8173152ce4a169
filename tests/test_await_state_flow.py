"""""`await doc.load()` alone as a statement fills an object the function made: its next mention depends on it."""

from __future__ import annotations

from analyzers.javascript import parse as parse_js
from analyzers.python import parse as parse_py

JS = """\
import { prisma } from './db';
async function f(sheetId, client, items) {
  const doc = open(sheetId);
  await doc.loadInfo();
  const sheet = doc.sheetsByTitle.a;
  await prisma.user.touch();
  await prisma.post.touch();
  await client.connect();
  await client.ping();
  for (const item of items) {
    await client.send(item);
  }
}
"""

PY = """\
async def f(sheet_id, client, items):
    doc = open_doc(sheet_id)
    await doc.load_info()
    sheet = doc.sheets_by_title["a"]
    await shared.touch()
    await shared.touch_again()
    await client.connect()
    await client.ping()
    conn = client.open()
    for item in items:
        await conn.send(item)
"""


def flows(module):
    source_lines = {a.span.line: a for a in module.awaits}
    return {line: (a.next_read >= 0, a.loop_carried) for line, a in source_lines.items()}


def test_js_local_objects_take_their_calls_in_order():
    found = flows(parse_js("f.ts", JS.encode(), "typescript"))
    # the doc the function opened: later mentions depend; the module-level client and the parameter do not
    assert found[4] == (True, False)
    assert found[6] == (False, False) and found[7] == (False, False)
    assert found[8] == (False, False)
    # the loop does not carry anything from one send to the next
    assert found[11][1] is False


def test_python_local_objects_take_their_calls_in_order():
    found = flows(parse_py("f.py", PY.encode()))
    assert found[3] == (True, False)
    assert found[5] == (False, False) and found[6] == (False, False)
    assert found[7] == (False, False)
    # a local connection used in a loop: the loop still carries nothing from one send to the next
    assert found[11][1] is False
