"""Glue versus algorithm: ML201 glue-heavy-module, ML202 glue-heavy-function,
ML203 pipeline-jungle, ML204 format-round-trip.

ML201 hosts the statement classifier (:mod:`mllint.glue`): it classifies every statement
during the shared walk and hands the per-file and per-function counts to the project stage
and ``mllint stats`` as facts. The other three rules read the same per-file state (the import
table, the enclosing function) through :func:`analysis_for`.
"""

from __future__ import annotations

import os
import re
import weakref
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from mllint import glue
from mllint.glue import ALGORITHM, GLUE, OTHER, Verdict, dotted_name, roles
from mllint.glue.persistence import persists
from mllint.glue.system import package_tallies
from mllint.locate import STATEMENT_TYPES
from mllint.memo import Memo
from mllint.model import Finding, Severity, Span
from mllint.rules.base import FileContext, FileRule, Invalid, ProjectRule, Valid
from mllint.walker import children as walker_children

MIN_MODULE_STATEMENTS = 20
"""ML201 stays quiet on modules with fewer glue + algorithm statements than this."""
MIN_FUNCTION_STATEMENTS = 6
"""ML202 stays quiet on functions with fewer glue + algorithm statements than this."""
MIN_PACKAGE_STATEMENTS = 100
"""ML205 stays quiet on packages with fewer glue + algorithm statements than this (five
modules' worth of ML201's minimum): a system-level figure needs a system."""
MIN_CHAIN_STEPS = 8
"""ML203: reshaping steps on one frame, in one chain or consecutive statements, to report."""

GLUE_FACTS = "ML201"
"""The facts key under which the per-file counts are stored (ML201 hosts the classifier)."""


@dataclass
class Counts:
    """Statements of each class in one scope."""

    glue: int = 0
    algorithm: int = 0
    other: int = 0

    def add(self, kind: str) -> None:
        """Count one statement of ``kind``."""
        setattr(self, kind, getattr(self, kind) + 1)

    @property
    def classified(self) -> int:
        """Glue plus algorithm statements."""
        return self.glue + self.algorithm

    def ratio(self) -> Optional[float]:
        """The glue ratio, ``None`` when nothing was glue or algorithm."""
        return glue.glue_ratio(self.glue, self.algorithm)


@dataclass
class _Scope:
    name: str
    node: cst.FunctionDef
    index: int = 0
    in_model: bool = False
    config_sets: int = 0
    """Statements that set a field of a config object to a constant (`hparams.lr = 0.1`)."""
    computes: int = 0
    """Algorithm statements that compute on model data (not only arithmetic on counts)."""
    persists: int = 0
    """Glue statements that read or write outside the process (files, checkpoints, trackers)."""
    class_role: Optional[Tuple[str, str]] = None
    """The role of the enclosing class when it is glue by design (a hook, an evaluator)."""
    counts: Counts = field(default_factory=Counts)
    locals: Set[str] = field(default_factory=set)
    versions: Dict[str, int] = field(default_factory=dict)
    """How many times each local name was assigned so far (ML203 tells `path` apart from a
    later `path = ...`)."""


class GlueAnalysis:
    """The per-file state the ML2xx rules share during one walk."""

    def __init__(
        self, options: glue.GlueOptions, memo: Optional[Memo] = None, path: str = ""
    ) -> None:
        self.options = options
        self.memo = memo
        self.path = roles.relative_path(path, options.root)
        self.names = glue.ModuleNames()
        self.classifier = glue.Classifier(self.names, glue.vocabulary())
        self.module = Counts()
        self.module_persists = 0
        """Statements of the module that read or write outside the process."""
        self.functions: List[_Scope] = []
        self.finished: Dict[int, Counts] = {}
        self.scopes: List[_Scope] = []
        self.qualname: List[str] = []
        """Plain names of the enclosing classes and functions, outermost first."""
        self.model_classes: List[bool] = []
        self.class_roles: List[Optional[Tuple[str, str]]] = []
        self.model_class: Optional[str] = None
        self.algorithm_function: Optional[str] = None
        self.script = ""
        """Why the module is a script (empty when it is not one)."""
        self._role: Optional[Tuple[str, str]] = None
        self.record: Optional[List[Tuple[cst.CSTNode, int, Verdict]]] = None

    def function_id(self) -> int:
        """Identity of the innermost enclosing function (0 at module level)."""
        return id(self.scopes[-1].node) if self.scopes else 0

    def is_local(self, name: str) -> bool:
        """Whether ``name`` is a parameter or an assigned name of the enclosing function."""
        return bool(self.scopes) and name in self.scopes[-1].locals

    def classify(self, node: cst.CSTNode, index: int) -> None:
        """Classify one statement and count it in its module and function."""
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            self._imports(node)
        verdict = self._verdict(node)
        if self.scopes:
            self._note_locals(node)
        self.module.add(verdict.kind)
        io = persists(verdict)
        self.module_persists += io
        if self.scopes:
            scope = self.scopes[-1]
            scope.counts.add(verdict.kind)
            scope.persists += io
            if verdict.reason == glue.CONFIG_FIELD:
                scope.config_sets += 1
            if verdict.computes:
                scope.computes += 1
        if self.record is not None:
            self.record.append((node, index, verdict))

    def _verdict(self, node: cst.CSTNode) -> Verdict:
        """The classifier's verdict on ``node``; with a memo, the verdict an earlier walk of
        the buffer gave the same node at the same import table, and the table it left."""
        memo = self.memo
        if memo is None:
            return self.classifier.statement(node)
        names, vocab = self.names, self.classifier.vocab
        before = names.snapshot()
        hit = memo.get("glue", node, before)
        if hit is not None and hit[2] is vocab:
            verdict, after, _ = hit
            if after is not before:
                names.restore(after)
            return verdict  # type: ignore[no-any-return]
        verdict = self.classifier.statement(node)
        memo.put("glue", node, (verdict, names.snapshot(), vocab), before)
        return verdict

    def _imports(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node, cst.Import):
            self.names.add_import(node)
        else:
            self.names.add_import_from(node)

    def _note_locals(self, node: cst.CSTNode) -> None:
        targets: List[cst.BaseExpression] = []
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.For)):
            targets = [node.target]
        elif isinstance(node, cst.With):
            targets = [i.asname.name for i in node.items if i.asname is not None]
        scope = self.scopes[-1]
        for target in targets:
            for name in _names_in(target):
                scope.locals.add(name)
                scope.versions[name] = scope.versions.get(name, 0) + 1

    def enter_class(self, node: cst.ClassDef) -> None:
        """A class body starts: note whether it is a model (evidence of an algorithm module)."""
        self.qualname.append(node.name.value)
        self.classifier.enter_class(node)
        model = glue.MODEL_CLASS in self.names.bound
        self.model_classes.append(model)
        if model and self.model_class is None:
            self.model_class = self.names.bound[node.name.value][1].split(": ", 1)[-1]
        self.class_roles.append(None if model else roles.class_role(node))

    def leave_class(self, node: cst.ClassDef) -> None:
        """A class body ended."""
        self.qualname.pop()
        self.model_classes.pop()
        self.class_roles.pop()
        self.classifier.leave_class(node)

    def enter_function(self, node: cst.FunctionDef, index: int) -> None:
        """A function's body starts: count its statements on their own."""
        # plain names only: joining already-qualified names doubles the length per level
        self.qualname.append(node.name.value)
        self.classifier.enter_function(node)
        in_model = bool(self.model_classes) and self.model_classes[-1]
        scope = _Scope(".".join(self.qualname), node, index=index, in_model=in_model)
        if self.class_roles and len(self.qualname) >= 2:
            scope.class_role = self.class_roles[-1]
        for param in _parameters(node.params):
            scope.locals.add(param)
        self.scopes.append(scope)

    def leave_function(self, node: cst.FunctionDef) -> None:
        """A function's body ended: keep its counts."""
        scope = self.scopes.pop()
        if (
            self.algorithm_function is None
            and len(self.qualname) == 1
            and scope.computes
            and roles.algorithm_name(node.name.value, strong=True)
        ):
            # evidence of an algorithm module: a loss or a step by name that computes
            self.algorithm_function = node.name.value
        self.qualname.pop()
        self.classifier.leave_function(node)
        self.functions.append(scope)
        self.finished[id(node)] = scope.counts

    def role(self) -> Tuple[str, str]:
        """``(role, reason)`` of the module (once the walk is over)."""
        if self._role is None:
            self._role = roles.module_role(
                self.path,
                self.options.roles,
                self.model_class,
                self.algorithm_function,
                self.script,
            )
        return self._role

    def function_role(self, scope: _Scope) -> Tuple[str, str]:
        """``(role, reason)`` of a finished function."""
        if scope.config_sets * 2 >= max(scope.counts.glue, 1) and not scope.in_model:
            return "config", "builds a config object (sets its fields to constants)"
        if scope.class_role is not None and self.role()[0] != "test":
            return scope.class_role
        command = roles.command_decorator(scope.node)
        if command is not None:
            return "cli", f"a command-line entry point (`@{command}`)"
        role = roles.function_role(scope.node.name.value, scope.in_model, self.role()[0])
        if role[0] == roles.ALGORITHM_ROLE and not scope.computes and scope.counts.glue:
            # glue inside algorithm code needs algorithm code: an `evaluate` that only hands
            # predictions to a metric library, or a loop that only calls other steps, is a
            # driver or an adapter
            return "adapter", (
                f"{role[1]}, but computes nothing on model data itself: a driver or an adapter"
            )
        return role

    def facts(self) -> Dict[str, Any]:
        """The counts as JSON data: the module's and each function's, with their roles."""
        module = self.module
        return {
            "glue": module.glue,
            "algorithm": module.algorithm,
            "other": module.other,
            "role": list(self.role()),
            "functions": [
                [
                    s.name,
                    s.counts.glue,
                    s.counts.algorithm,
                    s.counts.other,
                    self.function_role(s)[0],
                ]
                for s in self.functions
            ],
        }


def _parameters(params: cst.Parameters) -> List[str]:
    found = [p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            found.append(star.name.value)
    return found


def _names_in(node: cst.BaseExpression) -> List[str]:
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for e in node.elements for n in _names_in(e.value)]
    if isinstance(node, cst.StarredElement):
        return _names_in(node.value)
    return []


_ANALYSES: weakref.WeakKeyDictionary[FileContext, GlueAnalysis] = weakref.WeakKeyDictionary()


def analysis_for(context: FileContext) -> GlueAnalysis:
    """The shared glue state of the file being walked (created on first use)."""
    analysis = _ANALYSES.get(context)
    if analysis is None:
        analysis = _ANALYSES[context] = GlueAnalysis(
            glue.active_options(), context.memo, context.path
        )
    return analysis


def _is_main_guard(node: cst.If) -> bool:
    """``if __name__ == "__main__":``."""
    test = node.test
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    sides = [test.left, test.comparisons[0].comparator]
    names = [s.value for s in sides if isinstance(s, cst.Name)]
    strings = [s.evaluated_value for s in sides if isinstance(s, cst.SimpleString)]
    return names == ["__name__"] and strings == ["__main__"]


_PARSING_METHODS = frozenset({"parse_args", "parse_known_args"})


def _parses_arguments(node: cst.Assign | cst.Expr) -> bool:
    """``args = parser.parse_args()`` at module level: a script without a ``__main__`` guard."""
    value = node.value
    return (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value in _PARSING_METHODS
    )


