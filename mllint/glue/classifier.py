"""The statement classifier behind ``mllint stats`` and ML201-ML204: glue, algorithm or other.

Every statement gets one class and a reason a user can read and argue with:

* **other**: imports, docstrings, ``pass``/``break``/``continue``, ``global``, ``raise``,
  ``assert``, ``del``, ``def``/``class``/``try`` headers, and statements with no evidence
  either way (a call of a function mllint knows nothing about, a bare constant).
* **algorithm**: the statement's deciding call resolves to a numerical or modelling API
  (``numpy.mean``, ``torch.nn.Linear``, ``sklearn...fit``), is a method known to compute
  (``.backward()``, ``.step()``, ``.fit()``, ``.predict()``, ``.mean()``), calls a name bound
  to a model object, or the statement is arithmetic (``@``, ``*``, ``-``, in-place ``+=``).
* **glue**: the deciding call moves or converts data (files, network, (de)serialisation,
  ``astype``/``tolist``/``.to(device)``, dataframe reshaping, logging, argument parsing, path
  handling), or the statement copies or packs values (``x = cfg.lr``, ``{"id": rid, ...}``,
  f-strings, ``DATA_DIR / "x.csv"``).

**The outermost known call decides**: ``print(np.mean(x))`` is glue (it prints),
``np.mean(df["x"].to_numpy())`` is algorithm (it averages), ``np.array(t.tolist())`` is glue
(both halves convert).

Names are resolved to qualified names in the same walk, without LibCST's scope analysis: a
per-module import table (``import numpy as np``, ``from torch import nn``,
``from torch.nn import functional as F``; relative imports stay relative and never match the
vocabulary) and dotted attribute chains resolved from their head (``np.linalg.norm`` ->
``numpy.linalg.norm``). Shadowing is approximate: assigning to an imported name drops it from
the table from that statement on, for the rest of the module, whatever the scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

import libcst as cst

GLUE, ALGORITHM, OTHER = "glue", "algorithm", "other"
KINDS = (GLUE, ALGORITHM, OTHER)

# Qualified-name prefixes. The longest matching prefix (on dotted boundaries) decides; user
# prefixes from `glue-modules` / `algorithm-modules` beat built-in ones of the same length.
_GLUE_PREFIXES = """
pandas polars pyarrow datasets fsspec s3fs gcsfs boto3 botocore requests urllib urllib3 httpx
http socket yaml ruamel json pickle cloudpickle dill joblib.dump joblib.load csv io os shutil
pathlib glob tempfile gzip bz2 lzma zipfile tarfile base64 struct argparse click typer absl.flags
logging warnings sys subprocess time datetime configparser tomllib tomli toml dataclasses copy
h5py zarr tqdm wandb mlflow tensorboard tensorboardX omegaconf hydra PIL imageio cv2.imread
cv2.imwrite cv2.imdecode cv2.imencode cv2.cvtColor cv2.resize cv2.VideoWriter cv2.VideoCapture
cv2.VideoWriter_fourcc cv2.imshow cv2.waitKey cv2.destroyAllWindows matplotlib seaborn plotly
safetensors huggingface_hub pprint pdb traceback uuid hashlib shlex string textwrap
numpy.array numpy.asarray numpy.asanyarray numpy.ascontiguousarray numpy.save numpy.savez
numpy.savez_compressed numpy.load numpy.loadtxt numpy.savetxt numpy.genfromtxt numpy.fromfile
numpy.frombuffer numpy.memmap numpy.set_printoptions numpy.printoptions numpy.lib.format
scipy.io
torch.save torch.load torch.tensor torch.as_tensor torch.from_numpy torch.frombuffer
torch.device torch.utils.data torch.utils.tensorboard torch.utils.checkpoint.checkpoint_sequential
torch.distributed torch.onnx torch.jit.save torch.jit.load torch.hub torch.cuda torch.backends
torch.set_printoptions torch.manual_seed torch.set_default_dtype torch.set_num_threads
numpy.random.seed random.seed tensorflow.random.set_seed tensorflow.compat.v1.set_random_seed
transformers.set_seed transformers.enable_full_determinism pytorch_lightning.seed_everything
lightning.seed_everything lightning.pytorch.seed_everything lightning.fabric.seed_everything
accelerate.utils.set_seed transformers.GenerationConfig
torch.multiprocessing torch.serialization torch.package
tensorflow.io tensorflow.data tensorflow.saved_model tensorflow.summary tensorflow.print
tensorflow.estimator.SecondOrStepTimer tensorflow.train.SecondOrStepTimer
tensorflow.compat.v1.train.SecondOrStepTimer
tensorflow.convert_to_tensor tensorflow.train.Checkpoint tensorflow.train.CheckpointManager
tensorflow.config tensorflow.distribute tensorflow.keras.utils tensorflow.keras.callbacks
tensorflow.keras.models.load_model tensorflow.keras.preprocessing tensorflow.compat
tensorflow.logging tensorflow.gfile tensorflow.app tensorflow.flags absl.logging absl.app
keras.utils keras.callbacks keras.saving keras.models.load_model keras.preprocessing
jax.device_put jax.device_get jax.numpy.array jax.numpy.asarray jax.tree_util jax.distributed
jax.experimental.multihost_utils flax.serialization flax.training.checkpoints orbax
sklearn.datasets sklearn.model_selection.train_test_split sklearn.utils
xgboost.DMatrix lightgbm.Dataset
transformers.AutoTokenizer transformers.PreTrainedTokenizer transformers.PreTrainedTokenizerFast
transformers.tokenization_utils transformers.tokenization_utils_base transformers.utils
transformers.HfArgumentParser transformers.TrainingArguments transformers.AutoConfig
transformers.PretrainedConfig transformers.configuration_utils transformers.logging
transformers.file_utils transformers.hub transformers.dynamic_module_utils
torchvision.datasets torchvision.io lightning.pytorch.loggers lightning.pytorch.callbacks
pytorch_lightning.loggers pytorch_lightning.callbacks lightning.fabric.utilities lightning_utilities
builtins.print builtins.open builtins.input builtins.str builtins.repr builtins.format
builtins.int builtins.float builtins.bool builtins.bytes builtins.bytearray builtins.list
builtins.dict builtins.tuple builtins.set builtins.frozenset builtins.sorted builtins.getattr
builtins.setattr builtins.vars builtins.chr builtins.ord builtins.hex builtins.memoryview
"""

_ALGORITHM_PREFIXES = """
numpy scipy torch tensorflow keras jax flax optax haiku equinox sklearn xgboost lightgbm
catboost statsmodels transformers accelerate peft diffusers timm torchvision.models
torchvision.ops torchmetrics lightning pytorch_lightning math cmath statistics random
torchvision.transforms numba cupy einops opt_einsum scipy.special cv2
builtins.sum builtins.min builtins.max builtins.abs builtins.round builtins.pow
builtins.divmod
"""

_OTHER_PREFIXES = """
builtins.len builtins.range builtins.enumerate builtins.zip builtins.isinstance
builtins.issubclass builtins.iter builtins.next builtins.hasattr builtins.id builtins.type
builtins.super builtins.callable builtins.reversed builtins.any builtins.all builtins.map
builtins.filter builtins.object builtins.property builtins.staticmethod builtins.classmethod
builtins.NotImplementedError builtins.ValueError builtins.TypeError builtins.KeyError
builtins.RuntimeError builtins.Exception
typing functools itertools collections contextlib abc enum inspect
torch.no_grad torch.enable_grad torch.inference_mode torch.set_grad_enabled torch.autocast
torch.cuda.amp.autocast torch.amp.autocast math.isfinite math.isnan math.isinf
hydra.utils.instantiate hydra.utils.call
numpy.isfinite numpy.isnan numpy.isinf torch.isfinite torch.isnan torch.isinf
jax.numpy.isfinite jax.numpy.isnan jax.numpy.isinf tensorflow.math.is_finite tensorflow.math.is_nan
tensorflow.math.is_inf
tensorflow.name_scope tensorflow.variable_scope tensorflow.device jax.named_scope
tensorflow.Session tensorflow.InteractiveSession tensorflow.compat.v1.Session
tensorflow.compat.v1.InteractiveSession
transformers.Trainer transformers.Seq2SeqTrainer pytorch_lightning.Trainer lightning.Trainer
lightning.pytorch.Trainer
"""

METHOD_TABLE: Dict[str, str] = {}
"""Method names that classify a call on a receiver of unknown type (documented in README)."""

_GLUE_METHODS = """
to_csv to_json to_parquet to_pickle to_feather to_hdf to_sql to_excel to_dict to_records
to_numpy to_list tolist tobytes to_string to_frame to_arrow to_pandas from_pandas astype
rename rename_axis merge join concat reset_index set_index reindex drop dropna fillna
drop_duplicates sort_values sort_index assign query pivot pivot_table melt unstack explode
groupby set_axis add_prefix add_suffix infer_objects convert_dtypes select with_columns
filter_columns numpy item read write readline readlines writelines close flush open encode
decode format format_map strip lstrip rstrip split rsplit splitlines lower upper title replace
startswith endswith zfill get items keys values pop popitem setdefault copy
info debug warning warn error exception critical log log_dict log_metrics log_hyperparams
add_argument add_argument_group add_mutually_exclusive_group parse_args parse_known_args
add_scalar add_scalars add_histogram add_image add_text add_figure save load save_pretrained
from_pretrained push_to_hub load_state_dict state_dict mkdir makedirs exists is_file is_dir
joinpath glob rglob iterdir unlink rmdir touch read_text write_text read_bytes write_bytes
with_suffix with_name resolve relative_to expanduser as_posix head tail json
raise_for_status upload_file download_file put_object get_object send_response send_header
end_headers tokenize batch_decode convert_tokens_to_ids convert_ids_to_tokens
apply_chat_template toarray todense plot set_xlabel set_ylabel set_title
legend savefig imshow scatter hist subplots writerow writerows to_tensor map_location
"""

_ALGORITHM_METHODS = """
backward step zero_grad fit predict predict_proba predict_log_proba decision_function
transform fit_transform inverse_transform score forward mean sum std var max min argmax
argmin softmax log_softmax matmul mm bmm dot exp sqrt abs clamp clamp_ clip norm cumsum cumprod
prod sigmoid tanh relu gelu reshape view permute transpose squeeze unsqueeze flatten expand
expand_as repeat repeat_interleave gather scatter scatter_add topk masked_fill masked_fill_
mul mul_ sub sub_ div div_ add_ pow corr cov quantile diff pct_change rolling ewm cumsum
agg aggregate evaluate generate apply_gradients minimize compute_loss loss train_step einsum
lerp baddbmm register_buffer register_parameter
addmm split_with_sizes chunk narrow roll flip logsumexp median mode nansum nanmean all_reduce
"""

_OTHER_METHODS = """
train eval requires_grad_ parameters named_parameters modules children named_modules
"""

AMBIGUOUS_METHODS = frozenset(
    {"update", "init", "apply", "get", "copy", "step", "transform", "sample", "append", "extend"}
    | {"insert", "add"}
)
"""Generic method names where a receiver known to be a model or glue object decides
(``buffer.sample()``, ``ema.update()``, ``outputs.append(logits)``)."""
DEVICE_METHODS = frozenset(
    {"to", "cuda", "cpu", "detach", "half", "float", "double", "long", "int", "bool"}
    | {"contiguous", "pin_memory", "to_device", "type_as", "clone"}
)
"""Moves a value to a device or a dtype: the value's kind decides (a tensor stays a tensor)."""
LOGGER_NAMES = frozenset(
    {"logger", "log", "writer", "summary_writer", "tb_writer", "tb_logger", "tblogger"}
)
"""Receivers that are loggers or summary writers by convention: what they are called with is
being recorded (``self.logger.record("loss", np.mean(losses))``)."""
LOGGER_CLASSES = ("Logger", "Writer", "Meter", "Monitor", "ProgressBar")
"""Class-name endings of loggers, summary writers and meters: building one is logging."""
PARAMETER_METHODS = frozenset({"parameters", "named_parameters", "buffers", "named_buffers"})
"""Methods that hand over a model's parameters: what receives them computes on a model."""
COLLECTING_METHODS = frozenset({"append", "extend", "insert", "add"})
"""Put a value into a container: collecting tensors is algorithm, collecting records glue."""
MODEL_METHODS = frozenset({"forward", "call", "backward"})
"""A class that defines one of these computes: its submodules are models, its inputs tensors."""
TENSOR_ANNOTATIONS = frozenset(
    {"Tensor", "ndarray", "Array", "FloatTensor", "LongTensor", "BoolTensor", "ArrayLike"}
    | {"Module", "Optimizer", "Parameter"}
)
"""Parameter annotations (last dotted part) that make the parameter algorithm data."""
FACTORY_METHODS = frozenset(
    {"from_pretrained", "from_config", "load_from_checkpoint", "from_dict", "from_json_file"}
)
"""Class methods that build an instance: the class, not the loading, says what it is."""

