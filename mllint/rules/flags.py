"""Stale flags and live experiments: ML102, ML103, ML104, ML106, and their per-file facts."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from typing import Any, Dict, List, Mapping, Optional, Set, Tuple

from mllint.display import display_value, json_value
from mllint.flags.facts import extract_facts
from mllint.flags.index import (
    FAMILY,
    Constant,
    FlagIndex,
    RuntimeFlag,
    flag_index,
    is_experiment_name,
)
from mllint.model import Finding, RelatedLocation, Severity, Span
from mllint.rules.base import FileRule, Invalid, ProjectRule

LAUNCHER_OPTIONS = frozenset({"local_rank"})
"""Options a distributed launcher passes to every process it starts: `torch.distributed.launch`
passes `--local_rank` (`--local-rank` since PyTorch 2.0), and so does DeepSpeed's launcher."""
_LAUNCHER_ENV = "LOCAL_RANK"
_LAUNCHERS = re.compile(r"torch\.distributed\.launch\b|\bdeepspeed\b")


def reads_rank_from_env(index: FlagIndex, program: Set[str]) -> bool:
    """Whether a module of the program reads the rank from the environment a launcher sets
    (`os.environ["LOCAL_RANK"]`)."""
    return any(
        read and read[0] == _LAUNCHER_ENV
        for path in program
        for read in index.facts[path].get("env", ())
    )


def started_by_launcher(launch: Mapping[str, str]) -> bool:
    """Whether a launch file of the repository (a script, the README) starts a program with
    `torch.distributed.launch` or `deepspeed`, which pass `--local_rank` to every process."""
    return any(_LAUNCHERS.search(text) for text in launch.values())


_KIND_WORDS = {
    "env": "environment variable",
    "config": "config attribute",
    "absl": "absl flag",
    "ns": "command-line option",
    "ns?": "command-line option",
    "click": "command-line option",
}


class FlagFacts(FileRule):
    """Collects the per-file facts of the flag rules (a fact collector: it reports nothing).

    ## What it does
    Records, for the project stage, a file's module-level constants and every way it rebinds
    names, its imports, flag definitions and reads, branch tests, dead arms and definitions.

    ## Why is this bad?
    It is not a check.

    ## Example
    ```python
    USE_NEW_LOSS = False
    ```

    Use instead:
    ```python
    USE_NEW_LOSS = False
    ```
    """

    code = FAMILY
    name = "flag-facts"
    message = "Collects flag facts"

    def facts(self) -> Any:
        """The file's flag facts (see :mod:`mllint.flags.facts`)."""
        locator = self.context.locator
        tree = locator.ast_tree()
        if tree is None:
            return None
        return extract_facts(tree, locator.text)


def _finding(rule: ProjectRule, path: str, span: List[int], message: str, **props: Any) -> Finding:
    return Finding(
        path=path,
        span=Span(*span[:4]),
        code=rule.code,
        name=rule.name,
        message=message,
        severity=rule.severity,
        properties=props,
    )


MAX_RELATED = 10
"""The most related locations one finding lists (ML106 on a much-used definition)."""


def _defined_here(constant: Constant) -> RelatedLocation:
    """The related location of a constant that decides a test: its name where it is bound."""
    end = constant.column + len(constant.name)
    value = display_value(constant.value, constant.name)
    return RelatedLocation(
        path=constant.path,
        span=Span(constant.line, constant.column, constant.line, end),
        message=f"definition of `{constant.name} = {value}`",
    )


def _where(index: FlagIndex, constant: Constant, path: str) -> str:
    if constant.path == path:
        return f"line {constant.line}"
    return f"{os.path.basename(constant.path)}:{constant.line}"


def _keyword(test: Dict[str, Any]) -> str:
    return "ternary" if test["kw"] == "ternary" else test["kw"]


