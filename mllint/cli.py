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
    BinaryIO,
    Callable,
    Collection,
    Dict,
    Iterable,
    List,
    Mapping,
    NoReturn,
    Optional,
    Sequence,
    Tuple,
    Union,
)

import click

from mllint import __version__
from mllint.config import (
    SEVERITIES,
    ConfigError,
    Settings,
    apply_overrides,
    check_selectors,
    fails,
    find_config,
    load_settings,
)
from mllint.console import Console, use_color
from mllint.display import display_path, printable
from mllint.safeio import write_atomic

if TYPE_CHECKING:
    from mllint.ages import History
    from mllint.changes import Changes
    from mllint.engine import CheckResult
    from mllint.model import Finding
    from mllint.output import Report

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
    """Settings from ``--config`` or the nearest pyproject.toml, with the cache folder of
    ``--cache-dir`` (see :func:`_cache_options`); exits 2 on a bad file."""
    from mllint.cache import locate

    try:
        found = config if config is not None else find_config(paths)
        settings = load_settings(found, Path.cwd())
    except ConfigError as exc:
        _fail(str(exc))
    context = click.get_current_context(silent=True)
    chosen = context.meta.get(_CACHE_DIR_KEY) if context is not None else None
    return replace(settings, cache_dir=str(locate(paths, chosen)))


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
    "--no-cache", is_flag=True, help="Neither read nor write the cache."
)
_CACHE_DIR_KEY = "mllint.cache_dir"


def _remember_cache_dir(context: click.Context, _: click.Parameter, value: Optional[str]) -> None:
    context.meta[_CACHE_DIR_KEY] = value


_cache_dir_option = click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    envvar="MLLINT_CACHE_DIR",
    show_envvar=True,
    expose_value=False,
    callback=_remember_cache_dir,
    help="The cache folder (default: .mllint_cache at the project root).",
)