CALLABLE_MODEL_NAMES = frozenset(
    {"model", "net", "network", "module", "criterion", "loss_fn", "loss_fct", "loss_func"}
)
"""Names conventionally bound to a model or a loss: calling one is a forward pass."""

PATH_SUFFIXES = ("dir", "path", "root", "folder", "file")

MODEL_CLASS = "<model class>"
"""Key of :attr:`ModuleNames.bound` set while the walk is inside a model class."""
MODEL_FUNCTION = "<model function>"
_MODEL_BASE = re.compile(
    r"(Module|Model|Layer|Net|Network|Function|Optimizer|Loss|Policy|Sequential|ModuleList"
    r"|ModuleDict|Distribution|Estimator|Regressor|Classifier|Transformer|Mixin)$"
)
"""Base-class names of models, layers, losses, optimisers and estimators (``nn.Module``,
``keras.Model``, ``LightningModule``, ``BaseEstimator``): a subclass computes. A framework's
other classes (a training loop, a callback) are not models."""
CONFIG_FIELD = "sets a config field to a constant"
COMPUTED = "computed by an algorithm statement"
RETURNED = "returned by a step or loss called by name"
"""What a delegated call hands back (``loss = train_epoch(...)``): algorithm data, but what a
driver does with it (a perplexity, the best metric so far) is the driver's bookkeeping."""
_SCALAR_MATH = ("math.", "cmath.", "statistics.")
"""Modules of functions on Python numbers: arithmetic like an operator's, never on tensors."""
CLASS_METHODS = "<class methods>"
"""Key of :attr:`ModuleNames.bound` holding the enclosing class's method names, comma-joined."""
_PACKING = frozenset(
    {"builtins.dict", "builtins.list", "builtins.tuple", "builtins.set", "builtins.frozenset"}
)

"""Key of :attr:`ModuleNames.bound` set while the walk is inside a model's forward/call."""


def _words(text: str) -> List[str]:
    return text.split()


for _kind, _names in (
    (GLUE, _GLUE_METHODS),
    (ALGORITHM, _ALGORITHM_METHODS),
    (OTHER, _OTHER_METHODS),
):
    for _name in _words(_names):
        METHOD_TABLE[_name] = _kind


@dataclass(frozen=True)
class GlueOptions:
    """The settings that change classification and the thresholds of ML201/ML202."""

    glue_modules: Tuple[str, ...] = ()
    algorithm_modules: Tuple[str, ...] = ()
    threshold: float = 0.8
    roles: Tuple[Tuple[str, str], ...] = ()
    """``glue-roles``: (glob, role) pairs, matched against paths relative to ``root``."""
    root: str = ""


_active = GlueOptions()


def configure(options: GlueOptions) -> None:
    """Use ``options`` for the per-file stage of this process (and forked workers)."""
    global _active, _vocabulary
    _active = options
    _vocabulary = None


def active_options() -> GlueOptions:
    """The options the per-file stage uses."""
    return _active


class Vocabulary:
    """Qualified-name prefixes mapped to a class; the longest match wins."""

    def __init__(self, options: GlueOptions) -> None:
        self._table: Dict[str, Tuple[str, bool]] = {}
        for kind, text in ((GLUE, _GLUE_PREFIXES), (ALGORITHM, _ALGORITHM_PREFIXES)):
            for prefix in _words(text):
                self._table[prefix] = (kind, False)
        for prefix in _words(_OTHER_PREFIXES):
            self._table[prefix] = (OTHER, False)
        for kind, prefixes in (
            (GLUE, options.glue_modules),
            (ALGORITHM, options.algorithm_modules),
        ):
            for prefix in prefixes:
                self._table[prefix.strip().strip(".")] = (kind, True)
        self._cache: Dict[str, Optional[Tuple[str, bool]]] = {}

    def lookup(self, qualified: str) -> Optional[Tuple[str, bool]]:
        """``(kind, from_user_config)`` of the longest prefix matching ``qualified``."""
        if qualified in self._cache:
            return self._cache[qualified]
        found: Optional[Tuple[str, bool]] = None
        name = qualified
        for compat in ("tensorflow.compat.v1.", "tensorflow.compat.v2."):
            if name.startswith(compat):  # `import tensorflow.compat.v1 as tf`: all of TF
                name = "tensorflow." + name[len(compat) :]
        while True:
            hit = self._table.get(name)
            if hit is not None:
                found = hit
                break
            cut = name.rfind(".")
            if cut < 0:
                break
            name = name[:cut]
        if found == (ALGORITHM, False) and _PREPROCESSORS.match(qualified):
            found = (GLUE, False)  # `GPT2Tokenizer.from_pretrained(...)` turns text into ids
        self._cache[qualified] = found
        return found


