"""HTTP routes in the code graph: Express apps and routers mounted across files, FastAPI apps and routers with
prefixes, handlers, route nodes and edges, request-path reachability; and the whole sample app."""

from __future__ import annotations

from pathlib import Path

from http_helpers import handlers, project, route_set
from optimizer.api import analyze
from optimizer.graph import CodeGraph

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "fullstack-app"
F = CodeGraph.function_node

EXPRESS = {
    "src/index.ts": """
        import express from 'express';
        import projectRouter from './routes/projects';
        import { userRouter } from './routes/users';

        export const app = express();
        app.get('/healthz', (_req, res) => res.json({ ok: true }));
        app.use('/api/projects', projectRouter);
        app.use('/api/users', authenticate, userRouter);
        app.use('/legacy', require('./routes/legacy'));
        app.get('trust proxy');
        """,
    "src/routes/projects.ts": """
        import { Router } from 'express';
        import { asyncHandler } from '../middleware';
        import { listProjects } from '../controllers/projects';
        import imagesRouter from './images';

        const router = Router();
        router.get('/', listProjects);
        router.get('/:id', asyncHandler(async (req, res) => {
          res.json(await loadProject(req.params.id));
        }));
        router.route('/:id/members').get(listMembers).post(auth, addMember);
        router.use('/:projectId/images', imagesRouter);

        async function loadProject(id: string) { return id; }
        function listMembers(req, res) {}
        function addMember(req, res) {}
        export default router;
        """,
    "src/routes/images.ts": """
        import express from 'express';
        const images = express.Router({ mergeParams: true });
        export const removeImage = catchAsync(async (req, res) => {
          res.status(204).end();
        });
        images.delete('/:imageId', removeImage);
        export default images;
        """,
    "src/routes/users.ts": """
        import { Router } from 'express';
        import * as users from '../controllers/users';
        export const userRouter = Router();
        userRouter.get('/:id', users.getUser);
        userRouter.all('/:id/events', users.stream);

        class TeamController { list(req, res) {} }
        const teams = new TeamController();
        userRouter.get('/:id/teams', teams.list.bind(teams));
        """,
    "src/routes/legacy.js": """
        const express = require('express');
        const router = express.Router();
        router.post('/import', (req, res) => res.sendStatus(204));
        module.exports = router;
        """,
    "src/routes/orphan.ts": """
        import { Router } from 'express';
        const orphan = Router();
        orphan.get('/orphan/:x', (req, res) => res.end());
        """,
    "src/controllers/projects.ts": """
        export async function listProjects(req, res) { res.json(await findAll()); }
        async function findAll() { return helper(); }
        function helper() { return []; }
        export function unused() { return helper(); }
        """,
    "src/controllers/users.ts": """
        export function getUser(req, res) {}
        export function stream(req, res) {}
        """,
    "src/middleware.ts": """
        export const asyncHandler = (fn) => (req, res, next) => fn(req, res, next).catch(next);
        """,
    "src/__tests__/app.test.ts": """
        import express from 'express';
        import projectRouter from '../routes/projects';
        const app = express();
        app.use('/elsewhere', projectRouter);
        """,
}


def arrow_at(graph: CodeGraph, path: str, line: int) -> str:
    """The node of the outermost arrow function that starts on ``line``."""
    arrows = [f for f in graph.modules[path].functions if f.kind == "arrow" and f.span.line == line]
    return F(path, min(arrows, key=lambda f: f.span.start_byte).qualname)


def test_express_routes_get_the_prefixes_of_the_routers_that_mount_them():
    g = project(EXPRESS)
    assert route_set(g) == {
        ("GET", "/healthz"),
        ("GET", "/api/projects"),
        ("GET", "/api/projects/:id"),
        ("GET", "/api/projects/:id/members"),
        ("POST", "/api/projects/:id/members"),
        ("DELETE", "/api/projects/:projectId/images/:imageId"),  # a router mounted in a router
        ("GET", "/api/users/:id"),
        ("ALL", "/api/users/:id/events"),
        ("GET", "/api/users/:id/teams"),
        ("POST", "/legacy/import"),  # ``require`` in the mount, ``module.exports`` in the router
        ("GET", "/orphan/:x"),
    }
    orphan = next(r for r in g.routes if r.path_pattern == "/orphan/:x")
    assert not orphan.anchored and orphan.node == "route:GET …/orphan/:x"  # mounted nowhere: the prefix is unknown
    assert all(r.anchored for r in g.routes if r is not orphan)
    assert all(r.framework == "express" for r in g.routes)