def _cache_options(function: Callable[..., None]) -> Callable[..., None]:
    """``--no-cache`` and ``--cache-dir``; :func:`load_run_settings` reads the latter."""
    return _no_cache_option(_cache_dir_option(function))


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
    from mllint.cache import cache_folder, git_store
    from mllint.history import Repository

    start = targets[0] if targets else Path(".")
    cache = git_store(cache_folder(settings)) if use_cache else None
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
    type=click.Choice(["text", "json", "github", "gitlab", "junit", "sarif"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--output", "-o", type=str, default=None, help="Write the report to this file.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule.")
@_config_option
@_cache_options
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
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES, case_sensitive=False),
    default=None,
    help="Exit 1 on findings of this severity or louder (default: fail-on in "
    "[tool.mllint], else warning: notes alone exit 0).",
)
@click.option("--show-source", is_flag=True, help="Text: show each finding's line(s), marked.")
@click.option("--show-ages", is_flag=True, help="Text: add (introduced N days ago) to findings.")
@click.option(
    "--quiet", "-q", is_flag=True, help="Print the findings only: no summary, no warnings."
)
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Say which files, the cache hits and the timings (stderr).",
)
@click.option(
    "--stdin-filename",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="With `-` as the path: lint standard input as if it were this file.",
)
@click.option(
    "--since",
    default=None,
    metavar="REF",
    help="Report only findings on lines changed since this git revision (and in new files).",
)
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply `exclude` to files named on the command line too (for pre-commit).",
)
@click.option("--fix", is_flag=True, help="Apply the safe fixes, then report what is left.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix/--diff: apply unsafe fixes too.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; change nothing.")
@click.option("--fix-only", is_flag=True, help="Apply the fixes; report only the summary.")
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
    fail_on: Optional[str],
    show_source: bool,
    show_ages: bool,
    quiet: bool,
    verbose: bool,
    stdin_filename: Optional[Path],
    since: Optional[str],
    force_exclude: bool,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    fix_only: bool,
    no_git: bool,
    max_age_days: Optional[int],
    reference_date: Optional[datetime],
) -> None:
    """Lint files and folders (default: the current folder); `-` lints standard input.

    Exit status: 0 nothing at or above --fail-on (default warning), 1 findings at or above
    it, 2 usage, configuration or internal error.
    """
    from mllint.engine import default_jobs, run_check
    from mllint.output import Report, formatters
    from mllint.output.text import statistics as render_statistics
    from mllint.progress import ProgressBar

    if write_baseline is not None and output is not None and _same_file(write_baseline, output):
        raise click.UsageError(
            f"--write-baseline and --output name the same file ({printable(output)}): "
            "the report would overwrite the baseline"
        )
    console = Console(quiet=quiet, verbose=verbose)
    stdin = _stdin_target(paths, stdin_filename)
    if stdin_filename is not None and stdin is None:
        console.warn("--stdin-filename does nothing without `-` (standard input) as the path")
    _warn_unused_options(
        console,
        output_format,
        category=category != "mllint",
        include_suppressed=include_suppressed,
        show_source=show_source,
        show_ages=show_ages,
    )
    targets = [stdin] if stdin is not None else (list(paths) or [Path(".")])
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
    if fail_on is not None:
        settings = replace(settings, fail_on=fail_on.lower())
    changes = _changes_since(since, targets) if since is not None else None
    overlay: Dict[str, bytes] = {}
    if stdin is not None:
        targets, stdin = _stdin_project(stdin, settings)
        overlay[str(stdin)] = _read_stdin(settings.max_file_size)
        no_git = True  # blame would read the file on disk, not the text given
    if force_exclude:
        targets, overlay = _force_exclude(targets, overlay, settings, config)
    fixing = None
    if fix or diff or fix_only:
        from mllint.fixing.command import run_fixes

        if overlay:
            raise click.UsageError("--fix, --diff and --fix-only need files, not standard input")
        fixing = run_fixes(
            targets,
            settings,
            overrides=overrides,
            jobs=jobs,
            use_cache=not no_cache,
            unsafe=unsafe_fixes,
            diff=diff,
            fix_only=fix_only,
            quiet=quiet,
        )
        if fixing.exit_code is not None:
            sys.exit(fixing.exit_code)
    history = make_history(
        targets or [Path(".")],
        settings,
        no_git=no_git,
        reference_date=reference_date,
        use_cache=not no_cache,
        jobs=jobs or default_jobs(),
    )
    if history is not None and reference_date is not None:
        _warn_before_history(console, history, reference_now(reference_date))

    bar = ProgressBar(enabled=False if quiet else None)

    def progress(stage: str, done: int, total: int) -> None:
        console.stage(stage)
        bar(stage, done, total)

    try:
        if targets or overlay:
            console.stage("discovery")
            result = run_check(
                targets,
                settings,
                overrides=overrides,
                jobs=jobs,
                use_cache=not no_cache,
                history=history,
                progress=progress,
                overlay=overlay,
            )
        else:
            result = _nothing_checked()
    except ConfigError as exc:  # a nested pyproject.toml found while walking
        bar.close()
        _fail(str(exc))
    bar.close()
    console.stage("output")
    _describe_run(console, result)
    if overlay:  # the rest of the project was read for its index, not to be reported
        result = _only(result, set(overlay))
    _report_problems(result.missing, result.errors, () if quiet else result.notices)
    if not result.files and not result.missing and not result.errors:
        console.warn("No Python files found under the given path(s)")

    if write_baseline is not None:
        full = Report(result=result, settings=settings, cwd=Path.cwd())
        _write(formatters()["json"](full), str(write_baseline))
        console.info(
            f"wrote {_plural(len(result.findings), 'finding')} to the baseline "
            f"{printable(str(write_baseline))}"
        )
    hide_from = write_baseline or baseline
    if hide_from is not None:
        result = _hide_baselined(result, settings, hide_from, console)
    if changes is not None:
        result = replace(
            result,
            findings=tuple(changes.keep(result.findings)),
            silenced=tuple(changes.keep(result.silenced)),
            baselined=tuple(changes.keep(result.baselined)),
        )

    report = Report(
        result=result,
        settings=settings,
        cwd=Path.cwd(),
        category=category,
        include_suppressed=include_suppressed,
        use_git=not no_git,
    )
    rendered = _render(
        report,
        output_format,
        color=output is None and use_color(sys.stdout),
        show_ages=show_ages,
        show_source=show_source,
        overlay=overlay,
        max_size=settings.max_file_size,
    )
    text_out = output_format == "text"
    if statistics:
        stats = render_statistics(report)
        if text_out:
            rendered += ("\n" if rendered and stats else "") + stats
        else:
            click.echo(stats, err=True, nl=False)
    summary = "" if quiet else _summary(result.findings)
    if fixing is not None:
        summary = ""
        if not quiet:
            click.echo(fixing.summary(result.findings), err=True, nl=False)
    if text_out and output is None:
        rendered += summary
    elif summary and text_out:
        click.echo(summary, err=True, nl=False)
    _write(rendered, output)
    console.report_timings()

    if result.errors or result.missing:
        sys.exit(EXIT_ERROR)
    failing = any(fails(f.severity.value, settings.fail_on) for f in result.findings)
    sys.exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_OK)


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _summary(findings: Sequence[Finding]) -> str:
    from mllint.fixes import has_safe_fix
    from mllint.output.text import summary

    return summary(findings, has_safe_fix)