_vocabulary: Optional[Vocabulary] = None


def vocabulary() -> Vocabulary:
    """The vocabulary built from the active options."""
    global _vocabulary
    if _vocabulary is None:
        _vocabulary = Vocabulary(_active)
    return _vocabulary


@dataclass(frozen=True)
class Verdict:
    """A statement's class and why."""

    kind: str
    reason: str
    weak: bool = False
    """Packing or plumbing (a dict literal, ``dict(...)``) that an enclosing call of unknown
    purpose does not inherit: ``Model(depth=12, **dict(a=1))`` builds a model."""
    bare: bool = False
    """Arithmetic on values of unknown kind (``n * epochs // k``, ``i + 1``): algorithm by
    its operator, but no evidence that the function around it computes on model data."""
    delegates: bool = False
    """A call of a step or a loss by its name (``training_step(...)``): algorithm work, done by
    another function; what it returns is algorithm data, but the caller is a driver."""

    @property
    def computes(self) -> bool:
        """Evidence of computation on model data: an algorithm statement that is more than
        arithmetic on values of unknown kind or a call that hands the work to a step."""
        return self.kind == ALGORITHM and not self.bare and not self.delegates


_NOTHING = Verdict(OTHER, "no evidence")


_BUILTINS = frozenset(
    _w.split(".", 1)[1]
    for _w in _words(_GLUE_PREFIXES + _ALGORITHM_PREFIXES + _OTHER_PREFIXES)
    if _w.startswith("builtins.")
)
_LOADING_METHODS = frozenset(
    {"from_pretrained", "save_pretrained", "push_to_hub", "load_from_checkpoint", "from_config"}
)
_METER_BUILT = " (a logger or meter by name)"
_STEP_NAME = re.compile(
    r"(^|_)(train|training|eval|evaluation|val|validation|test|predict|update|optimi[sz]e|learn"
    r"|sgd|shared|common)_step$"
    r"|^_?(compute|calc|calculate)_(\w+_)?loss(es)?$"
    r"|(^|_)(polyak|soft|momentum)_update(_|$)"
    r"|^_?update_(actor|critic|policy|q|value|target|encoder|decoder|generator|discriminator"
    r"|model|network|net|params|parameters|weights)(_|$)"
)
"""A function called by a name that says it is a training or evaluation step, a loss or a
model's update (``training_step(...)``, ``compute_loss(...)``, ``polyak_update(...)``,
``self.update_critic(...)``): calling one is algorithm, as calling ``model`` or ``criterion``
is."""
_PREPROCESSORS = re.compile(
    r"(transformers|tokenizers)\.(\w+\.)*\w*(Tokeni[sz]er|Processor|FeatureExtractor)(Fast)?(\.|$)"
)
"""A library's tokenizers and processors: they turn text and images into ids and arrays
(data preparation, glue), though their package also holds models."""
_SETTING_KEYWORDS = frozenset({"device", "dtype", "map_location"})
"""Keyword arguments that say where or in what type a call works, not what it works on:
``model.sample(coords, device=torch.device("cuda"))`` is decided by the model, not the device."""
_HANDED_ON = frozenset({"evaluate", "fit"})
"""Methods that run a whole training or evaluation on an object of unknown type
(``trainer.evaluate()``, ``model.fit(x, y)``): the work is done there, as with a step called
by name."""
_BUILTIN_ARITHMETIC = frozenset(
    f"calls builtins.{name}" for name in ("sum", "min", "max", "abs", "round", "pow", "divmod")
)


def _scalar_arithmetic(reason: str) -> bool:
    """A call of ``sum``/``min``/``max``/... or of ``math.*``: arithmetic like an operator's,
    on model data only when an operand is."""
    return reason in _BUILTIN_ARITHMETIC or reason.startswith(_SCALAR_MATH, len("calls "))


