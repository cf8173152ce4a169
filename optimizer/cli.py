"""The ``perfrewrite`` command line: argument handling only; the work happens in optimizer.api.

Imports here stay light (click only) so that ``perfrewrite --version`` starts fast; the pipeline loads
when a command runs.
"""

from __future__ import annotations

import sys

import click

from optimizer import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_FAIL_ON = ("info", "warning", "error", "never")


class _DefaultCheckGroup(click.Group):
    """``perfrewrite [PATHS]`` means ``perfrewrite check [PATHS]``, as ruff and eslint users expect."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultCheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="perfrewrite")
def main() -> None:
    """Find performance bottlenecks across a full-stack repository and propose fixes."""


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--dry-run", is_flag=True, help="Report and show proposed fixes as a diff; write nothing.")
@click.option("--unsafe-fixes", is_flag=True, help="Apply (or with --dry-run, show) unsafe fixes as well.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report here.")
@click.option("--select", multiple=True, help="Rules or categories to run (comma-separated).")
@click.option("--ignore", multiple=True, help="Rules or categories to skip (comma-separated).")
@click.option("--fail-on", type=click.Choice(_FAIL_ON), default=None, help="Lowest severity that makes exit 1.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False), help="Configuration file.")
@click.option("--root", type=click.Path(exists=True, file_okay=False), help="Directory paths are reported from.")
@click.option("--no-cache", is_flag=True, help="Parse every file again instead of using cached facts.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Parser processes (default: cores).")
@click.option("--no-progress", is_flag=True, help="Do not draw a progress bar on stderr.")
@click.option(
    "--measure-imports", is_flag=True,
    help="Import each heavy Python library found (python -X importtime, in a subprocess) to measure its cost.",
)
@click.option("--python", "python", type=click.Path(dir_okay=False), help="Interpreter for --measure-imports.")
def check(
    paths, dry_run, unsafe_fixes, fmt, output, select, ignore, fail_on, config_file, root, no_cache, jobs, no_progress,
    measure_imports, python,
):
    """Analyse PATHS (default: the current directory), report findings ranked by estimated impact, and apply
    safe fixes (all fixes with --unsafe-fixes); --dry-run shows them as a diff instead."""
    from optimizer.api import analyze
    from optimizer.config import ConfigError, load_config
    from optimizer.report import render
    from optimizer.workspace import find_root
    from pathlib import Path

    path_list = [Path(p) for p in (paths or (".",))]
    try:
        base = Path(root).resolve() if root else find_root(path_list)
        config = load_config(base, Path(config_file) if config_file else None)
        config = config.with_overrides(
            select=_split(select) or None, ignore=_split(ignore) or None, fail_on=fail_on
        )
        from optimizer.config import parse_config  # validates rule names given on the command line

        parse_config({"select": list(config.select), "ignore": list(config.ignore)}, source="command line")
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc

    with _progress_bar(enabled=not no_progress) as progress:
        report = analyze(
            path_list, config=config, root=base, jobs=jobs, use_cache=not no_cache, progress=progress,
            measure_imports=measure_imports, python=python,
        )
    from rewriters.apply import fix

    # before rendering, so that the JSON report carries each fix's diff
    fixed = fix(report, unsafe=unsafe_fixes, dry_run=dry_run)
    report.stats["files_changed"] = len(fixed.written)
    text = render(report, fmt, color=output is None and fmt == "text" and sys.stdout.isatty())
    if fmt == "text":
        text += _fix_summary(fixed, dry_run)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if not report.stats["files"] and not report.errors:
        click.echo("warning: no source files found to analyse", err=True)
    threshold = config.fail_on
    if threshold == "never":
        sys.exit(EXIT_CLEAN)
    order = {"info": 0, "warning": 1, "error": 2}
    failing = any(order[f.severity.value] >= order[threshold] for f in report.findings)
    sys.exit(EXIT_FINDINGS if failing else EXIT_CLEAN)


def _fix_summary(fixed, dry_run: bool) -> str:
    """The text report's tail: the diff of proposed fixes on a dry run, else how many files were changed."""
    for path, reason in fixed.skipped:
        click.echo(f"warning: {path}: {reason}", err=True)
    if dry_run:
        return f"\n{fixed.diff}" if fixed.diff else ""
    count = len(fixed.written)
    return f"\nFixed {count} file{'s' if count != 1 else ''}.\n" if count else ""


class _progress_bar:
    """A progress bar on stderr for long runs on a terminal; silent in pipes and CI."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.bar = None

    def __enter__(self):
        return self.update if self.enabled else None

    def update(self, done: int, total: int) -> None:
        if self.bar is None and total >= 200:
            self.bar = click.progressbar(length=total, label="parsing", file=sys.stderr)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(done - self.bar.pos)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


@main.command()
def rules() -> None:
    """List every rule with its category, severity and one-line summary."""
    from optimizer.rules_doc import rule_summaries

    for rule_id, category, severity, summary in rule_summaries():
        click.echo(f"{rule_id:<32} {category:<20} {severity:<8} {summary}")


@main.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Print the documentation of RULE."""
    from optimizer.rules_doc import rule_markdown

    text = rule_markdown(rule)
    if text is None:
        raise click.UsageError(f"unknown rule {rule!r}; see `perfrewrite rules`")
    click.echo(text)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(["json", "dot"]), default="json", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True))
@click.option("--no-cache", is_flag=True)
def graph(paths, fmt, output, no_cache) -> None:
    """Export the code graph (modules, functions, imports, calls) of PATHS as JSON or Graphviz dot."""
    import json
    from pathlib import Path

    from optimizer.api import analyze

    report = analyze([Path(p) for p in (paths or (".",))], use_cache=not no_cache)
    code_graph = report.project.graph
    text = json.dumps(code_graph.to_json(), indent=2) + "\n" if fmt == "json" else code_graph.to_dot()
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    for error in report.errors:
        click.echo(f"error: {error.path}: {error.message}", err=True)


def run() -> None:
    """Entry point that turns unexpected exceptions into exit code 2 with a one-line message."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence for the command line
        click.echo(f"perfrewrite: internal error: {exc!r}", err=True)
        sys.exit(EXIT_ERROR)
