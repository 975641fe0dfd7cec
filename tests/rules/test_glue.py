"""ML201-ML204 through the real CLI, on the sample project and on throwaway files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import libcst as cst
import pytest

from mllint.glue import Classifier, GlueOptions, ModuleNames, Verdict, configure, vocabulary
from mllint.glue.roles import algorithm_name, function_role
from mllint.rules.base import Invalid
from mllint.stats import explain_source
from tests.conftest import ROOT, Run, invoke, write_tree

DATA = "fixtures/sample_project/sample_project/data.py"
FEATURES = "fixtures/sample_project/sample_project/features.py"


def _codes(*args: str, cwd: Path) -> List[str]:
    run = _cli("check", *args, "--no-cache", "--exit-zero", cwd=cwd)
    assert run.exit_code == 0, run.stderr
    return [
        line.split(" ", 2)[0] + " " + line.split(" ", 2)[1]
        for line in run.stdout.splitlines()
        if re.match(r"\S+:\d+:\d+: ML\d{3} ", line)  # findings, not a summary line
    ]


def test_sample_project_glue_findings() -> None:
    # ML201-ML204 are preview rules: a prefix does not select them, their codes do
    assert _codes("fixtures/", "--select", "ML2", cwd=ROOT) == []
    found = _codes("fixtures/", "--select", "ML201,ML202,ML203,ML204", cwd=ROOT)
    # serve.py is 90% glue, but a server entry point is glue by design (issue 13)
    assert not [f for f in found if "ML201" in f or "ML202" in f]
    assert f"{DATA}:55:9: ML203" in found  # the 12-call DataFrame chain
    assert f"{DATA}:81:12: ML203" in found  # to_csv(cache_path) ... read_csv(cache_path)
    assert f"{DATA}:87:13: ML204" in found  # json.loads(json.dumps(record))
    assert f"{FEATURES}:68:13: ML204" in found  # np.array(stats.tolist())
    assert not [f for f in found if "model.py" in f]  # the model is algorithm


def test_ml203_messages_name_the_file_and_the_chain() -> None:
    run = _cli("check", DATA, "--select", "ML203", "--no-cache", cwd=ROOT)
    assert run.exit_code == 1
    assert "12 reshaping steps chained on `labels`" in run.stdout
    assert "`cache_path` is written (.to_csv()) and read back (pandas.read_csv)" in run.stdout


def test_ml203_negatives(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "io_helpers.py": (
                "import torch\nimport pandas as pd\n"
                "def save(model, path):\n    torch.save(model.state_dict(), path)\n"
                "def load(path):\n    return torch.load(path)\n"
                "def convert(src, dst):\n    pd.read_csv(src).to_parquet(dst)\n"
            ),
            "short_chain.py": (
                "def prep(df):\n"
                "    return df.rename(columns=m).dropna().astype(t).reset_index(drop=True)\n"
            ),
            "steps_interrupted.py": (
                "def prep(df, other):\n"
                + "".join(f"    df = df.fillna({i})\n" for i in range(4))
                + "    other = other.dropna()\n"
                + "".join(f"    df = df.fillna({i})\n" for i in range(4))
                + "    return df\n"
            ),
        },
    )
    assert _codes(".", "--select", "ML203", cwd=tmp_path) == []


def test_ml203_positives_in_a_throwaway_project(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "cache.py": (
                "import numpy as np\nCACHE = 'features.npy'\n"
                "def build(x):\n    np.save(CACHE, x)\n"
                "def use():\n    return np.load(CACHE)\n"
            ),
            "steps.py": (
                "def prep(df):\n"
                + "".join(
                    f"    df = df.{m}\n"
                    for m in ("rename(columns=m)", "dropna()", "astype(t)", "fillna(0)")
                )
                + "    df = df.query('x > 0').sort_values('k').drop(columns=c).reset_index()\n"
                + "    return df\n"
            ),
        },
    )
    assert _codes(".", "--select", "ML203", cwd=tmp_path) == [
        "cache.py:6:12: ML203",
        "steps.py:2:5: ML203",
    ]


def test_ml204_positives_and_negatives(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "trips.py": (
                "import json\nimport torch\nimport pandas as pd\n"
                "a = torch.tensor(t.numpy())\n"
                "b = pd.DataFrame(df.to_dict())\n"
                "def f(x):\n    s = json.dumps(x)\n    return json.loads(s)\n"
            ),
            "fine.py": (
                "import json\nimport numpy as np\n"
                "payload = json.loads(body)\n"
                "text = json.dumps(payload)\n"
                "arr = np.array(values)\n"
                "def g(x):\n    s = json.dumps(x)\n    s = s.upper()\n    return json.loads(s)\n"
                "def h(x):\n    s = json.dumps(x)\ndef k(s):\n    return json.loads(s)\n"
            ),
        },
    )
    assert _codes(".", "--select", "ML204", cwd=tmp_path) == [
        "trips.py:4:5: ML204",
        "trips.py:5:5: ML204",
        "trips.py:8:12: ML204",
    ]
    run = _cli("check", "trips.py", "--select", "ML204", "--no-cache", cwd=tmp_path)
    assert "json.loads undoes json.dumps through `s`" in run.stdout


_MODEL = (
    "from torch import nn\nclass Net(nn.Module):\n    def forward(self, x):\n        return x\n"
)


def test_glue_threshold_from_config_and_noqa(tmp_path: Path) -> None:
    body = (
        "import json\nimport numpy as np\n"
        + _MODEL
        + "".join(f"d{i} = json.load(open(s{i}))\n" for i in range(15))
    )
    body += "".join(f"y{i} = np.mean(x{i})\n" for i in range(10))
    write_tree(tmp_path, {"mod.py": body})
    assert _codes(".", "--select", "ML201", cwd=tmp_path) == []  # 60% < 80%
    write_tree(tmp_path, {"pyproject.toml": "[tool.mllint]\nglue-threshold = 0.5\n"})
    assert _codes(".", "--select", "ML201", cwd=tmp_path) == ["mod.py:1:1: ML201"]
    write_tree(tmp_path, {"mod.py": "# mllint: noqa: ML201\n" + body})
    assert _codes(".", "--select", "ML201", cwd=tmp_path) == []
    # the same module as a configured data module: glue by design
    write_tree(
        tmp_path,
        {
            "mod.py": body,
            "pyproject.toml": "[tool.mllint]\nglue-threshold = 0.5\n"
            'glue-roles = {"mod.py" = "data"}\n',
        },
    )
    assert _codes(".", "--select", "ML201", cwd=tmp_path) == []


def test_glue_modules_setting_changes_the_verdict(tmp_path: Path) -> None:
    body = "import acme.io\n" + _MODEL + "".join(f"d{i} = acme.io.fetch(s{i})\n" for i in range(25))
    write_tree(tmp_path, {"mod.py": body})
    assert _codes(".", "--select", "ML201", cwd=tmp_path) == []
    write_tree(tmp_path, {"pyproject.toml": '[tool.mllint]\nglue-modules = ["acme.io"]\n'})
    assert _codes(".", "--select", "ML201", cwd=tmp_path) == ["mod.py:1:1: ML201"]


_EVAL_STEP = (
    "import json, logging, os, shutil\nlogger = logging.getLogger()\n"
    "def evaluate(model, loader, out_dir, step):\n"
    "    summary = {'step': step, 'score': model(loader)}\n"
    "    logger.info('evaluating step %d', step)\n"
    "    path = os.path.join(out_dir, f'eval_{step}.json')\n"
    "    with open(path, 'w') as fh:\n"
    "        json.dump(summary, fh)\n"
    "    shutil.copy(path, os.path.join(out_dir, 'latest.json'))\n"
    "    return summary\n"
    "class Trainer:\n"
    "    async def training_step(self, batch, out):\n"
    "        rows = self.model(batch)\n"
    "        text = json.dumps(rows)\n"
    "        name = os.path.join(out, 'batch.json')\n"
    "        open(name, 'w').write(text)\n"
    "        print(name)\n"
    "        logger.info(text)\n"
    "def compute_loss(model, batch):\n"  # a loss: evidence of an algorithm module
    "    return model(batch).mean()\n"
)


def test_ml202_json_output(tmp_path: Path) -> None:
    write_tree(tmp_path, {"engine.py": _EVAL_STEP})
    run = _cli("check", ".", "--select", "ML202", "--format", "json", "--no-cache", cwd=tmp_path)
    found = json.loads(run.stdout)
    assert {f["line"] for f in found} == {3, 12}
    step = next(f for f in found if f["line"] == 12)
    assert step["properties"]["glueRatio"] == round(5 / 6, 4)
    assert step["properties"]["role"] == "algorithm"
    assert (step["column"], step["end_column"]) == (5, 5 + len("async def training_step"))
    assert "names a model, loss, step or sampler" in step["message"]


def test_ml202_skips_glue_by_design_functions_and_modules(tmp_path: Path) -> None:
    # the same glue, in functions whose role is glue by design, or in a logging module
    renamed = _EVAL_STEP.replace("def evaluate(", "def save_summary(").replace(
        "def training_step(", "def dump_batch("
    )
    write_tree(tmp_path, {"engine.py": renamed, "logger.py": _EVAL_STEP})
    assert _codes(".", "--select", "ML202", cwd=tmp_path) == []
    # a script's evaluation step is still algorithm code
    write_tree(tmp_path, {"main.py": _EVAL_STEP})
    assert _codes(".", "--select", "ML202", cwd=tmp_path) == [
        "main.py:3:1: ML202",
        "main.py:12:5: ML202",
    ]


def test_ml202_is_a_preview_run_only_when_selected_by_its_code(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.py": _EVAL_STEP})
    assert not [f for f in _codes(".", cwd=tmp_path) if "ML202" in f]  # the default selection
    assert not [f for f in _codes(".", "--select", "ML2", cwd=tmp_path) if "ML202" in f]
    assert not [f for f in _codes(".", "--select", "ALL", cwd=tmp_path) if "ML202" in f]
    assert [f for f in _codes(".", "--extend-select", "ML202", cwd=tmp_path) if "ML202" in f]
    write_tree(tmp_path, {"pyproject.toml": '[tool.mllint]\nextend-select = ["ML202"]\n'})
    assert [f for f in _codes(".", cwd=tmp_path) if "ML202" in f]


def test_glue_roles_setting_is_validated(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"a.py": "x = 1\n", "pyproject.toml": '[tool.mllint]\nglue-roles = {"a.py" = "magic"}\n'},
    )
    run = _cli("check", ".", "--no-cache", cwd=tmp_path)
    assert run.exit_code == 2
    assert "glue-roles" in run.stderr and "unknown role 'magic'" in run.stderr


def test_ml205_reports_a_glue_heavy_package_only_when_configured(tmp_path: Path) -> None:
    from mllint.rules.glue import GlueHeavySystem

    valid, invalid = GlueHeavySystem.examples()
    config = "[tool.mllint]\nmax-glue-ratio = 0.5\n"
    cases = [(v, []) for v in valid] + [(i, ["pkg/__init__.py:1:1: ML205"]) for i in invalid]
    for example, expected in cases:
        write_tree(
            tmp_path,
            {"pkg/__init__.py": "", "pkg/mod.py": example.code, "pyproject.toml": config},
        )
        assert _codes(".", "--select", "ML205", cwd=tmp_path) == expected
    run = _cli("check", ".", "--select", "ML205", "--no-cache", cwd=tmp_path)
    assert isinstance(invalid[0], Invalid) and invalid[0].message in run.stdout
    # tests are not part of the system; off without max-glue-ratio
    write_tree(tmp_path, {"pkg/test_mod.py": invalid[0].code * 3})
    assert _codes(".", "--select", "ML205", cwd=tmp_path) == ["pkg/__init__.py:1:1: ML205"]
    write_tree(tmp_path, {"pyproject.toml": "[tool.mllint]\n"})
    assert _codes(".", "--select", "ML205", cwd=tmp_path) == []


def _cli(*args: str, cwd: Path) -> Run:
    return invoke(args, cwd)


def test_ml203_cache_in_exclusive_arms_and_test_files_are_not_reported(tmp_path: Path) -> None:
    cache = (
        "import joblib\n"
        "def fetch(path, build):\n"
        "    if not exists(path):\n"
        "        data = build()\n"
        "        joblib.dump(data, path)\n"
        "    else:\n"
        "        data = joblib.load(path)\n"
        "    return data\n"
    )
    round_trip = (
        "import joblib\ndef f(d, path):\n    joblib.dump(d, path)\n    return joblib.load(path)\n"
    )
    write_tree(tmp_path, {"cache.py": cache, "test_io.py": round_trip, "io.py": round_trip})
    assert _codes(".", "--select", "ML203", cwd=tmp_path) == ["io.py:4:12: ML203"]


def test_ml204_pickle_round_trip_in_tests_is_a_picklability_check(tmp_path: Path) -> None:
    code = "import pickle\nclone = pickle.loads(pickle.dumps(est))\n"
    write_tree(tmp_path, {"tests/test_est.py": code, "est.py": code})
    assert _codes(".", "--select", "ML204", cwd=tmp_path) == ["est.py:2:9: ML204"]


_BOUNDED_RUN = """
import resource, sys, tracemalloc
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # a runaway dies, never swaps
tracemalloc.start()
from mllint.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    print("peak", tracemalloc.get_traced_memory()[1], file=sys.stderr)
"""


def test_nested_functions_cost_memory_linear_in_depth(tmp_path: Path) -> None:
    # 99 levels: the deepest indentation CPython's tokenizer accepts (its limit is 100).
    # Joining already-qualified scope names doubled the function name per level: 3 GB at 30.
    depth = 99
    body = "".join(" " * i + f"def f{i}(x):\n" for i in range(depth))
    body += " " * depth + "return x\n"
    write_tree(tmp_path, {"deep.py": body})
    for command in (["check", "deep.py", "--exit-zero"], ["stats", "deep.py"]):
        run = subprocess.run(
            [sys.executable, "-c", _BOUNDED_RUN, *command, "--no-cache", "--jobs", "1"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        assert "ML000" not in run.stdout
        peak = int(run.stderr.rsplit("peak ", 1)[1].split()[0])
        assert peak < 100 << 20, f"{command[0]}: peak {peak / 2**20:.0f} MiB"


def test_the_cache_keeps_roles_apart_for_identical_files(tmp_path: Path) -> None:
    # the same content as an engine module and as a logger: only the first is reported,
    # also when the second is answered from the cache the first filled
    write_tree(tmp_path, {"engine.py": _EVAL_STEP, "logger.py": _EVAL_STEP})
    for _ in range(2):
        run = _cli("check", ".", "--select", "ML202", "--exit-zero", cwd=tmp_path)
        assert run.exit_code == 0, run.stderr
        found = {line.split(":")[0] for line in run.stdout.splitlines()}
        assert sorted(f for f in found if f.endswith(".py")) == ["engine.py"]


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("get_decoupled_loss_fn", "wiring"),  # a factory of a loss function (tenth round)
        ("make_train_step_fn", "wiring"),
        ("compute_loss", "algorithm"),
        ("loss_fn", "algorithm"),
    ],
)
def test_factories_of_functions_are_wiring(name: str, role: str) -> None:
    assert function_role(name, False, "algorithm")[0] == role


def _explained(tmp_path: Path, source: str) -> str:
    """`mllint stats --explain train.py` on ``source`` written as ``train.py``."""
    write_tree(tmp_path, {"train.py": source})
    return _cli("stats", "--no-cache", "--explain", "train.py", ".", cwd=tmp_path).stdout


def _train_role(explained: str) -> str:
    """The line `--explain` prints for the function `train` (its counts and role)."""
    return explained.split("function train: ", 1)[1].splitlines()[0]


def test_a_loop_that_hands_each_step_to_a_step_method_is_a_driver(tmp_path: Path) -> None:
    """Tenth round: `trainer.train_step(...)` and `training_step(...)` do the work elsewhere, so a
    loop around them that saves and logs is a driver (role adapter), not a step doing I/O."""
    source = (
        "import json, logging, os\nlogger = logging.getLogger()\n"
        "def train(trainer, loader, out_dir, epochs):\n"
        "    os.makedirs(out_dir, exist_ok=True)\n"
        "    for epoch in range(epochs):\n"
        "        for batch in loader:\n"
        "            metrics = trainer.train_step(batch)\n"
        "            stats = training_step(trainer.model, batch)\n"
        "        logger.info(f'epoch {epoch}: {metrics}')\n"
        "        path = os.path.join(out_dir, f'ckpt_{epoch}.json')\n"
        "        with open(path, 'w') as fh:\n"
        "            json.dump({'epoch': epoch}, fh)\n"
        "        logger.info(f'saved {path}')\n"
        "if __name__ == '__main__':\n    train(None, [], 'out', 1)\n"
    )
    explained = _explained(tmp_path, source)
    assert "role adapter" in _train_role(explained)
    checked = _cli("check", "--no-cache", "--select", "ML202", ".", cwd=tmp_path)
    assert "ML202" not in checked.stdout


def test_what_a_driver_does_with_a_step_s_result_is_bookkeeping(tmp_path: Path) -> None:
    """Twelfth session: a perplexity (`math.exp(min(loss, 100))`) or the best metric kept from
    what `train_epoch(...)` hands back, and a step count (`max(0, n - done)`) passed to another
    call, compute nothing on model data: the epoch loop that saves and logs is a driver."""
    source = (
        "import math, os, torch\n"
        "def train(model, data, opt, args):\n"
        "    os.makedirs(args.out, exist_ok=True)\n"
        "    log = open(os.path.join(args.out, 'train.log'), 'w')\n"
        "    prefill = max(0, args.prefill - len(data))\n"
        "    collect(data, steps=prefill)\n"
        "    best = None\n"
        "    for epoch in range(args.epochs):\n"
        "        train_loss, train_acc = train_epoch(model, data, opt)\n"
        "        train_ppl = math.exp(min(train_loss, 100))\n"
        "        print_performances('Training', train_ppl, train_acc)\n"
        "        log.write(f'{epoch},{train_ppl}\\n')\n"
        "        if best is None or train_loss < best:\n"
        "            best = train_loss\n"
        "            torch.save(model.state_dict(), os.path.join(args.out, 'best.pt'))\n"
        "        print(f'epoch {epoch} saved')\n"
        "if __name__ == '__main__':\n    train(None, [], None, None)\n"
    )
    assert "role adapter" in _train_role(_explained(tmp_path, source))
    assert "ML202" not in _cli("check", "--no-cache", "--select", "ML202", ".", cwd=tmp_path).stdout
    # the same loop computing its loss in-line is a training step (role algorithm)
    inline = source.replace(
        "        train_loss, train_acc = train_epoch(model, data, opt)\n",
        "        train_loss = torch.nn.functional.cross_entropy(model(data.x), data.y)\n"
        "        train_acc = 0\n",
    )
    assert "role algorithm" in _train_role(_explained(tmp_path, inline))


def test_glue_heavy_function_needs_io_in_line(tmp_path: Path) -> None:
    """An evaluation step whose glue is bookkeeping only (collecting, `.item()`, a result dict)
    is not reported; the same step writing its results to a file is."""
    source = (
        "import json\n"
        "def evaluate(model, loader, out):\n"
        "    preds, ids, scores = [], [], {}\n"
        "    for x, idx in loader:\n"
        "        logits = model(x)\n"
        "        preds.extend(logits.argmax(1).tolist())\n"
        "        ids.extend(idx.tolist())\n"
        "    for i, p in zip(ids, preds):\n"
        "        scores[str(i)] = int(p)\n"
        "    result = {'n': len(ids), 'preds': scores}\n"
        "    text = json.dumps(result)\n"
        "    print(text)\n"
        "    return result\n"
        "if __name__ == '__main__':\n    evaluate(None, [], 'out.json')\n"
    )
    write_tree(tmp_path, {"evaluate.py": source})
    assert _cli("check", "--no-cache", "--select", "ML202", ".", cwd=tmp_path).stdout == ""
    written = source.replace("    print(text)\n", "    open(out, 'w').write(text)\n")
    write_tree(tmp_path, {"evaluate.py": written})
    checked = _cli("check", "--no-cache", "--select", "ML202", ".", cwd=tmp_path)
    assert "evaluate.py:2:1: ML202" in checked.stdout, checked.stdout
    assert "of them file, checkpoint or tracker I/O" in checked.stdout


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("build_attention_model", "wiring"),  # a model factory (twelfth round)
        ("create_critic", "wiring"),
        ("build_dataset", "data"),  # a data convention still wins
        ("test", "general"),  # a script's evaluation loop, not a unit test
        ("test_forward", "test"),
    ],
)
def test_factories_and_bare_test_functions(name: str, role: str) -> None:
    assert function_role(name, False, "general")[0] == role


def test_objective_alone_is_no_evidence_of_an_algorithm_module() -> None:
    """A hyperparameter search's `_objective` (Optuna, Ray Tune) beside no model or loss is an
    adapter's callback; `loss` still is evidence."""
    assert not algorithm_name("_objective", strong=True)
    assert algorithm_name("compute_loss", strong=True)