class StaleFlagBranch(ProjectRule):
    """
    ## What it does
    Checks for `if`, `elif`, `while` and conditional expressions whose test is decided by
    project constants: every name the outcome depends on is bound once, in the whole analysed
    project, to a literal (`USE_NEW_LOSS = False`, `EXPERIMENT = "baseline"`) and never
    rebound, so one arm can never run. Constants are followed through imports across files
    (`from pkg.config import X`, `import pkg.config as c; c.X`, relative imports, re-exports
    in `__init__.py`). Tests built with `not`, `and`, `or` and comparisons (`==`, `!=`, `<`,
    `in`, `is None`...) are evaluated; the message says which arm is dead.

    ## Why is this bad?
    A constant that selects a code path is a feature flag nobody can flip without editing
    the source. Once the experiment is over, the losing arm stays behind: it is read,
    reviewed and kept compiling, but never runs. Delete the dead arm and the constant.

    ## Example
    ```python
    USE_NEW_LOSS = False

    def loss(logits, labels):
        if USE_NEW_LOSS:
            return focal_loss(logits, labels)
        return cross_entropy(logits, labels)
    ```

    Use instead:
    ```python
    def loss(logits, labels):
        return cross_entropy(logits, labels)
    ```

    ## Notes
    A name is not constant when anything in the project rebinds it: a second assignment,
    `global`, augmented assignment, a loop, `with`, `except` or walrus target, `del`,
    `module.NAME = ...` through any import alias, `setattr(module, "NAME", ...)`,
    `mock.patch("pkg.mod.NAME")`, `monkeypatch.setattr(...)`. Nothing in a module that can
    rewrite its globals wholesale (`exec(...)` at module level or with `globals()`,
    `globals().update(...)`, `globals()[key] = ...`, `setattr` with a computed name) is
    constant. Names computed from the environment, a command-line option or a call are never
    constant. Only names bound by a statement directly in the module body count (not inside
    `if`/`try`). `TYPE_CHECKING`, `__debug__` and `__name__` are never treated as flags.
    A test on a constant with no `else` whose body always runs has no dead arm and is not
    reported. Files CPython cannot parse contribute no facts.

    A *knob* is not a stale flag: a constant whose definition documents its other values, as a
    commented reassignment right above or below it (`ARCH_VARIANT = 'tape'` over `# ARCH_VARIANT
    = 'transunet'`) or a comment on it or next to it that lists the choices, its own value among
    them (`MODE = 'train_high_res' # one of ['train_high_res', 'train_low_res']`; unquoted too:
    `MODE = 'wgan-gp' # dcgan, wgan, wgan-gp, lsgan`, `# Valid options are dcgan, wgan, or
    wgan-gp`), or, for a boolean, a comment that presents its value as the default of a setting
    (stylegan2's `# Enable "Custom scalars" tab in TensorBoard ... Disabled by default to reduce
    tfevents file size.` over `enable_custom_scalars = False`; `# set to True to ...`; coinrun's
    `# if the environment is crashing, try using the debug build` over `DEBUG = False`). Its
    author means it to be edited between runs, so both arms are wanted; its tests are not
    reported, folded by `--fix`, nor their arms taken as dead by ML106. A comment that only
    names another value (`# "clean-labels" used the re-labelled subset`) is history, not a list
    of choices, and does not make a knob. Nor is a loss weight a switch: a number the module
    multiplies by, in a test that only orders it (PyTorch-GAN's `lambda_cyc = 0` with
    `lambda_cyc * criterion(...) if lambda_cyc > 0 else 0`), is a hyperparameter tuned by
    editing it, and the test guards the term it weighs. A number only compared (`THRESHOLD <
    2`) still decides a switch.

    ## Fix
    Safe: the constants decide the test in every run, so deleting the arm that never runs
    changes nothing. `check --fix` keeps the live arm, dedented in the place of the
    statement, and drops the dead one (for a `while` that never runs, its `else`; for a
    conditional expression, the live value). Fixing a finding retires the constants that
    decide it: every other branch they decide is folded too (also `if USE_X:` with no
    `else`, which has no dead arm to report), operands of `and`/`or` that they make redundant
    go (`if USE_X and ready:` with `USE_X = True` becomes `if ready:`), and once nothing reads
    a constant any more its definition is deleted, in its own module, with the imports of it
    that are left unused in other modules and the imports only the dead arms used. Deleting a
    constant that is part of a module's public surface (listed in `__all__`, re-exported by a
    package's `__init__.py`) needs `--unsafe-fixes`: code outside the project may import it.
    A branch whose finding a `# noqa: ML102` silences is left alone, and so is its constant.

    Before:
    ```python
    USE_NEW_LOSS = False
    USE_EMA = True


    def step(model, batch, ready):
        if USE_NEW_LOSS:
            loss = focal_loss(model(batch))
        else:
            loss = cross_entropy(model(batch))
        decay = 0.999 if USE_EMA else 0.0
        if USE_EMA and ready:
            update_ema(model, decay)
        return loss
    ```

    After:
    ```python
    def step(model, batch, ready):
        loss = cross_entropy(model(batch))
        decay = 0.999
        if ready:
            update_ema(model, decay)
        return loss
    ```
    """

    code = "ML102"
    name = "stale-flag-branch"
    message = "Test is decided by project constants: one arm can never run"
    severity = Severity.WARNING
    tags = ("maintainability", "dead-code", "flags")
    VALID = (
        "DEBUG = False\n\ndef f():\n    global DEBUG\n    DEBUG = True\n\nif DEBUG:\n    pass\n",
        "import os\nUSE_X = os.environ.get('USE_X') == '1'\nif USE_X:\n    a()\nelse:\n    b()\n",
        "FLAG = True\nif FLAG:\n    run()\n",
        "X = 1\nX += 1\nif X == 1:\n    a()\n",
        "MODE = 'a'\nexec(open('cfg.py').read())\nif MODE == 'b':\n    a()\n",
        "def f(use_new):\n    if use_new:\n        a()\n    else:\n        b()\n",
        # knobs: the other values are documented where the constant is defined
        "ARCH = 'tape'\n# ARCH = 'transunet'\n\ndef sweep():\n    if ARCH == 'transunet':\n"
        "        return 1\n    return 2\n",
        "MODE = 'high'  # one of ['high', 'low']\nif MODE == 'low':\n    a()\n",
    )
    INVALID = (
        Invalid(
            "# Name of the active experiment. 'clean' used the re-labelled subset.\n"
            "EXPERIMENT = 'baseline'\nif EXPERIMENT == 'clean':\n    a()\n",
            line=3,
            message="always false",
        ),
        Invalid(
            "USE_NEW_LOSS = False\n\ndef loss(x):\n    if USE_NEW_LOSS:\n        return 1\n"
            "    return 2\n",
            line=4,
            message="always false",
        ),
        Invalid(
            "EXPERIMENT = 'baseline'\nif EXPERIMENT == 'v2':\n    a()\nelse:\n    b()\n",
            line=2,
            message="its body is dead",
        ),
        Invalid(
            "LEGACY = True\nif not LEGACY and ready():\n    a()\n",
            line=2,
            message="always false",
        ),
        Invalid("MODE = 'a'\nx = 1 if MODE in ('a', 'b') else 2\n", line=2, message="`else`"),
    )

    def check(self, project: Any) -> List[Finding]:
        """One finding per decided test with a dead arm."""
        index = flag_index(project)
        findings: List[Finding] = []
        for path, test, decision, arm in index.decided_tests():
            if arm is None:
                continue
            first = decision.constants[0]
            names = sorted({c.name for c in decision.constants})
            values = ", ".join(
                f"{c.name} = {display_value(c.value, c.name)} at {_where(index, c, path)}"
                for c in _unique(decision.constants)
            )
            keyword, source = _keyword(test), test.get("src", "")
            truth = "true" if decision.truth else "false"
            if keyword == "ternary":
                subject = f"Conditional expression on `{source}`"
                dead = "`else` value" if arm == "orelse" else "value before `if`"
                message = f"{subject} is always {truth} ({values}): the {dead} is never used"
            elif arm == "body":
                message = f"`{keyword} {source}` is always false ({values}): its body is dead code"
            else:
                other = "elif" if test.get("elif") else "else"
                message = (
                    f"`{keyword} {source}` is always true ({values}): "
                    f"the `{other}` arm is dead code"
                )
            related = tuple(_defined_here(c) for c in _unique(decision.constants))
            found = _finding(
                self,
                path,
                test["span"],
                message,
                flag=first.name,
                flags=names,
                deadArm=arm,
                value=json_value(first.value, first.name),
                experiment=is_experiment(index, first.name, "", project.settings),
            )
            findings.append(replace(found, related=related[:MAX_RELATED]))
        return findings


