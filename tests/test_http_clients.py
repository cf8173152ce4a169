"""HTTP client calls resolved to the routes they request: axios instances and their base URLs, fetch, thin
wrappers (and wrappers of wrappers), RTK Query, generated clients, Python httpx/requests calls to the ML service;
URL matching; and the sample app's frontend API client."""

from __future__ import annotations

from pathlib import Path

from http_helpers import line_of, project, requested
from optimizer.api import analyze
from optimizer.expr_text import Hole, concat_parts, object_literal, split_top, string_parts
from optimizer.graph import CodeGraph
from optimizer.urls import UrlPattern, client_pattern, match_score, route_segments

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "fullstack-app"
F = CodeGraph.function_node

BACKEND = """
    import express, { Router } from 'express';
    const app = express();
    const api = Router();
    api.get('/projects', list);
    api.get('/projects/recent', recent);
    api.get('/projects/:id', show);
    api.delete('/projects/:id', remove);
    api.post('/projects/:id/images', upload);
    api.get('/search', search);
    app.use('/api', api);
    function list(req, res) {}
    function recent(req, res) {}
    function show(req, res) {}
    function remove(req, res) {}
    function upload(req, res) {}
    function search(req, res) {}
    """
ML = """
    from fastapi import FastAPI
    app = FastAPI()

    @app.post("/predict")
    def predict():
        return []

    @app.get("/models/{name}")
    def model(name: str):
        return {}
    """
CLIENT = """
    import axios from 'axios';
    export const api = axios.create({ baseURL: import.meta.env.VITE_API ?? 'http://localhost:4000/api' });
    const ml = axios.create({ baseURL: process.env.ML_URL });

    export const listProjects = () => api.get('/projects');
    export async function getProject(id: string) {
      const { data } = await api.get(`/projects/${id}`);
      return data;
    }
    export function recentProjects() { return api.get('/projects/recent?limit=5'); }
    export function deleteProject(id: string) { return api.delete(`/projects/${id}`); }
    export const predict = (ids: number[]) => ml.post('/predict', { ids });
    export function external() { return axios.get('https://api.github.com/projects/1'); }
    export function modelInfo(name: string) { return axios({ url: `http://ml:8000/models/${name}`, method: 'get' }); }
    """
HTTP = """
    const BASE = import.meta.env.VITE_API_URL;
    export async function request<T>(path: string, init?: RequestInit): Promise<T> {
      const res = await fetch(`${BASE}${path}`, { ...init, headers: { 'Content-Type': 'application/json' } });
      return res.json();
    }
    export const uploadImage = (projectId: string, body: FormData) =>
      request(`/api/projects/${projectId}/images`, { method: 'POST', body });
    export function search(q: string) { return fetch('/api/search?q=' + encodeURIComponent(q)); }
    """
PAGE = """
    import { getProject, deleteProject } from '../api/client';
    import { uploadImage } from '../api/http';
    export function ProjectPage({ id, files }) {
      useEffect(() => { getProject(id); }, [id]);
      const onUpload = async () => { for (const f of files) { await uploadImage(id, f); } };
      const onDelete = () => deleteProject(id);
      const onRemove = () => fetch(`/api/projects/${id}`, { method: 'DELETE' });
      const options = { method: 'GET' };
      const onGuess = () => fetch(`/api/projects/${id}`, options);
      function fetchLocal(x) { return x; }
      return <button onClick={onUpload} />;
    }
    """
ML_CLIENT = """
    import os
    import httpx
    import requests

    ML_URL = os.environ.get("ML_URL", "http://ml:8000")
    client = httpx.AsyncClient(base_url=os.environ["ML_BASE"])

    async def predict(ids):
        async with httpx.AsyncClient() as http:
            response = await http.post(f"{ML_URL}/predict", json={"ids": ids})
        return response.json()

    def model_info(name: str):
        return requests.get(ML_URL + "/models/" + name)

    async def via_client(name):
        return await client.get(f"/models/{name}")

    def elsewhere():
        return requests.get("https://example.com/predict")
    """
FILES = {
    "backend/src/index.ts": BACKEND,
    "ml/main.py": ML,
    "frontend/src/api/client.ts": CLIENT,
    "frontend/src/api/http.ts": HTTP,
    "frontend/src/pages/Project.tsx": PAGE,
    "api/ml_client.py": ML_CLIENT,
}


def routes_requested(graph: CodeGraph, path: str, *needles: str) -> list[str | None]:
    found = requested(graph)
    return [found.get((path, line_of(FILES[path], needle)), "no client call") for needle in needles]