_CONVERSIONS = frozenset(
    f"calls {name}"
    for name in (
        "torch.tensor",
        "torch.as_tensor",
        "numpy.array",
        "numpy.asarray",
        "jax.numpy.array",
        "jax.numpy.asarray",
    )
)
"""Conversions to a tensor or an array: glue, unless what they convert is computed."""
_LEGACY_TENSORS = frozenset(
    {"Tensor", "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor"}
    | {"ShortTensor", "ByteTensor", "CharTensor", "BoolTensor", "BFloat16Tensor"}
)
"""``torch.FloatTensor(obs)`` converts its data, as ``torch.tensor`` does;
``torch.FloatTensor(3, 4)`` allocates (sizes)."""
_TYPE_CHECKS = frozenset({"calls builtins.isinstance", "calls builtins.issubclass"})
_CHECK_CASTS = frozenset(f"calls builtins.{t}" for t in ("str", "int", "float", "bool", "repr"))
_SCALAR_CASTS = frozenset(f"calls builtins.{t}" for t in ("float", "int", "bool", "complex"))
_WRAPPERS = _SCALAR_CASTS | _CONVERSIONS
"""Calls that wrap a value without computing: a computation inside decides."""
_MAX_DEPTH = 60
_NO_EVIDENCE = frozenset(
    {
        cst.Name,
        cst.Integer,
        cst.Float,
        cst.Imaginary,
        cst.SimpleString,
        cst.ConcatenatedString,
        cst.Ellipsis,
    }
)
"""Expressions that are evidence of nothing on their own (checked by exact type: fast)."""
_STRING_TYPES = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
_ARITHMETIC = {
    cst.Add: "+",
    cst.Subtract: "-",
    cst.Multiply: "*",
    cst.Divide: "/",
    cst.FloorDivide: "//",
    cst.Modulo: "%",
    cst.Power: "**",
    cst.MatrixMultiply: "@",
}


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """``a.b.c`` for a chain of names and attributes, else ``None``."""
    parts: List[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def is_literal(node: cst.BaseExpression) -> bool:
    """Numbers, strings, ``None``/``True``/``False`` and containers of them."""
    if isinstance(node, (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString)):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return True
    if isinstance(node, cst.Name):
        return node.value in ("None", "True", "False")
    if isinstance(node, cst.UnaryOperation):
        return is_literal(node.expression)
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return all(isinstance(e, cst.Element) and is_literal(e.value) for e in node.elements)
    if isinstance(node, cst.Dict):
        return all(
            isinstance(e, cst.DictElement) and is_literal(e.key) and is_literal(e.value)
            for e in node.elements
        )
    return False


NamesSnapshot = Tuple[FrozenSet[Tuple[str, str]], FrozenSet[Tuple[str, Tuple[str, str]]]]


class ModuleNames:
    """The import table of one module and the names bound to model or glue objects."""

    def __init__(self) -> None:
        self.imports: Dict[str, str] = {}
        self.bound: Dict[str, Tuple[str, str]] = {}
        """dotted target (``model``, ``self.fc``) -> (kind, qualified constructor)."""
        self._snapshot: Optional[NamesSnapshot] = None

    def snapshot(self) -> NamesSnapshot:
        """The table as an immutable, hashable value; the same object until it changes."""
        if self._snapshot is None:
            self._snapshot = (frozenset(self.imports.items()), frozenset(self.bound.items()))
        return self._snapshot

    def restore(self, snapshot: NamesSnapshot) -> None:
        """Make the table what :meth:`snapshot` returned."""
        self.imports, self.bound = dict(snapshot[0]), dict(snapshot[1])
        self._snapshot = snapshot

    def bind(self, dotted: str, kind: str, constructor: str) -> None:
        """``dotted`` now holds an object of ``kind`` made by ``constructor``."""
        if self.bound.get(dotted) != (kind, constructor):
            self.bound[dotted] = (kind, constructor)
            self._snapshot = None

    def restore_bound(self, bound: Dict[str, Tuple[str, str]]) -> None:
        """Make the bindings ``bound`` (a scope ended)."""
        if bound != self.bound:
            self.bound = bound
            self._snapshot = None

    def unbind(self, dotted: str) -> None:
        """``dotted`` was assigned something unknown."""
        if self.bound.pop(dotted, None) is not None:
            self._snapshot = None

    def add_import(self, node: cst.Import) -> None:
        """Record ``import a.b`` / ``import a.b as c``."""
        for alias in node.names:
            full = dotted_name(alias.name)
            if full is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.imports[alias.asname.name.value] = full
            else:
                head = full.split(".", 1)[0]
                self.imports[head] = head
            self._snapshot = None

    def add_import_from(self, node: cst.ImportFrom) -> None:
        """Record ``from a import b as c`` (relative modules keep their leading dots)."""
        base = dotted_name(node.module) if node.module is not None else ""
        if base is None:
            return
        base = "." * len(node.relative) + base
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted_name(alias.name)
            if name is None:
                continue
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            joined = f"{base}.{name}" if base and not base.endswith(".") else base + name
            self.imports[local] = joined
            self._snapshot = None

    def qualify(self, node: cst.BaseExpression) -> Optional[str]:
        """The qualified name of a dotted expression whose head is imported or a builtin."""
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        target = self.imports.get(head)
        if target is None:
            if head in _BUILTINS and head not in self.bound:
                target = "builtins." + head
            else:
                return None
        return f"{target}.{rest}" if rest else target

    def forget(self, name: str) -> None:
        """A name was rebound by assignment: it no longer means the import."""
        if self.imports.pop(name, None) is not None:
            self._snapshot = None


class Classifier:
    """Classifies statements of one module, in walk order.

    Besides the import table, :class:`ModuleNames` carries the local dataflow: the kind of
    value (algorithm data such as tensors, arrays, models; glue data such as paths, records)
    each name holds, learnt from the statement that bound it and propagated through plain
    assignments. Function-local names are forgotten when the function ends; ``self.*``
    attributes live as long as their class. The enclosing class's nature (a model: it has an
    algorithm base or defines ``forward``/``call``) is kept under :data:`MODEL_CLASS`.
    """

    def __init__(self, names: ModuleNames, vocab: Vocabulary) -> None:
        self.names = names
        self.vocab = vocab
        self._saved: List[Dict[str, Tuple[str, str]]] = []
        self._functions: List[cst.FunctionDef] = []
        self._returned: Dict[int, FrozenSet[str]] = {}

    # -- scopes ---------------------------------------------------------------------------

    def enter_class(self, node: cst.ClassDef) -> None:
        """A class body starts: remember whether it is a model, and bind its name if so."""
        names = self.names
        self._saved.append(dict(names.bound))
        model = self._model_class_reason(node)
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        methods = sorted(s.name.value for s in body if isinstance(s, cst.FunctionDef))
        names.bind(CLASS_METHODS, OTHER, ",".join(methods))
        if model is not None:
            names.bind(node.name.value, ALGORITHM, model)
            names.bind(MODEL_CLASS, ALGORITHM, node.name.value)
        else:
            names.unbind(MODEL_CLASS)

    def leave_class(self, node: cst.ClassDef) -> None:
        """A class body ended: its ``self.*`` bindings go; its own name stays bound."""
        saved = self._saved.pop() if self._saved else {}
        own = self.names.bound.get(node.name.value)
        if own is not None:
            saved[node.name.value] = own
        self.names.restore_bound(saved)

    def enter_function(self, node: cst.FunctionDef) -> None:
        """A function body starts: its parameters get kinds from annotations, and the
        inputs of a model's ``forward``/``call`` are tensors."""
        names = self.names
        self._saved.append(dict(names.bound))
        self._functions.append(node)
        in_model = MODEL_CLASS in names.bound
        computes = in_model and node.name.value in MODEL_METHODS
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            name = param.name.value
            annotation = param.annotation
            if annotation is not None:
                dotted = _tensor_annotation(annotation.annotation)
                if dotted is not None:
                    names.bind(name, ALGORITHM, f"parameter `{name}: {dotted}`")
                    continue
                if computes:
                    continue  # `forward(self, x, mask: bool)`: a flag, not a tensor
            if computes and name not in ("self", "cls") and param.default is None:
                names.bind(name, ALGORITHM, f"input of {node.name.value}()")
            elif name != "self":
                names.unbind(name)
        names.unbind(MODEL_FUNCTION)
        if computes:
            names.bind(MODEL_FUNCTION, ALGORITHM, node.name.value)

    def leave_function(self, node: cst.FunctionDef) -> None:
        """A function body ended: its local names are forgotten, ``self.*`` stays."""
        saved = self._saved.pop() if self._saved else {}
        if self._functions:
            self._returned.pop(id(self._functions.pop()), None)
        for key, value in self.names.bound.items():
            if key.startswith("self.") and key not in saved:
                saved[key] = value
        self.names.restore_bound(saved)

    def _model_class_reason(self, node: cst.ClassDef) -> Optional[str]:
        for base in node.bases:
            qualified = self.names.qualify(base.value)
            if qualified is not None and _MODEL_BASE.search(qualified.rsplit(".", 1)[-1]):
                hit = self.vocab.lookup(qualified)
                if hit is not None and hit[0] == ALGORITHM:
                    return f"a model: class {node.name.value}({qualified})"
            dotted = dotted_name(base.value)
            if dotted is not None and self.names.bound.get(dotted, ("", ""))[0] == ALGORITHM:
                return f"a model: class {node.name.value}({dotted})"
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        for statement in body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value in MODEL_METHODS:
                return f"a model: class {node.name.value} defines {statement.name.value}()"
        return None

    # -- statements -----------------------------------------------------------------------

    def statement(self, node: cst.CSTNode) -> Verdict:
        """The class of one small or compound statement (its header only, for compounds)."""
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            return Verdict(OTHER, "import")
        if isinstance(node, (cst.Assign, cst.AnnAssign)):
            return self._assignment(node)
        if isinstance(node, cst.AugAssign):
            if _is_text(node.value):
                return Verdict(GLUE, "appends to a string")  # `message += ", " + msg` too
            if isinstance(node.value, (cst.List, cst.ListComp)):
                listed = self.expression(node.value)
                if listed is not None and listed.computes:
                    return listed  # `block += [nn.Conv2d(c, c, 3), nn.ReLU()]`: layers
                return Verdict(GLUE, "appends to a list")
            op = type(node.operator).__name__.replace("Assign", "")
            if isinstance(node.operator, cst.AddAssign) and isinstance(node.value, cst.Integer):
                return Verdict(OTHER, "counts (`+= 1`)")
            bare = not self._on_algorithm_data(node.target, node.value)
            return Verdict(ALGORITHM, f"in-place arithmetic ({op})", bare=bare)
        if isinstance(node, cst.Expr):
            if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString)):
                return Verdict(OTHER, "docstring or bare string")
            return self.expression(node.value) or Verdict(OTHER, "no known call")
        if isinstance(node, cst.Return):
            if node.value is None:
                return Verdict(OTHER, "return")
            judged = self.expression(node.value)
            if judged is None and self._holds_algorithm(node.value):
                return Verdict(OTHER, "returns a value")
            return judged or self._plain_value(node.value, "returns")
        if isinstance(node, (cst.If, cst.While)):
            judged = self.expression(node.test)
            if judged is not None and judged.kind == ALGORITHM and judged.bare:
                # `if epoch % args.eval_every == 0:` schedules, it does not compute
                return Verdict(OTHER, "control flow (arithmetic on counts)")
            if judged is not None and judged.kind == GLUE and judged.weak:
                # `if config["inference"] == "rank":` picks a branch by a setting, as
                # `if config.inference == "rank":` does: it tests a field, it moves no data
                return Verdict(OTHER, "control flow (tests a field by name)")
            return judged or Verdict(OTHER, "control flow")
        if isinstance(node, cst.For):
            iterated = _unwrap_progress(node.iter, self.names)
            judged = self.expression(iterated)
            self._bind_elements(node.target, iterated, judged)
            if (judged is None or judged.kind == OTHER) and _iterates_parameters(iterated):
                targets = _names_of(node.target)
                if isinstance(node.target, cst.Tuple) and "named_" in _code_of(iterated):
                    targets = targets[-1:]  # `for name, p in m.named_parameters()`: `name` is a str
                for name in targets:
                    self.names.bind(name, ALGORITHM, "a model's parameter")
            return judged or Verdict(OTHER, "loop")
        if isinstance(node, cst.With):
            for item in node.items:
                judged = self.expression(item.item)
                if judged is not None:
                    return judged
            return Verdict(OTHER, "context manager")
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            return Verdict(OTHER, "definition")
        if isinstance(node, (cst.Pass, cst.Break, cst.Continue)):
            return Verdict(OTHER, "control flow")
        if isinstance(node, (cst.Raise, cst.Assert)):
            return Verdict(OTHER, "check or error")
        return Verdict(OTHER, type(node).__name__.lower())

    def _assignment(self, node: cst.Assign | cst.AnnAssign) -> Verdict:
        value = node.value
        targets: Sequence[cst.BaseExpression]
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        else:
            targets = [node.target]
        if value is None:
            return Verdict(OTHER, "annotation")
        if isinstance(value, (cst.Attribute, cst.Subscript)) and _reads_metadata(value):
            self._bind(targets, value, None)  # `n = batch["image"].shape[0]`: a size
            return Verdict(OTHER, "reads a shape, dtype or device")
        judged = self.expression(value)
        if judged is not None and judged.reason.endswith(_METER_BUILT):
            judged = self._returned_statistic(targets, value) or judged
        stores = _stores_state(targets)
        if judged is not None and judged.weak and stores:
            judged = None  # `self.cfg = dict(a=1)`: wiring a constructor, not moving data
        # before binding: `buf[i] = x` writes into what `buf` held until now
        array = None if judged is not None else self._array_target(targets)
        self._bind(targets, value, judged)
        if judged is not None:
            return judged
        if array is not None:
            return Verdict(ALGORITHM, f"writes into `{array}` (algorithm data)")
        bound = self.names.bound
        if (
            stores
            and isinstance(value, cst.Call)
            and MODEL_CLASS in bound
            and MODEL_FUNCTION not in bound
        ):
            for target in targets:
                shown = dotted_name(target) or "self"
                self.names.bind(shown, ALGORITHM, "a submodule built in a model")
            return Verdict(ALGORITHM, "builds a submodule of a model")
        if stores and (not isinstance(value, cst.Tuple) or _plain_tuple(value)):
            return Verdict(OTHER, "stores an attribute")
        if self._holds_algorithm(value):
            return Verdict(OTHER, "names algorithm data")
        if MODEL_CLASS in self.names.bound and isinstance(value, (cst.Name, cst.Attribute)):
            return Verdict(OTHER, "copies a value inside a model")
        plain = self._plain_value(value, "binds", targets)
        if plain.kind == ALGORITHM:
            self._bind(targets, value, plain)  # `state = self.state[p]`: model state
        return plain

    def _returned_statistic(
        self, targets: Sequence[cst.BaseExpression], value: cst.BaseExpression
    ) -> Optional[Verdict]:
        """``start = AverageMeter()`` in a function that ends ``return start.avg * 100``: the
        meter is the running statistic the function computes (a metric), not logging."""
        built = dotted_name(value.func) if isinstance(value, cst.Call) else None
        if (
            built is None
            or not built.endswith("Meter")
            or len(targets) != 1
            or not isinstance(targets[0], cst.Name)
            or not self._functions
        ):
            return None
        function = self._functions[-1]
        returned = self._returned.get(id(function))
        if returned is None:
            returned = self._returned[id(function)] = _returned_fields(function)
        if targets[0].value not in returned:
            return None
        return Verdict(ALGORITHM, f"builds `{built}`, a running statistic the function returns")

    def _bind_elements(
        self, target: cst.BaseExpression, iterated: cst.BaseExpression, judged: Optional[Verdict]
    ) -> None:
        """Bind a loop's variables to what they hold: an element of the iterable (of
        ``xs`` in ``enumerate(xs)``, of each argument of ``zip(a, b)``), not the iterable."""
        pairs: List[Tuple[cst.BaseExpression, cst.BaseExpression]] = [(target, iterated)]
        own = self.call_kind(iterated) if isinstance(iterated, cst.Call) else None
        if isinstance(iterated, cst.Call) and isinstance(target, cst.Tuple):
            called = self.names.qualify(iterated.func)
            args = [a.value for a in iterated.args if a.keyword is None and not a.star]
            elements = [e.value for e in target.elements]
            if called == "builtins.enumerate" and args and len(elements) == 2:
                pairs = [(elements[0], cst.Integer("0")), (elements[1], args[0])]
            elif called == "builtins.zip" and len(args) == len(elements):
                pairs = list(zip(elements, args))
        for element, source in pairs:
            if self._holds_algorithm(source) or _iterates_parameters(source):
                for name in _names_of(element):
                    self.names.forget(name)
                    self.names.bind(name, ALGORITHM, "an element of algorithm data")
            elif source is iterated and own is not None and own.kind == GLUE:
                self._bind([element], source, judged)  # `for line in open(path)`: glue data
            else:
                self._bind([element], source, None)  # unknown: forget what the name held

    def _array_target(self, targets: Sequence[cst.BaseExpression]) -> Optional[str]:
        """The algorithm-data container a subscript target writes into (``buf[i] = obs``)."""
        for target in targets:
            if isinstance(target, cst.Subscript):
                dotted = dotted_name(target.value)
                if dotted is not None and self.names.bound.get(dotted, ("",))[0] == ALGORITHM:
                    return dotted
        return None

    def _holds_algorithm(
        self, value: cst.BaseExpression, strong: bool = False, returned: bool = True
    ) -> bool:
        """A name, attribute or tuple of them holding algorithm data (``return x, logits``);
        ``strong``: made by a known constructor, a parameter's annotation or a model's input,
        not merely computed by an algorithm statement; ``returned=False``: not what a step
        called by name handed back."""
        if isinstance(value, cst.Tuple):
            return bool(value.elements) and all(
                self._holds_algorithm(e.value, strong, returned) for e in value.elements
            )
        if isinstance(value, cst.Subscript):
            value = value.value
        if isinstance(value, cst.Name):
            held = self.names.bound.get(value.value)
        else:
            dotted = dotted_name(value) if isinstance(value, cst.Attribute) else None
            held = self.names.bound.get(dotted) if dotted is not None else None
            if held is None and dotted is not None and not dotted.startswith("self."):
                head = self.names.bound.get(dotted.split(".", 1)[0])
                if head is not None and head[0] == ALGORITHM:
                    held = head  # `p.grad`, `x.data`: part of a tensor or a parameter
        if held is None or held[0] != ALGORITHM:
            return False
        if held[1] == RETURNED:
            return returned and not strong
        return not strong or held[1] != COMPUTED

    def _plain_value(
        self,
        value: cst.BaseExpression,
        verb: str,
        targets: Sequence[cst.BaseExpression] = (),
    ) -> Verdict:
        if is_literal(value):
            if _empties(value):
                return Verdict(OTHER, f"{verb} an empty container")  # `stash.groups = []`
            if _sets_fields(targets) and MODEL_CLASS not in self.names.bound:
                return Verdict(GLUE, CONFIG_FIELD)
            return Verdict(OTHER, f"{verb} a constant")
        if verb == "binds" and isinstance(value, (cst.Name, cst.Attribute, cst.Subscript)):
            if _reads_call_result(value):
                return Verdict(OTHER, "no known call")  # `decode(...).codes`: not a copy
            if _reads_metadata(value):
                return Verdict(OTHER, "reads a shape, dtype or device")
            if isinstance(value, cst.Attribute) and value.attr.value.isupper():
                return Verdict(OTHER, "binds a constant")  # `BICUBIC = Image.BICUBIC`
            if (
                isinstance(value, cst.Subscript)
                and MODEL_CLASS in self.names.bound
                and (dotted_name(value.value) or "").startswith("self.")
                and _passes_along(cst.Subscript(cst.Name("x"), value.slice))
            ):
                return Verdict(ALGORITHM, "indexes model state (`self.x[t]`)")
            if isinstance(value, cst.Name) and any(isinstance(t, cst.Tuple) for t in targets):
                return Verdict(OTHER, "unpacks a value")
            return Verdict(GLUE, "copies a value")
        if verb != "binds":
            return Verdict(OTHER, f"{verb} a value")
        if isinstance(value, cst.Tuple):
            if all(_reads_metadata(e.value) or _passes_along(e.value) for e in value.elements):
                return Verdict(OTHER, "unpacks values")
            return Verdict(GLUE, "binds a tuple of values")
        return Verdict(OTHER, "no known call")

    def _bind(
        self,
        targets: Sequence[cst.BaseExpression],
        value: cst.BaseExpression,
        judged: Optional[Verdict],
    ) -> None:
        constructor = self.names.qualify(value.func) if isinstance(value, cst.Call) else None
        kind = judged.kind if judged is not None else OTHER
        if constructor is not None and constructor.rsplit(".", 1)[-1] in FACTORY_METHODS:
            hit = self.vocab.lookup(constructor.rsplit(".", 1)[0])
            kind = hit[0] if hit is not None else kind
        source = None if constructor is None else f"bound to {constructor}(...)"
        if judged is not None and kind == ALGORITHM:
            if judged.delegates:
                source = RETURNED  # `loss = train_epoch(...)`: handed back by a step
            elif judged.bare:
                source = None  # `prefill = max(0, n - done)`: arithmetic on counts
            elif constructor is not None and constructor.startswith(_SCALAR_MATH):
                source = COMPUTED  # `ppl = math.exp(loss)`: a Python number, not a tensor
        if source is None:
            # the local dataflow: a computed value, or a copy of a name whose kind is known
            copied = dotted_name(value)
            held = self.names.bound.get(copied) if copied is not None else None
            if held is not None and held[0] != OTHER:
                kind, source = held[0], held[1]
            elif judged is not None and kind == ALGORITHM and not judged.weak and not judged.bare:
                source = COMPUTED  # (arithmetic on counts and clocks computes no model data)
        flat: List[cst.BaseExpression] = []
        for target in targets:
            if isinstance(target, (cst.Tuple, cst.List)):
                flat.extend(e.value for e in target.elements)
            else:
                flat.append(target)
        for target in flat:
            if isinstance(target, cst.StarredElement):
                target = target.value
            if isinstance(target, cst.Name):
                self.names.forget(target.value)
            dotted = dotted_name(target)
            if dotted is None:
                continue
            if source is not None and kind != OTHER:
                self.names.bind(dotted, kind, source)
            else:
                self.names.unbind(dotted)

    # -- expressions ----------------------------------------------------------------------

    def expression(self, node: cst.BaseExpression, depth: int = 0) -> Optional[Verdict]:
        """The verdict of the outermost expression that decides, or ``None`` (no evidence)."""
        if depth > _MAX_DEPTH or type(node) in _NO_EVIDENCE:
            return None
        deeper = depth + 1
        if isinstance(node, cst.Call):
            return self._call(node, deeper)
        if isinstance(node, cst.BinaryOperation):
            return self._binary(node, deeper)
        if isinstance(node, cst.FormattedString):
            return Verdict(GLUE, "formats a string")
        if isinstance(node, cst.UnaryOperation):
            if isinstance(node.operator, cst.Minus):
                if is_literal(node.expression):
                    return None  # `-1`: a constant (`xs[-1]`), not a computation
                bare = not self._on_algorithm_data(node.expression)
                return Verdict(ALGORITHM, "arithmetic (negation)", bare=bare)
            return self.expression(node.expression, deeper)
        if isinstance(node, cst.Subscript):
            judged = self.expression(node.value, deeper)
            if judged is not None:
                return judged
            for element in node.slice:
                index = element.slice
                if isinstance(index, cst.Index):
                    if isinstance(index.value, cst.SimpleString):
                        return Verdict(GLUE, "reads a field by name", weak=True)
                    judged = self.expression(index.value, deeper)
                    if judged is not None:
                        return judged
            return None
        if isinstance(node, (cst.Comparison, cst.BooleanOperation)):
            parts: List[cst.BaseExpression] = (
                [node.left, *(c.comparator for c in node.comparisons)]
                if isinstance(node, cst.Comparison)
                else [node.left, node.right]
            )
            judged = self._first(parts, deeper)
            if judged is not None and judged.reason in _CHECK_CASTS:
                return None  # `if str(device) == "cpu"`: a check, not a conversion
            return judged
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            values = [e.value for e in node.elements]
            if (
                values
                and not isinstance(node, cst.Tuple)
                and all(self._holds_algorithm(v) for v in values)
            ):
                return Verdict(ALGORITHM, "collects algorithm data", bare=True)
            judged = self._first(values, deeper)
            if judged is None and not is_literal(node) and isinstance(node, (cst.List, cst.Set)):
                return Verdict(GLUE, "packs values into a container", weak=True)
            return judged
        if isinstance(node, cst.Dict):
            values = [e.value for e in node.elements]
            if is_literal(node):
                return None
            for value in values:  # `{"n": len(xs), "elbo": np.mean(xs)}` computes
                judged = self.expression(value, deeper)
                if judged is not None and judged.kind == ALGORITHM:
                    return judged
            return Verdict(GLUE, "packs values into a dict", weak=True)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            return self._first([node.elt, node.for_in.iter], deeper)
        if isinstance(node, cst.DictComp):
            return self._first([node.value, node.for_in.iter], deeper)
        if isinstance(node, cst.IfExp):
            return self._first([node.body, node.orelse, node.test], deeper)
        if isinstance(node, cst.Lambda):
            return self.expression(node.body, deeper)
        if isinstance(node, (cst.Await, cst.Yield)):
            inner = node.expression if isinstance(node, cst.Await) else node.value
            if isinstance(inner, cst.BaseExpression):
                return self.expression(inner, deeper)
            if isinstance(inner, cst.From):
                return self.expression(inner.item, deeper)
        if isinstance(node, cst.Attribute):
            last = node.attr.value
            dunder = last.startswith("__") and last.endswith("__")
            if dunder or (last.isupper() and len(last) > 1):
                return None  # `torch.__version__`, `Image.BICUBIC`: a constant, not a use
            qualified = self.names.qualify(node)
            if qualified is not None and "." in qualified:
                hit = self.vocab.lookup(qualified)
                if hit is not None and hit[0] != OTHER:
                    return Verdict(hit[0], f"uses {qualified}")
            return self.expression(node.value, deeper)
        if isinstance(node, cst.NamedExpr):
            return self.expression(node.value, deeper)
        return None

    def _first(self, nodes: Sequence[cst.BaseExpression], depth: int) -> Optional[Verdict]:
        for node in nodes:
            judged = self.expression(node, depth)
            if judged is not None:
                return judged
        return None

    def call_kind(self, node: cst.Call) -> Optional[Verdict]:
        """The verdict of a call from its own name alone (qualified name, method, binding)."""
        func = node.func
        names = self.names
        qualified = names.qualify(func)
        if qualified is not None:
            last = qualified.rsplit(".", 1)[-1]
            if (
                last in _LEGACY_TENSORS
                and qualified.startswith("torch.")
                and len(node.args) == 1
                and not is_literal(node.args[0].value)
            ):
                return Verdict(GLUE, f"converts data with {qualified}")
            if last in _LOADING_METHODS and "." in qualified:
                return Verdict(GLUE, f"calls {qualified} (loads or saves)")
            hit = self.vocab.lookup(qualified)
            if hit is not None:
                kind, user = hit
                if kind == OTHER:
                    return Verdict(OTHER, f"calls {qualified}")
                if qualified in _PACKING and all(
                    is_literal(a.value) and not a.star for a in node.args
                ):
                    return Verdict(OTHER, f"builds a constant ({qualified})")
                source = " (configured)" if user else ""
                return Verdict(kind, f"calls {qualified}{source}", qualified in _PACKING)
        dotted = dotted_name(func)
        if dotted is not None and dotted in names.bound:
            kind, source = names.bound[dotted]
            return Verdict(kind, f"calls `{dotted}` ({source})")
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            receiver = dotted_name(func.value)
            held = names.bound.get(receiver) if receiver is not None else None
            if held is None and receiver is not None and "." in receiver:
                head = receiver.split(".", 1)[0]
                if head != "self" and names.bound.get(head, ("",))[0] == ALGORITHM:
                    held = names.bound[head]  # `param.data.copy_(...)`: part of a tensor
            if held is not None and (method in AMBIGUOUS_METHODS or method in DEVICE_METHODS):
                return Verdict(held[0], f".{method}() of `{receiver}` ({held[1]})")
            if method in COLLECTING_METHODS:
                for arg in node.args:
                    # `texts.append(context + prompt)`: `+` on unknown values is no evidence
                    if self._holds_algorithm(arg.value) or self._evidence(arg.value):
                        return Verdict(ALGORITHM, f".{method}() collects algorithm data", bare=True)
                return Verdict(GLUE, f".{method}() collects values into a container")
            if method in DEVICE_METHODS:
                return None  # the receiver's kind decides: `torch.zeros(n).to(device)`
            if receiver is not None and _is_logger(receiver.rsplit(".", 1)[-1]):
                return Verdict(GLUE, f".{method}() of `{receiver}` (a logger or writer)")
            by_name = METHOD_TABLE.get(method)
            if by_name is not None:
                # `Model(depth=cfg.get("depth"))` builds a model: reading an argument by key
                # is plumbing that an unknown callee does not inherit
                weak = method == "get"
                # `trainer.train_step(batch)` hands the work on, as `train_step(batch)` does
                hands_on = by_name == ALGORITHM and (
                    bool(_STEP_NAME.search(method)) or method in _HANDED_ON
                )
                return Verdict(
                    by_name, f".{method}() is {by_name} by method name", weak, delegates=hands_on
                )
            if held is not None:
                return Verdict(held[0], f"method of `{receiver}` ({held[1]})")
            if (
                receiver == "self"
                and node.args
                and method not in names.bound.get(CLASS_METHODS, ("", ""))[1].split(",")
            ):
                return Verdict(ALGORITHM, f"calls `self.{method}`, an attribute (a model)")
        if isinstance(func, cst.Name) and func.value in CALLABLE_MODEL_NAMES:
            return Verdict(ALGORITHM, f"calls `{func.value}` (a model or loss by name)")
        called = func.value if isinstance(func, cst.Name) else ""
        if isinstance(func, cst.Attribute):
            called = func.attr.value
        if _STEP_NAME.search(called):
            return Verdict(
                ALGORITHM, f"calls `{called}` (a training step or loss by name)", delegates=True
            )
        if dotted is not None and dotted.rsplit(".", 1)[-1].endswith(LOGGER_CLASSES):
            return Verdict(GLUE, f"builds `{dotted}`{_METER_BUILT}")
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == "self"
            and func.attr.value in CALLABLE_MODEL_NAMES
        ):
            return Verdict(ALGORITHM, f"calls `self.{func.attr.value}` (a model or loss by name)")
        return None

    def _call(self, node: cst.Call, depth: int) -> Optional[Verdict]:
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in _REGISTERS
            and node.args
            and isinstance(node.args[0].value, cst.SimpleString)
        ):
            name = node.args[0].value.evaluated_value
            if isinstance(name, str) and name.isidentifier():
                self.names.bind(f"self.{name}", ALGORITHM, f"registered by .{func.attr.value}()")
        mapped = self._mapped(node, depth)
        if mapped is not None:
            return mapped
        judged = self.call_kind(node)
        if judged is not None:
            if judged.reason in _WRAPPERS and len(node.args) == 1 and not node.args[0].keyword:
                # `float(np.mean(x))`, `torch.tensor(np.log(t))`: a cast or a conversion around
                # a computation is incidental
                inner = self.expression(node.args[0].value, depth)
                if inner is not None and inner.kind == ALGORITHM:
                    return inner
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value == "item"
                and not node.args
                and isinstance(func.value, cst.Call)
            ):
                inner = self.expression(func.value, depth)
                if inner is not None and inner.kind == ALGORITHM:
                    return inner  # `losses.mean().item()`: the scalar cast's method form
            if judged.kind == ALGORITHM and _scalar_arithmetic(judged.reason):
                # `max(0, cfg.prefill - steps)`, `sum(p.numel() for p in ...)`: arithmetic, like
                # an operator, computes on model data only when an operand is model data
                values = [a.value for a in node.args]
                if not any(self._on_algorithm_data(v) or self._feeds_algorithm(v) for v in values):
                    return Verdict(ALGORITHM, judged.reason, bare=True)
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value == "load_state_dict"
                and node.args
                and _reads_state_dict(node.args[0].value)
            ):
                # `target.load_state_dict(critic.state_dict())`: weights copied between models
                return Verdict(ALGORITHM, "copies weights from one model into another")
            if judged.reason == "calls builtins.dict":
                # `dict(elbo=np.mean(finites))` computes as `{"elbo": np.mean(finites)}` does
                for arg in node.args:
                    inner = self.expression(arg.value, depth)
                    if inner is not None and inner.kind == ALGORITHM:
                        return inner
            if judged.reason in _TYPE_CHECKS:
                # `isinstance(x, torch.Tensor)` asks about a type; it computes nothing
                return judged
            if judged.kind == OTHER:
                # `torch.jit.load(f).eval()`: a neutral method leaves it to its receiver
                inputs: List[cst.BaseExpression] = [a.value for a in node.args]
                if isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Call):
                    inputs.insert(0, node.func.value)
                inner = self._first(inputs, depth)
                return inner or judged
            return judged
        in_model = MODEL_CLASS in self.names.bound
        for arg in node.args:
            value = arg.value
            if self._holds_algorithm(value, strong=not in_model):
                shown = dotted_name(value) or "its argument"
                return Verdict(ALGORITHM, f"computes on `{shown}` (algorithm data)")
            if (
                isinstance(value, cst.Call)
                and isinstance(value.func, cst.Attribute)
                and value.func.attr.value in PARAMETER_METHODS
            ):
                return Verdict(ALGORITHM, f"computes on a model's .{value.func.attr.value}()")
        parts: List[cst.BaseExpression] = []
        if isinstance(node.func, cst.Call):  # `nn.Dense(8)(x)`, `jax.grad(f)(x)`
            parts.append(node.func)
        if isinstance(node.func, cst.Attribute):
            parts.append(node.func.value)
        receiver = len(parts)
        parts.extend(
            a.value
            for a in node.args
            if a.keyword is None or a.keyword.value not in _SETTING_KEYWORDS
        )
        for index, part in enumerate(parts):
            judged = self.expression(part, depth)
            # an unknown callee does not inherit the packing of its arguments:
            # `VisionTransformer(depth=12, **dict(a=1))` builds a model
            if judged is not None and not (judged.weak and index >= receiver):
                return judged
        return None

    def _evidence(self, value: cst.BaseExpression) -> bool:
        """An algorithm verdict that is more than arithmetic on values of unknown kind (a call
        of a step by its name counts: what it returns is algorithm data)."""
        judged = self.expression(value)
        return judged is not None and judged.kind == ALGORITHM and not judged.bare

    def _feeds_algorithm(self, value: cst.BaseExpression) -> bool:
        """A generator, comprehension or container whose elements compute on model data
        (``sum(loss(x) for x in xs)``, ``max([q1, q2])`` of tensors); sizes (``p.numel()``)
        and counts do not."""
        if isinstance(value, (cst.GeneratorExp, cst.ListComp, cst.SetComp)):
            value = value.elt
        elif isinstance(value, (cst.List, cst.Tuple, cst.Set)):
            return any(self._feeds_algorithm(e.value) for e in value.elements)
        if _reads_metadata(value) or _counts_elements(value):
            return False
        judged = self.expression(value)
        return self._holds_algorithm(value, returned=False) or (
            judged is not None and judged.computes
        )

    def _mapped(self, node: cst.Call, depth: int) -> Optional[Verdict]:
        """``jax.tree_util.tree_map(jnp.sum, metrics)``: mapping a computation over a tree of
        arrays computes; the mapped function decides, not the tree utility."""
        func = node.func
        last = func.attr.value if isinstance(func, cst.Attribute) else ""
        if isinstance(func, cst.Name):
            last = func.value  # `from jax.tree_util import tree_map`
        if last not in _TREE_MAP_NAMES or not node.args:
            return None  # most calls: no qualified name to build
        if self.names.qualify(func) not in _TREE_MAPS:
            return None
        function = node.args[0].value
        mapped = function.body if isinstance(function, cst.Lambda) else function
        inner = self.expression(mapped, depth)
        if inner is None or inner.kind != ALGORITHM:
            return None
        return Verdict(
            ALGORITHM, f"maps a computation over a tree ({inner.reason})", bare=inner.bare
        )

    def _binary(self, node: cst.BinaryOperation, depth: int) -> Optional[Verdict]:
        op = type(node.operator)
        symbol = _ARITHMETIC.get(op)
        if symbol is None:
            inner = self._first([node.left, node.right], depth)
            return inner or Verdict(ALGORITHM, "bitwise arithmetic")
        if symbol == "@":
            return Verdict(ALGORITHM, "matrix multiplication (@)")
        left, right = node.left, node.right
        if is_literal(left) and is_literal(right):
            return None  # `5 * 1024`: a constant, not a computation on data
        if symbol == "%" and isinstance(left, _STRING_TYPES):
            return Verdict(GLUE, "formats a string (%)")
        if symbol == "+" and (_is_text(left) or _is_text(right)):
            return Verdict(GLUE, "concatenates strings")  # `key + "." + k` too
        lists = (cst.List, cst.ListComp)
        if symbol == "+" and (isinstance(left, lists) or isinstance(right, lists)):
            for operand in (left, right):  # `[math_ops.add(total, loss)] + cache` computes
                judged = self.expression(operand, depth) if isinstance(operand, lists) else None
                if judged is not None and judged.computes:
                    return judged
            return Verdict(GLUE, "concatenates lists")
        if symbol == "/" and (_looks_like_path(left) or _looks_like_path(right)):
            return Verdict(GLUE, "joins a path (/)")
        bare = not self._on_algorithm_data(left, right)
        return Verdict(ALGORITHM, f"arithmetic ({symbol})", bare=bare)

    def _on_algorithm_data(self, *operands: cst.BaseExpression) -> bool:
        """Whether arithmetic works on model data: an operand (through nested arithmetic)
        holds algorithm data or is a call known to compute (``(pred - y) ** 2``,
        ``x * torch.rsqrt(v)``), not only counts and sizes of unknown kind."""
        stack = list(operands)
        while stack:
            operand = stack.pop()
            if isinstance(operand, cst.BinaryOperation):
                stack.extend((operand.left, operand.right))
            elif isinstance(operand, cst.UnaryOperation):
                stack.append(operand.expression)
            elif isinstance(operand, cst.Call):
                judged = self.call_kind(operand)
                if judged is None or judged.kind != ALGORITHM or judged.delegates:
                    continue
                if _scalar_arithmetic(judged.reason):
                    # `math.exp(min(loss, 100))`: arithmetic again, its operands decide
                    stack.extend(a.value for a in operand.args)
                    continue
                return True
            elif isinstance(
                operand, (cst.Name, cst.Attribute, cst.Subscript)
            ) and self._holds_algorithm(operand, returned=False):
                return True
        return False


