"""Grammar work-arounds keep offsets and turn known tree-sitter-typescript failures into clean parses."""

from __future__ import annotations

from analyzers.javascript import parse
from analyzers.js_repairs import blank_tagged_template_type_arguments, rename_using_identifiers

GENERIC_TAGGED = b"""export async function stats(prisma, ids: string[]) {
  for (const id of ids) {
    const rows = await prisma.$queryRaw<
      { day: string; count: bigint }[]
    >`SELECT day, count(*) FROM events WHERE monitor_id = ${id} GROUP BY day`;
  }
  const fn = sql<(row: Row) => void>`SELECT 1 FROM t`;
  const cmp = a < b && c > `x`.length;
}
"""


def test_blanking_keeps_length_and_lines():
    repaired = blank_tagged_template_type_arguments(GENERIC_TAGGED)
    assert repaired is not None and len(repaired) == len(GENERIC_TAGGED)
    assert repaired.count(b"\n") == GENERIC_TAGGED.count(b"\n")
    assert b"$queryRaw" in repaired and b"bigint" not in repaired and b"Row" not in repaired
    assert b"a < b && c > `x`" in repaired  # a comparison is not a type argument list


def test_generic_tagged_template_parses_without_error_and_keeps_spans():
    facts = parse("stats.ts", GENERIC_TAGGED, "typescript")
    assert facts.errors == []
    [raw] = [c for c in facts.calls if c.callee == "prisma.$queryRaw"]
    assert (raw.span.line, raw.span.column, raw.loops) == (3, 24, (0,))
    assert [s.tag for s in facts.sql] == ["prisma.$queryRaw", "sql"]
    assert facts.sql[0].span.line == 5


def test_nothing_to_repair():
    assert blank_tagged_template_type_arguments(b"const a = f<T>(x);\n") is None


def test_bare_ampersand_in_jsx_text_and_attribute_strings():
    source = b'export const A = () => <div title="a=1&b=2"><p>Drag & Drop</p>{x && y}<b>&amp;</b></div>;\n'
    facts = parse("a.tsx", source, "tsx")
    assert facts.errors == []
    assert [e.name for e in facts.jsx] == ["div", "p", "b"]


def test_ampersand_repair_is_dropped_when_it_does_not_help():
    source = b"export const mask = (a: number) => a & 0xff;\nexport const broken = (;\n"
    facts = parse("m.ts", source, "typescript")
    assert len(facts.errors) == 1 and facts.errors[0].startswith("syntax error")


USING_NAME = b"""export function Step({ running }: { running: boolean }) {
  const using = useMemo(() => running, [running]);
  useEffect(() => {
    if (!using) log('done');
  }, [using]);
  return using ? 'on' : 'off';
}

export async function scoped() {
  await using handle = open();
  return fetchRows(handle);
}
"""


def test_using_as_a_name_parses_and_keeps_the_declaration_keyword():
    facts = parse("Step.tsx", USING_NAME, "tsx")
    assert facts.errors == []
    assert {f.qualname for f in facts.functions} >= {"Step", "scoped"}
    assert any(call.callee == "fetchRows" for call in facts.calls)  # the code after `await using` is read too
    assert rename_using_identifiers(USING_NAME).count(b"u$ing") == 4
    assert len(rename_using_identifiers(USING_NAME)) == len(USING_NAME)