def _unique(constants: List[Constant]) -> List[Constant]:
    seen: Dict[Tuple[str, str], Constant] = {}
    for constant in constants:
        seen.setdefault((constant.path, constant.name), constant)
    return list(seen.values())


def is_experiment(index: FlagIndex, name: str, variable: str, settings: Any) -> bool:
    """Whether a flag is an experiment switch: its name matches ``flag-patterns`` (see
    :func:`candidate_names`), it is not a platform, precision or debug switch, and no
    definition of it in the project says it holds a value (a string, path or number option)
    rather than a boolean or a choice, nor is every definition of it in test code."""
    if not is_experiment_name(
        name, variable, settings.flag_patterns, settings.platform_flag_patterns
    ):
        return False
    kinds = index.switch_kinds(name)
    if kinds and index.defined_only_in_tests(name):
        return False
    return not kinds or kinds != {"value"}


def runtime_flag_of_test(
    index: FlagIndex, path: str, test: Dict[str, Any], settings: Any
) -> Optional[RuntimeFlag]:
    """The first experiment switch that a test reads, if any (none in validation: an arm
    that only raises or calls ``parser.error``)."""
    if test.get("v") or test.get("r"):
        return None
    nearby = _options_near(index, path)
    for flag in index.flags_in(path, test["e"]):
        if flag.kind == "ns?" and flag.name not in nearby:
            continue
        if flag.kind in ("env", "config"):
            typed = is_experiment_name(
                flag.name, flag.variable, settings.flag_patterns, settings.platform_flag_patterns
            )
        else:
            typed = is_experiment(index, flag.name, flag.variable, settings)
        if typed:
            return flag
    return None


def _options_near(index: FlagIndex, path: str) -> Set[str]:
    """argparse dests defined in the folder of ``path``: an attribute of a name that is
    merely called ``args`` or ``options`` is taken as a command-line option only when the
    script and its parser live together (libraries reuse such names for plain objects)."""
    return index.options_in_folder(os.path.dirname(path))


