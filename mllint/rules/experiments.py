"""Experiments that ended without being removed: ML107."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from mllint.flags.index import FlagIndex, flag_index, is_experiment_name
from mllint.flags.launch import launch_kind, option_pattern, searched_places
from mllint.model import Finding, Severity, Span
from mllint.rules.base import Invalid, ProjectRule
from mllint.rules.flags import is_experiment

_SWITCH_KINDS = ("bool", "choice")


class UnexercisedFlag(ProjectRule):
    """
    ## What it does
    Checks for experiment switches whose non-default side is never chosen anywhere in the
    repository: a boolean or choice command-line option (argparse, absl, click, typer) that
    no shell script, Makefile, YAML/JSON/TOML/gin config, README or docs command line,
    notebook, `launch.json`, test or Python launcher ever passes, and an experiment
    environment variable that nothing ever sets. Reported at the option's definition (at the
    first read of an environment variable), with the places searched in
    `properties.searched`.

    ## Why is this bad?
    A switch whose other side is never selected is an experiment that ended without anyone
    deleting it: the arm it guards is dead in practice, yet it is kept compiling, reviewed
    and documented in `--help`. Either the experiment lost (delete the arm and the option)
    or it won (make it the only path).

    ## Example
    ```python
    parser.add_argument("--use-old-sched", action="store_true")
    args = parser.parse_args()
    scheduler = old_scheduler() if args.use_old_sched else cosine()
    ```

    Use instead:
    ```python
    scheduler = cosine()
    ```

    ## Notes
    Only experiment switches are considered (see ML103: a name matching `flag-patterns`, not
    a platform, precision or debug switch, and a definition that says boolean or choice).
    Any mention of the option on a command line counts as choosing it (`--use-x`,
    `--use-x=1`, absl's `--nouse_x`, a `"--use-x"` string in Python, a `use_x:` or
    `use_x =` key in a config file, `FLAGS.use_x = ...` or `args.use_x = ...`,
    `parser.set_defaults(use_x=...)`, `flagsaver(use_x=...)`); an environment variable is
    chosen by any mention in a launch file or by `os.environ[...] = ...`, `setenv`,
    `setdefault`. The search is bounded (2,000 launch files of at most 256 KiB each, 16 MiB
    in all, 12 folders deep, links never followed) and covers the folder of the
    configuration and the linted paths, skipping hidden folders but `.vscode`, `.github`
    and `.circleci`. A switch a user may pass by hand is still reported: say so in a launch
    script or README, or silence it with `# noqa: ML107` on its definition.
    """

    code = "ML107"
    name = "unexercised-flag"
    message = "Experiment switch whose other side is never chosen"
    severity = Severity.NOTE
    tags = ("maintainability", "flags", "experiment")
    preview = True
    VALID = (
        "import argparse\np = argparse.ArgumentParser()\n"
        "p.add_argument('--use-swa', action='store_true')\nargs = p.parse_args()\n"
        "if args.use_swa:\n    a()\n\ndef test_swa():\n    p.parse_args(['--use-swa'])\n",
        "import argparse\np = argparse.ArgumentParser()\n"
        "p.add_argument('--use-tpu', action='store_true')\nargs = p.parse_args()\n",
        "import argparse\np = argparse.ArgumentParser()\n"
        "p.add_argument('--exp-name', default='run')\nargs = p.parse_args()\n",
    )
    INVALID = (
        Invalid(
            "import argparse\np = argparse.ArgumentParser()\n"
            "p.add_argument('--use-old-sched', action='store_true')\nargs = p.parse_args()\n"
            "if args.use_old_sched:\n    a()\n",
            line=3,
            message="use_old_sched",
        ),
        Invalid(
            "from absl import flags\nflags.DEFINE_bool('use_blur', True, 'h')\n",
            line=2,
            message="use_blur",
        ),
    )

    def check(self, project: Any) -> List[Finding]:
        """One note per experiment switch whose non-default side nothing chooses."""
        settings = project.settings
        if not is_selected(settings):
            return []
        index = flag_index(project)
        chosen = _chosen_in_python(index)
        candidates = [
            switch
            for switch in _switches(index)
            if is_experiment(index, switch[1], "", settings)
            and switch[1] not in chosen
            and not any(s in chosen for s in switch[2])
        ]
        environment = [e for e in _env_switches(index, settings) if e[0] not in chosen]
        if not candidates and not environment:
            return []
        launch: Mapping[str, str] = getattr(project, "launch", {}) or {}
        searched = searched_places(launch)
        searched["python"] = len(index.paths)
        configs = "\n".join(t for p, t in launch.items() if launch_kind(p) == "config")
        everything = "\n".join(launch.values())
        findings: List[Finding] = []
        for path, name, strings, span, default, kind in candidates:
            if option_pattern(strings).search(everything):
                continue
            if re.search(rf"(?<![\w-]){re.escape(name)}\s*[:=]", configs):
                continue
            shown = f"default {default!r}" if isinstance(default, (bool, int, type(None))) else ""
            message = (
                f"Experiment switch `{name}` ({kind}{', ' + shown if shown else ''}) is never "
                "set to its other side in the repository's launch scripts, configs, docs or "
                "tests: an experiment that ended without being removed"
            )
            findings.append(_finding(self, path, span, message, name, kind, searched))
        for variable, path, line in environment:
            if re.search(rf"\b{re.escape(variable)}\b", everything):
                continue
            message = (
                f"Experiment environment variable `{variable}` is never set anywhere in the "
                "repository's launch scripts, configs, docs or tests: an experiment that ended "
                "without being removed"
            )
            span = [line, 1, line, 1]
            findings.append(_finding(self, path, span, message, variable, "env", searched))
        return findings


def is_selected(settings: Any) -> bool:
    """ML107 is a preview (see :attr:`Rule.preview`): whether this run selected it."""
    return bool(settings.is_enabled(UnexercisedFlag.code))


def launch_roots(settings: Any, paths: Sequence[Path]) -> List[Path]:
    """Where ML107 (and ML104, for a launcher's `--local_rank`) look for launch files: the
    folder of the configuration file (the repository, usually) and the linted paths; nothing
    when neither runs. The texts are read lazily, on a rule's first look."""
    if not is_selected(settings) and not settings.is_enabled("ML104"):
        return []
    roots = [Path(settings.root)] if settings.config_file else []
    return [*roots, *paths]


def _finding(
    rule: ProjectRule,
    path: str,
    span: List[int],
    message: str,
    name: str,
    kind: str,
    searched: Dict[str, int],
) -> Finding:
    return Finding(
        path=path,
        span=Span(*span[:4]),
        code=rule.code,
        name=rule.name,
        message=message,
        severity=rule.severity,
        properties={"flag": name, "flagKind": kind, "searched": dict(searched)},
    )


def _chosen_in_python(index: FlagIndex) -> Set[str]:
    chosen: Set[str] = set()
    for path in index.paths:
        chosen.update(index.facts[path].get("set_flags", ()))
    return chosen


def _dashed(name: str) -> List[str]:
    return sorted({f"--{name}", f"--{name.replace('_', '-')}"})


def _switches(
    index: FlagIndex,
) -> Iterable[Tuple[str, str, List[str], List[int], Any, str]]:
    """``(path, name, option strings, span, default, kind)`` of every boolean or choice
    option the project defines."""
    for path in index.paths:
        facts = index.facts[path]
        switches: Dict[str, str] = facts.get("switches", {})
        for dest, display, *span, default in facts.get("options", ()):
            if switches.get(dest) not in _SWITCH_KINDS:
                continue
            strings = [s for s in display.split("/") if s.startswith("--")] + _dashed(dest)
            yield path, dest, strings, span, default, "argparse"
        for name, _function, *span, default in facts.get("absl", ()):
            if switches.get(name) not in _SWITCH_KINDS:
                continue
            yield path, name, [*_dashed(name), f"--no{name}"], span, default, "absl"
        for name, kind, *rest in facts.get("cli", ()):
            if switches.get(name) not in _SWITCH_KINDS:
                continue
            strings = [*_dashed(name), f"--no-{name.replace('_', '-')}"]
            yield path, name, strings, rest[:4], rest[4], kind


def _env_switches(index: FlagIndex, settings: Any) -> List[Tuple[str, str, int]]:
    """``(variable, path, line)``: experiment environment variables a branch tests, at their
    first read."""
    found: Dict[str, Tuple[str, int]] = {}
    for path in index.paths:
        for test in index.facts[path]["tests"]:
            for flag in index.flags_in(path, test["e"]):
                if flag.kind != "env" or not flag.variable:
                    continue
                if not is_experiment_name(
                    flag.name,
                    flag.variable,
                    settings.flag_patterns,
                    settings.platform_flag_patterns,
                ):
                    continue
                first = _first_read(index, flag.variable)
                if first is not None:
                    found.setdefault(flag.variable, first)
    return sorted((v, p, line) for v, (p, line) in found.items())


def _first_read(index: FlagIndex, variable: str) -> Optional[Tuple[str, int]]:
    for path in index.paths:
        lines = [
            line for name, line, _default in index.facts[path].get("env", ()) if name == variable
        ]
        if lines:
            return path, min(lines)
    return None
