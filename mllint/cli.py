"""The command line: ``mllint check``, ``stats``, ``flags``, ``rule`` and ``lsp``."""

from __future__ import annotations

import json
import os
import stat
import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Callable,
    Dict,
    Iterable,
    NoReturn,
    Optional,
    Sequence,
    Tuple,
    Union,
)

import click

from mllint import __version__
from mllint.config import (
    ConfigError,
    Settings,
    apply_overrides,
    check_selectors,
    find_config,
    load_settings,
)
from mllint.display import printable
from mllint.safeio import write_atomic

if TYPE_CHECKING:
    from mllint.ages import History
    from mllint.engine import CheckResult

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> NoReturn:
    click.echo(f"mllint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _selectors(values: Iterable[str], option: str) -> Tuple[str, ...]:
    items = [item for value in values for item in value.split(",") if item.strip()]
    try:
        return tuple(check_selectors(items, option))
    except ConfigError as exc:
        raise click.BadParameter(str(exc).split(": ", 1)[-1], param_hint=option) from None


def load_run_settings(paths: Sequence[Path], config: Optional[Path]) -> Settings:
    """Settings from ``--config`` or the nearest pyproject.toml; exits 2 on a bad file."""
    try:
        found = config if config is not None else find_config(paths)
        return load_settings(found, Path.cwd())
    except ConfigError as exc:
        _fail(str(exc))


def _report_problems(
    missing: Iterable[str], errors: Iterable[str], notices: Iterable[str] = ()
) -> None:
    """Name each path that does not exist and each file that hit an internal error; say
    what discovery skipped (warnings, which do not change the exit status)."""
    for notice in notices:
        click.echo(f"mllint: warning: {printable(notice)}", err=True)
    for path in missing:
        click.echo(f"mllint: error: {printable(path)}: no such file or folder", err=True)
    for error in errors:
        click.echo(f"mllint: error: {printable(error)}", err=True)


def _write(text: str, output: Optional[str]) -> None:
    """Print a report, or write it to ``output`` atomically: a failed write (a full disk)
    leaves the file as it was. Anything the encoding cannot hold is backslash-escaped."""
    if output is None:
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        click.echo(text.encode(encoding, errors="backslashreplace"), nl=False)
        return
    try:
        mode = stat.S_IMODE(os.stat(output).st_mode)
    except OSError:
        mode = 0o644
    try:
        write_atomic(Path(output), text.encode("utf-8", errors="backslashreplace"), mode)
    except OSError as exc:
        _fail(f"cannot write {printable(output)}: {exc.strerror or exc}")


def _same_file(first: Union[str, Path], second: Union[str, Path]) -> bool:
    """Whether two spellings name one file (through links, ``..`` or a hard link)."""
    try:
        if os.path.samefile(first, second):
            return True
    except OSError:  # one of them does not exist yet
        pass
    return os.path.realpath(first) == os.path.realpath(second)


_config_option = click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="A pyproject.toml to read [tool.mllint] from (default: the nearest one).",
)
_no_cache_option = click.option(
    "--no-cache", is_flag=True, help="Neither read nor write .mllint_cache/."
)
_jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(min=0), default=0, help="Processes (0: one per CPU)."
)
_text_or_json_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)


def _git_options(function: Callable[..., None]) -> Callable[..., None]:
    """``--no-git`` and ``--reference-date``."""
    function = click.option(
        "--reference-date",
        type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
        default=None,
        help="Count ages up to this date (UTC) instead of now, for reproducible output.",
    )(function)
    return click.option(
        "--no-git", is_flag=True, help="Do not read git history: no ages, no ML301."
    )(function)


def _history_options(function: Callable[..., None]) -> Callable[..., None]:
    """``--no-git``, ``--reference-date`` and ``--max-age-days``."""
    function = _git_options(function)
    return click.option(
        "--max-age-days",
        type=click.IntRange(min=0),
        default=None,
        help="Flags introduced longer ago than this are stale (ML301; default 90).",
    )(function)


def make_history(
    targets: Sequence[Path],
    settings: Settings,
    *,
    no_git: bool,
    reference_date: Optional[datetime],
    use_cache: bool,
    jobs: int,
) -> Optional[History]:
    """The git history the run reads ages from; ``None`` outside git or with ``--no-git``."""
    if no_git:
        return None
    from mllint.ages import History
    from mllint.cache import CACHE_DIR_NAME, code_version
    from mllint.history import Repository

    start = targets[0] if targets else Path(".")
    cache = Path(settings.root) / CACHE_DIR_NAME / code_version() / "git" if use_cache else None
    repo = Repository.find(start.resolve() if start.exists() else Path.cwd(), cache)
    if repo is None:
        return None
    return History(repo, reference_now(reference_date), settings.max_age_days, jobs)