class ExperimentBranch(ProjectRule):
    """
    ## What it does
    Checks for `if`, `elif`, `while` and conditional expressions whose test reads a runtime
    flag whose name matches `flag-patterns` (`use_*`, `enable_*`, `exp_*`, `*_v2`,
    `legacy_*`...): a command-line option (argparse, absl, click, typer), an environment
    variable (`os.environ[...]`, `os.environ.get`, `os.getenv`), a config attribute
    (`cfg.model.use_x`, `cfg.get("use_x")`, `cfg["use_x"]` on OmegaConf, Hydra or
    ml_collections objects), or a name assigned from one of these.

    ## Why is this bad?
    Every such branch is a live experimental code path: both arms must be kept working,
    tested and understood, and the number of combinations doubles with each flag. Experiments
    that won should become the only path; those that lost should be deleted with their flag.

    ## Example
    ```python
    import os

    if os.environ.get("NEW_RANKER"):
        weights = rank_weights(losses)
    else:
        weights = uniform(losses)
    ```

    Use instead:
    ```python
    weights = rank_weights(losses)
    ```

    ## Notes
    A note, not a warning: a live experiment may be exactly what you want today. To keep
    false positives low, an attribute read counts as a command-line option only when the
    object was bound from `parse_args()` / `parse_known_args()`, is annotated `Namespace`,
    or is called `args`/`opts`/`options`/`hparams`... and an argparse option of that name
    is defined in a file of the same folder; config objects are only those created by
    `OmegaConf.*`, `hydra.compose`, `ConfigDict(...)`, annotated `DictConfig`/`ConfigDict`,
    or the parameter of a `@hydra.main` function. Plain function parameters
    (`def f(use_cache=True)`) are not runtime flags. The env variable's name and the name
    it is assigned to both count for `flag-patterns`.

    Only *experiment switches* count, decided by what the flag means:
    - names are matched after dropping a leading underscore (`_USE_SWA`) and, for an
      environment variable, also without its first word, a project prefix
      (`ACME_NEW_RANKER` matches `new_*`);
    - platform, precision, debug and tooling switches (`use_tpu`, `use_cuda`, `no_accel`,
      `use_fp16`, `use_bfloat16`, `amp`, `disable_jit`, `enable_eager_execution`, `use_volta32`,
      `debug`, `verbose`, `profile`, `enable_wandb`,
      `deterministic`, `num_workers`, `use_checkpoint`, `disable_eval`, `use_bn_sync`...)
      select where and how a run executes, not which idea is tried: they stay in `mllint
      flags` but are not reported. So do switches that turn a library or runtime component
      on or off (`DETECTRON2_DISABLE_CV2`, `disable_ffmpeg`, `disable_grappler_optimizations`,
      `use_xformers`, `use_flash_attn`, `use_fused_adam`): they work around an installation
      or a kernel, the model is the same. The vocabulary is the `platform-flag-patterns`
      setting (regexes searched in the name), which a project may replace;
    - a command-line option (argparse, absl, click, typer) is a switch when its definition
      says it is a boolean (`store_true`/`store_false`, `type=bool` or a `str2bool`-like
      converter, a bool default, `BooleanOptionalAction`, `DEFINE_bool`, click `is_flag` or
      `--x/--no-x`, `type=int` with default 0 or 1) or a choice (`choices=`, `DEFINE_enum`,
      `click.Choice`); an option defined with a string, path or number (`--experiment
      default=""`, `--exp_name`) is not. An option whose definition says nothing (no type,
      no default) is judged by its name alone, as is a config attribute or an environment
      variable;
    - a flag flows into a test through direct assignment (`use_x = args.use_x`, `USE =
      os.environ.get(...)`), `bool()`/`int()`/`float()`/`str()`, `getattr(args, "use_x")`,
      string methods such as `.lower()`, comparisons and `not`/`and`/`or`, and nothing else:
      `state = load_checkpoint(path, args.use_swa)` then `if not state:` is a branch on a
      load result;
    - validation is not a code path: a branch whose body only raises, or calls
      `parser.error(...)`, `sys.exit(...)` (after printing or logging why), or only warns
      (`warnings.warn(...)`, `logger.warning(...)`) is not reported;
    - nor is a conditional expression that only picks what a message shows, inside an
      f-string, a `%`-format or the arguments of `print`/logging (`print(f"{'BN' if
      args.use_bn else 'no BN'}")`).

    A switch that picks between two ideas is an experiment switch whatever the reason both
    are kept. Two shapes pick no idea, and are not reported:
    - a branch whose two arms call the *same* function from two places with the same
      arguments: a function of the module and the function of that name imported under an
      alias (`from spinup.algos.td3 import td3 as true_td3`; `if args.use_soln:
      true_td3(**kw) else: td3(**kw)`). The module re-implements the imported function and
      the switch runs the copy or the original, as an exercise harness or a port checked
      against its reference does; both compute the same thing by contract;
    - a switch that only test code defines (every definition of the option lies in a
      `test`/`tests`/`testing` folder, `test_*.py`, `*_test.py` or `conftest.py`): a test
      harness's parameter (`--use_baseline` to also compare with stored results), not an
      experiment of the system. A test that branches on a product's switch is still
      reported.

    A parameter filled from a flag when the caller passes nothing (`def build(use_naflex=
    None): if use_naflex is None: use_naflex = USE_NAFLEX_DEFAULT`) carries the flag only
    after that assignment: the `is None` test reads the caller's argument.
    """

    code = "ML103"
    name = "experiment-branch"
    message = "Branch on an experiment flag: a live experimental code path"
    severity = Severity.NOTE
    tags = ("maintainability", "flags")
    VALID = (
        "def f(use_cache=True):\n    if use_cache:\n        a()\n",
        "import os\nif os.environ.get('HOME'):\n    a()\n",
        "import argparse\np = argparse.ArgumentParser()\np.add_argument('--lr')\n"
        "args = p.parse_args()\nif args.lr:\n    a()\n",
        # a platform, precision or debug switch
        "import argparse\np = argparse.ArgumentParser()\n"
        "p.add_argument('--use-tpu', action='store_true')\n"
        "args = p.parse_args()\nif args.use_tpu:\n    a()\n",
        "import os\nif os.environ.get('USE_FP16') == '1':\n    a()\n",
        # a string option is not a switch
        "import argparse\np = argparse.ArgumentParser()\n"
        "p.add_argument('--experiment', default='')\n"
        "args = p.parse_args()\nif args.experiment:\n    name = args.experiment\n",
        # a flag passed to a call does not decide the call's result
        "import argparse\np = argparse.ArgumentParser()\n"
        "p.add_argument('--use-swa', action='store_true')\nargs = p.parse_args()\n"
        "state = load_checkpoint('c.pt', args.use_swa)\nif not state:\n    a()\n",
        # validation is not a code path
        "import argparse\np = argparse.ArgumentParser()\n"
        "p.add_argument('--use-swa', action='store_true')\nargs = p.parse_args()\n"
        "if args.use_swa and args.lr > 1:\n    p.error('SWA needs a small lr')\n",
        # a warning only is validation too
        "import argparse, warnings\np = argparse.ArgumentParser()\n"
        "p.add_argument('--use-naflex', action='store_true')\nargs = p.parse_args()\n"
        "if not args.use_naflex and args.tokens:\n    warnings.warn('ignored')\n",
        # a ternary that only picks the words of a message
        "import argparse\np = argparse.ArgumentParser()\n"
        "p.add_argument('--use-bn', action='store_true')\nargs = p.parse_args()\n"
        "print(f\"head: {'BN' if args.use_bn else 'no BN'}\")\n",
        # a library or runtime component switched off: a platform switch
        "import os, sys\nif int(os.environ.get('ACME_DISABLE_CV2', 0)):\n"
        "    sys.modules['cv2'] = None\n",
        # a precision switch, whatever the dtype is called
        "import argparse\np = argparse.ArgumentParser()\n"
        "p.add_argument('--use-bfloat16', action='store_true')\nargs = p.parse_args()\n"
        "dtype = 'bfloat16' if args.use_bfloat16 else 'float32'\n",
        # the same function from two places: a re-implementation run or its original
        "import argparse\nfrom spinup.algos.td3 import td3 as true_td3\n\n"
        "def td3(**kw):\n    pass\n\np = argparse.ArgumentParser()\n"
        "p.add_argument('--use_soln', action='store_true')\nargs = p.parse_args()\n"
        "if args.use_soln:\n    true_td3(seed=args.seed)\nelse:\n    td3(seed=args.seed)\n",
        # a parameter tested before a flag fills it reads the caller's argument
        "import os\nUSE_NAFLEX = os.environ.get('NAFLEX', 'false') == 'true'\n\n"
        "def build(use_naflex=None):\n    if use_naflex is None:\n"
        "        use_naflex = USE_NAFLEX\n    return use_naflex\n",
    )
    INVALID = (
        Invalid(
            "import os\nif os.environ.get('NEW_RANKER'):\n    a()\n",
            line=2,
            message="NEW_RANKER",
        ),
        Invalid(
            "import argparse\np = argparse.ArgumentParser()\n"
            "p.add_argument('--use-mixup', action='store_true')\n"
            "args = p.parse_args()\nif args.use_mixup:\n    a()\n",
            line=5,
            message="use_mixup",
        ),
        Invalid(
            "from omegaconf import OmegaConf\ncfg = OmegaConf.load('c.yaml')\n"
            "def f():\n    if cfg.model.enable_ema:\n        a()\n",
            line=4,
            message="enable_ema",
        ),
        # names are normalised: a leading underscore, a project prefix of a variable
        Invalid(
            "import os\n_USE_SWA = int(os.environ.get('SWA', 0)) > 0\nif _USE_SWA:\n    a()\n",
            line=3,
            message="_USE_SWA",
        ),
        Invalid(
            "import os\nif os.environ.get('ACME_NEW_RANKER', '0') == '1':\n    a()\n",
            line=2,
            message="ACME_NEW_RANKER",
        ),
        # a parameter filled from a flag carries it after the assignment
        Invalid(
            "import os\nUSE_NAFLEX = os.environ.get('NAFLEX', 'false') == 'true'\n\n"
            "def build(use_naflex=None):\n    if use_naflex is None:\n"
            "        use_naflex = USE_NAFLEX\n    if use_naflex:\n        return 1\n",
            line=7,
            message="USE_NAFLEX",
        ),
        # two different functions, one imported under an alias: two ideas
        Invalid(
            "import argparse\nfrom losses import focal as new_loss\n\n"
            "def loss(x):\n    return x\n\np = argparse.ArgumentParser()\n"
            "p.add_argument('--use_new_loss', action='store_true')\nargs = p.parse_args()\n"
            "if args.use_new_loss:\n    new_loss(1)\nelse:\n    loss(1)\n",
            line=10,
            message="use_new_loss",
        ),
        # a choice between implementations, and a switch carried through an alias
        Invalid(
            "import argparse\np = argparse.ArgumentParser()\n"
            "p.add_argument('--exp-loss', choices=['focal', 'ce'])\nargs = p.parse_args()\n"
            "use = args.exp_loss\nif use == 'focal':\n    a()\n",
            line=6,
            message="exp_loss",
        ),
    )

    def check(self, project: Any) -> List[Finding]:
        """One note per branch on a matching runtime flag."""
        index = flag_index(project)
        findings: List[Finding] = []
        decided = {id(test) for _, test, _, _ in index.decided_tests()}
        for path in index.paths:
            for test in index.facts[path]["tests"]:
                if id(test) in decided:
                    continue
                flag = runtime_flag_of_test(index, path, test, project.settings)
                if flag is None:
                    continue
                kind = _KIND_WORDS.get(flag.kind, flag.kind)
                name = flag.name
                shown = f"`{name}`"
                if flag.variable and flag.variable != name:
                    shown = f"`{flag.variable}` (read as `{name}`)"
                keyword = _keyword(test)
                where = "Conditional expression" if keyword == "ternary" else f"`{keyword}`"
                message = f"{where} on the {kind} {shown}: a live experimental code path"
                findings.append(
                    _finding(
                        self,
                        path,
                        test["span"],
                        message,
                        flag=name,
                        flagKind=flag.kind,
                        experiment=True,
                        **({"variable": flag.variable} if flag.variable else {}),
                    )
                )
        return findings