_CONTAINERS = frozenset(
    {"List", "list", "Sequence", "Tuple", "tuple", "Optional", "Union", "Iterable", "Iterator"}
)


def _returned_fields(function: cst.FunctionDef) -> FrozenSet[str]:
    """Names whose fields the function's own ``return`` statements read (``start`` in
    ``return start.avg * 100, em.avg``); nested functions and classes are not its own."""
    found: Set[str] = set()
    stack: List[cst.CSTNode] = list(function.body.children)
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(current, cst.Return):
            inner: List[cst.CSTNode] = [current.value] if current.value is not None else []
            while inner:
                part = inner.pop()
                if isinstance(part, cst.Attribute) and isinstance(part.value, cst.Name):
                    found.add(part.value.value)
                inner.extend(part.children)
            continue
        if isinstance(current, (cst.BaseSmallStatement, cst.BaseExpression)):
            continue  # a return is a statement: no need to look inside expressions
        stack.extend(current.children)
    return frozenset(found)


def _tensor_annotation(node: cst.BaseExpression) -> Optional[str]:
    """``Tensor``, ``np.ndarray`` and containers of them (``List[Tensor]``,
    ``Optional[Tensor]``, ``Tuple[Tensor, ...]``): the annotation's text, else ``None``."""
    dotted = dotted_name(node)
    if dotted is not None:
        return dotted if dotted.rsplit(".", 1)[-1] in TENSOR_ANNOTATIONS else None
    if not isinstance(node, cst.Subscript):
        return None
    outer = dotted_name(node.value) or ""
    if outer.rsplit(".", 1)[-1] not in _CONTAINERS:
        return None
    inner: List[str] = []
    for element in node.slice:
        index = element.slice
        if not isinstance(index, cst.Index) or isinstance(index.value, cst.Ellipsis):
            continue
        if isinstance(index.value, cst.Name) and index.value.value == "None":
            continue
        found = _tensor_annotation(index.value)
        if found is None:
            return None  # `Tuple[Tensor, str]`: not only tensors
        inner.append(found)
    return f"{outer}[{', '.join(inner)}]" if inner else None


