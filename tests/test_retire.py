"""``mllint retire FLAG[=VALUE]`` through the real CLI on throwaway projects."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict

import pytest

import mllint.retire
from tests.conftest import CliCaller, write_tree

CONFIG = '''"""Switches."""

import os

BATCH = 32  # not a flag

# Experiment 7: the new ranker.
USE_NEW_RANKER = False
'''

RANK = """from typing import List

from pkg.config import BATCH, USE_NEW_RANKER
from pkg.rankers import new_rank, old_rank


def rank(items: List[int]) -> List[int]:
    # keep    this comment   and spacing
    if USE_NEW_RANKER:
        return new_rank(items)
    return old_rank(items)


def describe() -> str:
    return "new" if USE_NEW_RANKER else "old"  # trailing comment
"""

SERVE = """import pkg.config as cfg


def handler(x):
    if not cfg.USE_NEW_RANKER and x > 0:
        x = -x
    elif x == 0:
        x = 1
    return x * cfg.BATCH
"""

RANKERS = """def new_rank(items):
    return sorted(items)


def old_rank(items):
    return list(items)
"""


def _project(root: Path, files: Dict[str, str]) -> Path:
    return write_tree(root, {"pkg/__init__.py": "", **files})


def _constant_project(root: Path) -> Path:
    return _project(
        root,
        {
            "pkg/config.py": CONFIG,
            "pkg/rank.py": RANK,
            "pkg/serve.py": SERVE,
            "pkg/rankers.py": RANKERS,
            "run.sh": "USE_NEW_RANKER=1 python -m pkg.rank\n",
            "docs/flags.md": "# Flags\n\n- `use_new_ranker`: the new ranker.\n",
        },
    )


def _texts(root: Path) -> Dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".mllint_cache" not in p.parts
    }


def test_a_module_constant_is_inlined_folded_and_deleted_across_modules(
    cli: CliCaller, tmp_path: Path
) -> None:
    root = _constant_project(tmp_path)
    run = cli("retire", "use_new_ranker=true", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert (
        root / "pkg/config.py"
    ).read_text() == '"""Switches."""\n\nimport os\n\nBATCH = 32  # not a flag\n'
    assert (root / "pkg/rank.py").read_text() == (
        "from typing import List\n"
        "\n"
        "from pkg.config import BATCH\n"
        "from pkg.rankers import new_rank\n"
        "\n"
        "\n"
        "def rank(items: List[int]) -> List[int]:\n"
        "    # keep    this comment   and spacing\n"
        "    return new_rank(items)\n"
        "\n"
        "\n"
        "def describe() -> str:\n"
        '    return "new"  # trailing comment\n'
    )
    assert (root / "pkg/serve.py").read_text() == (
        "import pkg.config as cfg\n"
        "\n"
        "\n"
        "def handler(x):\n"
        "    if x == 0:\n"
        "        x = 1\n"
        "    return x * cfg.BATCH\n"
    )
    assert "3 files changed" in run.stdout
    assert "Still mentioned (not edited):" in run.stdout
    assert "docs/flags.md:3: - `use_new_ranker`: the new ranker." in run.stdout
    assert "run.sh:1: USE_NEW_RANKER=1 python -m pkg.rank" in run.stdout


def test_without_a_value_the_current_one_is_kept(cli: CliCaller, tmp_path: Path) -> None:
    root = _constant_project(tmp_path)
    run = cli("retire", "USE_NEW_RANKER", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    rank = (root / "pkg/rank.py").read_text()
    assert "    return old_rank(items)\n" in rank and "new_rank" not in rank
    assert 'return "old"  # trailing comment' in rank
    assert "    if x > 0:\n        x = -x\n    elif x == 0:" in (root / "pkg/serve.py").read_text()


def test_diff_prints_the_change_and_writes_nothing(cli: CliCaller, tmp_path: Path) -> None:
    root = _constant_project(tmp_path)
    before = _texts(root)
    run = cli("retire", "use_new_ranker=true", "--diff", "--no-cache", cwd=root)
    assert run.exit_code == 1
    assert _texts(root) == before
    assert "--- a/pkg/rank.py\n+++ b/pkg/rank.py\n" in run.stdout
    assert "-    if USE_NEW_RANKER:\n-        return new_rank(items)\n" in run.stdout
    assert "Would retire use_new_ranker = True" in run.stderr


def test_a_second_run_changes_nothing(cli: CliCaller, tmp_path: Path) -> None:
    root = _constant_project(tmp_path)
    assert cli("retire", "use_new_ranker=true", "--no-cache", cwd=root).exit_code == 0
    after = _texts(root)
    again = cli("retire", "use_new_ranker=true", "--no-cache", cwd=root)
    assert again.exit_code == 2 and "no flag named 'use_new_ranker'" in again.stderr
    assert _texts(root) == after


ARGPARSE = """import argparse


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=0.1)
    # Experiment: mixup augmentation.
    parser.add_argument(
        "--use-mixup",
        action="store_true",
        help="Mix pairs of examples (experiment 12).",
    )
    parser.add_argument("--mode", choices=["fast", "slow"], default="fast")
    return parser.parse_args()