class UnusedFlag(ProjectRule):
    """
    ## What it does
    Checks for command-line options that nothing in the project reads: an argparse
    `add_argument` whose dest (`--use-mixup` -> `use_mixup`, or `dest=`) is never read as
    `args.use_mixup`, `getattr(args, "use_mixup")`, `vars(args)["use_mixup"]` or a string
    key; an absl `flags.DEFINE_*` never read as `FLAGS.name` or `FLAGS["name"]` (nor, when
    its result is kept, `HOLDER = flags.DEFINE_*(...)`, through `HOLDER`); a click or
    typer option whose parameter the command never uses.

    ## Why is this bad?
    An option that changes nothing is a lie in the `--help` output: users set it and believe
    they changed the run. Usually it is the remains of an experiment whose code was deleted
    while its switch stayed.

    ## Example
    ```python
    parser.add_argument("--old-scheduler", action="store_true")
    args = parser.parse_args()
    train(lr=args.lr)
    ```

    Use instead:
    ```python
    args = parser.parse_args()
    train(lr=args.lr)
    ```

    ## Notes
    Options belong to their program: the module that defines them, the entry points that
    import it (directly or not), and every project module those import in any scope. A read
    counts only inside that program, so a read of the same name in another entry point with
    its own parser, or a `vars(args)` in a neighbouring script, hides nothing. Within the
    program reads are matched by name, whatever object they are read from, except an
    attribute of an object bound from another call (`env = submitit.JobEnvironment();
    env.local_rank`). An absl flag is read by the modules its defining module runs with.

    Four things never consume this program's namespace: a `run(**vars(opt))` in another
    entry point with its own parser that the program imports for a function (`import val`;
    that `opt` is `val.py`'s), `getattr(obj, name)` on an object another call built
    (`loggers = Loggers(...)`), a module's `__dict__` (`torchvision.models.__dict__`), and
    an object filled field by field through its `__dict__` (`config.__dict__[key] = value`
    in BERT's `BertConfig.from_dict`: a write); nor is `*args` or a parameter with a
    default (`flags=cv2.IMREAD_COLOR`) a namespace when handed to a library.

    A namespace spread into a callable of the project reads that callable's named
    parameters, and those of what its `**kwargs` is handed on to: with `def train(lr,
    epochs, **kwargs)`, `train(**vars(args))` reads `lr` and `epochs`; an option that only
    lands in a `**kwargs` that is printed or logged is still never read. A callable chosen
    by name from a project module (`models_vit.__dict__[args.model](**vars(args))`) reads
    the parameters of every function and class of that module. When a callee is not the
    project's, or its `**kwargs` goes anywhere else, the spread reads every option.
    An attribute of a module imported whole (`logging.debug`, `torch.cuda`) is not a read of
    an option named like it, and a flags object taken out of a dict (`FLAGS =
    kwargs.get("FLAGS")`) is still the flags. Options defined under `if __name__ ==
    "__main__":` belong to running that file only: the programs that import the module
    never define them, so their reads do not count (transformer-xl's `mem_transformer.py`
    test block defines `--seed`, which `train.py`, importing the module, reads from its own
    parser). A loop over `vars(args).items()` that only hands each pair to `print`, `log`,
    `logging` or `logger` (or a helper named for logging or saving) reads nothing.
    An option the program assigns before anything reads it is never read either. The
    assignment may be direct (`args.use_volta32 = True`, then `if args.use_volta32:` later in
    the same block), or a call: BLIP's
    scripts define `--distributed`, but the first statement of each `main(args)`,
    `utils.init_distributed_mode(args)`, sets `args.distributed` on every path that returns,
    and every read of `args.distributed` comes after that call in the same body, or in a
    function of the same file that only that body calls, after it (`evaluation()` reading
    the global `args`). Only a call statement directly in a function's body (or the
    `__main__` block) counts, only a function of the project that assigns the attribute on
    every path it returns by, and only when no read of the name sits anywhere else (another
    function, another module, a `getattr` by string); reads of a module's attribute
    (`torch.distributed`) are not reads of an option.
    `parser.set_defaults(x=...)` sets a default and reads nothing, and neither does an
    object reading back its own field (`self.rand_aug = rand_aug` ... `if self.rand_aug:`).
    A module imported by a computed name under a literal package
    (`importlib.import_module("models.eval." + args.evaluation_name)`, `"models." + name +
    "_model"`) may run: every module of that package whose name fits joins the program, so
    the plugins that parse the parser they are handed read its options. A repository that
    imports itself under its folder's name (`import mae_st.util.misc` in
    a clone named `mae_st/` with no `__init__.py` at its top) is followed as that package.
    Star imports (`from .discriminator import *` in a package's `__init__.py`) do not add
    modules to a program: followed, they pulled every model of timm and trax's vendored
    numpy into each script's program, whose generic `args` parameters then hid ten options
    read by hand as never read; not following them leaves one option (SPADE's `--ndf`, read
    through a star import) reported.

    A namespace *consumed* wholesale reads every option: `f(**vars(args))` into a callee
    from outside the project, `vars(...)`,
    `x.__dict__` or `getattr(x, name)` with a computed name (in the defining file on any
    object but a module, elsewhere in the program on a name such as `args`, `opts`, `cfg`,
    `FLAGS`), `eval(f"args.{name}")`, or the namespace passed to a function imported from
    outside the project (`create_optimizer(args)` from timm may read any option). A function
    that looks options up by a parameter (`def given(name): return getattr(args, name)`,
    `def getVal(kwargs, key, default): return kwargs.get(key, default)`, also from another
    module) reads the string literals its calls pass, and a lookup by the variable of a loop
    over a literal list of names (xlnet's `for key in self.keys: getattr(FLAGS, key)` with
    `self.keys = ["n_layer", "d_model", ...]`) reads those names. The names alone read no value:
    `set(args.__dict__.keys())`, `sorted(vars(args))` (checking a preset's keys), and
    neither does copying the values into another object (`H.update(vars(args))`), whose
    attributes are then read by name like any other. A computed name drawn from the options of a
    parser that only a library fills (Lightning's `parser = Trainer.add_argparse_args(
    parser)` on a fresh `ArgumentParser`, then `for k in vars(parser.parse_args([]))` or a
    function returning those names) reads none of the project's own options when the module
    applies the same library call to the program's parser too: argparse refuses an option
    string defined twice, so the library's names are not the project's. (Two option strings
    with one `dest`, `--foo-bar` and `--foo_bar`, would escape this; none was seen.) A
    literal template formatted with
    `.format(...)` reads the attributes its fields name (`"--beam={FLAGS.beam_size}"
    .format(FLAGS=FLAGS)` reads `beam_size`). A namespace only *logged or saved* reads
    nothing: `print(vars(args))`, `logger.info(args)`, an f-string, `json.dump(vars(args),
    f)`, `yaml.dump(args.__dict__)`, `wandb.config.update(args)`, a helper named for
    logging or saving (`yaml_save(path, vars(opt))`, `print_args(vars(opt))`: a word of its
    name is `save`, `dump`, `print`, `log` or `write`), a record that keeps the whole
    namespace under a key (`ckpt = {"opt": vars(opt)}`), a copy of the namespace that is
    itself only logged or saved (`flags_dict = FLAGS.flag_values_dict()` then only
    `json.dump(flags_dict, f)`), a loop over
    `vars(args).items()` or `FLAGS.flag_values_dict().items()` that only stores each value
    under its key. Options defined from data are options: `for k, v in DEFAULTS.items():
    parser.add_argument(f"--{k}", ...)` over a literal dict defines one option per key.
    A `--local_rank` (or `--local-rank`) option that nothing reads is not reported when the
    program runs under a launcher that passes it to every process: one of its modules reads
    the rank from the `LOCAL_RANK` environment variable, or a launch file of the repository
    (a shell script, the README, a config) starts it with `torch.distributed.launch` or
    `deepspeed`. The option is then the launcher's contract, not a forgotten switch:
    deleting it makes every launched process exit with "unrecognized arguments". (Moving to
    `torchrun`, which sets only the environment variable, is what lets it go.)
    Not reported either when a function of the defining file has a parameter of the option's
    name (frameworks such as fairseq fill constructor parameters from the namespace by
    name). A click command with `**kwargs` or that calls `locals()` uses all its options.
    `properties.experiment` says whether the option is an experiment switch (see ML103):
    only those are aged by ML301.

    ## Fix
    Unsafe (`--unsafe-fixes`): deletes the option's definition, the `add_argument(...)` or
    `flags.DEFINE_*(...)` statement, a click `@click.option(...)` with its parameter, a typer
    parameter. Nothing in the program reads the option, but a launcher script, a config or a
    scheduler may still pass it: after the fix such a command line fails with "unrecognized
    arguments" until it is updated (`mllint flags` and `grep` find them).

    Before:
    ```python
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--old-scheduler", action="store_true")
    args = parser.parse_args()
    train(lr=args.lr)
    ```

    After:
    ```python
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=0.1)
    args = parser.parse_args()
    train(lr=args.lr)
    ```
    """

    code = "ML104"
    name = "unused-flag"
    message = "Command-line option is never read"
    severity = Severity.WARNING
    tags = ("maintainability", "flags")
    VALID = (
        "import argparse\np = argparse.ArgumentParser()\np.add_argument('--lr')\n"
        "args = p.parse_args()\nprint(args.lr)\n",
        "import argparse\np = argparse.ArgumentParser()\np.add_argument('--lr')\n"
        "args = p.parse_args()\nrun(**vars(args))\n",
        # a copy of the namespace handed on wholesale
        "import argparse\np = argparse.ArgumentParser()\np.add_argument('--lr')\n"
        "args = p.parse_args()\nd = vars(args)\nprint(d)\nrun(**d)\n",
        "import argparse\np = argparse.ArgumentParser()\np.add_argument('--lr', dest='rate')\n"
        "args = p.parse_args()\nprint(getattr(args, 'rate'))\n",
        # handed whole to a function from outside the project, which may read any option
        "import argparse\nfrom timm.optim import create_optimizer\n"
        "p = argparse.ArgumentParser()\np.add_argument('--opt-eps', type=float)\n"
        "args = p.parse_args()\noptimizer = create_optimizer(args, model)\n",
        # read through a helper that looks options up by name
        "import argparse\np = argparse.ArgumentParser()\n"
        "p.add_argument('--zip', action='store_true')\n"
        "args = p.parse_args()\ndef given(name):\n    return getattr(args, name, None)\n"
        "if given('zip'):\n    a()\n",
        # options defined from a literal dict, each read
        "import argparse\nDEFAULTS = {'lr': 0.1, 'depth': 12}\np = argparse.ArgumentParser()\n"
        "for k, v in DEFAULTS.items():\n    p.add_argument(f'--{k}', default=v, type=type(v))\n"
        "args = p.parse_args()\nrun(args.lr, args.depth)\n",
        # the launcher's --local_rank: the program takes the rank from the environment
        "import argparse, os\np = argparse.ArgumentParser()\n"
        "p.add_argument('--local_rank', type=int, default=0, help='set by the launcher')\n"
        "args = p.parse_args()\ngpu = int(os.environ['LOCAL_RANK'])\n",
        # read by the replacement fields of a template formatted later
        "from absl import flags\nflags.DEFINE_integer('beam_size', 4, 'h')\n"
        "FLAGS = flags.FLAGS\ncommand = '--beam={FLAGS.beam_size}'.format(FLAGS=FLAGS)\n",
    )
    INVALID = (
        Invalid(
            "import argparse\np = argparse.ArgumentParser()\n"
            "p.add_argument('--old-scheduler', action='store_true')\n"
            "args = p.parse_args()\n",
            line=3,
            message="old_scheduler",
        ),
        Invalid(
            "from absl import flags\nflags.DEFINE_bool('use_ema', False, 'EMA')\n"
            "FLAGS = flags.FLAGS\n",
            line=2,
            message="use_ema",
        ),
        Invalid(
            "import click\n@click.command()\n@click.option('--use-amp', is_flag=True)\n"
            "def main(use_amp):\n    pass\n",
            line=3,
            message="use_amp",
        ),
        # spread into a project function, the namespace reads its named parameters only
        Invalid(
            "import argparse\ndef train(lr, epochs=1, **kwargs):\n    print(kwargs)\n"
            "p = argparse.ArgumentParser()\np.add_argument('--lr')\n"
            "p.add_argument('--old-sched', action='store_true')\n"
            "args = p.parse_args()\ntrain(**vars(args))\n",
            line=6,
            message="old_sched",
        ),
        # a namespace only logged or saved reads nothing
        Invalid(
            "import argparse, json\np = argparse.ArgumentParser()\n"
            "p.add_argument('--old-sched', action='store_true')\nargs = p.parse_args()\n"
            "print(vars(args))\nlogger.info(f'{args}')\n"
            "json.dump(vars(args), open('a.json', 'w'))\n",
            line=3,
            message="old_sched",
        ),
        # a copy of the namespace that is only saved reads nothing either
        Invalid(
            "import json\nfrom absl import flags\nflags.DEFINE_string('vocab_file', None, 'h')\n"
            "FLAGS = flags.FLAGS\nflags_dict = FLAGS.flag_values_dict()\n"
            "with open('FLAGS.json', 'w') as f:\n    json.dump(flags_dict, f)\n",
            line=3,
            message="vocab_file",
        ),
        Invalid(
            "from absl import flags\nflags.DEFINE_string('eval_name', None, 'h')\n"
            "FLAGS = flags.FLAGS\n"
            "saved = {}\nfor key, val in FLAGS.flag_values_dict().items():\n    saved[key] = val\n",
            line=2,
            message="eval_name",
        ),
        # handed to a helper that saves it, and recorded in a checkpoint
        Invalid(
            "import argparse\nfrom utils import yaml_save\np = argparse.ArgumentParser()\n"
            "p.add_argument('--local_rank', type=int)\nopt = p.parse_args()\n"
            "yaml_save('opt.yaml', vars(opt))\nckpt = {'opt': vars(opt)}\n",
            line=4,
            message="local_rank",
        ),
        # one option per key of a literal dict
        Invalid(
            "import argparse\nDEFAULTS = {'lr': 0.1, 'depth': 12}\np = argparse.ArgumentParser()\n"
            "for k, v in DEFAULTS.items():\n    p.add_argument(f'--{k}', default=v)\n"
            "args = p.parse_args()\nrun(args.lr)\n",
            line=5,
            message="depth",
        ),
        # assigned on every path by the call that starts main(), before any read
        Invalid(
            "import argparse\n\n\ndef init_distributed(args):\n    args.distributed = False\n\n\n"
            "def main(args):\n    init_distributed(args)\n"
            "    if args.distributed:\n        pass\n\n\n"
            "p = argparse.ArgumentParser()\np.add_argument('--distributed', type=bool)\n"
            "main(p.parse_args())\n",
            line=15,
            message="assigns it before any read",
        ),
        # an attribute of an object built by another call is not a read of the option
        Invalid(
            "import argparse, submitit\np = argparse.ArgumentParser()\n"
            "p.add_argument('--local_rank', type=int)\nargs = p.parse_args()\n"
            "env = submitit.JobEnvironment()\ngpu = env.local_rank\n",
            line=3,
            message="local_rank",
        ),
    )

    def check(self, project: Any) -> List[Finding]:
        """One finding per option that nothing reads."""
        index = flag_index(project)
        launch: Mapping[str, str] = getattr(project, "launch", {}) or {}
        launched: Optional[bool] = None
        findings: List[Finding] = []
        for path in index.paths:
            facts = index.facts[path]
            if not facts.get("options") and not facts.get("absl") and not facts.get("cli"):
                continue
            program = index.program(path)
            reads = index.reads_in(program)
            escapes = index.consumed_in(path, program)
            spread = set() if escapes else index.spread_reads(path, program)
            reads = reads | spread
            overwriters = {} if escapes else index.overwriters(program)
            injected = set(facts.get("injected", ()))
            unread: List[Tuple[str, str, List[int], str]] = []  # flag, kind, span, message
            for dest, display, *span, _default in facts.get("options", ()):
                if escapes or dest in injected:
                    continue
                overwrite = None
                if dest in reads and dest not in spread and dest in overwriters:
                    overwrite = index.overwritten(program, dest, overwriters[dest])
                if dest not in reads or overwrite:
                    if dest in LAUNCHER_OPTIONS:  # the launcher's contract, not a leftover
                        if reads_rank_from_env(index, program):
                            continue
                        if launched is None:
                            launched = started_by_launcher(launch)  # once a run
                        if launched:
                            continue
                    message = f"Command-line option `{display}` (dest `{dest}`) is never read"
                    if overwrite:
                        message += f": {overwrite} assigns it before any read"
                    unread.append((dest, "argparse", span, message))
            holders = facts.get("absl_holders", {})
            for name, function, *span, _default in facts.get("absl", ()):
                holder = holders.get(name)
                if holder is not None and index.is_referenced(holder):
                    continue
                if name not in reads and not escapes and "flag_values_dict" not in reads:
                    unread.append(
                        (name, "absl", span, f"absl flag `{name}` ({function}) is never read")
                    )
            for name, kind, *rest in facts.get("cli", ()):
                span, escaped, lines = rest[:4], rest[5], rest[6]
                if not escaped and not lines:
                    message = f"{kind} option `{name}` is never used by its command"
                    unread.append((name, kind, span, message))
            for name, kind, span, message in unread:
                experiment = is_experiment(index, name, "", project.settings)
                findings.append(
                    _finding(
                        self, path, span, message, flag=name, flagKind=kind, experiment=experiment
                    )
                )
        return findings


