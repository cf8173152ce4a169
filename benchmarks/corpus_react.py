"""React component templates for the corpus: lists, cards, forms, tables, data loaders, dialogs and
context consumers. Each block takes the component's name and returns its source."""

from __future__ import annotations

from corpus_base import ADJECTIVES, NOUNS, FileContext, fill, kebab, pascal
from corpus_ts import TS_DEFAULTS


def _component_name(ctx: FileContext) -> str:
    return ctx.fresh(lambda: pascal(ctx.rng.choice(ADJECTIVES), ctx.rng.choice(NOUNS), ctx.rng.choice(("List", "Panel", "Row", "Badge", "Summary", "Card", "Section"))))


def list_component(ctx: FileContext, name: str) -> str:
    e = ctx.entity
    t = ctx.use_type(e)
    fmt = ctx.use("util") if ctx.rng.random() < 0.5 else None
    shown = f"{fmt}([item] as never[]).total" if fmt else f'item.{e.number_field} ?? "—"'
    return fill(
        """interface «Name»Props {
  «items»: «T»[];
  onSelect?: (item: «T») => void;
  emptyLabel?: string;
}

export function «Name»({ «items», onSelect, emptyLabel = "No «plural» yet" }: «Name»Props) {
  const [query, setQuery] = useState("");
  const visible = useMemo(
    () => «items».filter((item) => String(item.«text»).toLowerCase().includes(query.toLowerCase())),
    [«items», query],
  );

  if (visible.length === 0) {
    return <p className="«css»__empty">{emptyLabel}</p>;
  }

  return (
    <div className="«css»">
      <input value={query} onChange={(event) => setQuery(event.target.value)} placeholder="Search «plural»" />
      <ul>
        {visible.map((item) => (
          <li key={item.id} onClick={() => onSelect?.(item)}>
            <span>{item.«text»}</span>
            <small>{«shown»}</small>
          </li>
        ))}
      </ul>
    </div>
  );
}
""",
        Name=name, T=t, items=e.plural_var, plural=e.plural_var.lower(), text=e.text_field, css=kebab(name),
        shown=shown,
    )


def card_component(ctx: FileContext, name: str) -> str:
    e = ctx.entity
    t = ctx.use_type(e)
    rows = "\n".join(
        f'        <dt>{f.name}</dt>\n        <dd>{{String({e.var}.{f.name} ?? "")}}</dd>' for f in ctx.pick(e.fields, 4)
    )
    flag = e.of("bool")
    badge = f'      {{{e.var}.{flag[0].name} && <span className="badge">{flag[0].name}</span>}}\n' if flag else ""
    return fill(
        """export interface «Name»Props {
  «var»: «T»;
  compact?: boolean;
  actions?: ReactNode;
}

export function «Name»({ «var», compact = false, actions }: «Name»Props) {
  const title = «var».«text» || "Untitled";
  return (
    <article className={compact ? "card card--compact" : "card"} data-id={«var».id}>
      <header>
        <h3 title={title}>{title.length > «cut» ? `${title.slice(0, «cut»)}…` : title}</h3>
«badge»      </header>
      {!compact && (
        <dl>
«rows»
        </dl>
      )}
      {actions ? <footer>{actions}</footer> : null}
    </article>
  );
}
""",
        Name=name, var=e.var, T=t, text=e.text_field, rows=rows, badge=badge, cut=ctx.rng.choice((24, 32, 48, 64)),
    )