def test_a_script_that_parses_its_arguments_at_module_level_is_cli(tmp_path: Path) -> None:
    """Twelfth round: a flat training script with no `__main__` guard is a script too."""
    source = (
        "import argparse, json\nimport torch\n"
        "parser = argparse.ArgumentParser()\nparser.add_argument('--out')\n"
        "args = parser.parse_args()\n"
        "def train(model, loader, opt):\n"
        "    for x, y in loader:\n"
        "        torch.nn.functional.cross_entropy(model(x), y).backward()\n"
        "        opt.step()\n"
    )
    assert "role cli (parses its command line at module level)" in _explained(tmp_path, source)


def _verdicts(source: str) -> Dict[int, Verdict]:
    """The classifier's verdict on each top-level statement of ``source``, by line."""
    configure(GlueOptions())
    names = ModuleNames()
    classifier = Classifier(names, vocabulary())
    found: Dict[int, Verdict] = {}
    for line, statement in enumerate(cst.parse_module(source).body, start=1):
        nodes = statement.body if isinstance(statement, cst.SimpleStatementLine) else [statement]
        for node in nodes:
            if isinstance(node, cst.Import):
                names.add_import(node)
            elif isinstance(node, cst.ImportFrom):
                names.add_import_from(node)
            found[line] = classifier.statement(node)
    return found


