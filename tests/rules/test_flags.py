"""ML102, ML103, ML104 and ML106 through the real CLI on projects spread over packages."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any, Dict, List, Tuple, Type

import pytest
from click.testing import CliRunner

from mllint.cli import main
from mllint.rules import PROJECT_RULES
from mllint.rules.base import Invalid, Rule, Valid

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "sample_project"


def write(root: Path, files: Dict[str, str]) -> None:
    """Write ``files`` (relative path -> source) under ``root``."""
    for name, source in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(source), encoding="utf-8")


def lint(root: Path, select: str, *extra: str) -> List[Dict[str, Any]]:
    """Run ``mllint check`` on ``root`` and return the JSON findings (paths relative)."""
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = runner.invoke(
            main,
            ["check", ".", "--no-cache", "--format", "json", "--select", select, *extra],
        )
    finally:
        os.chdir(cwd)
    assert result.exit_code in (0, 1), result.output
    found: List[Dict[str, Any]] = json.loads(result.stdout)
    return found


def places(findings: List[Dict[str, Any]]) -> List[Tuple[str, int]]:
    return sorted((f["path"], f["line"]) for f in findings)


# --- the sample project ---------------------------------------------------------------


def test_sample_project_findings_are_the_documented_ones(tmp_path: Path) -> None:
    findings = lint(FIXTURE, "ML102,ML103,ML104,ML105,ML106")
    got = sorted((f["code"], f["path"], f["line"]) for f in findings)
    assert got == [
        ("ML102", "sample_project/data.py", 95),
        ("ML102", "sample_project/data.py", 110),
        ("ML102", "sample_project/model.py", 75),
        ("ML102", "sample_project/model.py", 91),
        ("ML103", "sample_project/train.py", 53),
        ("ML103", "sample_project/train.py", 82),
        ("ML104", "sample_project/train.py", 38),
        ("ML105", "sample_project/model.py", 100),
        ("ML106", "sample_project/model.py", 13),
    ]
    flags = {(f["code"], f["line"]): f["properties"].get("flag") for f in findings}
    assert flags[("ML102", 95)] == "LEGACY_AUGMENT"
    assert flags[("ML102", 110)] == "EXPERIMENT"
    assert flags[("ML102", 75)] == "USE_NEW_LOSS"
    assert flags[("ML103", 53)] == "NEW_RANKER"
    assert flags[("ML103", 82)] == "use_mixup"
    assert flags[("ML104", 38)] == "old_scheduler"
    ml105 = next(f for f in findings if f["code"] == "ML105")
    assert (ml105["line"], ml105["end_line"]) == (100, 103)


def test_sample_project_messages_say_which_arm_is_dead() -> None:
    findings = lint(FIXTURE, "ML102")
    by_line = {(f["path"], f["line"]): f["message"] for f in findings}
    assert "always true" in by_line[("sample_project/data.py", 95)]
    assert "`else` arm is dead" in by_line[("sample_project/data.py", 95)]
    assert "always false" in by_line[("sample_project/model.py", 75)]
    assert "its body is dead" in by_line[("sample_project/model.py", 75)]
    assert "config.py:22" in by_line[("sample_project/model.py", 75)]


# --- ML102: imports across files --------------------------------------------------------

CONFIG = """\
USE_NEW_LOSS = False
EXPERIMENT = "baseline"
THRESHOLD = 3
"""


@pytest.mark.parametrize(
    "importer",
    [
        "from pkg.config import USE_NEW_LOSS\nif USE_NEW_LOSS:\n    a()\n",
        "from .config import USE_NEW_LOSS\nif USE_NEW_LOSS:\n    a()\n",
        "import pkg.config as c\nif c.USE_NEW_LOSS:\n    a()\n",
        "import pkg.config\nif pkg.config.USE_NEW_LOSS:\n    a()\n",
        "from pkg import config\nif config.USE_NEW_LOSS:\n    a()\n",
        "from pkg import USE_NEW_LOSS\nif USE_NEW_LOSS:\n    a()\n",
        "from pkg.config import *\nif USE_NEW_LOSS:\n    a()\n",
        "from . import config\ndef f():\n    if config.USE_NEW_LOSS:\n        a()\n",
    ],
    ids=["from", "relative", "alias", "dotted", "from-package", "re-export", "star", "rel-mod"],
)
def test_constant_is_followed_through_every_import_form(tmp_path: Path, importer: str) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "from .config import USE_NEW_LOSS\n",
            "pkg/config.py": CONFIG,
            "pkg/sub/__init__.py": "",
            "pkg/train.py": importer,
        },
    )
    found = lint(tmp_path, "ML102")
    assert places(found) == [("pkg/train.py", 2 if "def f" not in importer else 3)]
    assert found[0]["properties"]["flag"] == "USE_NEW_LOSS"


@pytest.mark.parametrize(
    ("test", "dead"),
    [
        ("EXPERIMENT == 'v2'", "body"),
        ("EXPERIMENT != 'v2'", "orelse"),
        ("THRESHOLD < 2", "body"),
        ("EXPERIMENT in ('a', 'baseline')", "orelse"),
        ("EXPERIMENT is None", "body"),
        ("not USE_NEW_LOSS", "orelse"),
        ("USE_NEW_LOSS and ready()", "body"),
        ("USE_NEW_LOSS or THRESHOLD == 3", "orelse"),
    ],
)
def test_branch_evaluation(tmp_path: Path, test: str, dead: str) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/config.py": CONFIG,
            "pkg/run.py": f"from pkg.config import *\nif {test}:\n    a()\nelse:\n    b()\n",
        },
    )
    found = lint(tmp_path, "ML102")
    assert places(found) == [("pkg/run.py", 2)]
    assert found[0]["properties"]["deadArm"] == dead


def test_undecidable_tests_are_left_alone(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/config.py": CONFIG,
            "pkg/run.py": (
                "from pkg.config import *\n"
                "if USE_NEW_LOSS or ready():\n    a()\nelse:\n    b()\n"
                "if EXPERIMENT < 3:\n    a()\nelse:\n    b()\n"
                "if EXPERIMENT is 'baseline':\n    a()\nelse:\n    b()\n"
            ),
        },
    )
    assert lint(tmp_path, "ML102") == []


# --- ML102: every rebinding route -------------------------------------------------------

REBINDINGS = {
    "alias-assign": ("pkg/other.py", "import pkg.config as c\nc.USE_NEW_LOSS = True\n"),
    "from-module": ("pkg/other.py", "from pkg import config\nconfig.USE_NEW_LOSS = True\n"),
    "dotted": ("pkg/other.py", "import pkg.config\npkg.config.USE_NEW_LOSS = True\n"),
    "re-export": ("pkg/other.py", "import pkg\npkg.USE_NEW_LOSS = True\n"),
    "relative": ("pkg/other.py", "from . import config\nconfig.USE_NEW_LOSS += 1\n"),
    "in-function": (
        "pkg/other.py",
        "def setup():\n    import pkg.config as c\n    c.USE_NEW_LOSS = True\n",
    ),
    "for-target": (
        "pkg/other.py",
        "import pkg.config as c\nfor c.USE_NEW_LOSS in (1, 2):\n    pass\n",
    ),
    "with-target": (
        "pkg/other.py",
        "import pkg.config as c\nwith f() as c.USE_NEW_LOSS:\n    pass\n",
    ),
    "del": ("pkg/other.py", "import pkg.config as c\ndel c.USE_NEW_LOSS\n"),
    "setattr": ("pkg/other.py", "import pkg.config as c\nsetattr(c, 'USE_NEW_LOSS', True)\n"),
    "setattr-computed": ("pkg/other.py", "import pkg.config as c\nsetattr(c, name, True)\n"),
    "vars-update": ("pkg/other.py", "import pkg.config as c\nvars(c).update(loaded)\n"),
    "mock-patch": (
        "tests/test_x.py",
        "from unittest import mock\n"
        "@mock.patch('pkg.config.USE_NEW_LOSS', True)\ndef t():\n    pass\n",
    ),
    "monkeypatch": (
        "tests/test_x.py",
        "import pkg.config\ndef t(monkeypatch):\n"
        "    monkeypatch.setattr(pkg.config, 'USE_NEW_LOSS', 1)\n",
    ),
    "global": (
        "pkg/config.py",
        CONFIG + "def enable():\n    global USE_NEW_LOSS\n    USE_NEW_LOSS = True\n",
    ),
    "augmented": ("pkg/config.py", CONFIG + "USE_NEW_LOSS |= True\n"),
    "second-assign": ("pkg/config.py", CONFIG + "USE_NEW_LOSS = True\n"),
    "module-for": ("pkg/config.py", CONFIG + "for USE_NEW_LOSS in (0, 1):\n    pass\n"),
    "module-with": ("pkg/config.py", CONFIG + "with f() as USE_NEW_LOSS:\n    pass\n"),
    "except": ("pkg/config.py", CONFIG + "try:\n    pass\nexcept E as USE_NEW_LOSS:\n    pass\n"),
    "walrus": ("pkg/config.py", CONFIG + "if (USE_NEW_LOSS := load()):\n    pass\n"),
    "module-del": ("pkg/config.py", CONFIG + "del USE_NEW_LOSS\n"),
    "conditional": ("pkg/config.py", CONFIG + "if cond():\n    USE_NEW_LOSS = True\n"),
    "sys-modules": (
        "pkg/config.py",
        CONFIG + "import sys\nsetattr(sys.modules[__name__], 'USE_NEW_LOSS', True)\n",
    ),
    "globals-key": ("pkg/config.py", CONFIG + "globals()['USE_NEW_LOSS'] = True\n"),
    "globals-update": ("pkg/config.py", CONFIG + "globals().update(load())\n"),
    "exec": ("pkg/config.py", CONFIG + "exec(open('local_config.py').read())\n"),
    "exec-globals": (
        "pkg/config.py",
        CONFIG + "def load():\n    exec(open('c.py').read(), globals())\n",
    ),
}


@pytest.mark.parametrize("route", sorted(REBINDINGS))
def test_a_rebound_constant_is_never_reported(tmp_path: Path, route: str) -> None:
    files = {
        "pkg/__init__.py": "from .config import USE_NEW_LOSS\n",
        "pkg/config.py": CONFIG,
        "pkg/train.py": "from pkg.config import USE_NEW_LOSS\nif USE_NEW_LOSS:\n    a()\n",
        "tests/__init__.py": "",
    }
    path, source = REBINDINGS[route]
    files[path] = source
    write(tmp_path, files)
    assert lint(tmp_path, "ML102") == []


def test_rebinding_a_local_copy_leaves_the_source_constant(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/config.py": CONFIG,
            "pkg/a.py": "from pkg.config import USE_NEW_LOSS\nUSE_NEW_LOSS = True\n",
            "pkg/b.py": "from pkg.config import USE_NEW_LOSS\nif USE_NEW_LOSS:\n    a()\n",
        },
    )
    assert places(lint(tmp_path, "ML102")) == [("pkg/b.py", 2)]


@pytest.mark.parametrize(
    "definition",
    [
        "import os\nUSE_X = os.environ.get('USE_X') == '1'\n",
        "import os\nUSE_X = bool(os.getenv('USE_X'))\n",
        "USE_X = compute()\n",
        "import argparse\nUSE_X = argparse.ArgumentParser().parse_args().use_x\n",
        "TYPE_CHECKING = False\n__debug__x = 1\n",
    ],
)
def test_computed_names_and_idioms_are_not_constants(tmp_path: Path, definition: str) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/config.py": definition,
            "pkg/run.py": (
                "from pkg.config import *\nif USE_X:\n    a()\nelse:\n    b()\n"
                "if TYPE_CHECKING:\n    import x\nelse:\n    y = 1\n"
            ),
        },
    )
    assert lint(tmp_path, "ML102") == []


def test_nothing_in_an_exec_module_is_constant(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "settings.py": (
                "USE_AMP = False\nMODE = 'a'\nexec(open('local.py').read())\n"
                "if MODE == 'b':\n    a()\nelse:\n    b()\n"
            ),
            "run.py": "from settings import USE_AMP\nif USE_AMP:\n    a()\n",
        },
    )
    assert lint(tmp_path, "ML102") == []


def test_function_locals_shadow_module_constants(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "m.py": (
                "DEBUG = False\n"
                "def f(DEBUG):\n    if DEBUG:\n        a()\n"
                "def g():\n    DEBUG = load()\n    if DEBUG:\n        a()\n"
                "def h():\n    return [1 for DEBUG in x if DEBUG]\n"
                "class C:\n    DEBUG = True\n    if DEBUG:\n        a()\n"
            )
        },
    )
    assert lint(tmp_path, "ML102") == []


# --- ML103: every runtime flag kind ------------------------------------------------------

RUNTIME = {
    "env-get": "import os\nif os.environ.get('USE_FAST'):\n    a()\n",
    "env-getenv": "import os\nif os.getenv('NEW_RANKER') == '1':\n    a()\n",
    "env-subscript": "import os\nif os.environ['ENABLE_X']:\n    a()\n",
    "env-in": "import os\nif 'EXP_FOO' in os.environ:\n    a()\n",
    "env-from": "from os import environ\nif environ.get('USE_FAST'):\n    a()\n",
    "env-name": (
        "import os\ndef f():\n    fast = os.environ.get('USE_FAST')\n    if fast:\n        a()\n"
    ),
    "env-var-name": "import os\nUSE_FAST = os.environ.get('FASTPATH')\nif USE_FAST:\n    a()\n",
    "argparse": (
        "import argparse\np = argparse.ArgumentParser()\np.add_argument('--use-mixup')\n"
        "args = p.parse_args()\nif args.use_mixup:\n    a()\n"
    ),
    "argparse-assigned": (
        "import argparse\ndef main(args: argparse.Namespace):\n    mix = args.use_mixup\n"
        "    if mix:\n        a()\n"
    ),
    "absl": (
        "from absl import flags\nflags.DEFINE_bool('use_ema', False, 'h')\nFLAGS = flags.FLAGS\n"
        "if FLAGS.use_ema:\n    a()\n"
    ),
    "absl-item": (
        "from absl import flags\nFLAGS = flags.FLAGS\nif FLAGS['use_ema'].value:\n    a()\n"
    ),
    "click": (
        "import click\n@click.command()\n@click.option('--use-swa', is_flag=True)\n"
        "def main(use_swa):\n    if use_swa:\n        a()\n"
    ),
    "typer": (
        "import typer\ndef main(use_swa: bool = typer.Option(False)):\n    if use_swa:\n"
        "        a()\n"
    ),
    "config-attr": (
        "from omegaconf import OmegaConf\ncfg = OmegaConf.load('c.yaml')\n"
        "if cfg.model.use_ema:\n    a()\n"
    ),
    "config-get": (
        "from omegaconf import DictConfig\ndef f(cfg: DictConfig):\n"
        "    if cfg.get('use_ema'):\n        a()\n"
    ),
    "config-item": (
        "import ml_collections\nconfig = ml_collections.ConfigDict()\n"
        "x = 1 if config['exp_warmup'] else 2\n"
    ),
    "hydra": (
        "import hydra\n@hydra.main(config_path='conf')\ndef main(cfg):\n"
        "    if cfg.train.enable_swa:\n        a()\n"
    ),
}


@pytest.mark.parametrize("kind", sorted(RUNTIME))
def test_experiment_branch_on_every_flag_kind(tmp_path: Path, kind: str) -> None:
    source = RUNTIME[kind]
    write(tmp_path, {"pkg/__init__.py": "", "pkg/run.py": source})
    found = lint(tmp_path, "ML103")
    expected = next(i for i, line in enumerate(source.splitlines(), 1) if " if " in f" {line}")
    assert places(found) == [("pkg/run.py", expected)], found
    assert found[0]["properties"]["flag"]
    assert found[0]["severity"] == "note"


def test_runtime_flag_read_from_another_module(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/settings.py": "import os\nUSE_FAST = os.getenv('FAST') == '1'\n",
            "pkg/run.py": "from pkg.settings import USE_FAST\nif USE_FAST:\n    a()\n",
        },
    )
    found = lint(tmp_path, "ML103")
    assert places(found) == [("pkg/run.py", 2)]
    assert found[0]["properties"]["flag"] == "USE_FAST"


@pytest.mark.parametrize(
    "source",
    [
        "def f(use_cache=True):\n    if use_cache:\n        a()\n",
        "import os\nif os.environ.get('HOME'):\n    a()\n",
        "def f(args):\n    if args.use_mixup:\n        a()\n",  # no such option defined
        "def f(self):\n    if self.config.use_cache:\n        a()\n",
        "import click\n@click.command()\n@click.option('--lr')\n"
        "def main(lr):\n    if lr:\n        a()\n",
    ],
)
def test_no_experiment_branch(tmp_path: Path, source: str) -> None:
    write(tmp_path, {"run.py": source})
    assert lint(tmp_path, "ML103") == []


def test_flag_patterns_are_configurable(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "[tool.mllint]\nflag-patterns = ['^turbo_']\n",
            "run.py": (
                "import os\nif os.environ.get('TURBO_MODE'):\n    a()\n"
                "if os.environ.get('USE_FAST'):\n    a()\n"
            ),
        },
    )
    assert places(lint(tmp_path, "ML103")) == [("run.py", 2)]


# --- ML104 ------------------------------------------------------------------------------


def test_options_read_in_another_module_are_used(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/cli.py": (
                "import argparse\ndef parse():\n    p = argparse.ArgumentParser()\n"
                "    p.add_argument('--lr', type=float)\n"
                "    p.add_argument('--warmup-steps', dest='warmup')\n"
                "    p.add_argument('--seed')\n"
                "    p.add_argument('--old-sched', action='store_true')\n"
                "    p.add_argument('data_dir')\n"
                "    return p.parse_args()\n"
            ),
            "pkg/train.py": (
                "from pkg.cli import parse\nargs = parse()\n"
                "run(args.lr, args.warmup, args.data_dir)\n"
                "seed = getattr(args, 'seed')\n"
            ),
        },
    )
    found = lint(tmp_path, "ML104")
    assert places(found) == [("pkg/cli.py", 7)]
    assert found[0]["properties"]["flag"] == "old_sched"


@pytest.mark.parametrize(
    "reader",
    [
        "run(**vars(args))\n",
        "d = vars(args)\nprint(d['x'])\n",
        "for k in keys:\n    print(getattr(args, k))\n",
    ],
)
def test_options_of_an_escaping_namespace_are_not_reported(tmp_path: Path, reader: str) -> None:
    write(
        tmp_path,
        {
            "cli.py": "import argparse\np = argparse.ArgumentParser()\np.add_argument('--old')\n",
            "main.py": "from cli import p\nargs = p.parse_args()\n" + reader,
        },
    )
    assert lint(tmp_path, "ML104") == []


def test_absl_click_and_typer_options(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.py": (
                "from absl import flags\nflags.DEFINE_integer('steps', 1, 'h')\n"
                "flags.DEFINE_bool('use_ema', False, 'h')\nFLAGS = flags.FLAGS\n"
                "print(FLAGS.steps)\n_SEED = flags.DEFINE_integer('seed', 1, 'h')\n"
                "_OLD = flags.DEFINE_integer('old_seed', 1, 'h')\nprint(_SEED.value)\n"
            ),
            "b.py": (
                "import click\n@click.command()\n@click.option('--lr')\n"
                "@click.option('--use-amp/--no-use-amp')\ndef main(lr, use_amp):\n    print(lr)\n"
            ),
            "c.py": (
                "import typer\n"
                "def main(lr: float = typer.Option(1.0), old: bool = typer.Option(False)):\n"
                "    print(lr)\n"
            ),
            "d.py": (
                "import click\n@click.command()\n@click.option('--x')\ndef main(**kwargs):\n"
                "    print(kwargs)\n"
            ),
        },
    )
    found = lint(tmp_path, "ML104")
    assert places(found) == [("a.py", 3), ("a.py", 7), ("b.py", 4), ("c.py", 2)]
    flags = sorted(f["properties"]["flag"] for f in found)
    assert flags == ["old", "old_seed", "use_amp", "use_ema"]


# --- ML106 ------------------------------------------------------------------------------


def test_dead_experiment_code_across_modules(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/config.py": "USE_OLD_HEAD = False\n",
            "pkg/heads.py": (
                "def old_head(n):\n    return n\n\ndef new_head(n):\n    return n\n\n"
                "def recursive(n):\n    return recursive(n - 1)\n"
            ),
            "pkg/model.py": (
                "from pkg.config import USE_OLD_HEAD\nfrom pkg import heads\n"
                "if USE_OLD_HEAD:\n    h = heads.old_head(1)\n    r = heads.recursive(1)\n"
                "else:\n    h = heads.new_head(1)\n"
            ),
        },
    )
    found = lint(tmp_path, "ML106")
    assert places(found) == [("pkg/heads.py", 1), ("pkg/heads.py", 7)]
    assert {f["properties"]["flag"] for f in found} == {"USE_OLD_HEAD"}


def test_a_live_reference_anywhere_keeps_a_definition(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "m.py": "def old():\n    return 1\n\nif False:\n    old()\n",
            "n.py": "__all__ = ['old']\n",
        },
    )
    assert lint(tmp_path, "ML106") == []


# --- every documented example of the project rules, through the CLI ---------------------


def _examples() -> List[Tuple[Type[Rule], Any]]:
    cases: List[Tuple[Type[Rule], Any]] = []
    for rule in PROJECT_RULES:
        if rule.code == "ML205":  # needs a package and max-glue-ratio: tests/rules/test_glue.py
            continue
        valid, invalid = rule.examples()
        cases.extend((rule, example) for example in [*valid, *invalid])
    return cases


@pytest.mark.parametrize("case", _examples(), ids=lambda c: f"{c[0].code}-{type(c[1]).__name__}")
def test_project_rule_examples(tmp_path: Path, case: Tuple[Type[Rule], Any]) -> None:
    rule, example = case
    (tmp_path / "example.py").write_text(example.code, encoding="utf-8")
    found = lint(tmp_path, rule.code)
    if isinstance(example, Valid):
        assert found == [], example.code
        return
    assert isinstance(example, Invalid)
    assert found, f"{rule.code} did not report:\n{example.code}"
    if example.line is not None:
        assert example.line in [f["line"] for f in found]
    if example.message is not None:
        assert any(example.message in f["message"] for f in found), found


def test_an_escape_in_another_folder_does_not_hide_options(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "scripts/train.py": (
                "import argparse\np = argparse.ArgumentParser()\np.add_argument('--old')\n"
                "args = p.parse_args()\n"
            ),
            "lib/util.py": "def dump(args):\n    return vars(args)\n",
        },
    )
    assert places(lint(tmp_path, "ML104")) == [("scripts/train.py", 3)]


def test_options_filled_into_parameters_by_name_are_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "criterion.py": (
                "class Loss:\n    def __init__(self, task, guide_alpha=0.0):\n"
                "        self.alpha = guide_alpha\n\n"
                "    @staticmethod\n    def add_args(parser):\n"
                "        parser.add_argument('--guide-alpha', type=float)\n"
            ),
        },
    )
    assert lint(tmp_path, "ML104") == []


def test_a_name_called_options_is_an_option_only_near_its_parser(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tools/cli.py": (
                "import argparse\np = argparse.ArgumentParser()\np.add_argument('--use-fast')\n"
            ),
            "lib/runner.py": "def run(options):\n    if options.use_fast:\n        a()\n",
            "tools/run.py": "def run(options):\n    if options.use_fast:\n        a()\n",
        },
    )
    assert places(lint(tmp_path, "ML103")) == [("tools/run.py", 2)]


# --- issue 12: options per program, experiment switches by meaning ----------------------

PARSER = "import argparse\np = argparse.ArgumentParser()\n"


def test_a_read_in_another_entry_point_is_not_a_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "train.py": PARSER + "p.add_argument('--old-sched', action='store_true')\n"
            "p.add_argument('--lr', type=float)\nargs = p.parse_args()\nprint(args.lr)\n",
            "evaluate.py": PARSER + "p.add_argument('--old-sched', action='store_true')\n"
            "args = p.parse_args()\nif args.old_sched:\n    a()\nrun(**vars(args))\n",
        },
    )
    found = lint(tmp_path, "ML104")
    assert places(found) == [("train.py", 3)]
    assert found[0]["properties"]["flag"] == "old_sched"


def test_a_read_in_a_module_the_program_imports_counts(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/engine.py": "def train(args):\n    return args.warmup\n",
            "main.py": PARSER + "p.add_argument('--warmup', type=int)\n"
            "def main():\n    from pkg.engine import train\n    train(p.parse_args())\n",
            "other.py": "def f(cfg):\n    return cfg.unrelated\n",
        },
    )
    assert lint(tmp_path, "ML104") == []


def test_absl_flags_belong_to_the_entry_point_that_defines_them(tmp_path: Path) -> None:
    absl = "from absl import flags\nflags.DEFINE_bool('use_blur', True, 'h')\nFLAGS = flags.FLAGS\n"
    write(
        tmp_path,
        {
            "run.py": absl + "if FLAGS.use_blur:\n    a()\n",
            "tf2/run.py": absl + "print(1)\n",
        },
    )
    assert places(lint(tmp_path, "ML104")) == [("tf2/run.py", 2)]


@pytest.mark.parametrize(
    "reader",
    [
        "print(args.__dict__)\n",
        "logger.info(vars(args))\n",
        "import yaml\nyaml.dump(vars(args), open('c.yaml', 'w'))\n",
        "import wandb\nwandb.config.update(args)\n",
        "print(f'{vars(args)}')\n",
    ],
)
def test_a_namespace_only_logged_or_saved_reads_nothing(tmp_path: Path, reader: str) -> None:
    write(
        tmp_path, {"main.py": PARSER + "p.add_argument('--old')\nargs = p.parse_args()\n" + reader}
    )
    assert places(lint(tmp_path, "ML104")) == [("main.py", 3)]


def test_a_namespace_given_to_a_library_function_may_read_any_option(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "utils.py": "def setup(args):\n    return 1\n",
            "main.py": PARSER + "from utils import setup\nfrom timm.scheduler import create\n"
            "p.add_argument('--decay-rate', type=float)\nargs = p.parse_args()\n"
            "setup(args)\n",
        },
    )
    assert places(lint(tmp_path, "ML104")) == [("main.py", 5)]
    (tmp_path / "main.py").write_text(
        (tmp_path / "main.py").read_text() + "create(args)\n", encoding="utf-8"
    )
    assert lint(tmp_path, "ML104") == []


@pytest.mark.parametrize(
    "definition",
    [
        "p.add_argument('--use-tpu', action='store_true')",
        "p.add_argument('--use_volta32', action='store_true')",
        "p.add_argument('--enable-wandb', type=bool, default=False)",
        "p.add_argument('--disable-eval', action='store_true')",
        "p.add_argument('--use-experiment', default='baseline')",
        "p.add_argument('--exp-name', type=str)",
    ],
)
def test_no_experiment_branch_on_platform_or_value_options(tmp_path: Path, definition: str) -> None:
    dest = definition.split("'")[1].lstrip("-").replace("-", "_")
    source = PARSER + definition + f"\nargs = p.parse_args()\nif args.{dest}:\n    a()\n"
    write(tmp_path, {"main.py": source})
    assert lint(tmp_path, "ML103") == []


def test_platform_vocabulary_is_configurable(tmp_path: Path) -> None:
    source = PARSER + "p.add_argument('--use-tpu', action='store_true')\n"
    source += "args = p.parse_args()\nif args.use_tpu:\n    a()\n"
    write(tmp_path, {"main.py": source, "pyproject.toml": "[tool.mllint]\n"})
    assert lint(tmp_path, "ML103") == []
    (tmp_path / "pyproject.toml").write_text(
        "[tool.mllint]\nplatform-flag-patterns = ['^debug$']\n", encoding="utf-8"
    )
    assert places(lint(tmp_path, "ML103")) == [("main.py", 5)]


def test_a_flag_does_not_flow_through_a_call(tmp_path: Path) -> None:
    source = PARSER + "p.add_argument('--use-swa', action='store_true')\nargs = p.parse_args()\n"
    source += "state = load_checkpoint('c.pt', args.use_swa)\nif not state:\n    a()\n"
    source += "swa = bool(args.use_swa)\nif swa:\n    b()\n"
    write(tmp_path, {"main.py": source})
    found = lint(tmp_path, "ML103")
    assert places(found) == [("main.py", 9)]
    assert found[0]["properties"]["flag"] == "swa"  # the module-level name it is read by


def test_validation_is_not_an_experimental_path(tmp_path: Path) -> None:
    source = PARSER + "import sys\np.add_argument('--use-swa', action='store_true')\n"
    source += "args = p.parse_args()\nif args.use_swa and args.lr:\n    p.error('no')\n"
    source += "if args.use_swa:\n    print('bad')\n    sys.exit(2)\n"
    source += "if args.use_swa:\n    raise ValueError('x')\n"
    write(tmp_path, {"main.py": source})
    assert lint(tmp_path, "ML103") == []


@pytest.mark.parametrize(
    "branch",
    [
        # only warns about the input: validation
        "import warnings\nif not args.use_naflex and args.lr:\n    warnings.warn('ignored')\n",
        "if args.use_naflex:\n    logger.warning('slow')\n",
        # only picks the words of a message
        "print(f\"head: {'BN' if args.use_naflex else 'no BN'}\")\n",
        "logger.info('mode %s', 'naflex' if args.use_naflex else 'fixed')\n",
    ],
)
def test_warnings_and_message_words_are_no_experimental_path(tmp_path: Path, branch: str) -> None:
    source = PARSER + "p.add_argument('--use-naflex', action='store_true')\n"
    source += "p.add_argument('--lr', type=float)\nargs = p.parse_args()\n" + branch
    write(tmp_path, {"main.py": source})
    assert lint(tmp_path, "ML103") == []
    write(tmp_path, {"main.py": source + "x = 1 if args.use_naflex else 2\n"})
    assert len(lint(tmp_path, "ML103")) == 1  # a value chosen by the switch still is one


@pytest.mark.parametrize(
    "name", ["DETECTRON_DISABLE_CV2", "ACME_DISABLE_FFMPEG", "USE_XFORMERS", "USE_FLASH_ATTN"]
)
def test_library_and_runtime_switches_are_platform_switches(tmp_path: Path, name: str) -> None:
    source = f"import os\nif int(os.environ.get('{name}', 0)):\n    a()\nelse:\n    b()\n"
    write(tmp_path, {"main.py": source})
    assert lint(tmp_path, "ML103") == []


def test_a_formatted_template_reads_the_attributes_its_fields_name(tmp_path: Path) -> None:
    source = (
        "from absl import flags\nflags.DEFINE_integer('beam_size', 4, 'h')\n"
        "flags.DEFINE_float('alpha', 0.6, 'h')\nflags.DEFINE_string('model', 't', 'h')\n"
        "FLAGS = flags.FLAGS\nmapping = {'FLAGS': FLAGS}\n"
        "params = ('--beam={FLAGS.beam_size},alpha={FLAGS.alpha[0]} --x={y}')"
        ".format(**mapping)\n"
    )
    write(tmp_path, {"t2t_all.py": source})
    found = lint(tmp_path, "ML104")
    assert [f["properties"]["flag"] for f in found] == ["model"]


def test_a_namespace_given_to_a_saving_helper_or_recorded_reads_nothing(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "utils.py": "def yaml_save(f, d):\n    pass\n\ndef print_args(a):\n    pass\n",
            "train.py": PARSER + "from utils import yaml_save, print_args\n"
            "p.add_argument('--lr', type=float)\np.add_argument('--local_rank', type=int)\n"
            "opt = p.parse_args()\nyaml_save('opt.yaml', vars(opt))\nprint_args(vars(opt))\n"
            "ckpt = {'opt': vars(opt), 'epoch': 1}\nprint(opt.lr)\n",
        },
    )
    assert places(lint(tmp_path, "ML104")) == [("train.py", 5)]
    # a namespace handed whole to a helper that uses it still reads what it can reach
    source = (tmp_path / "train.py").read_text() + "build(vars(opt))\n"
    (tmp_path / "train.py").write_text(source, encoding="utf-8")
    assert lint(tmp_path, "ML104") == []


def test_other_entry_points_objects_and_modules_do_not_consume_a_namespace(tmp_path: Path) -> None:
    val = PARSER + "p.add_argument('--conf', type=float)\n\ndef run(conf=0.1):\n    return conf\n\n"
    val += "if __name__ == '__main__':\n    opt = p.parse_args()\n    run(**vars(opt))\n"
    train = PARSER + "import threading, cv2, torchvision\nimport val\n"
    train += "from loggers import Loggers\n"
    train += "p.add_argument('--model')\np.add_argument('--local_rank', type=int)\n"
    train += "opt = p.parse_args()\nloggers = Loggers(opt.model)\n"
    train += "for k in ('on_start', 'on_end'):\n    hook = getattr(loggers, k)\n"
    train += "net = torchvision.models.__dict__[opt.model]()\nval.run()\n\n"
    train += "def fire(hook, *args, **kwargs):\n"
    train += "    threading.Thread(target=hook, args=args, kwargs=kwargs).start()\n\n"
    train += "def imread(name, flags=cv2.IMREAD_COLOR):\n    return cv2.imread(name, flags)\n"
    write(
        tmp_path,
        {"val.py": val, "train.py": train, "loggers.py": "class Loggers:\n    pass\n"},
    )
    assert places(lint(tmp_path, "ML104")) == [("train.py", 7)]
