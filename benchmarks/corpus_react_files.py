"""React files for the corpus: component modules, pages, custom hooks, context providers and API clients."""

from __future__ import annotations

from corpus_base import ADJECTIVES, NOUNS, FileContext, camel, fill, kebab, pascal
from corpus_react import COMPONENT_BLOCKS, _extra_component
from corpus_ts import grow, render_imports
from corpus_ts_utils import UTIL_BLOCKS


def component_module(ctx: FileContext) -> str:
    parts = [ctx.rng.choice(COMPONENT_BLOCKS)(ctx, name) for name in ctx.module.exports]
    body = "\n".join(grow(ctx, parts, [_extra_component, _extra_component, *UTIL_BLOCKS[:4]]))
    if ctx.rng.random() < 0.4:
        body += f"\nexport default {ctx.module.exports[0]};\n"
    return render_imports(ctx, body) + body


def page_module(ctx: FileContext) -> str:
    name = ctx.module.exports[0]
    e = ctx.entity
    children = sorted({c for c in (ctx.use("component") for _ in range(ctx.rng.randint(2, 5))) if c})
    sections = "\n".join(f'      <section className="page__slot">\n        <{c} />\n      </section>' for c in children)
    page = fill(
        """export function «Name»() {
  const [tab, setTab] = useState<"overview" | "activity" | "settings">("overview");
  const [refreshKey, setRefreshKey] = useState(0);

  useEffect(() => {
    document.title = `«title» · ${tab}`;
  }, [tab]);

  return (
    <main className="page «css»" key={refreshKey}>
      <header className="page__header">
        <h1>«title»</h1>
        <nav>
          {(["overview", "activity", "settings"] as const).map((value) => (
            <button key={value} aria-pressed={tab === value} onClick={() => setTab(value)}>
              {value}
            </button>
          ))}
        </nav>
        <button onClick={() => setRefreshKey((key) => key + 1)}>Refresh</button>
      </header>
«sections»
    </main>
  );
}

export default «Name»;
""",
        Name=name, title=pascal(e.plural_var), css=kebab(name), sections=sections,
    )
    body = "\n".join(grow(ctx, [page], [_extra_component, *UTIL_BLOCKS[4:8]]))
    return render_imports(ctx, body) + body


def hook_fetch(ctx: FileContext, name: str) -> str:
    return fill(
        """export function «name»<T>(url: string | null, init?: RequestInit) {
  const [state, setState] = useState<{ data: T | null; loading: boolean; error: Error | null }>({
    data: null,
    loading: url !== null,
    error: null,
  });

  useEffect(() => {
    if (url === null) return undefined;
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    fetch(url, { ...init, signal: controller.signal })
      .then(async (response) => {
        if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
        const data = (await response.json()) as T;
        setState({ data, loading: false, error: null });
      })
      .catch((error: Error) => {
        if (error.name !== "AbortError") setState({ data: null, loading: false, error });
      });
    return () => controller.abort();
  }, [url]);

  return state;
}
""",
        name=name,
    )


def hook_debounced(ctx: FileContext, name: str) -> str:
    return fill(
        """export function «name»<T>(value: T, delayMs = «delay»): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}
""",
        name=name, delay=ctx.rng.choice((150, 250, 300, 400)),
    )


def hook_storage(ctx: FileContext, name: str) -> str:
    return fill(
        """export function «name»<T>(key: string, initial: T) {
  const [value, setValue] = useState<T>(() => {
    try {
      const stored = window.localStorage.getItem(key);
      return stored === null ? initial : (JSON.parse(stored) as T);
    } catch {
      return initial;
    }
  });

  const update = useCallback(
    (next: T | ((previous: T) => T)) => {
      setValue((previous) => {
        const resolved = typeof next === "function" ? (next as (p: T) => T)(previous) : next;
        window.localStorage.setItem(key, JSON.stringify(resolved));
        return resolved;
      });
    },
    [key],
  );

  return [value, update] as const;
}
""",
        name=name,
    )