def test_axios_instances_resolve_through_their_base_url():
    g = project(FILES)
    assert routes_requested(g, "frontend/src/api/client.ts", "api.get('/projects')", "api.get(`/projects/${id}`)") == [
        "route:GET /api/projects",
        "route:GET /api/projects/:id",  # a computed segment prefers the parameter to ``/projects/recent``
    ]
    assert routes_requested(g, "frontend/src/api/client.ts", "recent?limit", "api.delete", "ml.post", "modelInfo") == [
        "route:GET /api/projects/recent",  # the literal beats the parameter; the query string is dropped
        "route:DELETE /api/projects/:id",
        "route:POST /predict",  # unknown base: matched on the tail
        "route:GET /models/{name}",  # ``axios({ url, method })`` to a compose service host
    ]
    assert routes_requested(g, "frontend/src/api/client.ts", "api.github.com") == [None]  # another host


def test_fetch_and_wrappers_of_wrappers():
    g = project(FILES)
    assert routes_requested(g, "frontend/src/api/http.ts", "request(`/api", "fetch('/api/search") == [
        "route:POST /api/projects/:id/images",  # the method comes from the options the wrapper is given
        "route:GET /api/search",
    ]
    assert routes_requested(g, "frontend/src/api/http.ts", "fetch(`${BASE}")[0] is None  # the wrapper itself
    page = "frontend/src/pages/Project.tsx"
    assert routes_requested(
        g, page, "getProject(id)", "uploadImage(id, f)", "deleteProject(id)", "method: 'DELETE'"
    ) == [
        "route:GET /api/projects/:id",
        "route:POST /api/projects/:id/images",  # two wrapper levels: uploadImage -> request -> fetch
        "route:DELETE /api/projects/:id",
        "route:DELETE /api/projects/:id",
    ]
    assert routes_requested(g, page, "options);") == [None]  # unknown method: GET or DELETE, so no edge
    upload = next(c for c in g.client_calls if c.path == page and c.via == F("frontend/src/api/http.ts", "uploadImage"))
    assert upload.method == "POST" and upload.library == "fetch" and upload.function.startswith("ProjectPage.")


def test_requests_edges_come_from_the_calling_function():
    g = project(FILES)
    edge = g.graph.get_edge_data(
        F("frontend/src/api/client.ts", "getProject"), "route:GET /api/projects/:id", "requests"
    )
    assert edge["kind"] == "requests" and edge["lines"] == [line_of(CLIENT, "api.get(`/projects/${id}`)")]
    callers = {u for u, _, k in g.graph.in_edges("route:POST /api/projects/:id/images", keys=True) if k == "requests"}
    assert callers == {
        F("frontend/src/api/http.ts", "uploadImage"),
        F("frontend/src/pages/Project.tsx", "ProjectPage.onUpload"),
    }


def test_route_for_a_call_fact():
    g = project(FILES)
    page = g.modules["frontend/src/pages/Project.tsx"]
    upload = next(c for c in page.calls if c.callee == "uploadImage")
    assert g.route_for(page.path, upload).node == "route:POST /api/projects/:id/images"
    assert g.client_call(page.path, upload).via == F("frontend/src/api/http.ts", "uploadImage")
    assert upload.loops  # a detector reads the loop from the call fact and the route from the graph
    assert g.route_for(page.path, next(c for c in page.calls if c.callee == "useEffect")) is None


def test_python_backend_calls_to_the_ml_service():
    g = project(FILES)
    assert routes_requested(g, "api/ml_client.py", "http.post", "requests.get(ML_URL", "client.get", "example.com") == [
        "route:POST /predict",  # ``ML_URL`` falls back to http://ml:8000
        "route:GET /models/{name}",
        "route:GET /models/{name}",  # base from the environment only: matched on the tail
        None,
    ]
    libraries = {c.line: c.library for c in g.client_calls if c.path == "api/ml_client.py"}
    assert libraries[line_of(ML_CLIENT, "http.post")] == "httpx"
    assert libraries[line_of(ML_CLIENT, "requests.get(ML_URL")] == "requests"


def test_shadowed_fetch_and_unknown_urls_make_no_client_call():
    g = project(
        {
            "a.ts": """
                import fetch from './myFetch';
                export function load(url: string) { return fetch('/api/projects'); }
                export function go(url: string) { return window.fetch(url); }
                """,
            "myFetch.ts": "export default function fetch(path: string) { return path; }",
        }
    )
    assert [(c.library, c.url) for c in g.client_calls] == [("fetch", None)]