def _render(
    report: Report,
    output_format: str,
    *,
    color: bool,
    show_ages: bool,
    show_source: bool,
    overlay: Mapping[str, bytes],
    max_size: int,
) -> str:
    """The report in ``output_format``; the text format with colour, ages and source as
    asked (a file's source is read again, or taken from standard input's text)."""
    from mllint.output import formatters
    from mllint.output.text import TextOptions, render_text

    if output_format != "text":
        return formatters()[output_format](report)

    def source_of(path: str) -> Optional[str]:
        from mllint.safeio import read_limited
        from mllint.source import SourceError, decode

        try:
            data = overlay.get(path)
            if data is None:
                data = read_limited(Path(path), max_size)
            return decode(data).text
        except (OSError, SourceError):
            return None

    options = TextOptions(
        color=color, show_ages=show_ages, show_source=show_source, source_of=source_of
    )
    return render_text(report, options)


def _warn_unused_options(console: Console, output_format: str, **given: bool) -> None:
    """Options that change nothing in the chosen format say so (as a warning)."""
    only_for = {
        "category": ("sarif", "--category"),
        "include_suppressed": ("sarif", "--include-suppressed"),
        "show_source": ("text", "--show-source"),
        "show_ages": ("text", "--show-ages"),
    }
    for key, used in given.items():
        wanted, option = only_for[key]
        if used and output_format != wanted:
            console.warn(f"{option} does nothing with --format {output_format} (only {wanted})")


def _stdin_target(paths: Sequence[Path], stdin_filename: Optional[Path]) -> Optional[Path]:
    """The path standard input stands for when `-` is the (only) path, else ``None``."""
    if not any(str(p) == "-" for p in paths):
        return None
    if len(paths) > 1:
        raise click.UsageError("`-` (standard input) cannot be combined with other paths")
    return Path(os.path.abspath(stdin_filename if stdin_filename is not None else "-"))