def test_express_handlers_are_the_functions_that_answer():
    g = project(EXPRESS)
    found = handlers(g)
    assert found[("GET", "/healthz")] == arrow_at(g, "src/index.ts", 6)
    assert found[("GET", "/api/projects")] == F("src/controllers/projects.ts", "listProjects")
    assert found[("GET", "/api/projects/:id")] == arrow_at(g, "src/routes/projects.ts", 8)  # inside asyncHandler
    assert found[("GET", "/api/projects/:id/members")] == F("src/routes/projects.ts", "listMembers")
    assert found[("POST", "/api/projects/:id/members")] == F("src/routes/projects.ts", "addMember")
    # ``removeImage = catchAsync(async (req, res) => ...)``: the arrow the wrapper was given
    assert found[("DELETE", "/api/projects/:projectId/images/:imageId")] == arrow_at(g, "src/routes/images.ts", 3)
    assert found[("GET", "/api/users/:id")] == F("src/controllers/users.ts", "getUser")
    assert found[("GET", "/api/users/:id/teams")] == F("src/routes/users.ts", "TeamController.list")
    assert found[("POST", "/legacy/import")] == arrow_at(g, "src/routes/legacy.js", 3)


def test_route_nodes_and_handles_edges():
    g = project(EXPRESS)
    node = "route:GET /api/projects"
    attrs = g.graph.nodes[node]
    assert attrs["kind"] == "route" and attrs["method"] == "GET" and attrs["pattern"] == "/api/projects"
    assert attrs["framework"] == "express" and attrs["path"] == "src/routes/projects.ts" and attrs["line"] == 7
    assert g.graph.has_edge(node, F("src/controllers/projects.ts", "listProjects"), key="handles")
    assert "route:GET /elsewhere" not in g.graph  # an app assembled in a test is not the service
    assert "shape=cds" in g.to_dot()


def test_request_path_functions_are_reached_from_handlers_with_their_depth():
    g = project(EXPRESS)
    reach = g.request_path_functions()
    projects = "src/controllers/projects.ts"
    assert reach[F(projects, "listProjects")] == 0
    assert reach[F(projects, "findAll")] == 1
    assert reach[F(projects, "helper")] == 2
    assert reach[F("src/routes/projects.ts", "loadProject")] == 1
    assert F(projects, "unused") not in reach
    assert not any(node.startswith("route:") for node in reach)


FASTAPI = {
    "ml/app/__init__.py": "",
    "ml/app/routers/__init__.py": "",
    "ml/app/main.py": """
        from fastapi import FastAPI
        from app.routers import predict, admin
        from app.routers.health import router as health_router

        app = FastAPI(title="ml")
        app.include_router(predict.router, prefix="/api")
        app.include_router(health_router)
        app.include_router(admin.router, prefix="/admin")

        @app.get("/")
        def root():
            return {}
        """,
    "ml/app/routers/predict.py": """
        from fastapi import APIRouter
        from app.routers import batch

        router = APIRouter(prefix="/predict", tags=["predict"])
        router.include_router(batch.router, prefix="/batch")

        @router.post("", response_model=list[int])
        def predict(req):
            return run_model(req)

        @router.get("/history/{image_id}")
        async def history(image_id: int):
            return []

        @router.api_route("/echo", methods=["GET", "POST"])
        def echo():
            return {}

        @router.websocket("/live")
        async def live(ws):
            pass

        def run_model(req):
            return _tensor(req)

        def _tensor(req):
            return req
        """,
    "ml/app/routers/batch.py": """
        import fastapi
        router = fastapi.APIRouter()

        @router.post("/{job_id:path}")
        def submit(job_id: str):
            return job_id
        """,
    "ml/app/routers/health.py": """
        from fastapi import APIRouter
        router = APIRouter()

        @router.get("/health")
        def health():
            return {}

        def ping():
            return None

        router.add_api_route("/ping", ping, methods=["HEAD"])
        """,
    "ml/app/routers/admin.py": """
        from fastapi import APIRouter
        router = APIRouter(prefix="/v1")

        @router.delete("/cache")
        def clear_cache():
            return None
        """,
}