def _is_logger(name: str) -> bool:
    """``logger``, ``metric_logger``, ``tb_writer``: a logger or writer by name."""
    lowered = name.lower()
    return lowered in LOGGER_NAMES or lowered.endswith(("_logger", "_writer"))


_REGISTERS = frozenset({"register_buffer", "register_parameter"})
_TREE_MAPS = frozenset(
    {
        "jax.tree_util.tree_map",
        "jax.tree.map",
        "jax.tree_map",
        "tensorflow.nest.map_structure",
        "torch.utils._pytree.tree_map",
    }
)
_TREE_MAP_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in _TREE_MAPS)
_PROGRESS = frozenset({"tqdm.tqdm", "tqdm.auto.tqdm", "tqdm.notebook.tqdm", "tqdm.trange"})


def _unwrap_progress(node: cst.BaseExpression, names: ModuleNames) -> cst.BaseExpression:
    """``tqdm(xs, desc=...)`` -> ``xs``: a progress bar around a loop is incidental."""
    if isinstance(node, cst.Call) and node.args and names.qualify(node.func) in _PROGRESS:
        return node.args[0].value
    return node


def _iterates_parameters(node: cst.BaseExpression) -> bool:
    """``zip(a.parameters(), b.parameters())``, ``model.named_parameters()``,
    ``optimizer.param_groups``."""
    if isinstance(node, cst.Attribute) and node.attr.value == "param_groups":
        return True  # an optimizer's parameter groups (`for group in self.param_groups`)
    stack: List[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if (
            isinstance(current, cst.Call)
            and isinstance(current.func, cst.Attribute)
            and current.func.attr.value in PARAMETER_METHODS
        ):
            return True
        if isinstance(current, (cst.Call, cst.Arg)):
            stack.extend(current.children)
    return False


def _code_of(node: cst.CSTNode) -> str:
    return cst.Module(body=()).code_for_node(node)


def _names_of(target: cst.BaseExpression) -> List[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _names_of(e.value)]
    return []


def _passes_along(value: cst.BaseExpression) -> bool:
    """A name, ``self.x`` or a constant: a value passed along, not a field read."""
    if is_literal(value) or isinstance(value, cst.Name):
        return True
    if isinstance(value, cst.Subscript) and isinstance(value.value, cst.Name):
        return all(
            isinstance(e.slice, cst.Index) and not isinstance(e.slice.value, cst.BaseString)
            for e in value.slice
        )
    return (
        isinstance(value, cst.Attribute)
        and isinstance(value.value, cst.Name)
        and value.value.value == "self"
    )


def _stores_state(targets: Sequence[cst.BaseExpression]) -> bool:
    """Every target is an attribute of ``self`` (``self.fc = fc``, ``self.a, self.b = a, b``):
    wiring an object."""
    flat: List[cst.BaseExpression] = []
    for target in targets:
        if isinstance(target, (cst.Tuple, cst.List)):
            flat.extend(e.value for e in target.elements)
        else:
            flat.append(target)
    return bool(flat) and all(
        isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) and t.value.value == "self"
        for t in flat
    )