def hook_polling(ctx: FileContext, name: str) -> str:
    return fill(
        """export function «name»(callback: () => void | Promise<void>, intervalMs = «interval», enabled = true) {
  const saved = useRef(callback);
  useEffect(() => {
    saved.current = callback;
  }, [callback]);

  useEffect(() => {
    if (!enabled) return undefined;
    let cancelled = false;
    const tick = async () => {
      if (cancelled) return;
      await saved.current();
    };
    const id = setInterval(tick, intervalMs);
    return () => {
      cancelled = true;
      clearInterval(id);
    };
  }, [intervalMs, enabled]);
}
""",
        name=name, interval=ctx.rng.choice((1000, 5000, 15000, 30000)),
    )


def hook_selection(ctx: FileContext, name: str) -> str:
    return fill(
        """export function «name»(initial: Iterable<string> = []) {
  const [selected, setSelected] = useState(() => new Set(initial));
  const toggle = useCallback((id: string) => {
    setSelected((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);
  const clear = useCallback(() => setSelected(new Set()), []);
  const isSelected = useCallback((id: string) => selected.has(id), [selected]);
  return { selected, toggle, clear, isSelected, count: selected.size };
}
""",
        name=name,
    )


def hook_mutation(ctx: FileContext, name: str) -> str:
    return fill(
        """type «Name»Status = "idle" | "pending" | "success" | "error";

export function «name»<TInput, TResult>(mutate: (input: TInput) => Promise<TResult>) {
  const [status, setStatus] = useState<«Name»Status>("idle");
  const [result, setResult] = useState<TResult | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);

  const run = useCallback(
    async (input: TInput) => {
      setStatus("pending");
      try {
        const value = await mutate(input);
        setResult(value);
        setStatus("success");
        return value;
      } catch (caught) {
        setError(caught);
        setStatus("error");
        throw caught;
      }
    },
    [mutate],
  );

  return { run, status, result, error, isPending: status === "pending" };
}
""",
        name=name, Name=pascal(name),
    )


HOOK_BLOCKS = [hook_fetch, hook_debounced, hook_storage, hook_polling, hook_selection, hook_mutation]


def hook_module(ctx: FileContext) -> str:
    parts = [ctx.rng.choice(HOOK_BLOCKS)(ctx, name) for name in ctx.module.exports]

    def extra(c: FileContext) -> str:
        return c.rng.choice(HOOK_BLOCKS)(c, c.fresh(lambda: camel("use", c.rng.choice(ADJECTIVES), c.rng.choice(NOUNS))))

    body = "\n".join(grow(ctx, parts, [extra, *UTIL_BLOCKS]))
    return render_imports(ctx, body) + body


def context_module(ctx: FileContext) -> str:
    provider, hook = ctx.module.exports
    base = provider.removesuffix("Provider")
    e = ctx.entity
    t = ctx.use_type(e)
    text = fill(
        """interface «Base»State {
  items: «T»[];
  selectedId: string | null;
  filter: string;
}

type «Base»Action =
  | { type: "loaded"; items: «T»[] }
  | { type: "select"; id: string | null }
  | { type: "filter"; value: string }
  | { type: "remove"; id: string };

function «base»Reducer(state: «Base»State, action: «Base»Action): «Base»State {
  switch (action.type) {
    case "loaded":
      return { ...state, items: action.items };
    case "select":
      return { ...state, selectedId: action.id };
    case "filter":
      return { ...state, filter: action.value };
    case "remove":
      return { ...state, items: state.items.filter((item) => item.id !== action.id) };
    default:
      return state;
  }
}

const «Base»Context = createContext<{ state: «Base»State; dispatch: (action: «Base»Action) => void } | null>(null);

export function «provider»({ children, initial = [] }: { children: ReactNode; initial?: «T»[] }) {
  const [state, dispatch] = useReducer(«base»Reducer, { items: initial, selectedId: null, filter: "" });
  const value = useMemo(() => ({ state, dispatch }), [state]);
  return <«Base»Context.Provider value={value}>{children}</«Base»Context.Provider>;
}

export function «hook»() {
  const value = useContext(«Base»Context);
  if (value === null) {
    throw new Error("«hook» must be used inside «provider»");
  }
  return value;
}
""",
        Base=base, base=camel(base), T=t, provider=provider, hook=hook,
    )
    body = "\n".join(grow(ctx, [text], [_extra_component, *UTIL_BLOCKS[6:]]))
    return render_imports(ctx, body) + body