def test_fastapi_routes_compose_router_and_include_prefixes():
    g = project(FASTAPI)
    assert route_set(g) == {
        ("GET", "/"),
        ("POST", "/api/predict"),
        ("GET", "/api/predict/history/{image_id}"),
        ("GET", "/api/predict/echo"),
        ("POST", "/api/predict/echo"),
        ("POST", "/api/predict/batch/{job_id:path}"),  # a router included in a router
        ("GET", "/health"),
        ("HEAD", "/ping"),
        ("DELETE", "/admin/v1/cache"),
    }
    found = handlers(g)
    assert found[("POST", "/api/predict")] == F("ml/app/routers/predict.py", "predict")
    assert found[("HEAD", "/ping")] == F("ml/app/routers/health.py", "ping")
    assert found[("GET", "/")] == F("ml/app/main.py", "root")
    batch = next(r for r in g.routes if r.path_pattern.startswith("/api/predict/batch"))
    assert batch.segments == ("api", "predict", "batch", "**") and batch.framework == "fastapi"
    reach = g.request_path_functions()
    assert reach[F("ml/app/routers/predict.py", "_tensor")] == 2


def test_the_same_route_in_two_services_gets_two_nodes():
    g = project(
        {
            "api/index.ts": """
                import express from 'express';
                const app = express();
                app.get('/health', (q, s) => s.end());
                """,
            "ml/main.py": """
                from fastapi import FastAPI
                app = FastAPI()

                @app.get("/health")
                def health():
                    return {}
                """,
        }
    )
    assert sorted(r.node for r in g.routes) == ["route:GET /health @api/index.ts:3", "route:GET /health @ml/main.py:5"]
    assert all(g.graph.nodes[r.node]["kind"] == "route" for r in g.routes)


def test_non_express_routers_and_settings_are_not_routes():
    g = project(
        {
            "a.ts": """
                import { Router } from 'itty-router';
                import express from 'express';
                const router = Router();
                router.get('/x', (req) => new Response('x'));
                const app = express();
                app.get('env');
                const cache = new Map();
                cache.get('/y', 1);
                """
        }
    )
    assert g.routes == []


def test_sample_app_routes_match_what_its_code_declares():
    graph = analyze(FIXTURE, use_cache=False).project.graph
    assert route_set(graph) == {
        ("GET", "/healthz"),
        ("GET", "/api/projects"),
        ("GET", "/api/projects/reports/storage"),
        ("GET", "/api/projects/:id"),
        ("GET", "/api/projects/:id/summary"),
        ("POST", "/api/projects/:id/duplicate"),
        ("GET", "/api/images"),
        ("POST", "/api/images/bulk"),
        ("POST", "/api/images/tags"),
        ("POST", "/api/images/segmentations/latest"),
        ("GET", "/api/images/:id"),
        ("GET", "/api/images/:id/segmentation"),
        ("GET", "/health"),
        ("POST", "/predict"),
        ("POST", "/predict/rerun"),
        ("POST", "/predict/status"),
        ("GET", "/predict/history/{image_id}"),
    }
    found = handlers(graph)
    assert found[("POST", "/predict/rerun")] == F("ml-service/app/routers/predict.py", "rerun")
    summary = found[("GET", "/api/projects/:id/summary")]
    assert summary is not None and summary.startswith("function:backend/src/routes/projects.ts::<arrow@")
    assert all(found.values()), [k for k, v in found.items() if v is None]
    reach = graph.request_path_functions()
    assert reach[F("backend/src/services/projectService.ts", "getProject")] == 1
    assert reach[F("ml-service/app/routers/predict.py", "_segment")] == 1
