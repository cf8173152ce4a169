"""Next.js file routes and tRPC procedures as request entry points of the code graph."""

from __future__ import annotations

from http_helpers import handlers, project, route_set

PAGES_API = """
import { prisma } from '../../../lib/db';
export default async function handler(req, res) {
  res.json(await loadUser(req.query.id));
}
async function loadUser(id) {
  return prisma.user.findUnique({ where: { id } });
}
"""

APP_ROUTE = """
export async function GET(request: Request) {
  return Response.json({ ok: true });
}
export async function POST(request: Request) {
  return Response.json(await request.json());
}
function helper() {
  return 1;
}
"""

TRPC = """
import { z } from 'zod';
import { router, publicProcedure, protectedProcedure } from '../trpc';
import { prisma } from '../db';
export const postRouter = router({
  list: publicProcedure.input(z.object({ n: z.number().refine((n) => n > 0) })).query(async ({ input }) => {
    return prisma.post.findMany({ take: input.n });
  }),
  create: protectedProcedure.mutation(({ ctx }) => prisma.post.create({ data: { authorId: ctx.user.id } })),
  notAProcedure: helpers.query(() => 1),
});
"""


def test_next_file_routes_with_dynamic_segments_and_route_groups():
    graph = project({
        "src/pages/api/users/[id].ts": PAGES_API,
        "src/app/(admin)/reports/[reportId]/route.ts": APP_ROUTE,
        "src/pages/about.tsx": "export default function About() { return null; }\n",
    })
    assert route_set(graph) == {("ALL", "/api/users/:id"), ("GET", "/reports/:reportId"), ("POST", "/reports/:reportId")}
    assert handlers(graph)[("ALL", "/api/users/:id")] == "function:src/pages/api/users/[id].ts::handler"
    reached = graph.request_path_functions()
    assert "function:src/pages/api/users/[id].ts::loadUser" in reached
    assert "function:src/app/(admin)/reports/[reportId]/route.ts::helper" not in reached


def test_trpc_procedures_are_entry_points_and_their_handler_is_the_last_argument():
    graph = project({"server/routers/post.ts": TRPC})
    procedures = {(r.method, r.handler_node) for r in graph.routes if r.framework == "trpc"}
    lines = TRPC.lstrip("\n").splitlines()
    query_at = f"5:{lines[4].index('async ({ input })') + 1}"
    mutation_at = f"8:{lines[7].index('({ ctx })') + 1}"
    assert procedures == {
        ("QUERY", f"function:server/routers/post.ts::<arrow@{query_at}>"),
        ("MUTATION", f"function:server/routers/post.ts::<arrow@{mutation_at}>"),
    }