@pytest.mark.parametrize(
    ("source", "line", "kind", "computes"),
    [
        ("metrics = trainer.evaluate()\n", 1, "algorithm", False),
        ("history = model.fit(x, y, epochs=3)\n", 1, "algorithm", False),
        ("import tensorflow as tf\nwith tf.Session() as sess:\n    pass\n", 2, "other", False),
        ("import torch\nloss = torch.nn.functional.mse_loss(a, b)\n", 2, "algorithm", True),
        # thirteenth round: a trainer's constructor is wiring, a tokenizer prepares data, a
        # device keyword does not decide what a call works on, a shared step hands the work on
        (
            "import transformers\ntrainer = transformers.Trainer(model=m, args=a)\n",
            2,
            "other",
            False,
        ),
        ("import pytorch_lightning as pl\ntrainer = pl.Trainer(max_epochs=3)\n", 2, "other", False),
        (
            "from transformers import GPT2Tokenizer\ntok = GPT2Tokenizer.from_pretrained(p)\n",
            2,
            "glue",
            False,
        ),
        (
            "from transformers import BertTokenizerFast\ntok = BertTokenizerFast(vocab)\n",
            2,
            "glue",
            False,
        ),
        ("from transformers import BertModel\nm = BertModel(config)\n", 2, "algorithm", True),
        (
            "import torch\ns = sampler.draw(coords, device=torch.device('cuda'))\n",
            2,
            "other",
            False,
        ),
    ],
)
def test_whole_runs_on_unknown_objects_hand_the_work_on(
    source: str, line: int, kind: str, computes: bool
) -> None:
    """Twelfth round: `trainer.evaluate()` runs a whole evaluation elsewhere, as a step
    called by name does; a TensorFlow session is the runtime, not a computation."""
    verdict = _verdicts(source)[line]
    assert (verdict.kind, verdict.computes) == (kind, computes), verdict


def test_a_lightning_step_hands_its_loss_to_a_shared_step() -> None:
    """Thirteenth round: `self.shared_step(batch)` is the step, called by its name."""
    source = (
        "import pytorch_lightning as pl\n"
        "class Diffusion(pl.LightningModule):\n"
        "    def shared_step(self, batch):\n"
        "        return self.model(batch), {}\n"
        "    def training_step(self, batch, batch_idx):\n"
        "        loss, logs = self.shared_step(batch)\n"
        "        self.log_dict(logs)\n"
        "        return loss\n"
    )
    configure(GlueOptions())
    rows = {row.line: row for row in explain_source(source.encode())}
    assert rows[6].kind == "algorithm"
    assert "a training step or loss by name" in rows[6].reason, rows[6]
