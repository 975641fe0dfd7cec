"""Glue versus algorithm: ML201 glue-heavy-module, ML202 glue-heavy-function,
ML203 pipeline-jungle, ML204 format-round-trip.

ML201 hosts the statement classifier (:mod:`mllint.glue`): it classifies every statement
during the shared walk and hands the per-file and per-function counts to the project stage
and ``mllint stats`` as facts. The other three rules read the same per-file state (the import
table, the enclosing function) through :func:`analysis_for`.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from mllint import glue
from mllint.glue import ALGORITHM, GLUE, OTHER, Verdict
from mllint.locate import STATEMENT_TYPES
from mllint.memo import Memo
from mllint.model import Severity
from mllint.rules.base import FileContext, FileRule, Invalid

MIN_MODULE_STATEMENTS = 20
"""ML201 stays quiet on modules with fewer glue + algorithm statements than this."""
MIN_FUNCTION_STATEMENTS = 6
"""ML202 stays quiet on functions with fewer glue + algorithm statements than this."""
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
    node: cst.CSTNode
    counts: Counts = field(default_factory=Counts)
    locals: Set[str] = field(default_factory=set)
    versions: Dict[str, int] = field(default_factory=dict)
    """How many times each local name was assigned so far (ML203 tells `path` apart from a
    later `path = ...`)."""


class GlueAnalysis:
    """The per-file state the ML2xx rules share during one walk."""

    def __init__(self, options: glue.GlueOptions, memo: Optional[Memo] = None) -> None:
        self.options = options
        self.memo = memo
        self.names = glue.ModuleNames()
        self.classifier = glue.Classifier(self.names, glue.vocabulary())
        self.module = Counts()
        self.functions: List[Tuple[str, Counts]] = []
        self.finished: Dict[int, Counts] = {}
        self.scopes: List[_Scope] = []
        self.path: List[str] = []
        """Plain names of the enclosing classes and functions, outermost first."""
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
        if self.scopes:
            self.scopes[-1].counts.add(verdict.kind)
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

    def enter_function(self, node: cst.FunctionDef) -> None:
        """A function's body starts: count its statements on their own."""
        # plain names only: joining already-qualified names doubles the length per level
        self.path.append(node.name.value)
        scope = _Scope(".".join(self.path), node)
        for param in _parameters(node.params):
            scope.locals.add(param)
        self.scopes.append(scope)

    def leave_function(self, node: cst.FunctionDef) -> None:
        """A function's body ended: keep its counts."""
        scope = self.scopes.pop()
        self.path.pop()
        self.functions.append((scope.name, scope.counts))
        self.finished[id(node)] = scope.counts

    def facts(self) -> Dict[str, Any]:
        """The counts as JSON data: the module's and each function's."""
        module = self.module
        return {
            "glue": module.glue,
            "algorithm": module.algorithm,
            "other": module.other,
            "functions": [[n, c.glue, c.algorithm, c.other] for n, c in self.functions],
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
        analysis = _ANALYSES[context] = GlueAnalysis(glue.active_options(), context.memo)
    return analysis


def _percent(ratio: Optional[float]) -> str:
    return "n/a" if ratio is None else f"{ratio:.0%}"


class GlueHeavyModule(FileRule):
    """
    ## What it does
    Classifies every statement of a module as glue (moves or converts data: I/O,
    (de)serialisation, type and format conversion, dataframe reshaping, logging, argument and
    config plumbing, paths), algorithm (computes on model data: array and tensor math, model
    and loss calls, gradients, optimizer steps) or other (imports, definitions, control flow),
    and reports modules whose glue ratio, `glue / (glue + algorithm)`, exceeds
    `glue-threshold` (default 0.8).

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
    Modules with fewer than 20 glue + algorithm statements are not reported, so small helper
    modules stay quiet. The finding is placed at line 1; silence it with `# noqa: ML201` on
    line 1 or `# mllint: noqa: ML201` anywhere in the file. `mllint stats --explain FILE`
    shows each statement's class and the reason, and the `glue-modules` /
    `algorithm-modules` settings extend the vocabulary (see the README).
    """

    code = "ML201"
    name = "glue-heavy-module"
    message = "Module is mostly glue code"
    severity = Severity.NOTE
    tags = ("maintainability", "glue-code")
    VALID = (
        "import numpy as np\n"
        + "".join(f"x{i} = np.mean(a) * {i}\n" for i in range(25))
        + "".join(f'print("step {i}")\n' for i in range(5)),
        "import json\n" + "".join(f"d{i} = json.loads(s)\n" for i in range(10)),
    )
    INVALID = (
        Invalid(
            "import json\nimport numpy as np\n"
            + "".join(f"d{i} = json.loads(s{i})\n" for i in range(24))
            + "y = np.mean(x)\n",
            line=1,
            message="96% glue",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.analysis = analysis_for(context)

    def _statement(self, node: cst.CSTNode) -> None:
        self.analysis.classify(node, self.context.walker.statement_index)
        if isinstance(node, cst.FunctionDef):
            self.analysis.enter_function(node)
        elif isinstance(node, cst.ClassDef):
            self.analysis.path.append(node.name.value)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.analysis.leave_function(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.analysis.path.pop()

    def leave_Module(self, node: cst.Module) -> None:
        counts = self.analysis.module
        ratio = counts.ratio()
        threshold = self.analysis.options.threshold
        if ratio is None or counts.classified < MIN_MODULE_STATEMENTS or ratio <= threshold:
            return
        self.context.report_file(
            self,
            f"Module is {_percent(ratio)} glue ({counts.glue} glue, {counts.algorithm} "
            f"algorithm statements; threshold {threshold:.0%})",
            properties={"glueRatio": round(ratio, 4), "glue": counts.glue},
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
    Reports functions whose own statements (nested functions count on their own) have a glue
    ratio above `glue-threshold` (default 0.8), like ML201 does for modules.

    ## Why is this bad?
    A function that is nearly all conversion, renaming, serialisation and logging around one
    model call is where ML systems accumulate debt: every new data source or output format
    adds another layer, and the one line of real work is hard to find and to test.

    ## Example
    ```python
    def handle(body):
        payload = json.loads(body)
        image = base64.b64decode(payload["image"])
        meta = dict(payload.get("meta", {}))
        meta["brand"] = str(meta.get("brand")).lower()
        logger.info("request %s", meta)
        frame = pd.DataFrame([meta])
        frame = frame.astype({"price": "float32"})
        result = model.predict(frame)
        return json.dumps({"label": str(result[0]), "meta": meta})
    ```

    Use instead:
    ```python
    def handle(body):
        request = Request.parse(body)      # one tested place for the plumbing
        return Response(model.predict(request.features)).to_json()
    ```

    ## Notes
    Functions with fewer than 6 glue + algorithm statements are not reported, so small
    helpers (getters, converters, `__repr__`) stay quiet. Reported at the `def` line.
    """

    code = "ML202"
    name = "glue-heavy-function"
    message = "Function is mostly glue code"
    severity = Severity.NOTE
    tags = ("maintainability", "glue-code")
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
    )
    INVALID = (
        Invalid(
            "import json, logging\nlog = logging.getLogger()\n"
            "def handle(body):\n"
            "    payload = json.loads(body)\n"
            "    meta = dict(payload['meta'])\n"
            "    meta['brand'] = str(meta.get('brand')).lower()\n"
            "    log.info('request %s', meta)\n"
            "    name = meta['name']\n"
            "    key = f'{name}-x'\n"
            "    out = {'key': key, 'meta': meta}\n"
            "    score = model.predict(meta)\n"
            "    return json.dumps(out)\n",
            line=3,
            message="`handle`",
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.analysis = analysis_for(context)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        counts = self.analysis.finished.get(id(node))
        if counts is None or counts.classified < MIN_FUNCTION_STATEMENTS:
            return
        ratio = counts.ratio()
        threshold = self.analysis.options.threshold
        if ratio is None or ratio <= threshold:
            return
        self.report(
            node,
            f"Function `{node.name.value}` is {_percent(ratio)} glue ({counts.glue} glue, "
            f"{counts.algorithm} algorithm statements; threshold {threshold:.0%})",
            properties={"glueRatio": round(ratio, 4), "glue": counts.glue},
            header_width=len(f"def {node.name.value}") + (6 if node.asynchronous else 0),
        )


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
    caught. Test files (`test_*.py`, `*_test.py`, `conftest.py`) are skipped for the
    intermediate-file check: tests write files to read them back on purpose.
    """

    code = "ML203"
    name = "pipeline-jungle"
    message = "Pipeline jungle: an intermediate file or a long reshaping chain"
    severity = Severity.WARNING
    tags = ("maintainability", "pipeline-jungle")
    VALID = (
        "import pandas as pd\ndef run(src, dst):\n    df = pd.read_csv(src)\n    df.to_csv(dst)\n",
        "import torch\ndef save(model, path):\n    torch.save(model.state_dict(), path)\n"
        "def load(path):\n    return torch.load(path)\n",
        "df = df.rename(columns=m).merge(o, on='k').dropna().reset_index(drop=True)\n",
        "t = s" + "".join(f".replace('{c}', ' ')" for c in "abcdefghij") + "\n",
        "import json, os\ndef save(d, out, m):\n"
        "    path = os.path.join(out, 'a.json')\n"
        "    with open(path, 'w') as f:\n        json.dump(m, f)\n"
        "    path = os.path.join(out, 'b.json')\n"
        "    with open(path) as f:\n        return json.load(f)\n",
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
        self._writes: Dict[Tuple[int, str], Tuple[str, Tuple[Tuple[int, int], ...]]] = {}
        self._arm_of: Dict[int, Tuple[int, int]] = {}
        self._arms: List[Tuple[int, int]] = []
        self._reported: Set[int] = set()
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

    def leave_If(self, node: cst.If) -> None:
        self._leave_arm(node)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._enter_arm(node)

    def leave_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._leave_arm(node)

    def visit_Else(self, node: cst.Else) -> None:
        self._enter_arm(node)

    def leave_Else(self, node: cst.Else) -> None:
        self._leave_arm(node)

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
            self._file_io(node)
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

    def _file_io(self, node: cst.Call) -> None:
        func = node.func
        names = self.analysis.names
        qualified = names.qualify(func)
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
                if any(c in mode for c in "wax"):
                    write = _path_argument(node, 0)
                elif mode != "?":
                    read = _path_argument(node, 0)
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
        if write is not None and _names_a_file(write):
            key, _ = self._key(write)
            self._writes.setdefault(key, (how, tuple(self._arms)))
        if read is not None and _names_a_file(read):
            key, text = self._key(read)
            written = self._writes.get(key)
            if written is not None and not _exclusive(written[1], self._arms):
                self.report(
                    node,
                    f"Pipeline jungle: `{_short(text)}` is written ({written[0]}) and read back "
                    f"({how}) in the same module; pass the data on instead of through a file",
                    properties={"path": text},
                )

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
    Through a variable, the conversion back must take the variable as its only argument and
    be in the same function as the assignment, with no reassignment in between. It is
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
    VALID = (
        "import json\npayload = json.loads(body)\n",
        "import numpy as np\nx = np.array(values)\n",
        "import torch\nt = torch.from_numpy(arr)\n",
        "import json\ns = json.dumps(x)\nsend(s)\n",
        "import json\ndef f(x):\n    s = json.dumps(x)\n    s = compress(s)\n"
        "    return json.loads(s)\n",
        "ascii_only = text.encode('ascii', 'ignore').decode('ascii')\n",
        "import torch\ndef f(x):\n    x = torch.from_numpy(x)\n    x = x.numpy()\n",
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
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.analysis = analysis_for(context)
        self._held: Dict[Tuple[int, str], str] = {}

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
            for name in _names_in(target):
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


__all__ = [
    "ALGORITHM",
    "GLUE",
    "GLUE_FACTS",
    "OTHER",
    "FormatRoundTrip",
    "GlueHeavyFunction",
    "GlueHeavyModule",
    "PipelineJungle",
    "analysis_for",
]