class DeadExperimentCode(ProjectRule):
    """
    ## What it does
    Checks for functions and classes defined at module level whose every reference in the
    project lies inside a dead arm: the body of an `if False:`, the `else` of an `if True:`
    (ML101), or the arm that a stale project constant never selects (ML102), in any module.

    ## Why is this bad?
    Code that is only reachable from dead experiments is dead too, but it hides better: it
    looks used. It keeps its imports alive, gets refactored along with the live code, and
    makes the old experiment look cheaper to keep than it is.

    ## Example
    ```python
    def legacy_head(n):
        return Linear(n, 10)

    if False:
        head = legacy_head(128)
    else:
        head = mlp_head(128)
    ```

    Use instead:
    ```python
    head = mlp_head(128)
    ```

    ## Notes
    References are matched by name across the project (a name read anywhere outside a dead
    arm, an attribute of that name, a string such as an `__all__` entry, or an import under
    another name keeps the definition alive), so a report means no live code mentions the
    name at all. Decorated definitions (registered, routed, fixtures...), dunder names and
    definitions that nothing references are never reported; references inside the
    definition itself (recursion) do not count.

    ## Fix
    Unsafe (`--unsafe-fixes`): deletes the function or class, and the imports that only it
    used. No code of the analysed project can reach it, but code outside it (another
    repository, a notebook, a pickled object) may import it by name. With `--fix
    --unsafe-fixes` the dead arms and the definitions only they used go in the same run.

    Before:
    ```python
    from heads import mlp_head
    from legacy import OldLinear


    def legacy_head(n):
        return OldLinear(n, 10)


    if False:
        head = legacy_head(128)
    else:
        head = mlp_head(128)
    ```

    After:
    ```python
    from heads import mlp_head


    head = mlp_head(128)
    ```
    """

    code = "ML106"
    name = "dead-experiment-code"
    message = "Only referenced from dead experiment arms"
    severity = Severity.WARNING
    tags = ("maintainability", "dead-code")
    VALID = (
        "def helper():\n    return 1\n\nif False:\n    helper()\nprint(helper())\n",
        "def unused():\n    return 1\n",
        "import functools\n@functools.lru_cache\ndef cached():\n    return 1\n\nif False:\n"
        "    cached()\n",
    )
    INVALID = (
        Invalid(
            "def legacy_head(n):\n    return n\n\nif False:\n    head = legacy_head(1)\n",
            line=1,
            message="legacy_head",
        ),
        Invalid(
            "USE_OLD = False\n\nclass OldLoss:\n    pass\n\nif USE_OLD:\n    loss = OldLoss()\n",
            line=3,
            message="OldLoss",
        ),
    )

    def check(self, project: Any) -> List[Finding]:
        """One finding per definition referenced only from dead arms."""
        index = flag_index(project)
        dead_by_file = index.dead_arms()
        live: set[str] = set()
        armed: Dict[str, List[Tuple[str, str]]] = {}
        for path in index.paths:
            facts = index.facts[path]
            live.update(facts.get("live", ()))
            for name, chains in facts.get("armed", {}).items():
                armed.setdefault(name, []).extend((path, chain) for chain in chains)
        findings: List[Finding] = []
        for path in index.paths:
            for name, span in index.facts[path].get("defs", {}).items():
                if name in live or name not in armed:
                    continue
                places = armed[name]
                reasons = [
                    _dead_because(chain, dead_by_file.get(where, {})) for where, chain in places
                ]
                if any(reason is None for reason in reasons):
                    continue
                files = sorted({os.path.basename(where) for where, _ in places})
                flags = sorted({r for r in reasons if r})
                message = (
                    f"`{name}` is only referenced inside dead arms "
                    f"({', '.join(files)}): it is dead experiment code"
                )
                properties: Dict[str, Any] = {"definition": name}
                if flags:
                    properties["flag"] = flags[0]
                    properties["flags"] = flags
                related = _dead_references(index, name, places)
                found = _finding(self, path, span, message, **properties)
                findings.append(replace(found, related=related))
        return findings