def form_component(ctx: FileContext, name: str) -> str:
    e = ctx.entity
    t = ctx.use_type(e)
    editable = [f for f in e.fields if f.kind in ("string", "int", "float", "bool")][:5]
    api = ctx.use("api")
    init = ",\n".join(f"    {f.name}: initial?.{f.name} ?? {TS_DEFAULTS[f.kind]}" for f in editable)
    inputs = []
    for f in editable:
        if f.kind == "bool":
            inputs.append(
                f'      <label>\n        <input type="checkbox" checked={{values.{f.name}}} '
                f'onChange={{(event) => update("{f.name}", event.target.checked)}} />\n        {f.name}\n      </label>'
            )
        else:
            kind = "number" if f.kind in ("int", "float") else "text"
            cast = "Number(event.target.value)" if kind == "number" else "event.target.value"
            inputs.append(
                f'      <label>\n        {f.name}\n        <input type="{kind}" value={{values.{f.name}}} '
                f'onChange={{(event) => update("{f.name}", {cast})}} />\n      </label>'
            )
    submit = f"await {api}(values as never);" if api else "await onSubmit(values);"
    return fill(
        """type «Name»Values = Pick<«T», «keys»>;

export function «Name»({ initial, onSubmit }: { initial?: Partial<«T»>; onSubmit: (values: «Name»Values) => Promise<void> }) {
  const [values, setValues] = useState<«Name»Values>(() => ({
«init»,
  }));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const update = useCallback(<K extends keyof «Name»Values>(key: K, value: «Name»Values[K]) => {
    setValues((previous) => ({ ...previous, [key]: value }));
  }, []);

  async function handleSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      «submit»
      await onSubmit(values);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : "Could not save");
    } finally {
      setSaving(false);
    }
  }

  return (
    <form onSubmit={handleSubmit} className="«css»">
«inputs»
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={saving}>
        {saving ? "Saving…" : "Save"}
      </button>
    </form>
  );
}
""",
        Name=name, T=t, keys=" | ".join(f'"{f.name}"' for f in editable), init=init, inputs="\n".join(inputs),
        submit=submit, css=kebab(name),
    )


def table_component(ctx: FileContext, name: str) -> str:
    e = ctx.entity
    t = ctx.use_type(e)
    cols = ctx.pick([f.name for f in e.fields], ctx.rng.randint(3, 5))
    return fill(
        """const «NAME»_COLUMNS = [«cols»] as const;
type «Name»Column = (typeof «NAME»_COLUMNS)[number];

export function «Name»({ rows, pageSize = «page» }: { rows: «T»[]; pageSize?: number }) {
  const [sortKey, setSortKey] = useState<«Name»Column>("«first»");
  const [descending, setDescending] = useState(false);
  const [page, setPage] = useState(0);

  const sorted = useMemo(() => {
    const copy = [...rows];
    copy.sort((a, b) => String(a[sortKey]).localeCompare(String(b[sortKey])) * (descending ? -1 : 1));
    return copy;
  }, [rows, sortKey, descending]);
  const pageRows = sorted.slice(page * pageSize, (page + 1) * pageSize);
  const pages = Math.max(1, Math.ceil(sorted.length / pageSize));

  return (
    <table className="«css»">
      <thead>
        <tr>
          {«NAME»_COLUMNS.map((column) => (
            <th
              key={column}
              onClick={() => (column === sortKey ? setDescending(!descending) : setSortKey(column))}
              aria-sort={column === sortKey ? (descending ? "descending" : "ascending") : "none"}
            >
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {pageRows.map((row) => (
          <tr key={row.id}>
            {«NAME»_COLUMNS.map((column) => (
              <td key={column}>{String(row[column] ?? "")}</td>
            ))}
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td colSpan={«NAME»_COLUMNS.length}>
            <button disabled={page === 0} onClick={() => setPage(page - 1)}>Previous</button>
            <span>{page + 1} / {pages}</span>
            <button disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>Next</button>
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
""",
        Name=name, NAME=kebab(name).replace("-", "_").upper(), T=t, cols=", ".join(f'"{c}"' for c in cols),
        first=cols[0], page=ctx.rng.choice((10, 20, 25, 50)), css=kebab(name),
    )


def data_component(ctx: FileContext, name: str) -> str:
    e = ctx.entity
    t = ctx.use_type(e)
    hook = ctx.use("hook")
    load = (
        f"  const {{ data, loading, error }} = {hook}<{t}[]>(`/api{e.route}?limit=${{limit}}`);\n"
        if hook and ctx.rng.random() < 0.6
        else fill(
            """  const [data, setData] = useState<«T»[] | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    fetch(`/api«route»?limit=${limit}`, { signal: controller.signal })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(response.statusText))))
      .then((body: { items: «T»[] }) => setData(body.items))
      .catch((caught) => {
        if (caught.name !== "AbortError") setError(caught);
      })
      .finally(() => setLoading(false));
    return () => controller.abort();
  }, [limit]);
""",
            T=t, route=e.route,
        )
    )
    return fill(
        """export function «Name»({ limit = «limit», title = "«title»" }: { limit?: number; title?: string }) {
«load»
  if (loading) return <div className="spinner" aria-busy="true" />;
  if (error) return <div role="alert">Failed to load «plural»: {String(error)}</div>;

  return (
    <section>
      <h2>{title}</h2>
      <ol>
        {(data ?? []).map((«var», index) => (
          <li key={«var».id ?? index}>
            {«var».«text»}
          </li>
        ))}
      </ol>
    </section>
  );
}
""",
        Name=name, limit=ctx.rng.choice((10, 20, 50)), title=pascal(ctx.rng.choice(ADJECTIVES)) + " " + e.plural_var,
        load=load, plural=e.plural_var, var=e.var, text=e.text_field,
    )