def _read_stdin(limit: int) -> bytes:
    """Standard input's bytes, at most one more than ``limit`` (the rest is ML000 "too
    large" anyway)."""
    stream: Optional[BinaryIO] = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text-only stream (an embedding program's)
        return sys.stdin.read(limit + 1).encode("utf-8", errors="surrogateescape")
    chunks: List[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(1 << 16, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _stdin_project(stdin: Path, settings: Settings) -> Tuple[List[Path], Path]:
    """What to analyse around standard input's file for the project index (the folder of
    its configuration, else its git work tree; nothing when the file lies outside both),
    and the file's path as discovery spells it there (through no symbolic link)."""
    from mllint.history import GitError, git_output

    root: Optional[Path] = Path(settings.root) if settings.config_file else None
    if root is None:
        try:
            top, _ = git_output(_existing_folder(stdin), "rev-parse", "--show-toplevel")
            root = Path(os.fsdecode(top.strip()))
        except GitError:
            return [], stdin
    real_root, real_file = os.path.realpath(root), os.path.realpath(stdin)
    if os.path.commonpath([real_root, real_file]) != real_root:
        return [], stdin
    return [root], Path(os.path.abspath(root)) / os.path.relpath(real_file, real_root)


def _existing_folder(path: Path) -> Path:
    for folder in path.parents:
        if folder.is_dir():
            return folder
    return Path.cwd()


def _only(result: CheckResult, paths: Collection[str]) -> CheckResult:
    """``result`` reduced to the files ``paths`` (standard input's)."""
    return replace(
        result,
        findings=tuple(f for f in result.findings if f.path in paths),
        silenced=tuple(f for f in result.silenced if f.path in paths),
        files=tuple(p for p in result.files if p in paths),
        results={p: r for p, r in result.results.items() if p in paths},
    )


def _nothing_checked() -> CheckResult:
    from mllint.engine import CheckResult

    return CheckResult(findings=(), files=(), results={}, missing=(), errors=(), parsed=0, lines=0)


def _force_exclude(
    targets: Sequence[Path],
    overlay: Mapping[str, bytes],
    settings: Settings,
    config: Optional[Path],
) -> Tuple[List[Path], Dict[str, bytes]]:
    """``--force-exclude``: files named on the command line (and standard input's file)
    that ``exclude`` matches are dropped; folders are walked with ``exclude`` anyway."""

    by_folder: Dict[Path, Settings] = {}  # pre-commit names many files of few folders

    def excluded(path: Path) -> bool:
        own = settings
        if config is None:
            folder = Path(os.path.abspath(path)).parent
            if folder not in by_folder:
                by_folder[folder] = load_run_settings([path], None)
            own = by_folder[folder]
        try:
            relative = Path(os.path.abspath(path)).relative_to(os.path.abspath(own.root))
        except ValueError:
            return False
        return matches_globs(own.exclude, relative.as_posix())

    from mllint.discover import matches_globs

    kept = [t for t in targets if t.is_dir() or not excluded(t)]
    return kept, {p: data for p, data in overlay.items() if not excluded(Path(p))}


def _changes_since(since: str, targets: Sequence[Path]) -> Changes:
    from mllint.changes import ChangesError, changed_since, named_after

    try:
        return changed_since(named_after(targets), since)
    except ChangesError as exc:
        _fail(str(exc))


def _warn_before_history(console: Console, history: History, now: datetime) -> None:
    """``--reference-date`` before the repository's first commit: every age would be
    negative or zero; say so."""
    from mllint.history import GitError, git_output

    try:
        out, _ = git_output(history.repo.root, "log", "--max-parents=0", "--format=%ct", "HEAD")
    except GitError:
        return
    stamps = [int(line) for line in out.decode("ascii", "replace").split() if line.isdigit()]
    if stamps and now.timestamp() < min(stamps):
        first = datetime.fromtimestamp(min(stamps), timezone.utc).strftime("%Y-%m-%d")
        console.warn(
            f"--reference-date {now.strftime('%Y-%m-%d')} is before the first commit "
            f"({first}): ages are counted up to a date the history had not reached"
        )


def _describe_run(console: Console, result: CheckResult) -> None:
    """With ``-v``: the files checked and how many the cache answered."""
    if not console.verbose:
        return
    cwd = Path.cwd()
    for path in result.files:
        console.detail(f"checked {display_path(path, cwd)}")
    cached = len(result.files) - result.parsed
    console.detail(
        f"{_plural(len(result.files), 'file')}: {cached} from the cache, {result.parsed} analysed"
    )


def _hide_baselined(
    result: CheckResult, settings: Settings, baseline: Path, console: Console
) -> CheckResult:
    from mllint.baseline import BaselineError, hide_baselined, load_baseline
    from mllint.repository import root_of

    try:
        known = load_baseline(baseline)
    except BaselineError as exc:
        _fail(str(exc))
    result = hide_baselined(result, root_of(settings.root), known)
    if result.baselined:
        console.info(f"{_plural(len(result.baselined), 'finding')} hidden by the baseline")
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
@_cache_options
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
@click.argument("code", required=False, metavar="[CODE|NAME]")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def rule(code: Optional[str], output_format: str) -> None:
    """Print the documentation of rule CODE or NAME (e.g. ML101 or constant-condition; of
    every rule when none is given)."""
    from mllint.docs import rule_markdown
    from mllint.rules import ALL_RULES, RULES_BY_CODE

    by_name = {r.name: r for r in ALL_RULES}
    if code is not None:
        found = RULES_BY_CODE.get(code.upper()) or by_name.get(code.lower().replace("_", "-"))
        if found is None:
            _fail(f"unknown rule code or name '{printable(code)}' (see `mllint rule`)")
        code = found.code
    chosen = [RULES_BY_CODE[code]] if code else list(ALL_RULES)
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
@_cache_options
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
    if history is not None and reference_date is not None:
        _warn_before_history(Console(), history, reference_now(reference_date))
    ages = None if history is None else history.inventory_ages(found)
    render = to_json if output_format == "json" else to_text
    _write(render(found, Path.cwd(), ages), output)
    if tree.errors or tree.missing:
        sys.exit(EXIT_ERROR)


@main.command()
@click.argument("flag", metavar="FLAG[=VALUE]")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--diff", is_flag=True, help="Print the unified diff, write nothing (exit 1 if there is one)."
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(["constant", "argparse", "absl", "click", "env", "config", "all"]),
    help="Retire only the flags of this kind (when FLAG names flags of several kinds).",
)
@_config_option
@_no_cache_option
@_jobs_option
def retire(
    flag: str,
    paths: Tuple[Path, ...],
    diff: bool,
    kinds: Tuple[str, ...],
    config: Optional[Path],
    no_cache: bool,
    jobs: int,
) -> None:
    """The experiment behind FLAG is over: FLAG is VALUE from now on (default: its current
    value or default). Inlines VALUE into every read, folds the branches, deletes the flag's
    definition, and lists the files outside Python that still mention it. Exit status: 0
    done, 1 a diff shown with --diff, 2 a usage error or a file that could not be rewritten."""
    from mllint.retire import run_retire

    targets = list(paths) or [Path(".")]
    settings = load_run_settings(targets, config)
    code = run_retire(
        flag, targets, settings, diff=diff, kinds=kinds, use_cache=not no_cache, jobs=jobs
    )
    sys.exit(code)


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
@_cache_options
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
    if history is not None and reference_date is not None:
        _warn_before_history(Console(), history, now)
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


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_cache_dir_option
def clean(paths: Tuple[Path, ...]) -> None:
    """Remove the cache of the project holding PATHS (default: the current folder).

    Only what mllint writes is removed; a cache folder that is a symbolic link or holds
    files tracked by git is refused. Exit status: 0, or 2 when the cache cannot be removed.
    """
    from mllint.cache import clean as remove_cache
    from mllint.cache import locate
    from mllint.display import display_path
    from mllint.safeio import UnsafePath

    context = click.get_current_context()
    folder = locate(list(paths) or [Path(".")], context.meta.get(_CACHE_DIR_KEY))
    shown = display_path(str(folder), Path.cwd())
    try:
        done = remove_cache(folder)
    except UnsafePath as exc:
        _fail(f"not removing the cache: {printable(exc.strerror or shown)}")
    except OSError as exc:
        _fail(f"cannot remove the cache {shown}: {exc.strerror or exc}")
    if not done.existed:
        click.echo(f"mllint: no cache at {shown}", err=True)
        return
    files = "file" if done.removed == 1 else "files"
    message = f"mllint: removed the cache at {shown} ({done.removed} {files})"
    if done.left:
        names = ", ".join(printable(name) for name in done.left[:5])
        more = ", ..." if len(done.left) > 5 else ""
        message += f"; left what mllint did not write there: {names}{more}"
    click.echo(message, err=True)


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
    except click.UsageError as exc:  # one error style: `mllint: error: ...`, as everywhere
        command = exc.ctx.command_path if exc.ctx is not None else "mllint"
        click.echo(f"mllint: error: {exc.format_message()} (see `{command} --help`)", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"mllint: error: {exc.format_message()}", err=True)
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
