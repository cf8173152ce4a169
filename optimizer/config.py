"""Configuration: ``[tool.perfrewrite]`` in pyproject.toml or the top level of ``.perfrewrite.toml``, as frozen dataclasses.

Unknown keys are an error that names the key, so a typo never silently turns a rule off.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from optimizer.findings import Category

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

SEVERITIES = ("info", "warning", "error")
DEFAULT_TEST_PATTERNS = (
    "**/__tests__/**",
    "**/*.test.*",
    "**/*.spec.*",
    "**/test/**",
    "**/tests/**",
    "**/e2e/**",
    "**/cypress/**",
    "**/test_*.py",
    "**/*_test.py",
    "**/conftest.py",
    "**/*.bench.*",
)
DEFAULT_SEED_PATTERNS = (
    "**/seed*.*",
    "**/*-seed.*",
    "**/migrate.*",
    "**/seed/**",
    "**/seeds/**",
    "**/seeders/**",
    "**/*.seed.*",
    "**/migrations/**",
    "**/alembic/**",
)


class ConfigError(ValueError):
    """A configuration file or option that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    max_file_size: int = 2_000_000
    fail_on: str = "info"
    test_patterns: tuple[str, ...] = DEFAULT_TEST_PATTERNS
    seed_patterns: tuple[str, ...] = DEFAULT_SEED_PATTERNS
    jobs: int | None = None
    source: str | None = None  # the file this configuration came from

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def rule_options(self, rule_id: str, defaults: Mapping[str, Any]) -> dict[str, Any]:
        options = dict(defaults)
        options.update(self.rules.get(rule_id, {}))
        return options


_LIST_KEYS = {"select", "ignore", "exclude", "test-patterns", "seed-patterns"}
_KNOWN_KEYS = _LIST_KEYS | {"per-file-ignores", "rules", "max-file-size", "fail-on", "jobs", "extend-exclude"}


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """Read the configuration for ``root``: ``explicit`` if given, else ``.perfrewrite.toml``, else pyproject.toml."""
    if explicit is not None:
        return _from_file(explicit, table_path=("tool", "perfrewrite") if explicit.name == "pyproject.toml" else ())
    for directory in (root, *root.parents):
        dedicated = directory / ".perfrewrite.toml"
        if dedicated.is_file():
            return _from_file(dedicated, table_path=())
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            config = _from_file(pyproject, table_path=("tool", "perfrewrite"), required=False)
            if config is not None:
                return config
        if (directory / ".git").exists():
            break
    return Config()


def _from_file(path: Path, table_path: tuple[str, ...], required: bool = True) -> Config | None:
    try:
        data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
    for key in table_path:
        data = data.get(key) if isinstance(data, dict) else None
        if data is None:
            if required:
                raise ConfigError(f"{path}: no [{'.'.join(table_path)}] table")
            return None
    return parse_config(data, source=str(path))


def parse_config(data: Mapping[str, Any], source: str = "<config>") -> Config:
    from analyzers.detectors import detector_ids

    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KNOWN_KEYS))})")
    values: dict[str, Any] = {"source": source}
    for key in _LIST_KEYS & set(data):
        values[key.replace("-", "_")] = _string_list(data[key], key, source)
    if "extend-exclude" in data:
        values["exclude"] = values.get("exclude", ()) + _string_list(data["extend-exclude"], "extend-exclude", source)
    if "max-file-size" in data:
        values["max_file_size"] = _positive_int(data["max-file-size"], "max-file-size", source)
    if "jobs" in data:
        values["jobs"] = _positive_int(data["jobs"], "jobs", source)
    if "fail-on" in data:
        if data["fail-on"] not in SEVERITIES:
            raise ConfigError(f"{source}: 'fail-on' must be one of {', '.join(SEVERITIES)}")
        values["fail_on"] = data["fail-on"]
    if "per-file-ignores" in data:
        table = data["per-file-ignores"]
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: 'per-file-ignores' must be a table of glob = [rules]")
        values["per_file_ignores"] = MappingProxyType(
            {glob: _string_list(rules, f"per-file-ignores.{glob}", source) for glob, rules in table.items()}
        )
    for key in ("select", "ignore"):
        for rule in values.get(key, ()):
            _check_rule_selector(rule, detector_ids(), key, source)
    if "rules" in data:
        values["rules"] = MappingProxyType(_rule_options(data["rules"], detector_ids(), source))
    return Config(**values)


def _check_rule_selector(rule: str, rule_ids: tuple[str, ...], key: str, source: str) -> None:
    categories = {category.value for category in Category}
    if rule not in rule_ids and rule not in categories and rule != "all":
        raise ConfigError(f"{source}: {key} names unknown rule {rule!r}")


def _rule_options(table: Any, rule_ids: tuple[str, ...], source: str) -> dict[str, Mapping[str, Any]]:
    from analyzers.detectors import load_detector

    if not isinstance(table, dict):
        raise ConfigError(f"{source}: 'rules' must be a table of [rules.<rule-id>] tables")
    result: dict[str, Mapping[str, Any]] = {}
    for rule_id, options in table.items():
        if rule_id not in rule_ids:
            raise ConfigError(f"{source}: unknown rule 'rules.{rule_id}'")
        known = load_detector(rule_id).options
        for name, value in options.items():
            if name not in known:
                raise ConfigError(f"{source}: unknown key 'rules.{rule_id}.{name}' (known: {', '.join(known) or 'none'})")
            if type(value) is not type(known[name]) and not (isinstance(known[name], tuple) and isinstance(value, list)):
                raise ConfigError(f"{source}: 'rules.{rule_id}.{name}' must be {type(known[name]).__name__}")
        result[rule_id] = MappingProxyType(dict(options))
    return result


def _string_list(value: Any, key: str, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{source}: {key!r} must be a list of strings")
    return tuple(value)


def _positive_int(value: Any, key: str, source: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"{source}: {key!r} must be a positive integer")
    return value