def train(args, batch, epoch):
    use_mixup = args.use_mixup
    if use_mixup and epoch > 3:
        batch = batch[::-1]
    while not args.use_mixup:
        break
    return batch, args.lr
"""


def test_an_argparse_option_goes_with_its_help_text_and_its_reads(
    cli: CliCaller, tmp_path: Path
) -> None:
    root = write_tree(tmp_path, {"train.py": ARGPARSE})
    run = cli("retire", "use_mixup=1", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert (root / "train.py").read_text() == (
        "import argparse\n"
        "\n"
        "\n"
        "def parse():\n"
        "    parser = argparse.ArgumentParser()\n"
        '    parser.add_argument("--lr", type=float, default=0.1)\n'
        '    parser.add_argument("--mode", choices=["fast", "slow"], default="fast")\n'
        "    return parser.parse_args()\n"
        "\n"
        "\n"
        "def train(args, batch, epoch):\n"
        "    if epoch > 3:\n"
        "        batch = batch[::-1]\n"
        "    return batch, args.lr\n"
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("use_mixup=3", "boolean switch: VALUE must be true or false, not 3"),
        ("use_mixup='yes'", "boolean switch"),
        ("mode=medium", "takes one of 'fast', 'slow', not 'medium'"),
        ("lr=true", "takes a number, not True"),
        ("use_mixup=[1]", "not a scalar"),
    ],
)
def test_a_value_the_option_cannot_take_is_an_error(
    cli: CliCaller, tmp_path: Path, spec: str, message: str
) -> None:
    root = write_tree(tmp_path, {"train.py": ARGPARSE})
    run = cli("retire", spec, "--no-cache", cwd=root)
    assert run.exit_code == 2
    assert message in run.stderr
    assert (root / "train.py").read_text() == ARGPARSE


def test_a_choice_is_inlined_as_a_string(cli: CliCaller, tmp_path: Path) -> None:
    source = ARGPARSE + '\n\ndef speed(args):\n    return 1 if args.mode == "fast" else 2\n'
    root = write_tree(tmp_path, {"train.py": source})
    run = cli("retire", "mode=slow", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    text = (root / "train.py").read_text()
    assert "--mode" not in text and "def speed(args):\n    return 2\n" in text


def test_an_unknown_flag_lists_close_names(cli: CliCaller, tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"train.py": ARGPARSE})
    run = cli("retire", "use_mixupp", "--no-cache", cwd=root)
    assert run.exit_code == 2
    assert "no flag named 'use_mixupp'" in run.stderr and "close names: use_mixup" in run.stderr


def test_flags_of_several_kinds_not_wired_together_ask_for_a_kind(
    cli: CliCaller, tmp_path: Path
) -> None:
    files = {
        "train.py": ARGPARSE,
        "aug.py": (
            "USE_MIXUP = False\n\n\ndef f(x):\n    if USE_MIXUP:\n        x = -x\n    return x\n"
        ),
    }
    root = write_tree(tmp_path, files)
    run = cli("retire", "use_mixup=true", "--no-cache", cwd=root)
    assert run.exit_code == 2
    assert "several kinds" in run.stderr and "--kind (argparse, constant, or all)" in run.stderr
    assert _texts(root) == files
    chosen = cli("retire", "use_mixup=true", "--kind", "constant", "--no-cache", cwd=root)
    assert chosen.exit_code == 0, chosen.stderr
    assert (root / "aug.py").read_text() == "def f(x):\n    x = -x\n    return x\n"
    assert (root / "train.py").read_text() == ARGPARSE


def test_absl_flags(cli: CliCaller, tmp_path: Path) -> None:
    source = (
        "from absl import app, flags\n"
        "\n"
        'flags.DEFINE_bool("use_bf16_loss", False, "Compute the loss in bf16.")\n'
        'flags.DEFINE_integer("steps", 10, "Steps.")\n'
        "FLAGS = flags.FLAGS\n"
        "\n"
        "\n"
        "def main(argv):\n"
        "    scale = 0.5 if FLAGS.use_bf16_loss else 1.0\n"
        "    return FLAGS.steps * scale\n"
    )
    root = write_tree(tmp_path, {"main.py": source})
    run = cli("retire", "use_bf16_loss", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert (root / "main.py").read_text() == (
        "from absl import app, flags\n"
        "\n"
        'flags.DEFINE_integer("steps", 10, "Steps.")\n'
        "FLAGS = flags.FLAGS\n"
        "\n"
        "\n"
        "def main(argv):\n"
        "    scale = 1.0\n"
        "    return FLAGS.steps * scale\n"
    )


def test_click_options_lose_their_decorator_and_parameter(cli: CliCaller, tmp_path: Path) -> None:
    source = (
        "import click\n"
        "\n"
        "\n"
        "@click.command()\n"
        '@click.option("--epochs", default=3)\n'
        '@click.option("--use-ema", is_flag=True, help="Average the weights.")\n'
        "def main(epochs, use_ema):\n"
        "    if use_ema:\n"
        '        print("ema")\n'
        "    print(epochs)\n"
    )
    root = write_tree(tmp_path, {"cli.py": source})
    run = cli("retire", "use-ema=false", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert (root / "cli.py").read_text() == (
        "import click\n"
        "\n"
        "\n"
        "@click.command()\n"
        '@click.option("--epochs", default=3)\n'
        "def main(epochs):\n"
        "    print(epochs)\n"
    )


def test_environment_variables_through_their_conversions(cli: CliCaller, tmp_path: Path) -> None:
    source = (
        "import os\n"
        "\n"
        'LEGACY_IO = os.getenv("ACME_LEGACY_IO", "0").lower() in ("1", "true")\n'
        "\n"
        "\n"
        "def load(path):\n"
        "    if LEGACY_IO:\n"
        "        return open(path).read()\n"
        '    if "ACME_LEGACY_IO" in os.environ:\n'
        '        print("set")\n'
        "    return path\n"
    )
    root = write_tree(tmp_path, {"io_utils.py": source})
    run = cli("retire", "legacy_io=false", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert (root / "io_utils.py").read_text() == "def load(path):\n    return path\n"


def test_config_attributes(cli: CliCaller, tmp_path: Path) -> None:
    source = (
        "def build(cfg: DictConfig):\n"
        "    if cfg.model.use_swiglu:\n"
        "        return 'swiglu'\n"
        "    return 'gelu'\n"
    )
    root = write_tree(tmp_path, {"model.py": source, "conf.yaml": "model:\n  use_swiglu: true\n"})
    run = cli("retire", "use_swiglu=true", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert (root / "model.py").read_text() == "def build(cfg: DictConfig):\n    return 'swiglu'\n"
    assert "conf.yaml:2: use_swiglu: true" in run.stdout


def test_a_namespace_that_is_assigned_is_not_retired(cli: CliCaller, tmp_path: Path) -> None:
    source = ARGPARSE + "\n\ndef tweak(args):\n    args.use_mixup = args.lr > 1\n"
    root = write_tree(tmp_path, {"train.py": source})
    run = cli("retire", "use_mixup=true", "--no-cache", cwd=root)
    assert run.exit_code == 2
    assert "args.use_mixup is assigned" in run.stderr
    assert (root / "train.py").read_text() == source


def test_a_file_changed_since_it_was_analysed_is_not_written(
    cli: CliCaller, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _constant_project(tmp_path)
    planned = mllint.retire.plan_retirement

    def edit_meanwhile(*args: Any, **kwargs: Any) -> Any:
        result = planned(*args, **kwargs)
        with open(root / "pkg/serve.py", "a", encoding="utf-8") as handle:
            handle.write("# edited meanwhile\n")
        return result

    monkeypatch.setattr(mllint.retire, "plan_retirement", edit_meanwhile)
    run = cli("retire", "use_new_ranker=true", "--no-cache", cwd=root)
    assert run.exit_code == 2
    assert "pkg/serve.py: not written: it changed on disk since it was analysed" in run.stderr
    assert (root / "pkg/serve.py").read_text() == SERVE + "# edited meanwhile\n"
    assert "USE_NEW_RANKER" not in (root / "pkg/rank.py").read_text()


def test_a_rewrite_that_does_not_compile_leaves_the_file_untouched(
    cli: CliCaller, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _constant_project(tmp_path)
    rewrite = mllint.retire.rewrite_file

    def broken(path: str, text: str, *args: Any) -> Any:
        outcome = rewrite(path, text, *args)
        if path.endswith("serve.py"):
            outcome.text = outcome.text.replace("return x", "return x +")
        return outcome

    monkeypatch.setattr(mllint.retire, "rewrite_file", broken)
    run = cli("retire", "use_new_ranker=true", "--no-cache", cwd=root)
    assert run.exit_code == 2
    assert "pkg/serve.py: left untouched: the rewrite does not parse" in run.stderr
    assert (root / "pkg/serve.py").read_text() == SERVE


def test_links_out_of_the_tree_are_never_written(cli: CliCaller, tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"flags.py": "USE_X = True\nif USE_X:\n    y = 1\n"})
    root = write_tree(tmp_path / "root", {"main.py": "USE_X = True\n\nif USE_X:\n    z = 2\n"})
    os.symlink(outside / "flags.py", root / "linked.py")
    run = cli("retire", "use_x", ".", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert (root / "main.py").read_text() == "z = 2\n"
    assert (outside / "flags.py").read_text() == "USE_X = True\nif USE_X:\n    y = 1\n"
    assert (root / "linked.py").is_symlink()


def test_mentions_are_never_read_through_links(cli: CliCaller, tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"secret.md": "USE_X token=hunter2\n"})
    root = write_tree(
        tmp_path / "root",
        {"main.py": "USE_X = True\n\nif USE_X:\n    z = 2\n", "run.sh": "USE_X=1 python main.py\n"},
    )
    os.symlink(outside / "secret.md", root / "notes.md")
    os.symlink(outside, root / "docs")
    run = cli("retire", "use_x", ".", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert "run.sh:1: USE_X=1 python main.py" in run.stdout
    assert "hunter2" not in run.stdout + run.stderr


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("true", True),
        ("False", False),
        ("None", None),
        ("3", 3),
        ("-0.5", -0.5),
        ("'a b'", "a b"),
        ('"x"', "x"),
        ("resnet50", "resnet50"),
    ],
)
def test_values(raw: str, value: Any) -> None:
    assert mllint.retire.parse_request(f"flag={raw}").value == value


SUBMIT = """import argparse
import os
import uuid