def api_function(ctx: FileContext, name: str) -> str:
    e = ctx.entity
    t = ctx.use_type(e)
    kind = ctx.rng.choice(("list", "get", "create", "detail-loop"))
    if kind == "list":
        code = """export async function «name»(params: { page?: number; search?: string } = {}): Promise<«T»[]> {
  const query = new URLSearchParams({ page: String(params.page ?? 1), search: params.search ?? "" });
  const response = await fetch(`${API_URL}«route»?${query}`, { headers: authHeaders() });
  if (!response.ok) throw new ApiError(response.status, await response.text());
  const body = (await response.json()) as { items: «T»[] };
  return body.items;
}
"""
    elif kind == "get":
        code = """export async function «name»(id: string): Promise<«T» | null> {
  const response = await fetch(`${API_URL}«route»/${encodeURIComponent(id)}`, { headers: authHeaders() });
  if (response.status === 404) return null;
  if (!response.ok) throw new ApiError(response.status, await response.text());
  return (await response.json()) as «T»;
}
"""
    elif kind == "create":
        code = """export async function «name»(input: Partial<«T»>): Promise<«T»> {
  const response = await fetch(`${API_URL}«route»`, {
    method: "POST",
    headers: { ...authHeaders(), "Content-Type": "application/json" },
    body: JSON.stringify(input),
  });
  if (!response.ok) throw new ApiError(response.status, await response.text());
  return (await response.json()) as «T»;
}
"""
    else:
        code = """export async function «name»(ids: string[]): Promise<«T»[]> {
  const results: «T»[] = [];
  for (const id of ids) {
    const response = await fetch(`${API_URL}«route»/${id}`, { headers: authHeaders() });
    if (response.ok) {
      results.push((await response.json()) as «T»);
    }
  }
  return results;
}
"""
    return fill(code, name=name, T=t, route=e.route)


def api_module(ctx: FileContext) -> str:
    header = """const API_URL = process.env.REACT_APP_API_URL ?? "/api";

export class ApiError extends Error {
  constructor(public readonly status: number, message: string) {
    super(message || `Request failed with status ${status}`);
    this.name = "ApiError";
  }
}

function authHeaders(): Record<string, string> {
  const token = window.localStorage.getItem("token");
  return token ? { Authorization: `Bearer ${token}` } : {};
}
"""
    parts = [header, *(api_function(ctx, name) for name in ctx.module.exports)]

    def extra(c: FileContext) -> str:
        return api_function(c, c.fresh(lambda: camel(c.rng.choice(("fetch", "load", "save", "sync")), c.rng.choice(ADJECTIVES), c.entity.plural_var)))

    body = "\n".join(grow(ctx, parts, [extra, extra, *UTIL_BLOCKS[:3]]))
    return render_imports(ctx, body) + body


def app_module(ctx: FileContext) -> str:
    routes, wrappers = [], []
    ctx.need("react-router-dom", "BrowserRouter", "Route", "Routes")
    for m in ctx.plan.of("page"):
        ctx.imports.setdefault(m.path, set()).add(m.exports[0])
        routes.append(f'          <Route path="/{kebab(m.exports[0].removesuffix("Page"))}" element={{<{m.exports[0]} />}} />')
    for m in ctx.plan.of("context"):
        ctx.imports.setdefault(m.path, set()).add(m.exports[0])
        wrappers.append(m.exports[0])
    inner = "      <BrowserRouter>\n        <Routes>\n" + "\n".join(routes) + "\n        </Routes>\n      </BrowserRouter>"
    for provider in wrappers:
        inner = f"      <{provider}>\n{inner}\n      </{provider}>"
    body = f"export function App() {{\n  return (\n{inner}\n  );\n}}\n\nexport default App;\n"
    return render_imports(ctx, body) + body
