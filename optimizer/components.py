"""Components: which part of a full-stack repository a file belongs to (frontend, backend, ml, other).

Evidence, strongest first: the nearest manifest above the file (package.json dependencies, Python
requirements / pyproject / Pipfile), then the docker-compose service whose build context holds the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

FRONTEND, BACKEND, ML, OTHER = "frontend", "backend", "ml", "other"

_JS_SERVER = {"express", "fastify", "koa", "@nestjs/core", "@hapi/hapi", "hapi", "restify", "@trpc/server", "hono"}
_JS_DATA = {"@prisma/client", "prisma", "pg", "mysql2", "knex", "typeorm", "sequelize", "mongoose", "drizzle-orm"}
_JS_FRONTEND = {"react", "react-dom", "vue", "svelte", "@angular/core", "solid-js", "preact", "next", "nuxt", "vite"}
_PY_ML = {"torch", "tensorflow", "transformers", "scikit-learn", "sklearn", "onnxruntime", "jax", "keras", "timm",
          "torchvision", "opencv-python", "opencv-python-headless", "ultralytics", "xgboost", "lightgbm"}
_PY_WEB = {"fastapi", "django", "flask", "starlette", "sqlalchemy", "aiohttp", "sanic", "litestar", "tornado"}
_PY_MANIFESTS = ("requirements.txt", "requirements.in", "pyproject.toml", "Pipfile", "setup.py", "setup.cfg")
_COMPOSE_FILES = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml")
# Service-name words that say what a compose service is when its directory has no manifest.
_NAME_HINTS = (
    ({"frontend", "front", "web", "client", "ui", "webapp", "dashboard", "portal", "site", "spa"}, FRONTEND),
    ({"ml", "model", "models", "inference", "infer", "predict", "prediction", "segmentation", "vision",
      "torch", "training", "trainer", "ai"}, ML),
    ({"backend", "back", "api", "server", "gateway", "graphql"}, BACKEND),
)
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass
class ComponentMap:
    """Directory (relative, '' for the root) -> component, and compose service directories -> service name."""

    directories: dict[str, str] = field(default_factory=dict)
    services: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def detect(cls, root: Path, rel_paths: list[str]) -> ComponentMap:
        result = cls()
        directories = {""}
        for rel in rel_paths:
            parts = rel.split("/")[:-1]
            directories.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
        for directory in sorted(directories):
            base = root / directory if directory else root
            kind = _classify_directory(base, result.errors, directory)
            if kind is not None:
                result.directories[directory] = kind
        for directory in sorted(d for d in directories if d.count("/") < 2):
            result._read_compose(root, directory)
        return result

    def component_of(self, rel: str) -> str:
        parts = rel.split("/")[:-1]
        for depth in range(len(parts), -1, -1):
            directory = "/".join(parts[:depth])
            if directory in self.directories:
                return self.directories[directory]
        return OTHER

    def service_of(self, rel: str) -> str | None:
        parts = rel.split("/")[:-1]
        for depth in range(len(parts), -1, -1):
            service = self.services.get("/".join(parts[:depth]))
            if service is not None:
                return service
        return None

    def _read_compose(self, root: Path, directory: str) -> None:
        for name in _COMPOSE_FILES:
            path = (root / directory / name) if directory else root / name
            if not path.is_file():
                continue
            rel = f"{directory}/{name}" if directory else name
            try:
                import yaml

                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except Exception as exc:  # noqa: BLE001 - any YAML or I/O problem is reported, not fatal
                self.errors.append((rel, f"cannot read compose file: {exc}"))
                continue
            services = data.get("services") if isinstance(data, dict) else None
            for service, spec in (services or {}).items():
                context = _build_context(spec)
                if context is None:
                    continue
                target = (Path(directory) / context).as_posix() if directory else Path(context).as_posix()
                target = _normalise(target)
                if target is None:
                    continue
                self.services[target] = str(service)
                if target not in self.directories:
                    kind = _hint_from_name(str(service))
                    if kind is not None:
                        self.directories[target] = kind


def _build_context(spec: object) -> str | None:
    if not isinstance(spec, dict):
        return None
    build = spec.get("build")
    if isinstance(build, str):
        return build
    if isinstance(build, dict) and isinstance(build.get("context"), str):
        return build["context"]
    return None


def _normalise(path: str) -> str | None:
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def _hint_from_name(name: str) -> str | None:
    words = set(re.split(r"[^a-z0-9]+", name.lower()))
    for hints, kind in _NAME_HINTS:
        if words & hints:
            return kind
    return None


def _classify_directory(base: Path, errors: list[tuple[str, str]], rel: str) -> str | None:
    package_json = base / "package.json"
    if package_json.is_file():
        try:
            manifest = json.loads(package_json.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            errors.append((f"{rel}/package.json" if rel else "package.json", f"cannot read package.json: {exc}"))
        else:
            kind = _classify_js(manifest)
            if kind is not None:
                return kind
    names = _python_requirements(base)
    if names:
        if names & _PY_ML:
            return ML
        if names & _PY_WEB:
            return BACKEND
    return None


def manifest_dependencies(manifest: object) -> set[str]:
    """Package names a parsed package.json depends on, dev and peer dependencies included."""
    deps: set[str] = set()
    if not isinstance(manifest, dict):
        return deps
    for key in ("dependencies", "devDependencies", "peerDependencies"):
        section = manifest.get(key)
        if isinstance(section, dict):
            deps.update(section)
    return deps


def _classify_js(manifest: object) -> str | None:
    deps = manifest_dependencies(manifest)
    if deps & _JS_SERVER:
        return BACKEND
    if deps & _JS_FRONTEND:
        return FRONTEND
    if deps & _JS_DATA:
        return BACKEND
    return None


def _python_requirements(base: Path) -> set[str]:
    """Normalised distribution names a Python manifest in ``base`` mentions (a loose read is enough here)."""
    names: set[str] = set()
    for manifest in _PY_MANIFESTS:
        path = base / manifest
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if manifest in ("requirements.txt", "requirements.in"):
            candidates = (_REQUIREMENT_NAME.match(line) for line in text.splitlines() if not line.lstrip().startswith(("#", "-")))
            names.update(m.group(1).lower().replace("_", "-") for m in candidates if m)
        else:
            known = _PY_ML | _PY_WEB
            names.update(name for name in known if re.search(rf"[\"'\s]{re.escape(name)}\b", text, re.I))
    return names