def _dead_references(
    index: FlagIndex, name: str, places: List[Tuple[str, str]]
) -> Tuple[RelatedLocation, ...]:
    """Where ``name`` is referenced, every place inside a dead arm (first per arm)."""
    related: List[RelatedLocation] = []
    message = f"reference to `{name}` in code that never runs"
    for where, chain in sorted(places):
        facts = index.facts[where]
        chains = facts.get("armed", {}).get(name, [])
        at = facts.get("armed_at", {}).get(name, [])
        number = chains.index(chain) if chain in chains else -1
        if number >= 0 and 2 * number + 1 < len(at) and at[2 * number]:
            line, column = at[2 * number], at[2 * number + 1]
            span = Span(line, column, line, column + len(name))
            related.append(RelatedLocation(where, span, message))
    related.sort(key=lambda r: (r.path, r.span.line, r.span.column))
    return tuple(related[:MAX_RELATED])


def _dead_because(chain: str, dead: Dict[str, str]) -> Optional[str]:
    """Why a reference in arm ``chain`` can never run: ``""`` for a literal test (ML101),
    the constant's name for a stale flag (ML102), ``None`` when it may run."""
    for key in chain.split("/"):
        if key.startswith("d"):
            return ""
        if key in dead:
            return dead[key]
    return None