_METADATA = frozenset({"shape", "ndim", "dtype", "device", "is_cuda", "requires_grad"})


def _empties(value: cst.BaseExpression) -> bool:
    """An empty container: state set up to be filled, not a setting (``None`` may be a
    config default: ``C.max_iters = None``)."""
    return isinstance(value, (cst.List, cst.Tuple, cst.Dict, cst.Set)) and not value.elements


def _reads_call_result(value: cst.BaseExpression) -> bool:
    """``decode(x).codes``, ``run(x)[0]``: a part of what an unknown call returned."""
    while isinstance(value, (cst.Subscript, cst.Attribute)):
        value = value.value
    return isinstance(value, cst.Call)


def _reads_metadata(value: cst.BaseExpression) -> bool:
    """``x.shape[0]``, ``w.dtype``, ``self.fc.weight.device``: a tensor's metadata."""
    while isinstance(value, (cst.Subscript, cst.Attribute)):
        if isinstance(value, cst.Attribute) and value.attr.value in _METADATA:
            return True
        value = value.value
    return False


def _sets_fields(targets: Sequence[cst.BaseExpression]) -> bool:
    """Every target is a field of an object other than ``self`` (``cfg.lr = 0.1``)."""
    return bool(targets) and all(
        isinstance(t, cst.Attribute) and not _stores_state([t]) for t in targets
    )


