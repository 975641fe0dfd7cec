"""Experiment switches by meaning, on shapes read in real research code (issue 12): a
re-implementation run against its original, a test harness's option, a parameter filled
from a flag, a precision switch named after its dtype. Driven through the real CLI."""

from __future__ import annotations

from pathlib import Path

from tests.gitrepo import GitRepo
from tests.rules.test_flags import lint, places, write

REF = "--reference-date=2026-06-01T12:00:00"  # tests.gitrepo.NOW

# Spinning Up's exercise: the module re-implements td3 and `--use_soln` runs the original
EXERCISE = """\
import argparse
from spinup.algos.pytorch.td3.td3 import td3 as true_td3


def td3(env_fn, seed=0, epochs=10):
    pass


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--use_soln', action='store_true')
    args = parser.parse_args()
    all_kwargs = dict(env_fn=None, seed=args.seed, epochs=10)
    if args.use_soln:
        true_td3(**all_kwargs)
    else:
        td3(**all_kwargs)
    runner = true_td3 if args.use_soln else td3
    result = true_td3(**all_kwargs) if args.use_soln else td3(**all_kwargs)
"""


def test_a_reimplementation_run_against_its_original_is_not_an_experiment(
    tmp_path: Path,
) -> None:
    write(tmp_path, {"exercises/exercise1_3.py": EXERCISE})
    # the bare `runner = ... if ... else ...` picks a function object, not a call: reported
    assert places(lint(tmp_path, "ML103")) == [("exercises/exercise1_3.py", 19)]


def test_two_functions_or_different_arguments_are_two_ideas(tmp_path: Path) -> None:
    source = EXERCISE.replace("import td3 as true_td3", "import ddpg as true_td3").replace(
        "        td3(**all_kwargs)\n    runner", "        td3(**all_kwargs)\n    x = 1\n    runner"
    )
    arguments = EXERCISE.replace("        td3(**all_kwargs)\n", "        td3(seed=1)\n", 1)
    write(tmp_path, {"a/exercise.py": source, "b/exercise.py": arguments})
    found = places(lint(tmp_path, "ML103"))
    assert ("a/exercise.py", 15) in found and ("a/exercise.py", 21) in found
    assert ("b/exercise.py", 15) in found


HARNESS = """\
import argparse
parser = argparse.ArgumentParser()
parser.add_argument('--use_baseline', action='store_true')
args = parser.parse_args()
if args.use_baseline:
    compare('baselines/run.pt')
"""


def test_a_switch_only_test_code_defines_is_a_harness_option(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "apex/tests/L1/common/compare.py": HARNESS,
            "tests/test_run.py": HARNESS,
            "pkg/model.py": "x = 1\n",
        },
    )
    assert lint(tmp_path, "ML103,ML107", "--extend-select", "ML107") == []


def test_the_same_switch_defined_by_the_product_is_reported(tmp_path: Path) -> None:
    write(tmp_path, {"tests/compare.py": HARNESS, "train.py": HARNESS})
    assert places(lint(tmp_path, "ML103")) == [("tests/compare.py", 5), ("train.py", 5)]


def test_a_project_inside_a_folder_named_tests_is_not_test_code(tmp_path: Path) -> None:
    project = tmp_path / "tests" / "proj"
    write(project, {"train.py": HARNESS, "lib/util.py": "y = 2\n"})
    assert places(lint(project, "ML103")) == [("train.py", 5)]


NAFLEX = """\
import os

_USE_NAFLEX_DEFAULT = os.environ.get('TIMM_USE_NAFLEXVIT', 'false').lower() == 'true'


def create(variant, use_naflex=None, **kwargs):
    if use_naflex is None:
        use_naflex = _USE_NAFLEX_DEFAULT
    if use_naflex:
        return naflex(variant)
    return classic(variant)
"""


def test_a_parameter_filled_from_a_flag_carries_it_only_after(tmp_path: Path) -> None:
    write(tmp_path, {"vit.py": NAFLEX})
    found = lint(tmp_path, "ML103")
    assert places(found) == [("vit.py", 9)]
    assert found[0]["properties"]["flag"] == "_USE_NAFLEX_DEFAULT"


def test_dtype_and_execution_mode_switches_are_platform_switches(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "train.py": "from ml_collections import ConfigDict\nconfig = ConfigDict()\n"
            "dtype = 'bf16' if config.use_bfloat16 else 'f32'\n"
            "if config.use_float64:\n    a()\n"
            "if config.use_float_loss:\n    b()\n"
            "if config.enable_eager_execution:\n    c()\n"
        },
    )
    assert places(lint(tmp_path, "ML103")) == [("train.py", 6)]


def test_ml301_ages_every_kind_of_switch_but_not_harness_options(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    files = {
        "tests/compare.py": HARNESS,
        "train.py": (
            "import argparse, os\n"
            "USE_OLD_CACHE = int(os.environ.get('ACME_USE_OLD_CACHE', 0)) > 0\n"
            "p = argparse.ArgumentParser()\np.add_argument('--use_mixup', action='store_true')\n"
            "args = p.parse_args()\nif USE_OLD_CACHE:\n    a()\nif args.use_mixup:\n    b()\n"
        ),
        "constants.py": "USE_NEW_LOSS = False\nif USE_NEW_LOSS:\n    a()\n",
        "absl_main.py": (
            "from absl import flags\nflags.DEFINE_bool('use_blur', True, 'h')\n"
            "FLAGS = flags.FLAGS\nif FLAGS.use_blur:\n    a()\n"
        ),
        "cli.py": (
            "import click\n@click.command()\n@click.option('--use-new-head', is_flag=True)\n"
            "def main(use_new_head):\n    if use_new_head:\n        a()\n"
        ),
        "conf.py": (
            "from omegaconf import OmegaConf\ncfg = OmegaConf.load('c.yaml')\n"
            "if cfg.model.enable_ema:\n    a()\n"
        ),
    }
    repo.commit(files, 400)
    found = lint(repo.root, "ML301", REF)
    assert sorted((f["properties"]["flag"], f["properties"].get("flagKind")) for f in found) == [
        ("ACME_USE_OLD_CACHE", "env"),
        ("USE_NEW_LOSS", "constant"),
        ("enable_ema", "config"),
        ("use_blur", "absl"),
        ("use_mixup", "argparse"),
        ("use_new_head", "click"),
    ]