def modal_component(ctx: FileContext, name: str) -> str:
    return fill(
        """export function «Name»({ open, onClose, title, children }: { open: boolean; onClose: () => void; title: string; children?: ReactNode }) {
  const dialogRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return undefined;
    const previous = document.activeElement as HTMLElement | null;
    dialogRef.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      previous?.focus();
    };
  }, [open, onClose]);

  if (!open) return null;
  return (
    <div className="«css»__backdrop" onClick={onClose}>
      <div
        ref={dialogRef}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        tabIndex={-1}
        className="«css»"
        onClick={(event) => event.stopPropagation()}
      >
        <h2>{title}</h2>
        {children}
        <button onClick={onClose} aria-label="Close">×</button>
      </div>
    </div>
  );
}
""",
        Name=name, css=kebab(name),
    )


def generic_component(ctx: FileContext, name: str) -> str:
    return fill(
        """export interface «Name»Props<T extends { id: string }> {
  items: T[];
  renderItem: (item: T, index: number) => ReactNode;
  selectedId?: string | null;
  onChange?: (id: string) => void;
}

export function «Name»<T extends { id: string }>({ items, renderItem, selectedId, onChange }: «Name»Props<T>) {
  const grouped = useMemo(() => {
    const buckets = new Map<string, T[]>();
    items.forEach((item) => {
      const key = item.id.slice(0, «prefix»);
      buckets.set(key, [...(buckets.get(key) ?? []), item]);
    });
    return [...buckets.entries()];
  }, [items]);

  return (
    <div className="«css»">
      {grouped.map(([key, group]) => (
        <fieldset key={key}>
          <legend>{key}</legend>
          {group.map((item, index) => (
            <div
              key={item.id}
              className={item.id === selectedId ? "selected" : undefined}
              onClick={() => onChange?.(item.id)}
            >
              {renderItem(item, index)}
            </div>
          ))}
        </fieldset>
      ))}
    </div>
  );
}
""",
        Name=name, prefix=ctx.rng.randint(1, 3), css=kebab(name),
    )


def context_component(ctx: FileContext, name: str) -> str:
    hook = ctx.use("context", where=lambda n: n.startswith("use"))
    e = ctx.entity
    source = f"  const shared = {hook}();\n" if hook else "  const shared = { ready: true };\n"
    return fill(
        """export function «Name»({ fallback = null }: { fallback?: ReactNode }) {
«source»  const [expanded, setExpanded] = useState<Record<string, boolean>>({});
  const toggle = useCallback((id: string) => setExpanded((state) => ({ ...state, [id]: !state[id] })), []);
  const entries = Object.entries(shared ?? {});

  if (entries.length === 0) return <>{fallback}</>;
  return (
    <ul className="«css»">
      {entries.map(([key, value]) => (
        <li key={key}>
          <button onClick={() => toggle(key)}>{expanded[key] ? "▾" : "▸"} {key}</button>
          {expanded[key] && <pre>{JSON.stringify(value, null, 2)}</pre>}
        </li>
      ))}
      <li>«label»</li>
    </ul>
  );
}
""",
        Name=name, source=source, css=kebab(name), label=e.plural_var,
    )


COMPONENT_BLOCKS = [
    list_component, card_component, form_component, table_component, data_component, modal_component,
    generic_component, context_component,
]


def _extra_component(ctx: FileContext) -> str:
    return ctx.rng.choice(COMPONENT_BLOCKS)(ctx, _component_name(ctx))