def reference_now(reference_date: Optional[datetime]) -> datetime:
    """The moment ages are counted up to: ``--reference-date`` (UTC unless it says), else now."""
    if reference_date is None:
        return datetime.now(timezone.utc)
    return reference_date.replace(tzinfo=reference_date.tzinfo or timezone.utc)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mllint")
def main() -> None:
    """mllint finds the hidden technical debt of machine-learning code."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (e.g. ML1,ML201).")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option("--extend-select", multiple=True, help="Codes to enable on top of the selection.")
@click.option("--extend-ignore", multiple=True, help="Codes to disable on top of `ignore`.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--output", "-o", type=str, default=None, help="Write the report to this file.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule.")
@_config_option
@_no_cache_option
@_jobs_option
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Hide the findings held by this JSON or SARIF report of an earlier run.",
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write every current finding to this file as a baseline, then hide them.",
)
@click.option(
    "--category",
    default="mllint",
    show_default=True,
    help="SARIF automationDetails.id category (distinct per analysis uploaded to GitHub).",
)
@click.option(
    "--include-suppressed",
    is_flag=True,
    help="SARIF: also list findings silenced by noqa, per-file-ignores or the baseline.",
)
@_history_options
def check(
    paths: Tuple[Path, ...],
    select: Tuple[str, ...],
    ignore: Tuple[str, ...],
    extend_select: Tuple[str, ...],
    extend_ignore: Tuple[str, ...],
    output_format: str,
    output: Optional[str],
    exit_zero: bool,
    statistics: bool,
    config: Optional[Path],
    no_cache: bool,
    jobs: int,
    baseline: Optional[Path],
    write_baseline: Optional[Path],
    category: str,
    include_suppressed: bool,
    no_git: bool,
    max_age_days: Optional[int],
    reference_date: Optional[datetime],
) -> None:
    """Lint files and folders (default: the current folder).

    Exit status: 0 no findings, 1 findings, 2 usage, configuration or internal error.
    """
    from mllint.engine import default_jobs, run_check
    from mllint.output import Report, formatters
    from mllint.output.text import statistics as render_statistics

    if write_baseline is not None and output is not None and _same_file(write_baseline, output):
        raise click.UsageError(
            f"--write-baseline and --output name the same file ({printable(output)}): "
            "the report would overwrite the baseline"
        )
    targets = list(paths) or [Path(".")]
    settings = load_run_settings(targets, config)
    overrides: Dict[str, Tuple[str, ...]] = {}
    for key, values in (
        ("select", select),
        ("ignore", ignore),
        ("extend_select", extend_select),
        ("extend_ignore", extend_ignore),
    ):
        if values:
            overrides[key] = _selectors(values, "--" + key.replace("_", "-"))
    settings = apply_overrides(settings, overrides)
    if max_age_days is not None:
        settings = replace(settings, max_age_days=max_age_days)
    history = make_history(
        targets,
        settings,
        no_git=no_git,
        reference_date=reference_date,
        use_cache=not no_cache,
        jobs=jobs or default_jobs(),
    )

    try:
        result = run_check(
            targets,
            settings,
            overrides=overrides,
            jobs=jobs,
            use_cache=not no_cache,
            history=history,
        )
    except ConfigError as exc:  # a nested pyproject.toml found while walking
        _fail(str(exc))
    _report_problems(result.missing, result.errors, result.notices)

    if write_baseline is not None:
        full = Report(result=result, settings=settings, cwd=Path.cwd())
        _write(formatters()["json"](full), str(write_baseline))
    hide_from = write_baseline or baseline
    if hide_from is not None:
        result = _hide_baselined(result, settings, hide_from)

    report = Report(
        result=result,
        settings=settings,
        cwd=Path.cwd(),
        category=category,
        include_suppressed=include_suppressed,
        use_git=not no_git,
    )
    rendered = formatters()[output_format](report)
    if statistics:
        stats = render_statistics(report)
        if output_format == "text":
            rendered += stats
        else:
            click.echo(stats, err=True, nl=False)
    _write(rendered, output)

    if result.errors or result.missing:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if result.findings and not exit_zero else EXIT_OK)


def _hide_baselined(result: CheckResult, settings: Settings, baseline: Path) -> CheckResult:
    from mllint.baseline import BaselineError, hide_baselined, load_baseline
    from mllint.repository import root_of

    try:
        known = load_baseline(baseline)
    except BaselineError as exc:
        _fail(str(exc))
    result = hide_baselined(result, root_of(settings.root), known)
    if result.baselined:
        click.echo(f"mllint: {len(result.baselined)} findings hidden by the baseline", err=True)
    return result


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_text_or_json_option
@click.option("--output", "-o", type=str, default=None, help="Write the report to this file.")
@click.option(
    "--explain",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Print every statement of FILE with its class and the reason.",
)
@_config_option
@_no_cache_option
@_jobs_option
def stats(
    paths: Tuple[Path, ...],
    output_format: str,
    output: Optional[str],
    explain: Optional[Path],
    config: Optional[Path],
    no_cache: bool,
    jobs: int,
) -> None:
    """Measure glue versus algorithm statements per file, per folder and in total."""
    from mllint.stats import run_stats

    targets = list(paths) or ([explain] if explain is not None else [Path(".")])
    settings = load_run_settings(targets, config)
    try:
        code, text, problems, notices = run_stats(
            targets, settings, output_format, explain=explain, jobs=jobs, use_cache=not no_cache
        )
    except ConfigError as exc:  # a nested pyproject.toml found while walking
        _fail(str(exc))
    _report_problems((), (), notices)
    for problem in problems:
        click.echo(f"mllint: error: {problem}", err=True)
    if text:
        _write(text, output)
    sys.exit(code)


@main.command()
@click.argument("code", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def rule(code: Optional[str], output_format: str) -> None:
    """Print the documentation of rule CODE (of every rule when no code is given)."""
    from mllint.docs import rule_markdown
    from mllint.rules import ALL_RULES, RULES_BY_CODE

    if code is not None and code.upper() not in RULES_BY_CODE:
        _fail(f"unknown rule code '{code}' (see `mllint rule`)")
    chosen = [RULES_BY_CODE[code.upper()]] if code else list(ALL_RULES)
    if output_format == "json":
        data = [
            {
                "code": r.code,
                "name": r.name,
                "summary": r.message,
                "severity": r.severity.value,
                "tags": list(r.tags),
                "explanation": r.doc().markdown(),
                "url": r.help_uri(),
            }
            for r in chosen
        ]
        click.echo(json.dumps(data[0] if code else data, indent=2))
        return
    click.echo("\n".join(rule_markdown(r) for r in chosen), nl=False)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_text_or_json_option
@click.option("--output", "-o", type=str, default=None, help="Write the inventory to this file.")
@_config_option
@_no_cache_option
@_jobs_option
@_git_options
def flags(
    paths: Tuple[Path, ...],
    output_format: str,
    output: Optional[str],
    config: Optional[Path],
    no_cache: bool,
    jobs: int,
    no_git: bool,
    reference_date: Optional[datetime],
) -> None:
    """List every flag and experiment switch: where it is defined, its value or default,
    every read. Exit status: 0, or 2 on a usage, configuration or internal error."""
    from mllint.engine import analyze_tree, default_jobs, project_flags
    from mllint.flags.inventory import to_json, to_text
    from mllint.project import Project

    targets = list(paths) or [Path(".")]
    settings = load_run_settings(targets, config)
    try:  # the inventory needs the per-file facts and the index, not the rules' findings
        tree = analyze_tree(targets, settings, jobs=jobs, use_cache=not no_cache)
    except ConfigError as exc:
        _fail(str(exc))
    _report_problems(tree.missing, tree.errors, tree.notices)
    found = project_flags(
        Project(settings=settings, files={p: tree.results[p] for p in tree.files})
    )
    history = make_history(
        targets,
        settings,
        no_git=no_git,
        reference_date=reference_date,
        use_cache=not no_cache,
        jobs=jobs or default_jobs(),
    )
    ages = None if history is None else history.inventory_ages(found)
    render = to_json if output_format == "json" else to_text
    _write(render(found, Path.cwd(), ages), output)
    if tree.errors or tree.missing:
        sys.exit(EXIT_ERROR)


@main.command()
@click.option(
    "--debounce-ms",
    type=click.IntRange(min=0),
    default=250,
    show_default=True,
    help="Quiet time after a change before the buffer is linted.",
)
@_no_cache_option
@click.option("--verbose", "-v", is_flag=True, help="Log every step to standard error.")
def lsp(debounce_ms: int, no_cache: bool, verbose: bool) -> None:
    """Run the language server over standard input and output (for editors)."""
    import logging

    try:
        from mllint.lsp.server import serve
    except ImportError as exc:
        _fail(
            f"`mllint lsp` needs the lsp extra ({exc.name} is missing): "
            "pip install 'mllint-debt[lsp]'"
        )
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    serve(debounce=debounce_ms / 1000, use_cache=not no_cache)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["html", "markdown", "json"]),
    default=None,
    help="Report format (default: from --output's suffix, .md/.json/else HTML; Markdown "
    "on standard output).",
)
@click.option("--output", "-o", type=str, default=None, help="Write the report to this file.")
@click.option(
    "--history",
    "history_period",
    default=None,
    metavar="PERIOD",
    help="Add the trend over this much of the branch's history (90d, 12w, 6m, 1y).",
)
@click.option(
    "--points",
    type=click.IntRange(min=1, max=500),
    default=24,
    show_default=True,
    help="Commits sampled for the trend.",
)
@click.option("--commits", default=None, metavar="A..B", help="The trend over this range.")
@click.option("--since", default=None, metavar="REF", help="Show what changed since this commit.")
@click.option(
    "--link-template",
    default=None,
    help="Links to code, e.g. https://github.com/ORG/REPO/blob/{commit}/{path}#L{line} "
    "(default: relative links to the files).",
)
@_config_option
@_no_cache_option
@_jobs_option
@_history_options
def report(
    paths: Tuple[Path, ...],
    output_format: Optional[str],
    output: Optional[str],
    history_period: Optional[str],
    points: int,
    commits: Optional[str],
    since: Optional[str],
    link_template: Optional[str],
    config: Optional[Path],
    no_cache: bool,
    jobs: int,
    no_git: bool,
    max_age_days: Optional[int],
    reference_date: Optional[datetime],
) -> None:
    """The debt report: an HTML page (or Markdown, JSON) with the trend over git history.
    Exit status: 0, or 2 on a usage, configuration or internal error."""
    from mllint.engine import default_jobs
    from mllint.report.build import (
        ReportError,
        ReportOptions,
        build_report,
        format_for,
        missing_extra,
        render,
    )

    chosen = format_for(output, output_format)
    absent = missing_extra() if chosen == "html" else None
    if absent is not None:
        _fail(
            f"the HTML report needs the report extra ({absent} is missing): "
            "pip install 'mllint-debt[report]' (or use --format markdown or json)"
        )
    if link_template is not None:
        from mllint.report.model import check_template

        try:
            check_template(link_template)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--link-template") from None
    targets = list(paths) or [Path(".")]
    settings = load_run_settings(targets, config)
    if max_age_days is not None:
        settings = replace(settings, max_age_days=max_age_days)
    workers = jobs or default_jobs()
    history = make_history(
        targets,
        settings,
        no_git=no_git,
        reference_date=reference_date,
        use_cache=not no_cache,
        jobs=workers,
    )
    now = reference_now(reference_date)
    options = ReportOptions(
        history=history_period,
        points=points,
        commits=commits,
        since=since,
        link_template=link_template,
        output=output,
        jobs=jobs,
        use_cache=not no_cache,
    )
    try:
        built = build_report(targets, settings, history, options, now, workers)
    except (ConfigError, ReportError) as exc:
        _fail(str(exc))
    _report_problems(built.missing, built.errors, built.notices)
    _write(render(built, chosen), output)
    if built.errors or built.missing:
        sys.exit(EXIT_ERROR)


def run() -> None:
    """Console entry point: no traceback escapes, an internal error exits 2, Ctrl-C exits
    130 and SIGTERM 143 at once (pool workers killed, see :mod:`mllint.lifecycle`)."""
    from mllint.lifecycle import install_handlers

    install_handlers()
    try:
        # not standalone: click would turn an interrupt into "Aborted!" and exit 1
        returned = main(standalone_mode=False)
    except click.exceptions.Abort as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):
            _interrupted(exc.__cause__)
        click.echo("Aborted!", err=True)
        sys.exit(EXIT_FINDINGS)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt as exc:
        _interrupted(exc)
    except SystemExit:
        raise
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_ERROR)
    except Exception as exc:
        if os.environ.get("MLLINT_DEBUG"):
            raise
        click.echo(f"mllint: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(returned if isinstance(returned, int) else EXIT_OK)


def _interrupted(exc: KeyboardInterrupt) -> NoReturn:
    from mllint.lifecycle import Interrupted, leave_now

    leave_now(exc.signum if isinstance(exc, Interrupted) else 2)