def _plain_tuple(value: cst.BaseExpression) -> bool:
    """A tuple of names, attributes and constants (``gamma, lam``): values passed along."""
    return isinstance(value, cst.Tuple) and all(
        isinstance(e.value, (cst.Name, cst.Attribute)) or is_literal(e.value)
        for e in value.elements
    )


def _counts_elements(node: cst.BaseExpression) -> bool:
    """``p.numel()``, ``x.nelement()``, ``x.size(0)``: a tensor's size, not its values."""
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in _SIZE_METHODS
    )


_SIZE_METHODS = frozenset({"numel", "nelement", "size", "dim", "ndimension", "element_size"})


def _reads_state_dict(node: cst.BaseExpression) -> bool:
    """``critic.state_dict()`` (or ``copy.deepcopy(...)`` of one): a model's weights in memory."""
    if isinstance(node, cst.Call) and node.args and dotted_name(node.func) in _DEEP_COPIES:
        node = node.args[0].value
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "state_dict"
    )


_DEEP_COPIES = frozenset({"copy.deepcopy", "deepcopy"})


def _is_text(node: cst.BaseExpression) -> bool:
    """A string literal, an f-string, or a ``+`` chain with one in it (``key + "." + k``)."""
    while isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        if _is_text(node.right):
            return True
        node = node.left
    return isinstance(node, _STRING_TYPES)


def _looks_like_path(node: cst.BaseExpression) -> bool:
    if isinstance(node, _STRING_TYPES):
        return True
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
        return _looks_like_path(node.left) or _looks_like_path(node.right)
    if isinstance(node, cst.Call):
        dotted = dotted_name(node.func)
        return dotted is not None and dotted.split(".")[-1] in ("Path", "PurePath")
    dotted = dotted_name(node)
    if dotted is None:
        return False
    last = dotted.rsplit(".", 1)[-1].lower()
    return last.endswith(PATH_SUFFIXES)


def glue_ratio(glue: int, algorithm: int) -> Optional[float]:
    """``glue / (glue + algorithm)``, ``None`` when both are 0."""
    total = glue + algorithm
    return None if total == 0 else glue / total