def parse_args():
    parser = argparse.ArgumentParser("Submitit")
    parser.add_argument("--partition", default="learnfair", type=str, help="Partition")
    parser.add_argument("--use_volta32", action='store_true', help="Request 32G V100 GPUs")
    parser.add_argument('--comment', default="", type=str, help="Comment")
    return parser.parse_args()


def get_init_file():
    # Init file must not exist, but it's parent dir must exist.
    os.makedirs("shared", exist_ok=True)
    init_file = f"{uuid.uuid4().hex}_init"
    if os.path.exists(init_file):
        os.remove(str(init_file))
    return init_file


def main():
    args = parse_args()
    kwargs = {}
    if args.use_volta32:
        kwargs['slurm_constraint'] = 'volta32gb'
    if args.comment:
        kwargs['slurm_comment'] = args.comment
    print(kwargs, get_init_file())


if __name__ == "__main__":
    main()
"""


def test_only_the_flags_statements_change_in_a_launcher(cli: CliCaller, tmp_path: Path) -> None:
    """(A node's id was reused once a node was freed: unrelated statements went.)"""
    root = write_tree(tmp_path, {f"submitit_{n}.py": SUBMIT for n in ("a", "b", "c")})
    run = cli("retire", "use_volta32", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert "(argparse use_volta32 (3 definitions)): 3 files changed, 9 lines removed" in run.stdout
    option = (
        'parser.add_argument("--use_volta32", action=\'store_true\', help="Request 32G V100 GPUs")'
    )
    expected = SUBMIT.replace(f"    {option}\n", "").replace(
        "    if args.use_volta32:\n        kwargs['slurm_constraint'] = 'volta32gb'\n", ""
    )
    for name in ("a", "b", "c"):
        assert (root / f"submitit_{name}.py").read_text() == expected


def test_a_value_on_the_right_of_and_or_in_a_test(cli: CliCaller, tmp_path: Path) -> None:
    source = (
        "import argparse\n"
        "\n"
        "parser = argparse.ArgumentParser()\n"
        'parser.add_argument("--enable-wandb", action="store_true")\n'
        "args = parser.parse_args()\n"
        "\n"
        "\n"
        "def log(rank, value):\n"
        "    if rank == 0 and args.enable_wandb:\n"
        "        print(value)\n"
        "    keep = rank > 1 or not args.enable_wandb\n"
        "    return keep\n"
    )
    root = write_tree(tmp_path, {"main.py": source})
    run = cli("retire", "enable_wandb", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert (root / "main.py").read_text() == (
        "import argparse\n"
        "\n"
        "parser = argparse.ArgumentParser()\n"
        "args = parser.parse_args()\n"
        "\n"
        "\n"
        "def log(rank, value):\n"
        "    keep = rank > 1 or True\n"
        "    return keep\n"
    )


def test_a_definition_that_is_not_a_statement_of_its_own_is_reported(
    cli: CliCaller, tmp_path: Path
) -> None:
    source = (
        "import argparse\n"
        "\n"
        "parser = argparse.ArgumentParser()\n"
        'option = parser.add_argument("--use-cutmix", action="store_true")\n'
        "args = parser.parse_args()\n"
        "cutmix = 0.5 if args.use_cutmix else 0.0\n"
    )
    root = write_tree(tmp_path, {"train.py": source})
    run = cli("retire", "use_cutmix", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert (root / "train.py").read_text() == source.replace(
        "0.5 if args.use_cutmix else 0.0", "0.0"
    )
    assert "note: train.py:4: the definition of use_cutmix was left in place" in run.stdout


def test_an_objects_own_attribute_is_not_an_option_read(cli: CliCaller, tmp_path: Path) -> None:
    main = (
        "import argparse\n"
        "\n"
        "from model import Net\n"
        "\n"
        "parser = argparse.ArgumentParser()\n"
        "parser.add_argument('--use-checkpoint', action='store_true',\n"
        "                    help='whether to use gradient checkpointing')\n"
        "args = parser.parse_args()\n"
        "net = Net(use_checkpoint=False)\n"
    )
    model = (
        "class Net:\n"
        "    def __init__(self, use_checkpoint=False):\n"
        "        self.use_checkpoint = use_checkpoint\n"
        "\n"
        "    def forward(self, x):\n"
        "        if self.use_checkpoint:\n"
        "            return x\n"
        "        return -x\n"
    )
    root = write_tree(tmp_path, {"main.py": main, "model.py": model})
    run = cli("retire", "use_checkpoint", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert (root / "model.py").read_text() == model
    assert (root / "main.py").read_text() == main.replace(
        "parser.add_argument('--use-checkpoint', action='store_true',\n"
        "                    help='whether to use gradient checkpointing')\n",
        "",
    )
    assert "model.py:6:         if self.use_checkpoint:" not in run.stdout
    assert "model.py:6: if self.use_checkpoint:" in run.stdout


def test_a_constant_rebound_at_run_time_is_not_retired(cli: CliCaller, tmp_path: Path) -> None:
    files = {
        "flags.py": "USE_FAST_PATH = False\n",
        "main.py": (
            "import flags\n"
            "\n"
            "flags.USE_FAST_PATH = True\n"
            "if flags.USE_FAST_PATH:\n"
            "    print('fast')\n"
        ),
    }
    root = write_tree(tmp_path, files)
    run = cli("retire", "use_fast_path", "--no-cache", cwd=root)
    assert run.exit_code == 2
    assert "is rebound or rewritten at run time" in run.stderr
    assert _texts(root) == files


def test_only_reads_through_the_flags_own_namespace_are_replaced(
    cli: CliCaller, tmp_path: Path
) -> None:
    trainer = (
        "from absl import flags\n"
        "\n"
        'flags.DEFINE_bool("use_tpu", False, "Whether to use TPU.")\n'
        "FLAGS = flags.FLAGS\n"
        "\n"
        "\n"
        "def run(hparams, config, opts):\n"
        "    if FLAGS.use_tpu:\n"
        "        hparams.batch = 8\n"
        "    return hparams.use_tpu, config.use_tpu, opts.use_tpu\n"
    )
    root = write_tree(tmp_path, {"trainer.py": trainer})
    run = cli("retire", "use_tpu", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert (root / "trainer.py").read_text() == (
        "from absl import flags\n"
        "\n"
        "FLAGS = flags.FLAGS\n"
        "\n"
        "\n"
        "def run(hparams, config, opts):\n"
        "    return hparams.use_tpu, config.use_tpu, opts.use_tpu\n"
    )


def test_a_namespace_under_any_name_bound_to_parse_args(cli: CliCaller, tmp_path: Path) -> None:
    source = (
        "import argparse\n"
        "\n"
        "parser = argparse.ArgumentParser()\n"
        'parser.add_argument("--use-ema", action="store_true")\n'
        "settings, _ = parser.parse_known_args()\n"
        "model = object()\n"
        "decay = 0.99 if settings.use_ema else 0.0\n"
        "keep = model.use_ema\n"
    )
    root = write_tree(tmp_path, {"train.py": source})
    run = cli("retire", "use_ema=true", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert (root / "train.py").read_text() == (
        "import argparse\n"
        "\n"
        "parser = argparse.ArgumentParser()\n"
        "settings, _ = parser.parse_known_args()\n"
        "model = object()\n"
        "decay = 0.99\n"
        "keep = model.use_ema\n"
    )


def test_defaults_of_a_click_switch_and_an_environment_variable(
    cli: CliCaller, tmp_path: Path
) -> None:
    source = (
        "import os\n"
        "\n"
        "import click\n"
        "\n"
        "\n"
        "@click.command()\n"
        '@click.option("--enable-cors", is_flag=True)\n'
        "def serve(enable_cors):\n"
        "    if enable_cors:\n"
        '        print("cors")\n'
        '    if os.environ.get("ACME_DISABLE_TELEMETRY", "false").lower() == "true":\n'
        "        return\n"
        '    print("telemetry")\n'
    )
    root = write_tree(tmp_path, {"serve.py": source})
    assert cli("retire", "enable_cors", "--no-cache", cwd=root).exit_code == 0
    run = cli("retire", "ACME_DISABLE_TELEMETRY", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert "Retired ACME_DISABLE_TELEMETRY = 'false'" in run.stdout
    assert (root / "serve.py").read_text() == (
        'import click\n\n\n@click.command()\ndef serve():\n    print("telemetry")\n'
    )


def test_elif_arms_and_loops(cli: CliCaller, tmp_path: Path) -> None:
    source = (
        "TRY_BEAM = True\n"
        "\n"
        "\n"
        "def decode(x, greedy):\n"
        "    if greedy:\n"
        "        y = 1\n"
        "    elif TRY_BEAM:  # the experiment\n"
        "        y = 2\n"
        "    else:\n"
        "        y = 3\n"
        "    if greedy:\n"
        "        z = 1\n"
        "    elif not TRY_BEAM:\n"
        "        z = 2\n"
        "    elif x:\n"
        "        z = 3\n"
        "    while not TRY_BEAM:\n"
        "        x += 1\n"
        "    else:\n"
        "        x -= 1\n"
        "    return x, y, z\n"
    )
    root = write_tree(tmp_path, {"decode.py": source})
    run = cli("retire", "try_beam", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert (root / "decode.py").read_text() == (
        "def decode(x, greedy):\n"
        "    if greedy:\n"
        "        y = 1\n"
        "    else:  # the experiment\n"
        "        y = 2\n"
        "    if greedy:\n"
        "        z = 1\n"
        "    elif x:\n"
        "        z = 3\n"
        "    x -= 1\n"
        "    return x, y, z\n"
    )


def test_a_typer_option_in_an_annotation(cli: CliCaller, tmp_path: Path) -> None:
    source = (
        "from typing import Annotated\n"
        "\n"
        "import typer\n"
        "\n"
        "app = typer.Typer()\n"
        "\n"
        "\n"
        "@app.command()\n"
        "def serve(\n"
        "    port: int = 8000,\n"
        '    enable_cors: Annotated[bool, typer.Option(help="Enable CORS.")] = False,\n'
        ") -> None:\n"
        "    if enable_cors:\n"
        '        print("cors")\n'
        "    start(port, enable_cors=enable_cors)\n"
    )
    root = write_tree(tmp_path, {"serve.py": source})
    run = cli("retire", "enable_cors", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    assert (root / "serve.py").read_text() == (  # Annotated served only the option
        "import typer\n"
        "\n"
        "app = typer.Typer()\n"
        "\n"
        "\n"
        "@app.command()\n"
        "def serve(\n"
        "    port: int = 8000,\n"
        ") -> None:\n"
        "    start(port, enable_cors=False)\n"
    )


def test_a_value_read_inside_an_f_string(cli: CliCaller, tmp_path: Path) -> None:
    source = (
        "import os\n"
        "\n"
        '_USE_HUB = os.environ.get("USE_HUB", "YES").upper()\n'
        "\n"
        "\n"
        "def warn():\n"
        '    print(f"hub disabled through USE_HUB={_USE_HUB}")\n'
        '    print(f"kept as {_USE_HUB!r} and {_USE_HUB:>5} and {{_USE_HUB}}")\n'
        "    print(f'single {_USE_HUB!r}')\n"
    )
    root = write_tree(tmp_path, {"hub.py": source})
    run = cli("retire", "USE_HUB", "--no-cache", cwd=root)
    assert run.exit_code == 0, run.stderr
    # before Python 3.12 an f-string's expression cannot hold the f-string's own quote
    assert (root / "hub.py").read_text() == (
        "def warn():\n"
        '    print(f"hub disabled through USE_HUB=YES")\n'
        "    print(f\"kept as {'YES'!r} and {'YES':>5} and {{_USE_HUB}}\")\n"
        "    print(f'single {\"YES\"!r}')\n"
    )