def _percent(ratio: Optional[float]) -> str:
    return "n/a" if ratio is None else f"{ratio:.0%}"


class GlueHeavyModule(FileRule):
    """
    ## What it does
    Classifies every statement of a module as glue (moves or converts data: I/O,
    (de)serialisation, type and format conversion, dataframe reshaping, logging, argument and
    config plumbing, paths), algorithm (computes on model data: array and tensor math, model
    and loss calls, gradients, optimizer steps) or other (imports, definitions, control flow),
    and reports **algorithm modules** whose glue ratio, `glue / (glue + algorithm)`, exceeds
    `glue-threshold` (default 0.8).

    Statements are classified by the kind of value they handle, followed through a small
    local dataflow: tensors, arrays, models and losses are algorithm data (a name bound from
    `torch.*`/`np.*`, a model class, a parameter annotated `Tensor`, an attribute bound in
    `__init__`, the inputs of a model's `forward`), paths, strings and records glue data.
    `buffer.sample()`, `ema.update(model)`, `outs.append(logits)`, `x.to(device)`,
    `self.register_buffer(...)`, `self.fc = fc` in a constructor and `self.actor(obs)` are not
    glue.

    A module's role decides whether it is reported: configs, tests, loggers and monitors,
    dataset builders and readers, downloaders and checkpoint I/O, utilities and CLI scripts are
    glue by design (`mllint stats --explain` shows the role and why). An algorithm module
    defines a model (a subclass of a modelling class such as `nn.Module`, or a class with
    `forward`/`call`) or a module-level loss, training step or sampler that computes (a
    `_add_gradient_scope` that only renames strings is no evidence). The `glue-roles`
    setting assigns roles by glob.

    ## Why is this bad?
    Sculley et al. estimate that in mature ML systems only a small fraction of the code is ML;
    the rest is glue that wires general-purpose packages together. Glue freezes a system to the
    peculiarities of the packages it wraps and hides the few lines that matter. A module that
    is almost all glue is a candidate for a common API, a shared loader, or deletion.

    ## Example
    ```python
    import json, logging, os
    import pandas as pd
    logger = logging.getLogger(__name__)
    def export(path, out):
        frame = pd.read_csv(path)
        frame = frame.rename(columns=str.lower)
        frame = frame.dropna()
        frame = frame.astype({"price": "float32"})
        records = frame.to_dict("records")
        payload = json.dumps(records)
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "export.json"), "w") as fh:
            fh.write(payload)
        logger.info("wrote %d records", len(records))
        # ... twenty more statements like these, and one line of maths
    ```

    Use instead:
    ```python
    # keep the maths and the plumbing apart: one shared, tested loader/exporter for the
    # project, and modules that are mostly the computation they are named after
    ```

    ## Notes
    As for ML202, a module is reported only when its counted code reads or writes outside
    the process (files, checkpoints, exports, experiment trackers): a model module whose glue
    is conversions and bookkeeping only is not.
    The statements of its glue-by-design functions (argument parsers, loaders, savers,
    loggers, config builders, constructors) are left out of the module's ratio. Modules with
    fewer than 20 glue + algorithm statements left are not reported, so small helper
    modules stay quiet. Roles from the path: `tests/`, `test_*.py` (test); `config*.py`,
    `configs/` (config); `log*.py`, `*logger.py`, `*monitor.py`, `callbacks.py`, `plot*.py`
    (logging); `data/`, `datasets.py`, `*loader.py`, `*reader.py`, `*tokenizer.py`,
    `*transforms.py` (data); `download*.py`, `*hub.py`, `*checkpoint.py`, `save*.py`,
    `load*.py` (io); `main*.py`, `run*.py`, `launch*.py`, `scripts/`, `tools/`, `examples/`
    (cli); `utils.py`, `misc.py`, `*helpers.py`, `*distributed.py` (utility). A module with
    an `if __name__ == "__main__":` guard and no model is a cli script. The finding is placed
    at line 1; silence it with `# noqa: ML201` on
    line 1 or `# mllint: noqa: ML201` anywhere in the file. `mllint stats --explain FILE`
    shows each statement's class and the reason, and the `glue-modules` /
    `algorithm-modules` settings extend the vocabulary (see the README).
    """

    code = "ML201"
    name = "glue-heavy-module"
    message = "Module is mostly glue code"
    severity = Severity.NOTE
    tags = ("maintainability", "glue-code")
    preview = True
    VALID = (
        "import numpy as np\n"
        + "".join(f"x{i} = np.mean(a) * {i}\n" for i in range(25))
        + "".join(f'print("step {i}")\n' for i in range(5)),
        "import json\n" + "".join(f"d{i} = json.loads(s)\n" for i in range(10)),
        # a reader is glue by design: no model, no loss, no step
        "import json\nimport numpy as np\n"
        + "".join(f"d{i} = json.load(open(p{i}))\n" for i in range(24))
        + "y = np.mean(x)\n",
        # a model module whose glue is conversions and bookkeeping only: no file, checkpoint or
        # tracker I/O in-line, so the glue is the computation's own interface
        "import json\nimport numpy as np\nfrom torch import nn\n"
        "class Net(nn.Module):\n    def forward(self, x):\n        return x * 2\n"
        + "".join(f"d{i} = json.loads(s{i})\n" for i in range(24))
        + "y = np.mean(x)\n",
    )
    INVALID = (
        Invalid(
            "import json\nimport numpy as np\nfrom torch import nn\n"
            "class Net(nn.Module):\n    def forward(self, x):\n        return x * 2\n"
            + "".join(f"d{i} = json.load(open(p{i}))\n" for i in range(24))
            + "y = np.mean(x)\n",
            line=1,
            message="92% glue",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.analysis = analysis_for(context)

    def _statement(self, node: cst.CSTNode) -> None:
        index = self.context.walker.statement_index
        self.analysis.classify(node, index)
        if isinstance(node, cst.FunctionDef):
            self.analysis.enter_function(node, index)
        elif isinstance(node, cst.ClassDef):
            self.analysis.enter_class(node)
        elif not self.analysis.scopes:
            if isinstance(node, cst.If) and _is_main_guard(node):
                self.analysis.script = 'has an `if __name__ == "__main__":` guard'
            elif isinstance(node, (cst.Assign, cst.Expr)) and _parses_arguments(node):
                self.analysis.script = "parses its command line at module level"

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.analysis.leave_function(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.analysis.leave_class(node)

    def leave_Module(self, node: cst.Module) -> None:
        analysis = self.analysis
        counts = Counts(analysis.module.glue, analysis.module.algorithm, analysis.module.other)
        io = analysis.module_persists
        for scope in analysis.functions:  # glue-by-design functions are not the module's debt
            if analysis.function_role(scope)[0] in roles.GLUE_ROLES:
                counts.glue -= scope.counts.glue
                counts.algorithm -= scope.counts.algorithm
                io -= scope.persists
        ratio = counts.ratio()
        threshold = self.analysis.options.threshold
        if ratio is None or counts.classified < MIN_MODULE_STATEMENTS or ratio <= threshold:
            return
        if not io:
            return  # conversions and bookkeeping only: the computation's own interface
        role, why = self.analysis.role()
        if role != roles.ALGORITHM_ROLE:
            return  # a config, a test, a logger, a reader, a CLI: glue by design
        self.context.report_file(
            self,
            f"Algorithm module is {_percent(ratio)} glue ({counts.glue} glue, "
            f"{counts.algorithm} algorithm statements; threshold {threshold:.0%}; {why})",
            properties={"glueRatio": round(ratio, 4), "glue": counts.glue, "role": role},
        )

    def facts(self) -> Any:
        return self.analysis.facts()


# Every concrete statement class feeds the classifier (LazyImport, TypeAlias, ... included
# where the installed LibCST has them).
for _name in dir(cst):
    _cls = getattr(cst, _name)
    if (
        isinstance(_cls, type)
        and issubclass(_cls, STATEMENT_TYPES)
        and not _name.startswith("Base")
        and not getattr(_cls, "__abstractmethods__", None)
    ):
        setattr(GlueHeavyModule, f"visit_{_name}", GlueHeavyModule._statement)


class GlueHeavyFunction(FileRule):
    """
    ## What it does
    Reports **algorithm functions** (a model's methods, a loss, a training or evaluation step,
    an optimiser's update, a sampler) whose own statements (nested functions count on their
    own) have a glue ratio above `glue-threshold` (default 0.8) **and read or write outside
    the process in-line**: files, checkpoints, exports, downloads, experiment trackers
    (`open`, `json.dump`, `torch.save`, `np.savez`, `Image.save`, `tf.summary.scalar`,
    `writer.add_scalar`, `wandb.log`, calls of your `glue-modules`). The message says how many
    of the glue statements are such I/O.

    ## Why is this bad?
    An evaluation step that also restores checkpoints, writes summaries, dumps three JSON
    files and exports the model is where ML systems accumulate debt: every new data source or
    output format adds another layer, and the few lines of real work are hard to find and to
    test.

    ## Example
    ```python
    def evaluate(model, loader, out_dir, step):
        accuracy = (model(loader.x).argmax(1) == loader.y).float().mean()
        summary = {"step": step, "accuracy": float(accuracy)}
        logger.info("evaluating step %d", step)
        path = os.path.join(out_dir, f"eval_{step}.json")
        with open(path, "w") as fh:
            json.dump(summary, fh)
        shutil.copy(path, os.path.join(out_dir, "latest.json"))
        return summary
    ```

    Use instead:
    ```python
    def evaluate(model, loader):
        return (model(loader.x).argmax(1) == loader.y).float().mean()  # the computation

    write_report(evaluate(model, loader), out_dir, step)  # the plumbing, once, elsewhere
    ```

    ## Notes
    A function's role comes from its name and its class: a method of a model class, or a
    name with a word such as `forward`, `loss`, `train`, `step`, `update`, `sample`,
    `evaluate`, `predict`, `policy`, `gradient` is algorithm. Glue by design, never reported:
    `main`, `parse_args`, argument-parser builders, `launch_*` launchers (cli), `load_*`,
    `save_*`, `convert_*`, `*checkpoint*`, `download*`, functions about files and paths
    (io), `log_*`, `print*`, `on_*` callbacks (logging), `*config*`, `setup*` (config),
    `*dataset*`, `*loader*`, `collate*` (data),
    distributed set-up (runtime), constructors and dunder methods (wiring), the methods of a
    class whose base is a `*Hook`, `*Callback`, `*Logger`, `*Writer`, `*Monitor` (logging) or
    `*Evaluator` (adapter of predictions to a metric library), tests, and every
    function of a module whose role is glue by design (except the methods of a model defined
    there, except in an export or checkpoint module: a wrapper for export). A script's (cli
    module's) training and evaluation steps are still reported.

    Conversions and bookkeeping alone are not reported: an evaluation loop that collects
    predictions, calls `.item()`, fills a result dict and prints it has a high glue ratio, but
    on real research code that was the computation's own interface, with nothing to pull out
    (read finding by finding in `bench/truth/`). Console output (`print`, `logger.info`) is
    not I/O here; a summary writer or tracker is.

    Glue inside algorithm code needs algorithm code, so two more shapes are glue by design:
    a function that computes nothing on model data itself (no model or loss call, no tensor
    or array operation: only glue, calls of other functions and arithmetic on counts) is a
    driver or an adapter (role `adapter`), such as an `evaluate` that converts predictions
    for a metric library and calls it, or a loop that only calls the real steps; and in a
    module that defines no model, loss or training step (role `general`), a weak name
    (`evaluate`, `predict`, `update`, `step`, `sample`, `generate`) is not evidence enough:
    an evaluator's helpers, a tracker's `update`, an eval driver. Strong names (`loss`,
    `forward`, `train`, `gradient`, `attention`, `sampler`) still are. Functions named
    `register_*` and factories of functions (`get_decoupled_loss_fn`, `make_step_fn`) are
    wiring, `get_input`/`prepare_inputs` data.
    A function decorated as a command (`@click.command()`, `@cli.command()`, typer's
    `@app.command()`, `@click.group()`, `@hydra.main(...)`) is a command-line entry point
    (cli) whatever its name says (`generate_style_mix` of a demo script loads a pickle, saves
    images and pastes a grid around a few generator calls: that is its job). Arithmetic on
    counts and clocks computes no model data, and neither does what it yields, nor
    arithmetic on what a step called by name hands back (`loss = train_epoch(...)`, then
    `ppl = math.exp(min(loss, 100))` or `best = min(best, loss)`: a driver's bookkeeping);
    `math.*` works on Python numbers like an operator. A driver's
    `steps_per_sec = steps / (time.time() - start)` then `eta = remaining / steps_per_sec`
    leaves it a driver, and a graph-naming context (`tf.name_scope`, `tf.variable_scope`,
    `jax.named_scope`) or `tf.device` is neither glue nor algorithm.
    A branch on a setting read by key (`if config["inference"] == "rank":`,
    `if cfg.get("drop", True):`) is control flow, as it is when the setting is an attribute;
    a call of a step or a loss by its name (`training_step(...)`, `jit_eval_step(...)`,
    `compute_loss(...)`) is algorithm, as calling `model` is, and so is collecting what it
    returns, but it hands the work on: a loop whose only algorithm statements are such calls
    is still a driver; `sum`, `min`, `max`, `abs`, `round` are arithmetic like operators, so
    counting parameters (`sum(p.numel() for p in model.parameters())`) or keeping the best
    metric (`best = max(best, acc)`) is no computation on model data either; and a meter
    (`AverageMeter()`) whose value the function returns (`return start.avg`) is the running
    statistic the function computes, not logging (a meter that is only printed or written out
    stays glue).
    Functions with fewer than 6 glue + algorithm statements are not reported, so small
    helpers stay quiet. Reported at the `def` line.
    """

    code = "ML202"
    name = "glue-heavy-function"
    message = "Function is mostly glue code"
    severity = Severity.NOTE
    tags = ("maintainability", "glue-code")
    preview = True
    VALID = (
        "def f(x):\n    return str(x)\n",
        "import torch\ndef train(model, loader, opt):\n"
        "    for x, y in loader:\n"
        "        out = model(x)\n"
        "        loss = torch.nn.functional.cross_entropy(out, y)\n"
        "        opt.zero_grad()\n"
        "        loss.backward()\n"
        "        opt.step()\n"
        "        total = loss.item()\n"
        "        print(total)\n"
        "    return model\n",
        # method names are not meaning: a replay buffer's sample(), an EMA's update(),
        # collecting tensors, moving to a device and a model called through an attribute
        "import torch\nclass DDPG:\n"
        "    def train_step(self, batch_size):\n"
        "        batch = self.buffer.sample(batch_size)\n"
        "        obs = batch.obs.to(self.device)\n"
        "        act = self.actor(obs)\n"
        "        q = self.critic(obs, act)\n"
        "        losses = []\n"
        "        losses.append(q)\n"
        "        self.ema.update(self.actor)\n"
        "        self.stats.update(q)\n"
        "        return torch.stack(losses).mean()\n",
        # constructor wiring and buffers are not glue; a factory's dict(...) kwargs neither
        "import torch\nfrom torch import nn\nclass Policy(nn.Module):\n"
        "    def __init__(self, obs_dim, act_dim, hidden, device, name, cfg):\n"
        "        super().__init__()\n"
        "        self.obs_dim = obs_dim\n"
        "        self.act_dim = act_dim\n"
        "        self.hidden = hidden\n"
        "        self.device = device\n"
        "        self.name = name\n"
        "        self.register_buffer('mean', torch.zeros(obs_dim))\n"
        "        self.net = MLP(obs_dim, act_dim, **dict(cfg.net))\n"
        "    def forward(self, obs):\n"
        "        x = obs.to(self.mean.device)\n"
        "        return self.net(x - self.mean)\n",
        # glue by design: an argument parser, a checkpoint loader, a logger's method
        "import argparse\ndef parse_args():\n"
        "    p = argparse.ArgumentParser()\n"
        + "".join(f"    p.add_argument('--a{i}')\n" for i in range(8))
        + "    return p.parse_args()\n",
        # a hook, a callback, a logger or an evaluator is glue by design, whatever its names
        "import json, os\nclass TraceHook(HookBase):\n"
        "    def after_step(self):\n"
        "        out = os.path.join(self.out_dir, f'trace-{self.iter}.json')\n"
        "        os.makedirs(self.out_dir, exist_ok=True)\n"
        "        text = json.dumps(self.trace)\n"
        "        open(out, 'w').write(text)\n"
        "        print(out)\n"
        "        self.log.info(text)\n",
        "import torch, os, json\ndef load_checkpoint(model, path):\n"
        "    state = torch.load(path)\n"
        "    meta = json.load(open(path + '.json'))\n"
        "    print(meta)\n"
        "    name = meta['name']\n"
        "    os.makedirs(name, exist_ok=True)\n"
        "    model.load_state_dict(state['model'])\n",
        # an evaluator's adapter: predictions converted for a metric library (COCO), in a
        # module with no model, loss or training step
        "import json, os\nfrom pycocotools.cocoeval import COCOeval\n"
        "def evaluate_predictions(coco_gt, predictions, out_dir):\n"
        "    results = [{'image_id': p['id'], 'bbox': p['box']} for p in predictions]\n"
        "    path = os.path.join(out_dir, 'results.json')\n"
        "    with open(path, 'w') as fh:\n"
        "        json.dump(results, fh)\n"
        "    coco_dt = coco_gt.loadRes(path)\n"
        "    coco_eval = COCOeval(coco_gt, coco_dt, 'bbox')\n"
        "    coco_eval.evaluate()\n"
        "    return {'AP': coco_eval.stats[0]}\n",
        # a driver that computes nothing itself: it logs, checks and calls the real steps,
        # even beside a training step
        "import logging\nlogger = logging.getLogger()\n"
        "def train_one_epoch(model, loader, opt):\n"
        "    for x, y in loader:\n"
        "        model(x, y).backward()\n"
        "        opt.step()\n"
        "def zero_shot_eval(model, data, epoch, args):\n"
        "    if 'imagenet-val' not in data:\n"
        "        return {}\n"
        "    logger.info('Starting zero-shot imagenet.')\n"
        "    logger.info('Building zero-shot classifier')\n"
        "    classifier = build_classifier(model, args.classnames)\n"
        "    top1 = run(model, classifier, data['imagenet-val'].dataloader, args)\n"
        "    logger.info(f'top1 {top1}')\n"
        "    results = {'imagenet-zeroshot-val-top1': top1}\n"
        "    logger.info('Finished zero-shot imagenet.')\n"
        "    return results\n",
        # a dataset registration, whatever words its name holds
        "import os\ndef register_all_coco_train_points(root):\n"
        "    for key, (image_root, json_file) in SPLITS.items():\n"
        "        name = f'{key}_points'\n"
        "        path = os.path.join(root, json_file)\n"
        "        images = os.path.join(root, image_root)\n"
        "        meta = {'name': name, 'json_file': path, 'image_root': images}\n"
        "        print(meta)\n"
        "        CATALOG.register(name, meta)\n",
        # a command of a demo script, whatever its name
        "import click, os, pickle, numpy as np, torch, PIL.Image\n"
        "@click.command()\n@click.option('--network', required=True)\n"
        "@click.option('--outdir', required=True)\n"
        "def generate_style_mix(network, seeds, psi, outdir):\n"
        "    print('Loading networks from %s...' % network)\n"
        "    device = torch.device('cuda')\n"
        "    with open(network, 'rb') as f:\n"
        "        G = pickle.load(f)['G_ema'].to(device)\n"
        "    os.makedirs(outdir, exist_ok=True)\n"
        "    print('Generating W vectors...')\n"
        "    all_z = np.stack([np.random.RandomState(s).randn(G.z_dim) for s in seeds])\n"
        "    all_w = G.mapping(torch.from_numpy(all_z).to(device), None)\n"
        "    all_w = G.mapping.w_avg + (all_w - G.mapping.w_avg) * psi\n"
        "    images = G.synthesis(all_w).cpu().numpy()\n"
        "    print('Saving images...')\n"
        "    for seed, image in zip(seeds, list(images)):\n"
        "        path = os.path.join(outdir, f'{seed}.png')\n"
        "        PIL.Image.fromarray(image, 'RGB').save(path)\n"
        "        print(f'saved {path}')\n"
        "    canvas = PIL.Image.new('RGB', (256, 256), 'black')\n"
        "    canvas.save(os.path.join(outdir, 'grid.png'))\n"
        "    print('done')\n"
        "if __name__ == '__main__':\n    generate_style_mix()\n",
        # a launcher: it picks the run folder, writes the options and spawns the workers
        "import json, os, re\nimport torch\n"
        "def launch_training(c, desc, outdir, dry_run):\n"
        "    prev_run_dirs = []\n"
        "    if os.path.isdir(outdir):\n"
        "        prev_run_dirs = [x for x in os.listdir(outdir)]\n"
        "    prev_run_ids = [re.match(r'^\\d+', x) for x in prev_run_dirs]\n"
        "    prev_run_ids = [int(x.group()) for x in prev_run_ids if x is not None]\n"
        "    cur_run_id = max(prev_run_ids, default=-1) + 1\n"
        "    c.run_dir = os.path.join(outdir, f'{cur_run_id:05d}-{desc}')\n"
        "    print(json.dumps(c, indent=2))\n"
        "    print(f'Output directory:    {c.run_dir}')\n"
        "    if dry_run:\n"
        "        print('Dry run; exiting.')\n"
        "        return\n"
        "    os.makedirs(c.run_dir)\n"
        "    with open(os.path.join(c.run_dir, 'training_options.json'), 'wt') as f:\n"
        "        json.dump(c, f, indent=2)\n"
        "    torch.multiprocessing.spawn(fn=subprocess_fn, args=(c,), nprocs=c.num_gpus)\n"
        "if __name__ == '__main__':\n    launch_training(cfg, 'x', 'out', False)\n",
        # a training driver: its only arithmetic is on steps and the clock
        "import time, logging\nimport tensorflow as tf\n"
        "def perform_training(trainer, train_steps, steps_per_loop, writer):\n"
        "    step = trainer.optimizer.iterations.numpy()\n"
        "    start = time.time()\n"
        "    while step < train_steps:\n"
        "        trainer.train_steps(steps_per_loop)\n"
        "        step = trainer.optimizer.iterations.numpy()\n"
        "        trainer.checkpoint_manager.save(step)\n"
        "        steps_per_sec = steps_per_loop / (time.time() - start)\n"
        "        start = time.time()\n"
        "        with tf.name_scope('train'):\n"
        "            tf.summary.scalar('steps_per_sec', steps_per_sec, step)\n"
        "            for name, metric in trainer.metrics.items():\n"
        "                tf.summary.scalar(name, metric.result().numpy(), step)\n"
        "            tf.summary.scalar('learning_rate', trainer.lr(step), step)\n"
        "        writer.flush()\n"
        "        trainer.reset()\n"
        "        eta = (train_steps - step) / steps_per_sec / 60.0\n"
        "        logging.info('step %d, ETA %.2f mins', step, eta)\n"
        "    logging.info('Training complete...')\n"
        "    logging.info('Checkpoints in %s', trainer.model_dir)\n"
        "if __name__ == '__main__':\n    perform_training(Trainer(), 100, 10, writer)\n",
        # a metric: the meters whose averages it returns are its computation, not logging
        "import torch\n"
        "from utils import AverageMeter\n"
        "def eval_accuracies(pred_s, target_s, pred_e, target_e):\n"
        "    if torch.is_tensor(target_s):\n"
        "        target_s = [[e.item()] for e in target_s]\n"
        "        target_e = [[e.item()] for e in target_e]\n"
        "    start = AverageMeter()\n"
        "    end = AverageMeter()\n"
        "    both = AverageMeter()\n"
        "    for i in range(len(pred_s)):\n"
        "        start.update(pred_s[i] in target_s[i])\n"
        "        end.update(pred_e[i] in target_e[i])\n"
        "        both.update(pred_s[i] in target_s[i] and pred_e[i] in target_e[i])\n"
        "    return start.avg, end.avg, both.avg\n"
        "if __name__ == '__main__':\n"
        "    main()\n",
        # an inference loop: a branch on a setting read by key is control flow, as it is
        # when the setting is an attribute
        "import torch\n"
        "def evaluation(model, data_loader, device, config):\n"
        "    model.eval()\n"
        "    metric_logger = MetricLogger(delimiter='  ')\n"
        "    result = []\n"
        "    if config['inference'] == 'rank':\n"
        "        answer_list = data_loader.dataset.answer_list\n"
        "        candidates = model.tokenizer(answer_list, return_tensors='pt').to(device)\n"
        "        candidates.input_ids[:, 0] = model.tokenizer.bos_token_id\n"
        "    for image, question, question_id in metric_logger.log_every(data_loader, 50):\n"
        "        if config['inference'] == 'generate':\n"
        "            answers = model(image, question, inference='generate')\n"
        "            for answer, ques_id in zip(answers, question_id):\n"
        "                result.append({'question_id': int(ques_id.item()), 'answer': answer})\n"
        "        elif config['inference'] == 'rank':\n"
        "            answer_ids = model(image, question, candidates, k=config['k_test'])\n"
        "            for ques_id, answer_id in zip(question_id, answer_ids):\n"
        "                answer = answer_list[answer_id]\n"
        "                result.append({'question_id': int(ques_id.item()), 'answer': answer})\n"
        "    return result\n"
        "if __name__ == '__main__':\n"
        "    main()\n",
        # a run's driver: counting parameters and keeping the best metric is arithmetic on
        # counts, not computation on model data, so the epoch calls leave it a driver
        "import json, logging, os, torch\n"
        "logger = logging.getLogger()\n"
        "def train(cfg, model, loaders, optimizer):\n"
        "    n_parameters = sum(p.numel() for p in model.parameters() if p.requires_grad)\n"
        "    logger.info(f'number of params: {n_parameters}')\n"
        "    best = 0.0\n"
        "    logger.info(f'output: {cfg.output}')\n"
        "    logger.info(f'epochs: {cfg.epochs}')\n"
        "    os.makedirs(cfg.output, exist_ok=True)\n"
        "    for epoch in range(cfg.epochs):\n"
        "        train_one_epoch(model, loaders['train'], optimizer, epoch)\n"
        "        acc = validate(model, loaders['val'])\n"
        "        best = max(best, acc)\n"
        "        logger.info(f'epoch {epoch}: acc {acc:.2f}, best {best:.2f}')\n"
        "        with open(os.path.join(cfg.output, 'log.txt'), 'a') as f:\n"
        "            f.write(json.dumps({'epoch': epoch, 'acc': acc}) + '\\n')\n"
        "        logger.info(f'saving epoch {epoch}')\n"
        "        torch.save(model.state_dict(), os.path.join(cfg.output, f'ckpt_{epoch}.pth'))\n"
        "if __name__ == '__main__':\n"
        "    train(cfg, model, loaders, optimizer)\n",
        # a training driver: calling `training_step(...)` by its name is the step itself
        "import os\n"
        "from torch.utils.data import DataLoader, DistributedSampler\n"
        "def train_loop(H, data_train, model, optimizer, scheduler, logprint):\n"
        "    sampler = DistributedSampler(data_train)\n"
        "    stats = []\n"
        "    for epoch in range(H.num_epochs):\n"
        "        sampler.set_epoch(epoch)\n"
        "        for x in DataLoader(data_train, batch_size=H.n_batch, sampler=sampler):\n"
        "            stats.append(training_step(H, x, model, optimizer))\n"
        "            scheduler.step()\n"
        "            if len(stats) % H.iters_per_save == 0:\n"
        "                path = os.path.join(H.save_dir, 'latest')\n"
        "                logprint(f'Saving model to {path}')\n"
        "                save_model(path, model, optimizer)\n"
        "if __name__ == '__main__':\n"
        "    main()\n",
        # an epoch driver: the perplexity and the best loss come from what `train_epoch`
        # hands back, so the CSV log and the checkpoint are the driver's job
        "import math, os, torch\n"
        "def train(model, training_data, validation_data, optimizer, opt):\n"
        "    log_train = open(os.path.join(opt.output_dir, 'train.log'), 'w')\n"
        "    log_train.write('epoch,loss,ppl,accuracy\\n')\n"
        "    valid_losses = []\n"
        "    for epoch_i in range(opt.epoch):\n"
        "        print('[ Epoch', epoch_i, ']')\n"
        "        train_loss, train_accu = train_epoch(model, training_data, optimizer, opt)\n"
        "        train_ppl = math.exp(min(train_loss, 100))\n"
        "        print_performances('Training', train_ppl, train_accu)\n"
        "        valid_loss, valid_accu = eval_epoch(model, validation_data, opt)\n"
        "        valid_ppl = math.exp(min(valid_loss, 100))\n"
        "        valid_losses += [valid_loss]\n"
        "        checkpoint = {'epoch': epoch_i, 'model': model.state_dict()}\n"
        "        if valid_loss <= min(valid_losses):\n"
        "            torch.save(checkpoint, os.path.join(opt.output_dir, 'model.chkpt'))\n"
        "            print('    - [Info] The checkpoint file has been updated.')\n"
        "        log_train.write(f'{epoch_i},{train_loss},{train_ppl},{train_accu}\\n')\n"
        "if __name__ == '__main__':\n"
        "    main()\n",
        # an inference loop whose glue is bookkeeping only (collecting answers into the
        # submission's records): no file, checkpoint or tracker I/O in-line
        "import torch\n"
        "def evaluation(model, data_loader, device):\n"
        "    model.eval()\n"
        "    result = []\n"
        "    for image, question, question_id in data_loader:\n"
        "        image = image.to(device, non_blocking=True)\n"
        "        answers = model(image, question, train=False)\n"
        "        for answer, ques_id in zip(answers, question_id):\n"
        "            ques_id = int(ques_id.item())\n"
        "            text = answer.strip().lower()\n"
        "            record = {'question_id': ques_id, 'answer': text}\n"
        "            result.append(record)\n"
        "            print(record)\n"
        "    return result\n"
        "if __name__ == '__main__':\n"
        "    main()\n",
    )
    INVALID = (
        Invalid(
            "import json, logging, os, shutil\nlogger = logging.getLogger()\n"
            "def train_one_epoch(model, loader, opt):\n"
            "    for x, y in loader:\n"
            "        model(x, y).backward()\n"
            "        opt.step()\n"
            "def evaluate(model, loader, out_dir, step):\n"
            "    accuracy = (model(loader.x).argmax(1) == loader.y).float().mean()\n"
            "    summary = {'step': step, 'accuracy': float(accuracy)}\n"
            "    logger.info('evaluating step %d', step)\n"
            "    path = os.path.join(out_dir, f'eval_{step}.json')\n"
            "    with open(path, 'w') as fh:\n"
            "        json.dump(summary, fh)\n"
            "    shutil.copy(path, os.path.join(out_dir, 'latest.json'))\n"
            "    return summary\n",
            line=7,
            message="`evaluate`",
        ),
        Invalid(
            "import json\nfrom torch import nn\nclass Net(nn.Module):\n"
            "    def forward(self, x):\n"
            "        meta = json.loads(self.meta_text)\n"
            "        name = meta['name']\n"
            "        print(f'forward {name}')\n"
            "        open('trace.txt', 'a').write(name)\n"
            "        self.log_file.write(json.dumps(meta))\n"
            "        return self.fc(x)\n",
            line=4,
            message="a method of a model class",
        ),
        # meters that are only logged and written out stay glue
        Invalid(
            "import json, os\nfrom utils import AverageMeter\n"
            "def evaluate(model, criterion, loader, out_dir):\n"
            "    losses = AverageMeter()\n"
            "    for x, y in loader:\n"
            "        logits = model(x)\n"
            "        losses.update(criterion(logits, y).item())\n"
            "    print(f'loss {losses.avg:.3f}')\n"
            "    path = os.path.join(out_dir, 'eval.json')\n"
            "    os.makedirs(out_dir, exist_ok=True)\n"
            "    with open(path, 'w') as fh:\n"
            "        json.dump({'loss': losses.avg}, fh)\n"
            "    return path\n"
            "if __name__ == '__main__':\n    evaluate(Net(), Loss(), [], 'out')\n",
            line=3,
            message="`evaluate`",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.analysis = analysis_for(context)

    def leave_Module(self, node: cst.Module) -> None:
        # reported once the module's role is known (a function inherits it)
        analysis = self.analysis
        threshold = analysis.options.threshold
        for scope in analysis.functions:
            counts = scope.counts
            ratio = counts.ratio()
            if counts.classified < MIN_FUNCTION_STATEMENTS or ratio is None or ratio <= threshold:
                continue
            if not scope.persists:
                continue  # conversions and bookkeeping only: the computation's own interface
            role, why = analysis.function_role(scope)
            if role != roles.ALGORITHM_ROLE:
                continue
            function = scope.node
            self.report(
                function,
                f"Function `{function.name.value}` is {_percent(ratio)} glue ({counts.glue} "
                f"glue, {scope.persists} of them file, checkpoint or tracker I/O; "
                f"{counts.algorithm} algorithm statements; threshold {threshold:.0%}; {why})",
                properties={
                    "glueRatio": round(ratio, 4),
                    "glue": counts.glue,
                    "io": scope.persists,
                    "role": role,
                },
                statement=(function, scope.index),
                header_width=len(f"def {function.name.value}")
                + (6 if function.asynchronous else 0),
            )


class GlueHeavySystem(ProjectRule):
    """
    ## What it does
    Measures the glue ratio of every package of the project (a folder with an `__init__.py`,
    counted with all its modules and subpackages, tests left out) and reports each package
    whose ratio exceeds `max-glue-ratio`. Off unless `max-glue-ratio` is set in
    `[tool.mllint]`.

    ## Why is this bad?
    Sculley et al.'s warning is about systems: a small ML kernel buried in code that moves
    data in and out of general-purpose packages. One number per package, gated in CI, says
    whether the system drifts that way, instead of hundreds of per-function notes.

    ## Example
    ```toml
    [tool.mllint]
    max-glue-ratio = 0.6   # mypkg/ is 72% glue: reported once, at mypkg/__init__.py
    ```

    Use instead:
    ```python
    # move the plumbing into shared, tested loaders and writers (or a framework that owns
    # it), so that the package is mostly the computation it exists for
    ```

    ## Notes
    Reported at line 1 of the package's `__init__.py`. `mllint stats` prints the same
    per-package figures (`packages` in its JSON). Files outside any package (scripts) are
    not counted. Only packages that hold ML code (at least one algorithm module: a model, a
    loss, a training step) are reported: a package of readers and loaders, of loggers, or of
    adapters to a framework's plug-in API is glue by design. Packages with fewer than 100
    glue + algorithm statements are not reported either: a few modules that plug a head, a
    dataset mapper and config keys into a framework (a detectron2 project) are glue by design
    too, and a handful of statements swings their ratio either way; the figure is about
    systems.
    """

    code = "ML205"
    name = "glue-heavy-system"
    message = "Package is mostly glue code"
    severity = Severity.WARNING
    tags = ("maintainability", "glue-code")
    # The examples are linted as pkg/mod.py beside an empty pkg/__init__.py, with
    # max-glue-ratio = 0.5 (tests/rules/test_glue.py).
    VALID = (
        Valid(
            "import numpy as np\nimport json\n"
            "def train(x, y):\n    w = np.linalg.lstsq(x, y)[0]\n    r = y - x @ w\n"
            "    print(json.dumps({'rss': float(r @ r)}))\n    return w\n"
        ),
        # 80% glue, but no model, loss or step: a package of exporters is glue by design
        Valid(
            "import json, os\nimport numpy as np\n"
            "def export(rows, out):\n"
            + "".join(f"    w{i} = np.mean(rows) * {i}\n" for i in range(20))
            + "".join(f"    p{i} = os.path.join(out, 'rows{i}.json')\n" for i in range(80))
            + "    return w0\n"
        ),
        # 80% glue around a training step, but 5 statements: plug-ins, not a system
        Valid(
            "import json, os\nimport numpy as np\n"
            "def train_step(rows, out):\n    os.makedirs(out, exist_ok=True)\n"
            "    text = json.dumps(rows)\n    path = os.path.join(out, 'rows.json')\n"
            "    print(path)\n    return np.mean(rows)\n"
        ),
    )
    INVALID = (
        Invalid(
            "import json, os\nimport numpy as np\n"
            "def train_step(rows, out):\n"
            + "".join(f"    w{i} = np.mean(rows) * {i}\n" for i in range(20))
            + "".join(f"    p{i} = os.path.join(out, 'rows{i}.json')\n" for i in range(80))
            + "    return w0\n",
            line=1,
            message="Package `pkg` is 80% glue (80 glue, 20 algorithm statements",
        ),
    )

    def check(self, project: Any) -> List[Finding]:
        """One finding per package above ``max-glue-ratio``."""
        limit = project.settings.max_glue_ratio
        if limit is None or not project.settings.is_enabled(self.code):
            return []
        rows = []
        for path, facts in project.facts(GLUE_FACTS):
            role = facts.get("role", ["general"])[0] if isinstance(facts, dict) else "general"
            rows.append(
                (
                    path.replace(os.sep, "/"),
                    int(facts["glue"]),
                    int(facts["algorithm"]),
                    int(facts["other"]),
                    role,
                )
            )
        findings: List[Finding] = []
        for package in package_tallies(rows):
            ratio = package.glue_ratio
            if ratio is None or ratio <= limit or roles.ALGORITHM_ROLE not in package.roles:
                continue  # no model, loss or step: readers, loggers, adapters are glue by design
            if package.glue + package.algorithm < MIN_PACKAGE_STATEMENTS:
                continue  # a handful of plug-ins (a config, a mapper, a head), not a system
            init = package.path + "/__init__.py"
            findings.append(
                Finding(
                    path=init.replace("/", os.sep) if os.sep != "/" else init,
                    span=Span(1, 1, 1, 1),
                    code=self.code,
                    name=self.name,
                    message=(
                        f"Package `{os.path.basename(package.path)}` is {_percent(ratio)} glue "
                        f"({package.glue} glue, {package.algorithm} algorithm statements in "
                        f"{package.modules} modules; max-glue-ratio {limit:.0%})"
                    ),
                    severity=self.severity,
                    properties={
                        "glueRatio": round(ratio, 4),
                        "glue": package.glue,
                        "algorithm": package.algorithm,
                        "modules": package.modules,
                    },
                )
            )
        return findings


# ML203: what writes a file and what reads one. "receiver" means the receiver is the path
# (`Path.write_text`); otherwise the path is the first positional (or the path keyword).
_PATH_KEYWORDS = frozenset(
    {"path", "path_or_buf", "filepath", "filepath_or_buffer", "file", "f", "fname", "filename"}
)
_WRITE_METHODS = frozenset(
    {
        "to_csv",
        "to_parquet",
        "to_json",
        "to_pickle",
        "to_feather",
        "to_hdf",
        "to_excel",
        "write_parquet",
        "write_csv",
        "write_ndjson",
        "write_ipc",
        "save_pretrained",
        "save_to_disk",
    }
)
_RECEIVER_WRITES = frozenset({"write_text", "write_bytes"})
_RECEIVER_READS = frozenset({"read_text", "read_bytes"})
_WRITE_FUNCTIONS: Dict[str, int] = {
    "numpy.save": 0,
    "numpy.savez": 0,
    "numpy.savez_compressed": 0,
    "numpy.savetxt": 0,
    "torch.save": 1,
    "joblib.dump": 1,
    "cv2.imwrite": 0,
}
_READ_FUNCTIONS = frozenset(
    {
        "numpy.load",
        "numpy.loadtxt",
        "numpy.genfromtxt",
        "torch.load",
        "joblib.load",
        "cv2.imread",
        "PIL.Image.open",
        "datasets.load_from_disk",
        "polars.read_csv",
        "polars.read_parquet",
        "polars.scan_parquet",
        "polars.scan_csv",
    }
)
_READ_METHODS = frozenset({"from_pretrained", "load_from_disk"})
_EXISTENCE_CHECKS: Dict[str, int] = {
    "os.path.exists": 0,
    "os.path.isfile": 0,
    "os.path.isdir": 0,
    "os.path.getsize": 0,
    "os.path.lexists": 0,
    "tensorflow.io.gfile.exists": 0,
    "tensorflow.gfile.Exists": 0,
}
_EXISTENCE_METHODS = frozenset({"exists", "is_file"})
_HASHING = ("hashlib.", "zlib.crc32", "zlib.adler32", "binascii.crc32", "xxhash.")
_RESHAPING = frozenset(
    {
        "rename",
        "rename_axis",
        "merge",
        "join",
        "astype",
        "drop",
        "dropna",
        "fillna",
        "drop_duplicates",
        "sort_values",
        "sort_index",
        "assign",
        "query",
        "pivot",
        "pivot_table",
        "melt",
        "stack",
        "unstack",
        "explode",
        "groupby",
        "agg",
        "aggregate",
        "reset_index",
        "set_index",
        "reindex",
        "filter",
        "select",
        "with_columns",
        "apply",
        "pipe",
        "where",
        "mask",
        "copy",
        "head",
        "tail",
        "sample",
        "transform",
        "map",
        "add_prefix",
        "add_suffix",
        "set_axis",
        "infer_objects",
        "convert_dtypes",
        "clip",
        "round",
        "interpolate",
        "ffill",
        "bfill",
        "shift",
        "nlargest",
        "nsmallest",
        "to_frame",
        "truncate",
        "xs",
        "swaplevel",
        "droplevel",
        "concat",
        "with_column",
        "drop_nulls",
        "fill_null",
        "cast",
        "sort",
        "unique",
        "limit",
        "collect",
        "lazy",
    }
)


def _code(node: cst.CSTNode) -> str:
    return " ".join(cst.Module(body=()).code_for_node(node).split())


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _path_argument(node: cst.Call, position: int) -> Optional[cst.BaseExpression]:
    positional = [a for a in node.args if a.keyword is None and not a.star]
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value in _PATH_KEYWORDS:
            return arg.value
    return positional[position].value if len(positional) > position else None


def _open_mode(node: cst.Call) -> str:
    positional = [a for a in node.args if a.keyword is None and not a.star]
    mode: Optional[cst.BaseExpression] = positional[1].value if len(positional) > 1 else None
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value == "mode":
            mode = arg.value
    if mode is None:
        return "r"
    if isinstance(mode, cst.SimpleString):
        return mode.evaluated_value if isinstance(mode.evaluated_value, str) else "?"
    return "?"


def _chain(node: cst.Call) -> Tuple[List[str], List[cst.Call], cst.BaseExpression]:
    """The method names of a call chain (outermost first), its calls, and its root."""
    methods: List[str] = []
    calls: List[cst.Call] = []
    current: cst.BaseExpression = node
    while True:
        if isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute):
            methods.append(current.func.attr.value)
            calls.append(current)
            current = current.func.value
        elif isinstance(current, cst.Subscript):
            current = current.value  # `.loc[...]`, `["col"]` between steps
        elif isinstance(current, cst.Attribute) and current.attr.value in ("loc", "iloc", "str"):
            current = current.value
        else:
            return methods, calls, current


class PipelineJungle(FileRule):
    """
    ## What it does
    Reports two shapes of pipeline jungle inside one module:

    * data written to an intermediate file and read back: the same path (the same expression,
      such as `cache_path` or `OUT / "tmp.csv"`) is written by `.to_csv`, `.to_parquet`,
      `np.save`, `torch.save`, `open(..., "w")`, `.write_text`, `.save_pretrained`, ... and
      read by `pd.read_*`, `np.load`, `torch.load`, `open(...)`, `.read_text`,
      `.from_pretrained`, ... Reported at the read.
    * long chains of reshaping steps on one frame: 8 or more dataframe reshaping calls
      (`.rename`, `.merge`, `.astype`, `.drop`, `.fillna`, `.query`, `.assign`, ...) in one
      method chain, or in consecutive statements that each reassign the same frame
      (`df = df.rename(...)`, `df = df.merge(...)`, ...). Reported at the chain or at the
      first of the statements.

    ## Why is this bad?
    Pipeline jungles grow one scrape, join and sample step at a time until nobody knows which
    step matters, and every intermediate file is a hidden interface: a format, a location and a
    freshness that some other run may depend on. Writing data only to read it straight back
    costs I/O and hides where the data really comes from; a twelve-step reshaping chain is a
    data-preparation stage that deserves a name, tests and a schema.

    ## Example
    ```python
    table.to_csv(cache_path, index=False)
    table = pd.read_csv(cache_path)
    ```

    Use instead:
    ```python
    table = table.reset_index(drop=True)  # keep the frame; write it once, at the end
    ```

    ## Notes
    A path parameter or a local variable only matches within the same function, so a
    `save(path)` / `load(path)` pair of helpers is not reported; module-level names and
    literal paths match across the module. A local path variable assigned again between the
    write and the read names another file. A write and a read in different arms of one `if`
    (`if cached: load() else: compute(); save()`) are a cache, not a round trip. Writes and
    reads are matched by the text of the path expression, so `p = a; write(p); read(a)` is not
    caught. A path whose existence the code tests (`os.path.exists(p)`, `p.exists()`,
    `os.path.isfile(p)`) before the read is a write-if-missing cache, and a read inside a
    statement that hashes it (`hashlib.sha256(open(p, "rb").read())`) verifies the file: neither
    is reported. A file opened for appending (`open(p, "a")`) accumulates across runs, a
    log or a retry counter read back to count its lines, not a hand-off between stages: it
    is not a write here. A file written inside a loop and read after it holds the loop's
    latest or best state (the best checkpoint restored for the final test), not a hand-off,
    and the handle `f` of `with open(p, "wb") as f: torch.save(model, f)` is not a path. A
    file read back inside an `except` handler is read to find out what went wrong (a failed
    download's quota page), not handed on. A read that is a statement of its own, its result
    thrown away (`model.from_pretrained(dest)  # sanity check`), checks that the file loads;
    a file that another program works on between the write and the read (`os.system`,
    `subprocess.run`) is that program's interface; and a write in an `if` that tests whether
    the path or a folder in it exists (`if not os.path.exists(d): ... dump({}, open(f"{d}/c"))`)
    seeds a cache; and a file opened only to be sent (`client.files.create(file=open(p,
    "rb"))`, `requests.post(url, files={"f": open(p, "rb")})`) is a service's input. None of
    them is reported.
    Test files (`test_*.py`, `*_test.py`, `conftest.py`) are skipped for the
    intermediate-file check: tests write files to read them back on purpose.
    """

    code = "ML203"
    name = "pipeline-jungle"
    message = "Pipeline jungle: an intermediate file or a long reshaping chain"
    severity = Severity.WARNING
    tags = ("maintainability", "pipeline-jungle")
    preview = True
    VALID = (
        "import pandas as pd\ndef run(src, dst):\n    df = pd.read_csv(src)\n    df.to_csv(dst)\n",
        "import torch\ndef save(model, path):\n    torch.save(model.state_dict(), path)\n"
        "def load(path):\n    return torch.load(path)\n",
        "df = df.rename(columns=m).merge(o, on='k').dropna().reset_index(drop=True)\n",
        "t = s" + "".join(f".replace('{c}', ' ')" for c in "abcdefghij") + "\n",
        # write-if-missing: a cache, not a hand-off
        "import os, torch\ndef features(path, model, x):\n"
        "    if not os.path.exists(path):\n"
        "        torch.save(model(x), path)\n"
        "    return torch.load(path)\n",
        # read back what was just saved, to hash it: a check
        "import hashlib, torch\ndef export(obj, path):\n"
        "    torch.save(obj, path)\n"
        "    digest = hashlib.sha256(open(path, 'rb').read()).hexdigest()\n"
        "    return digest\n",
        "import json, os\ndef save(d, out, m):\n"
        "    path = os.path.join(out, 'a.json')\n"
        "    with open(path, 'w') as f:\n        json.dump(m, f)\n"
        "    path = os.path.join(out, 'b.json')\n"
        "    with open(path) as f:\n        return json.load(f)\n",
        # the best model so far, saved in the training loop and restored after it
        "import torch\ndef fit(model, args, epochs):\n    best = None\n"
        "    for epoch in range(epochs):\n        loss = step(model)\n"
        "        if best is None or loss < best:\n"
        "            with open(args.save, 'wb') as f:\n                torch.save(model, f)\n"
        "            best = loss\n"
        "    with open(args.save, 'rb') as f:\n        return torch.load(f)\n",
        # a retry counter kept across re-queued runs: appended to, then counted
        "import os\ndef on_failure(out_dir, max_retry):\n"
        "    retry_file = os.path.join(out_dir, 'RETRY.txt')\n"
        "    with open(retry_file, 'a') as f:\n"
        "        f.write('Encountered non-zero exit code\\n')\n"
        "    with open(retry_file, 'r') as f:\n"
        "        retry_count = len(f.readlines()) - 1\n"
        "    return retry_count < max_retry\n",
        # a download that failed: its temporary file is read back to find out why
        "import requests\ndef download(url, tmp_path):\n"
        "    try:\n"
        "        with open(tmp_path, 'wb') as f:\n"
        "            f.write(requests.get(url).content)\n"
        "    except IOError:\n"
        "        with open(tmp_path, 'rb') as f:\n"
        "            page = f.read().decode('utf-8')\n"
        "        if 'Quota exceeded' in page:\n"
        "            raise\n",
        # a converter's sanity check: the checkpoint just written is loaded and thrown away
        "def convert(src, dest_dir):\n"
        "    model = build(src)\n"
        "    model.save_pretrained(dest_dir)\n"
        "    model.from_pretrained(dest_dir)  # sanity check\n",
        # the file is how the code talks to another program, which rewrites it in between
        "import os\ndef blackify(code, tmp):\n"
        "    with open(tmp, 'w') as f:\n"
        "        f.write(code)\n"
        "    os.system(f'black -q {tmp}')\n"
        "    with open(tmp) as f:\n"
        "        return f.read()\n",
        # a cache seeded when its folder is missing: the test is on the folder
        "import os, pickle\ndef runs(feature_name, api):\n"
        "    if not os.path.exists(feature_name):\n"
        "        os.makedirs(feature_name)\n"
        "        pickle.dump({}, open(f'{feature_name}/cache.pkl', 'wb'))\n"
        "    cache = pickle.load(open(f'{feature_name}/cache.pkl', 'rb'))\n"
        "    return cache\n",
        # a batch file written, then opened only to be uploaded to a service
        "import json\ndef submit(client, requests_, path):\n"
        "    with open(path, 'w') as f:\n"
        "        for r in requests_:\n"
        "            f.write(json.dumps(r) + '\\n')\n"
        "    batch = client.files.create(file=open(path, 'rb'), purpose='batch')\n"
        "    return batch.id\n",
    )
    INVALID = (
        Invalid(
            "import pandas as pd\ndef cache(table, path):\n"
            "    table.to_csv(path, index=False)\n"
            "    return pd.read_csv(path)\n",
            line=4,
            message="written",
        ),
        Invalid(
            "import json\nOUT = 'state.json'\n"
            "def save(state):\n    with open(OUT, 'w') as fh:\n        json.dump(state, fh)\n"
            "def load():\n    with open(OUT) as fh:\n        return json.load(fh)\n",
            line=7,
        ),
        Invalid(
            "t = (df.rename(columns=m).merge(o, on='k').astype(s).drop(columns=c)\n"
            "     .dropna().fillna(0).query('x > 0').sort_values('k').reset_index())\n",
            line=1,
            message="9 reshaping steps",
        ),
        Invalid(
            "import pandas as pd\ndef prep(df):\n"
            + "".join(
                f"    df = df.{m}\n"
                for m in (
                    "rename(columns=m)",
                    "dropna()",
                    "astype(t)",
                    "fillna(0)",
                    "query('x > 0')",
                    "sort_values('k')",
                    "drop(columns=c)",
                    "reset_index(drop=True)",
                )
            )
            + "    return df\n",
            line=3,
            message="`df`",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.analysis = analysis_for(context)
        self._in_test = is_test_file(context.path)
        self._writes: Dict[
            Tuple[int, str], Tuple[str, Tuple[Tuple[int, int], ...], Tuple[int, ...], int]
        ] = {}
        """Each written path: how, the `if` arms and loops around the write, and how many
        external commands had run before it."""
        self._commands = 0
        """External commands run so far (`os.system`, `subprocess.run`...)."""
        self._guards: List[Tuple[int, List[str]]] = []
        """Each enclosing `if` with the paths its test checks for existence (filled while the
        walk is in the test, by :meth:`_file_io`)."""
        self._sent: Set[int] = set()
        """`open(...)` calls whose handle goes straight to an upload."""
        self._loops: List[int] = []
        self._handlers = 0
        self._handles: Set[str] = set()
        """Names bound by ``with open(...) as f``: a handle, not the name of a file."""
        self._arm_of: Dict[int, Tuple[int, int]] = {}
        self._arms: List[Tuple[int, int]] = []
        self._reported: Set[int] = set()
        self._checked: Set[Tuple[int, str]] = set()
        """Paths whose existence the code tests: what it writes there is a cache."""
        # consecutive `df = df.step(...)` statements: name, steps, first (node, index), last
        self._run: Optional[Tuple[str, int, Tuple[cst.CSTNode, int], int, bool]] = None

    def _key(self, path: cst.BaseExpression) -> Tuple[Tuple[int, str], str]:
        text = _code(path)
        analysis = self.analysis
        local = [n for n in _all_names(path) if analysis.is_local(n)]
        if not local:
            return (0, text), text
        versions = analysis.scopes[-1].versions
        stamp = ",".join(f"{n}#{versions.get(n, 0)}" for n in sorted(set(local)))
        return (analysis.function_id(), f"{text} [{stamp}]"), text

    # The arms of `if`s around a write and a read: `if cached: load() else: compute(); save()`
    # writes and reads in exclusive arms, a cache rather than a round trip.
    def visit_If(self, node: cst.If) -> None:
        self._arm_of[id(node.body)] = (id(node), 0)
        if node.orelse is not None:
            self._arm_of[id(node.orelse)] = (id(node), 1)
        self._enter_arm(node)
        self._guards.append((id(node), []))

    def leave_If(self, node: cst.If) -> None:
        self._leave_arm(node)
        self._guards.pop()

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._enter_arm(node)

    def leave_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._leave_arm(node)

    def visit_Else(self, node: cst.Else) -> None:
        self._enter_arm(node)

    def leave_Else(self, node: cst.Else) -> None:
        self._leave_arm(node)

    # A file written inside a loop and read after it holds the loop's latest or best state (a
    # checkpoint restored at the end), not a hand-off between stages.
    def visit_For(self, node: cst.For) -> None:
        self._loops.append(id(node))

    def leave_For(self, node: cst.For) -> None:
        self._loops.pop()

    def visit_While(self, node: cst.While) -> None:
        self._loops.append(id(node))

    def leave_While(self, node: cst.While) -> None:
        self._loops.pop()

    # What an `except` handler reads, it reads to diagnose a failure, not to hand data on.
    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._handlers += 1

    def leave_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._handlers -= 1

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        self._handlers += 1

    def leave_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        self._handlers -= 1

    def visit_WithItem(self, node: cst.WithItem) -> None:
        asname = node.asname
        if (
            asname is not None
            and isinstance(asname.name, cst.Name)
            and isinstance(node.item, cst.Call)
        ):
            self._handles.add(asname.name.value)

    def _enter_arm(self, node: cst.CSTNode) -> None:
        arm = self._arm_of.get(id(node))
        if arm is not None:
            self._arms.append(arm)

    def _leave_arm(self, node: cst.CSTNode) -> None:
        if id(node) in self._arm_of:
            self._arms.pop()
            del self._arm_of[id(node)]

    def visit_Call(self, node: cst.Call) -> None:
        if not self._in_test:
            qualified = self.analysis.names.qualify(node.func)
            self._note_uploads(node, qualified or "")
            self._file_io(node, qualified)
        if id(node) in self._reported:
            return
        methods, calls, root = _chain(node)
        steps = sum(1 for m in methods if m in _RESHAPING)
        if steps >= MIN_CHAIN_STEPS:
            self._reported.update(id(c) for c in calls)
            self.report(
                node,
                f"Pipeline jungle: {steps} reshaping steps chained on "
                f"`{_short(_code(root))}`; name the stage, split it and test it",
                properties={"steps": steps},
            )

    def _file_io(self, node: cst.Call, qualified: Optional[str]) -> None:
        func = node.func
        write: Optional[cst.BaseExpression] = None
        read: Optional[cst.BaseExpression] = None
        how = ""
        if qualified is not None:
            how = qualified
            if qualified in _WRITE_FUNCTIONS:
                write = _path_argument(node, _WRITE_FUNCTIONS[qualified])
            elif qualified in _READ_FUNCTIONS or qualified.startswith("pandas.read_"):
                read = _path_argument(node, 0)
            elif qualified == "builtins.open":
                mode = _open_mode(node)
                if "a" in mode or id(node) in self._sent:
                    pass  # appending accumulates across runs (a log, a retry counter): no hand-off
                elif any(c in mode for c in "wx"):
                    write = _path_argument(node, 0)
                elif mode != "?":
                    read = _path_argument(node, 0)
        if qualified is not None and (
            qualified in _EXTERNAL_COMMANDS or qualified.startswith("subprocess.")
        ):
            self._commands += 1  # another program may use (and rewrite) the files written
        found, checked = self._existence_check(node, qualified)
        if found:
            if checked is not None:
                self._checked.add(self._key(checked)[0])
                statement = self.context.walker.statement
                if self._guards and self._guards[-1][0] == id(statement):
                    self._guards[-1][1].append(_code(checked))  # in the test of this `if`
            return
        if how == "" and isinstance(func, cst.Attribute):
            method = func.attr.value
            how = f".{method}()"
            if method in _WRITE_METHODS:
                write = _path_argument(node, 0)
            elif method in _READ_METHODS:
                read = _path_argument(node, 0)
            elif method in _RECEIVER_WRITES:
                write = func.value
            elif method in _RECEIVER_READS or (method == "open" and not node.args):
                read = func.value
        if write is not None and self._names_a_file(write) and not self._guarded(write):
            key, _ = self._key(write)
            self._writes.setdefault(
                key, (how, tuple(self._arms), tuple(self._loops), self._commands)
            )
        if read is not None and self._names_a_file(read):
            key, text = self._key(read)
            written = self._writes.get(key)
            if (
                written is not None
                and not _exclusive(written[1], self._arms)
                and set(written[2]) <= set(self._loops)  # not a checkpoint kept across a loop
                and written[3] == self._commands  # no other program ran on it in between
                and key not in self._checked  # write-if-missing: a cache
                and not self._verifies()  # read back to hash it: a check
                and not self._discards(node)  # read back and thrown away: a sanity check
                and not self._handlers  # read to diagnose a failure
            ):
                self.report(
                    node,
                    f"Pipeline jungle: `{_short(text)}` is written ({written[0]}) and read back "
                    f"({how}) in the same module; pass the data on instead of through a file",
                    properties={"path": text},
                )

    def _note_uploads(self, node: cst.Call, qualified: str) -> None:
        """``client.files.create(file=open(p, "rb"))``, ``requests.post(url, files={"f":
        open(p, "rb")})``: a file opened only to be sent is the service's input, not data
        read back; its ``open`` is left out."""
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else ""
        if not (_UPLOAD_NAMES.search(name) or qualified.startswith(_NETWORK_PACKAGES)):
            return
        for arg in node.args:
            values = [arg.value]
            if isinstance(arg.value, cst.Dict):
                values = [e.value for e in arg.value.elements if isinstance(e, cst.DictElement)]
            for value in values:
                if isinstance(value, cst.Call) and dotted_name(value.func) == "open":
                    self._sent.add(id(value))

    def _existence_check(
        self, node: cst.Call, qualified: Optional[str]
    ) -> Tuple[bool, Optional[cst.BaseExpression]]:
        """Whether ``node`` tests that a path exists (``os.path.exists(p)``, ``p.exists()``,
        ``Path(p).is_file()``), and the path it tests when it names one."""
        func = node.func
        existence = _EXISTENCE_CHECKS.get(qualified or "")
        if existence is None and not (
            isinstance(func, cst.Attribute) and func.attr.value in _EXISTENCE_METHODS
        ):
            return False, None
        checked: Optional[cst.BaseExpression] = None
        if existence is not None:
            checked = _path_argument(node, 0)
        elif isinstance(func, cst.Attribute):
            checked = func.value
        if isinstance(checked, cst.Call) and not checked.args:
            checked = None
        if isinstance(checked, cst.Call) and (dotted_name(checked.func) or "").endswith("Path"):
            checked = checked.args[0].value if checked.args else None  # `Path(p).exists()`
        return True, checked

    def _guarded(self, path: cst.BaseExpression) -> bool:
        """Whether a write lies in an arm of an ``if`` that tests whether the path, or a folder
        it lies in, exists (``if not os.path.exists(d): ... dump({}, open(f"{d}/c.pkl"))``):
        a write-if-missing cache."""
        if not self._guards:
            return False
        text = _code(path)
        return any(checked in text for _, tested in self._guards for checked in tested)

    def _discards(self, node: cst.Call) -> bool:
        """Whether the read is a statement of its own whose result nobody keeps
        (``model.from_pretrained(dest)  # sanity check``): it checks that the file loads."""
        statement = self.context.walker.statement
        return isinstance(statement, cst.Expr) and statement.value is node

    def _names_a_file(self, node: cst.BaseExpression) -> bool:
        """A path: a string or an expression that is not a literal, and not the handle a
        ``with open(...) as f`` bound (``torch.save(model, f)`` writes to that handle)."""
        if isinstance(node, cst.Name) and node.value in self._handles:
            return False
        return _names_a_file(node)

    def _verifies(self) -> bool:
        """Whether the statement being walked hashes what it reads (``sha256(open(p).read())``,
        ``with open(p, "rb") as f: digest = hashlib.md5(f.read())``)."""
        statement = self.context.walker.statement
        if statement is None:
            return False
        names = self.analysis.names
        stack: List[cst.CSTNode] = [statement]
        while stack:
            current = stack.pop()
            if isinstance(current, cst.Call):
                qualified = names.qualify(current.func) or ""
                if qualified.startswith(_HASHING) or (
                    isinstance(current.func, cst.Attribute)
                    and current.func.attr.value in ("hexdigest", "digest")
                ):
                    return True
            stack.extend(current.children)
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        walker = self.context.walker
        index = walker.statement_index
        step = 0
        name = None
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            name = node.targets[0].target.value
            if isinstance(node.value, cst.Call):
                methods, _, root = _chain(node.value)
                if isinstance(root, cst.Name) and root.value == name:
                    step = sum(1 for m in methods if m in _RESHAPING)
        if step == 0 or name is None:
            self._run = None
            return
        run = self._run
        if run is not None and run[0] == name and run[3] == index - 1:
            total = run[1] + step
            first, reported = run[2], run[4]
        else:
            total, first, reported = step, (node, index), False
        if total >= MIN_CHAIN_STEPS and not reported and first[0] is not node:
            self.report(
                first[0],
                f"Pipeline jungle: `{name}` is reshaped in {total} steps over consecutive "
                "statements; name the stage, split it and test it",
                properties={"steps": total},
                statement=first,
            )
            reported = True
        self._run = (name, total, first, index, reported)


_UPLOAD_NAMES = re.compile(r"upload|^(create|post|put|send)$|^put_object$")
"""Methods that send a file to a service (``client.files.create(file=...)``, ``s3.upload_file``,
``session.post(url, files=...)``)."""
_NETWORK_PACKAGES = ("requests.", "httpx.", "urllib.", "boto3.", "openai.")
_EXTERNAL_COMMANDS = frozenset({"os.system", "os.popen", "os.spawnv", "os.spawnl", "os.execv"})


def _exclusive(first: Sequence[Tuple[int, int]], second: Sequence[Tuple[int, int]]) -> bool:
    """Whether two places lie in different arms of one ``if``."""
    arms = dict(first)
    return any(arms.get(if_id, arm) != arm for if_id, arm in second)


def is_test_file(path: str) -> bool:
    """``test_*.py``, ``*_test.py`` and ``conftest.py``: tests round-trip data on purpose."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def _names_a_file(node: cst.BaseExpression) -> bool:
    """A string, or an expression that is not a literal (``None`` and numbers name no file)."""
    return isinstance(node, cst.BaseString) or not glue.is_literal(node)


def _all_names(node: cst.CSTNode) -> List[str]:
    found: List[str] = []
    stack: List[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            found.append(current.value)
        elif isinstance(current, cst.Attribute):
            stack.append(current.value)
        else:
            stack.extend(current.children)
    return found


# ML204: an outer conversion -> the inner conversions it undoes.
# ".x" is a method name on any receiver, anything else a qualified name.
_ROUND_TRIPS: Dict[str, Tuple[str, ...]] = {
    "json.loads": ("json.dumps",),
    "pickle.loads": ("pickle.dumps",),
    "cloudpickle.loads": ("cloudpickle.dumps", "pickle.dumps"),
    "yaml.safe_load": ("yaml.dump", "yaml.safe_dump"),
    "yaml.load": ("yaml.dump", "yaml.safe_dump"),
    "numpy.array": (".tolist", ".to_list"),
    "numpy.asarray": (".tolist", ".to_list"),
    "torch.tensor": (".numpy", ".tolist"),
    "torch.as_tensor": (".numpy", ".tolist"),
    "torch.from_numpy": (".numpy",),
    "torch.Tensor": (".numpy", ".tolist"),
    "tensorflow.convert_to_tensor": (".numpy",),
    "tensorflow.constant": (".numpy",),
    "jax.numpy.array": (".tolist",),
    "jax.numpy.asarray": (".tolist",),
    "pandas.DataFrame": (".to_dict", ".to_records"),
    "pandas.DataFrame.from_dict": (".to_dict",),
    "pandas.DataFrame.from_records": (".to_records", ".to_dict"),
    "pandas.Series": (".to_list", ".tolist", ".to_dict"),
    "pandas.read_json": (".to_json",),
    ".decode": (".encode",),
}
_SERIALISATION_CHECKS = frozenset(
    {"pickle.loads", "cloudpickle.loads", "json.loads", "yaml.safe_load", "yaml.load"}
)
_INNER_FORMS = frozenset(form for forms in _ROUND_TRIPS.values() for form in forms)
_EXPORT_TEST = re.compile(r"onnx|is_tracing|is_scripting|_export")
"""`if` tests under which a conversion round trip is deliberate (constant folding for export)."""


def _tests_for_export(test: cst.BaseExpression) -> bool:
    """Whether a name or string in an `if` test matches :data:`_EXPORT_TEST` (read off the
    names: rendering every test back to code would cost a twentieth of the whole analysis)."""
    stack: List[cst.CSTNode] = [test]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Name, cst.SimpleString)) and _EXPORT_TEST.search(node.value):
            return True
        stack.extend(walker_children(node))
    return False


_MUTABLE_FORMS = frozenset({".tolist", ".to_list", ".to_dict", ".to_records", ".numpy"})
"""Conversions whose result can change in place before it is converted back."""
_READ_ONLY = frozenset(_ROUND_TRIPS) | frozenset(
    f"builtins.{name}"
    for name in ("len", "print", "str", "repr", "isinstance", "sum", "min", "max", "sorted")
)
"""Calls that read their argument without changing it."""
_MUTATING_METHODS = frozenset(
    {"append", "extend", "insert", "pop", "remove", "sort", "reverse", "update", "clear"}
    | {"setdefault", "popitem", "fill", "resize", "put", "itemset", "__setitem__", "add"}
)


def _container_of(target: cst.BaseExpression) -> List[str]:
    """``xs`` for ``xs[i]`` or ``xs.attr`` (a target that changes ``xs`` in place)."""
    while isinstance(target, (cst.Subscript, cst.Attribute)):
        target = target.value
    return [target.value] if isinstance(target, cst.Name) else []


def _codec(call: cst.Call) -> Optional[str]:
    """The codec of a plain ``.encode(...)``/``.decode(...)``; ``None`` when it has an error
    handler (``"ignore"`` filters characters: not a round trip) or is not a literal."""
    if len(call.args) > 1 or any(a.keyword is not None for a in call.args):
        return None
    if not call.args:
        return "utf-8"
    value = call.args[0].value
    if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
        return value.evaluated_value.lower().replace("_", "-").replace("utf8", "utf-8")
    return None


def _same_codec(outer: cst.Call, inner: cst.BaseExpression) -> bool:
    if not isinstance(inner, cst.Call):
        return True  # through a variable: the encode call is not at hand; trust the names
    codec = _codec(outer)
    return codec is not None and codec == _codec(inner)


def _display(form: str) -> str:
    return f"{form}()" if form.startswith(".") else form


class FormatRoundTrip(FileRule):
    """
    ## What it does
    Reports a conversion that is undone right away: `json.loads(json.dumps(x))`,
    `pickle.loads(pickle.dumps(x))`, `np.array(a.tolist())`, `torch.tensor(t.numpy())`,
    `torch.from_numpy(t.numpy())`, `pd.DataFrame(df.to_dict())`, `pd.Series(s.tolist())`,
    `s.encode().decode()`, ... directly nested or through one intermediate variable
    (`rows = df.to_dict(); pd.DataFrame(rows)`).

    ## Why is this bad?
    A round trip through another format costs a copy (often through slow Python objects),
    may silently change dtypes, precision, index or device, and usually survives from a time
    when the data really came from elsewhere (a JSON service, a CSV file). It is glue that
    does nothing.

    ## Example
    ```python
    clean = json.loads(json.dumps(record))
    stats = np.array(stats.tolist(), dtype=np.float32)
    ```

    Use instead:
    ```python
    clean = copy.deepcopy(record)
    stats = stats.astype(np.float32)
    ```

    ## Notes
    Not reported: inside an `if` that tests for ONNX export, tracing or scripting (the round
    trip folds a value into a constant on purpose), and `.numpy()` or `.tolist()` conversions
    in a module that imports two tensor frameworks (`tf.convert_to_tensor(torch_weight.numpy())`,
    `torch.tensor(flax_ids.tolist())` move a value from one framework to another).
    Through a variable, the conversion back must take the variable as its only argument and
    be in the same function as the assignment, with no reassignment in between and no change
    in place: a mutating method (`xs.append(v)`), an item or attribute assignment
    (`xs[0] = v`), `del xs[i]`, or handing a mutable result (of `.tolist()`, `.to_dict()`,
    `.numpy()`...) to another function that may change it (`random.shuffle(xs)`) means the
    value converted back is not the one converted out. It is
    reported even if the variable is used elsewhere too: the original value was available all
    along. In test files (`test_*.py`, `*_test.py`, `conftest.py`) serialisation round trips
    (`pickle`, `json`, `yaml`) are not reported: that is how a test checks that an object
    serialises.
    """

    code = "ML204"
    name = "format-round-trip"
    message = "Format round trip: a conversion undone right away"
    severity = Severity.WARNING
    tags = ("performance", "glue-code")
    preview = True
    VALID = (
        "import json\npayload = json.loads(body)\n",
        "import numpy as np\nx = np.array(values)\n",
        "import torch\nt = torch.from_numpy(arr)\n",
        "import json\ns = json.dumps(x)\nsend(s)\n",
        "import json\ndef f(x):\n    s = json.dumps(x)\n    s = compress(s)\n"
        "    return json.loads(s)\n",
        "ascii_only = text.encode('ascii', 'ignore').decode('ascii')\n",
        "import torch\ndef f(x):\n    x = torch.from_numpy(x)\n    x = x.numpy()\n",
        # a mutation between the two conversions: the value changed, no round trip
        "import numpy as np\ndef f(t, v):\n    xs = t.tolist()\n    xs.append(v)\n"
        "    return np.array(xs)\n",
        "import numpy as np\ndef f(t, v):\n    xs = t.tolist()\n    xs[0] = v\n"
        "    return np.array(xs)\n",
        "import numpy as np, random\ndef f(t):\n    xs = t.tolist()\n    random.shuffle(xs)\n"
        "    return np.array(xs)\n",
        "import torch\nif torch.onnx.is_in_onnx_export():\n"
        "    m = torch.from_numpy(m.cpu().numpy())\n",
        "import torch\nimport tensorflow as tf\nw = tf.convert_to_tensor(layer.weight.numpy())\n",
        # ids made for JAX moved to PyTorch in a cross-framework test: nothing is undone
        "import jax\nimport numpy as np\nimport torch\n"
        "def to_torch(inputs):\n"
        "    return {k: torch.tensor(v.tolist()) for k, v in inputs.items()}\n",
    )
    INVALID = (
        Invalid("import json\ny = json.loads(json.dumps(x))\n", line=2, message="json.dumps"),
        Invalid("import numpy as np\ny = np.array(t.tolist())\n", line=2, message=".tolist"),
        Invalid("import torch\ny = torch.tensor(a.numpy())\n", line=2),
        Invalid("import pandas as pd\ny = pd.DataFrame(df.to_dict())\n", line=2),
        Invalid(
            "import json\ndef f(x):\n    s = json.dumps(x)\n    log(s)\n    return json.loads(s)\n",
            line=5,
            message="through `s`",
        ),
        Invalid("y = text.encode('utf-8').decode('utf8')\n", line=1, message=".encode()"),
        Invalid(
            "import numpy as np\ndef f(t):\n    xs = t.tolist()\n    print(len(xs))\n"
            "    return np.array(xs)\n",
            line=5,
            message="through `xs`",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.analysis = analysis_for(context)
        self._held: Dict[Tuple[int, str], str] = {}
        self._exporting = 0
        """Depth of `if`s that test for ONNX export, tracing or scripting."""
        self._export_tests: List[bool] = []
        """For each enclosing `if`, whether it tests for export (popped when it is left)."""

    def _frameworks(self) -> int:
        """How many tensor frameworks the module imports (torch, tensorflow, jax, paddle)."""
        heads = {q.split(".", 1)[0] for q in self.analysis.names.imports.values()}
        return len(heads & {"torch", "tensorflow", "jax", "paddle", "mxnet"})

    def visit_If(self, node: cst.If) -> None:
        exporting = _tests_for_export(node.test)
        self._export_tests.append(exporting)
        self._exporting += exporting

    def leave_If(self, node: cst.If) -> None:
        self._exporting -= self._export_tests.pop()

    def _form(self, node: cst.BaseExpression) -> Optional[str]:
        if not isinstance(node, cst.Call):
            return None
        qualified = self.analysis.names.qualify(node.func)
        if qualified is not None:
            return qualified
        if isinstance(node.func, cst.Attribute):
            return "." + node.func.attr.value
        return None

    def visit_Call(self, node: cst.Call) -> None:
        self._round_trip(node)
        self._mutations(node)

    def _mutations(self, node: cst.Call) -> None:
        """A held value changed in place, or handed to code that may change it: converting
        it back is no round trip (`xs = t.tolist(); xs.append(v); np.array(xs)`)."""
        if not self._held:
            return
        scope = self.analysis.function_id()
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.attr.value in _MUTATING_METHODS
        ):
            self._held.pop((scope, func.value.value), None)
        for arg in node.args:
            if isinstance(arg.value, cst.Name):
                key = (scope, arg.value.value)
                if self._held.get(key) in _MUTABLE_FORMS and self._form(node) not in _READ_ONLY:
                    del self._held[key]

    def _round_trip(self, node: cst.Call) -> None:
        outer = self._form(node)
        undoes = _ROUND_TRIPS.get(outer or "")
        if outer is None or undoes is None:
            return
        if outer.startswith("."):
            assert isinstance(node.func, cst.Attribute)
            inner_node: Optional[cst.BaseExpression] = node.func.value
        else:
            positional = [a for a in node.args if a.keyword is None and not a.star]
            inner_node = positional[0].value if positional else None
        if inner_node is None:
            return
        inner = self._form(inner_node)
        via = ""
        if inner is None and isinstance(inner_node, cst.Name):
            inner = self._held.get((self.analysis.function_id(), inner_node.value))
            via = f" through `{inner_node.value}`"
        if inner is None or inner not in undoes:
            return
        if outer == ".decode" and not _same_codec(node, inner_node):
            return
        if outer in _SERIALISATION_CHECKS and is_test_file(self.context.path):
            return  # `pickle.loads(pickle.dumps(est))` is how a test checks picklability
        if self._exporting:
            return  # under `if torch.onnx.is_in_onnx_export():` a round trip folds a constant
        if inner in (".numpy", ".tolist") and self._frameworks() > 1:
            # `tf.convert_to_tensor(torch_weight.numpy())`, `torch.tensor(jax_ids.tolist())`:
            # from one framework to another
            return
        self.report(
            node,
            f"Format round trip: {_display(outer)} undoes {_display(inner)}{via}; "
            "keep the original value",
            properties={"outer": outer, "inner": inner},
        )

    def _assigned(
        self, targets: List[cst.BaseExpression], value: Optional[cst.BaseExpression]
    ) -> None:
        scope = self.analysis.function_id()
        for target in targets:
            for name in _names_in(target) + _container_of(target):
                self._held.pop((scope, name), None)
        if len(targets) == 1 and isinstance(targets[0], cst.Name) and value is not None:
            form = self._form(value)
            if form is not None and form in _INNER_FORMS:
                self._held[(scope, targets[0].value)] = form

    # after the value was visited: `x = f(torch.from_numpy(x))` reads the old `x`
    def leave_Assign(self, node: cst.Assign) -> None:
        self._assigned([t.target for t in node.targets], node.value)

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._assigned([node.target], node.value)

    def leave_AugAssign(self, node: cst.AugAssign) -> None:
        self._assigned([node.target], None)

    def visit_For(self, node: cst.For) -> None:
        self._assigned([node.target], None)

    def visit_Del(self, node: cst.Del) -> None:
        self._assigned([node.target], None)


__all__ = [
    "ALGORITHM",
    "GLUE",
    "GLUE_FACTS",
    "OTHER",
    "FormatRoundTrip",
    "GlueHeavyFunction",
    "GlueHeavyModule",
    "GlueHeavySystem",
    "PipelineJungle",
    "analysis_for",
]