def test_rtk_query_endpoints_and_generated_clients():
    files = {
        "backend/src/index.ts": BACKEND,
        "ml/main.py": ML,
        "client/state/api.ts": """
            import { createApi, fetchBaseQuery } from '@reduxjs/toolkit/query/react';
            export const rtk = createApi({
              baseQuery: fetchBaseQuery({ baseUrl: process.env.NEXT_PUBLIC_API }),
              endpoints: (build) => ({
                getProjects: build.query({ query: () => 'projects' }),
                removeProject: build.mutation({ query: (id) => ({ url: `projects/${id}`, method: 'DELETE' }) }),
              }),
            });
            """,
        "client/gen/DefaultService.ts": """
            export class DefaultService {
              constructor(public readonly httpRequest: BaseHttpRequest) {}
              public predict(ids: number[]) {
                return this.httpRequest.request({ method: "POST", url: "/predict", body: ids });
              }
            }
            """,
    }
    g = project(files)
    by_library = {(c.library, c.route.node if c.route else None) for c in g.client_calls}
    assert by_library == {
        ("rtk-query", "route:GET /api/projects"),
        ("rtk-query", "route:DELETE /api/projects/:id"),
        ("request-object", "route:POST /predict"),
    }
    rtk = next(c for c in g.client_calls if c.library == "rtk-query" and c.method == "DELETE")
    assert rtk.function.startswith("endpoints.query")  # the endpoint's own ``query`` function makes the request


def test_sample_app_frontend_client_resolves_to_backend_and_ml_routes():
    graph = analyze(FIXTURE, use_cache=False).project.graph
    client = "frontend/src/api/client.ts"
    expected = {
        "listProjects": "route:GET /api/projects",
        "getProject": "route:GET /api/projects/:id",
        "getProjectSummary": "route:GET /api/projects/:id/summary",
        "listImages": "route:GET /api/images",
        "getImage": "route:GET /api/images/:id",
        "getLatestSegmentation": "route:GET /api/images/:id/segmentation",
        "tagImages": "route:POST /api/images/tags",
        "requestPrediction": "route:POST /predict",
    }
    direct = {c.function: c.route.node if c.route else None for c in graph.client_calls if c.path == client}
    assert direct == expected
    for function, route in expected.items():
        assert graph.graph.has_edge(F(client, function), route, key="requests")
    page = "frontend/src/pages/ProjectDetailPage.tsx"
    through = {c.via.rsplit("::", 1)[1]: c.route.node for c in graph.client_calls if c.path == page and c.route}
    assert through["getLatestSegmentation"] == "route:GET /api/images/:id/segmentation"
    assert through["requestPrediction"] == "route:POST /predict"


# Reading URL expressions and matching them


def test_expression_texts():
    assert split_top("'/a', { b: [1, 2] }, (x) => f(x, y)") == ["'/a'", "{ b: [1, 2] }", "(x) => f(x, y)"]
    assert string_parts("`/p/${id}/s`") == ("/p/", Hole("id"), "/s")
    assert string_parts('f"{BASE}/p/{item.id!r}"') == (Hole("BASE"), "/p/", Hole("item.id"))
    assert concat_parts("'/a/' + id + '/b'") == ("/a/", Hole("id"), "/b")
    assert concat_parts("url") == (Hole("url"),)
    cut = object_literal("{ url: 'x', method: 'POST', body: JSON.stringify({ a")  # truncated by the facts
    assert cut is not None and cut.entries == {"url": "'x'", "method": "'POST'"}


def test_route_segments_normalise_every_framework():
    assert route_segments("/api/:id/x/:rest(.*)") == ("api", "*", "x", "*")
    assert route_segments("/items/{item_id}/files/{p:path}") == ("items", "*", "files", "**")
    assert route_segments("/api/posts/[id]/[...slug]") == ("api", "posts", "*", "**")


def test_client_patterns_and_matching():
    assert client_pattern(("http://localhost:4000/api/p/", Hole("id"), "?x=1")) == UrlPattern(("api", "p", "*"))
    assert client_pattern((Hole("API_URL"), "/p/", Hole("id"))) == UrlPattern(("p", "*"), anchored=False)
    assert client_pattern(("https://api.example.com/p",)) is None
    assert client_pattern((Hole("url"),)) is None
    assert client_pattern(("/files/report-", Hole("n"), ".csv")).segments == ("files", "report-*.csv")
    url = UrlPattern(("api", "p", "*"))
    assert match_score(url, ("api", "p", "*")) == 5
    assert match_score(url, ("api", "p", "recent")) == 4
    assert match_score(url, ("api", "q", "*")) is None
    assert match_score(UrlPattern(("p", "*"), anchored=False), ("api", "p", "*")) == 3
    assert match_score(UrlPattern(("*",), anchored=False), ("api", "*")) is None  # no literal agrees
    assert match_score(UrlPattern(("api", "files", "a", "b")), ("api", "files", "**")) == 4
