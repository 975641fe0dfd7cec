"""The role of a module and of a function: algorithm code, or glue by design.

Sculley et al.'s glue-code warning is about glue *inside* the ML system: a model, a loss, a
training or evaluation step, an optimiser or a sampler that does I/O, format conversion or
bookkeeping in-line. A config, a test, a logger, a dataset reader, a downloader or a CLI entry
point is glue by design: ``mllint stats`` still counts it (and shows its role), ML201/ML202 do
not report it.

A module's role comes, in order, from the ``glue-roles`` setting (glob -> role), from the
conventions of its path (``tests/``, ``config.py``, ``logger.py``, ``datasets.py``,
``download.py``, ``main.py``...), and from its content (a model class or an algorithm-named
function makes it ``algorithm``; a ``__main__`` guard makes it a ``cli`` script). A function's
role comes from its name and its class: a method of a model class, ``forward``, ``*loss*``,
``train_step``, ``update``, ``sample``... are algorithm; ``main``, ``parse_args``, ``load_*``,
``save_*``, ``log_*``, ``build_dataset``, ``register_*``, ``__init__`` (constructor wiring)... are
glue by design. A weak name (``evaluate``, ``update``, ``predict``) needs a module with a model,
loss or training step; and :mod:`mllint.rules.glue` makes a function that computes nothing on
model data an ``adapter`` (a driver or an evaluator's adapter), whatever its name.
"""

from __future__ import annotations

import fnmatch
import os
import re
from typing import Optional, Sequence, Tuple

import libcst as cst

from mllint.glue.classifier import dotted_name

ALGORITHM_ROLE = "algorithm"
GENERAL_ROLE = "general"
"""No evidence either way: counted by ``stats``, not reported by ML201/ML202."""
GLUE_ROLES = (
    "adapter",
    "cli",
    "config",
    "data",
    "io",
    "logging",
    "runtime",
    "test",
    "utility",
    "wiring",
)
"""Roles whose code is glue by design."""
ROLES = (ALGORITHM_ROLE, GENERAL_ROLE, *GLUE_ROLES)

# Path conventions: a role and a regex on the lower-cased path, folders included.
_PATH_ROLES: Tuple[Tuple[str, str], ...] = (
    ("test", r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_test\.py$|(^|/)conftest\.py$"),
    (
        "config",
        r"(^|/)(configs?|settings)/|(^|/)[^/]*(config|configs|settings|defaults|factory"
        r"|registry)\.py$",
    ),
    (
        "logging",
        r"(^|/)(log[^/]*|[^/]*(logger|logging|monitor|callbacks?|plots?|plotting|visuali[sz]e"
        r"|visuali[sz]ation|tensorboard))\.py$",
    ),
    (
        "data",
        r"(^|/)(data[^/]*|datasets?|dataloaders?)/|(^|/)[^/]*(data|datasets?|loaders?|dataloaders?"
        r"|readers?|tokeni[sz]ers?|bpe|preprocess(ing)?|augment(ation)?|transforms?"
        r"|data_utils?)\.py$",
    ),
    (
        "io",
        r"(^|/)[^/]*(download|downloads|hub|checkpoints?|serialization|io|export)\.py$"
        r"|(^|/)(export|exporters?|io|checkpoints?|serialization)/"
        r"|(^|/)(save|load|convert)[^/]*\.py$",
    ),
    (
        "cli",
        r"(^|/)(scripts|tools|examples)/|(^|/)(main[^/]*|run[^/]*|launch[^/]*|submit[^/]*"
        r"|cli|__main__|setup|hubconf|app|server|serve)\.py$",
    ),
    ("utility", r"(^|/)([^/]*(dist|distributed|misc|utils?|helpers?)|mpi[^/]*)\.py$"),
)
_PATH_PATTERNS = tuple((role, re.compile(pattern)) for role, pattern in _PATH_ROLES)

# Function names: glue by design first (a method of a model named `load_state_dict` loads).
_FUNCTION_ROLES: Tuple[Tuple[str, str], ...] = (
    ("test", r"^test_"),
    (
        "wiring",
        r"^__(init|post_init|new|repr|str|getstate|setstate|len|getitem|iter|contains|eq|hash"
        r"|reduce|enter|exit|del)__$|^extra_repr$|^__init_subclass__$|^_?register(_|$)"
        r"|^_?(get|make|build|create)_\w*_(fn|func|function|factory)$",
    ),
    (
        "cli",
        r"^main$|^_?main_|^cli$|^parse_(args|arguments|options?|known_args)|_?args?_?parser"
        r"|^(get|build|make|create)_(arg|args|argument|option)_?parser|^add_\w*_(args|arguments)$"
        r"|^run$|^_setup_gpu_args$|^_?launch(_|$)",
    ),
    (
        "config",
        r"config|cfg|^setup|^configure|_kwargs$|hparams|hyperparam|^update_config"
        r"|^_?(get|build|create|make)_(\w+_)?(optimizers?|schedulers?|param_groups"
        r"|parameter_groups)$",
    ),
    (
        "io",
        r"^_?(load|save|restore|download|upload|export|import|read|write|dump|open|fetch|convert"
        r"|serialize|deserialize|to_json|from_json|to_dict|from_dict|push|pull)"
        r"|checkpoint|state_dict|_to_(json|yaml|file|zip|disk)$|_from_(json|yaml|file|zip|disk)$"
        r"|(^|_)(load|save|restore|download|export|ckpt)(_|$)"
        r"|(^|_)(files?|folders?|dirs?|paths?|urls?|disk|npz|csv|json|yaml|zip)(_|$)"
        r"|pretrained|resume",
    ),
    (
        "logging",
        r"^_?(log|print|report|plot|show|render|display|visuali[sz]e|summar|record|monitor"
        r"|dump_tabular|on_)|_log$|logger|tabular|_info$",
    ),
    (
        "data",
        r"dataset|loader|^_?(make|build|get|create)_(data|transform|augment)|collate"
        r"|preprocess|tokeni[sz]|bpe|^_?(get|prepare)_(\w+_)?inputs?$",
    ),
    (
        "runtime",
        r"distributed|^_?init_(dist|process|mpi|env)|synchroni[sz]e|barrier"
        r"|^(get|is)_(rank|world|main)"
        r"|seed|^_?(mpi|proc_id|num_procs)|device|^_setup|fork",
    ),
    # a factory that builds a model, a loss or an encoder from settings (`build_model`,
    # `build_attention_model`, `create_critic`) is construction, as a constructor is
    ("wiring", r"^_?(build|create)_"),
)
_FUNCTION_PATTERNS = tuple((role, re.compile(pattern)) for role, pattern in _FUNCTION_ROLES)

ALGORITHM_WORDS = frozenset(
    {
        "forward",
        "backward",
        "loss",
        "losses",
        "objective",
        "train",
        "training",
        "fit",
        "update",
        "updates",
        "optimize",
        "optimise",
        "optimizer",
        "step",
        "sample",
        "sampler",
        "sampling",
        "predict",
        "prediction",
        "infer",
        "inference",
        "generate",
        "evaluate",
        "evaluation",
        "eval",
        "denoise",
        "denoising",
        "diffusion",
        "attention",
        "attend",
        "policy",
        "actor",
        "critic",
        "advantage",
        "advantages",
        "gae",
        "grad",
        "grads",
        "gradient",
        "gradients",
        "logits",
        "backprop",
        "rollout",
    }
)
"""Words of a function name that say it is algorithm code: a model, a loss, a train/eval step,
an optimiser, a sampler (``train_one_epoch``, ``p_sample_loop``, ``compute_loss``)."""
MODULE_WORDS = frozenset(
    {"forward", "backward", "loss", "losses", "train", "training", "gradient"}
    | {"attention", "sampler"}
)
"""The stronger subset that makes a module-level function evidence of an algorithm module."""
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def name_words(name: str) -> Tuple[str, ...]:
    """``train_one_epoch`` -> train, one, epoch; ``computeLoss`` -> compute, loss."""
    return tuple(w.lower() for w in _WORD.findall(name))


def relative_path(path: str, root: str) -> str:
    """``path`` below the configuration's folder ``root``, else below the current folder,
    else as given; ``/``-separated (what path conventions and ``glue-roles`` globs see)."""
    shown = path
    if not path.startswith("<"):
        for base in (root, os.getcwd()) if root else (os.getcwd(),):
            try:
                relative = os.path.relpath(os.path.abspath(path), base)
            except ValueError:  # another drive
                continue
            if not relative.startswith(".."):
                shown = relative
                break
    return shown.replace(os.sep, "/")


_CLASS_ROLES = (
    ("Hook", "logging"),
    ("Callback", "logging"),
    ("Logger", "logging"),
    ("Writer", "logging"),
    ("Monitor", "logging"),
    ("Evaluator", "adapter"),
)
"""Base-class name endings of classes that are glue by design: hooks, callbacks and loggers
(monitors), and evaluators (adapters of predictions to a metric library's API)."""


def class_role(node: cst.ClassDef) -> Optional[Tuple[str, str]]:
    """``(role, reason)`` of a class whose base makes it glue by design, else ``None``."""
    for base in node.bases:
        value = base.value
        name = value.attr.value if isinstance(value, cst.Attribute) else ""
        if isinstance(value, cst.Name):
            name = value.value
        stem = name[:-4] if name.endswith("Base") else name  # `HookBase`, `EvaluatorBase`
        for ending, role in _CLASS_ROLES:
            if stem.endswith(ending):
                return role, f"a method of a {ending.lower()} ({node.name.value}({name}))"
    return None


def path_key(path: str, root: str, configured: Sequence[Tuple[str, str]]) -> bytes:
    """What a file's path contributes to its analysis (its role by path or configuration,
    and whether it is a test file), for cache keys: two files with the same content at
    different paths may be analysed differently."""
    relative = relative_path(path, root)
    role = match_role(relative, configured) or (path_role(relative) or ("", ""))[0]
    name = relative.rsplit("/", 1)[-1]
    test = name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
    if not role and not test:
        return b""  # most files: the key is the content's alone
    return f"\0glue-role={role};test={int(test)}".encode()


def match_role(path: str, globs: Sequence[Tuple[str, str]]) -> Optional[str]:
    """The configured role of ``path`` (relative, ``/``-separated), the last glob winning."""
    found: Optional[str] = None
    for glob, role in globs:
        if fnmatch.fnmatchcase(path, glob) or fnmatch.fnmatchcase(path, glob.rstrip("/") + "/*"):
            found = role
    return found


def path_role(path: str) -> Optional[Tuple[str, str]]:
    """``(role, reason)`` from the conventions of a path, or ``None``."""
    lowered = path.replace("\\", "/").lower()
    for role, pattern in _PATH_PATTERNS:
        match = pattern.search(lowered)
        if match is not None:
            return role, f"path matches `{match.group(0).strip('/')}`"
    return None


def module_role(
    path: str,
    configured: Sequence[Tuple[str, str]],
    model_class: Optional[str],
    algorithm_function: Optional[str],
    script: str,
) -> Tuple[str, str]:
    """``(role, reason)`` of a module at ``path`` (relative to the configuration's folder).

    ``model_class`` and ``algorithm_function`` name the evidence found in the module (or are
    ``None``); ``script`` says why it is a script (an ``if __name__ == "__main__":`` guard,
    arguments parsed at module level), empty when it is not one.
    """
    chosen = match_role(path, configured)
    if chosen is not None:
        return chosen, "configured in glue-roles"
    by_path = path_role(path)
    if by_path is not None:
        return by_path
    if model_class is not None:
        return ALGORITHM_ROLE, f"defines {model_class}"
    if script:
        return "cli", script
    if algorithm_function is not None:
        return ALGORITHM_ROLE, f"defines {algorithm_function}()"
    return GENERAL_ROLE, "no model, loss or training step, and no glue convention"


def function_role(name: str, in_model: bool, module: str) -> Tuple[str, str]:
    """``(role, reason)`` of a function named ``name`` (its own name, not qualified) in a
    module of role ``module``. A helper of no evident role is ``general``."""
    if module == "test":
        return "test", "in a test module"
    if module in GLUE_ROLES and module != "cli" and (not in_model or module == "io"):
        # a script's training loop is still algorithm code; a reader's helpers are not, nor
        # the methods of a model defined in an export or checkpoint module (a wrapper of one)
        return module, f"in a {module} module"
    for role, pattern in _FUNCTION_PATTERNS:
        if pattern.search(name):
            return role, f"`{name}` is {role} by name"
    if in_model:
        return ALGORITHM_ROLE, "a method of a model class"
    words = set(name_words(name))
    if words & ALGORITHM_WORDS:
        if module == GENERAL_ROLE and not words & MODULE_WORDS:
            # `evaluate`, `update`, `predict` beside no model, loss or training step: an
            # evaluator's adapter, an eval driver, a tracker's bookkeeping
            return GENERAL_ROLE, (
                f"`{name}` names a step, but its module defines no model, loss or training step"
            )
        return ALGORITHM_ROLE, f"`{name}` names a model, loss, step or sampler"
    return GENERAL_ROLE, "a helper of no evident role"


_COMMAND_DECORATORS = re.compile(r"(^|\.)(command|group)$|^hydra\.main$")


def command_decorator(node: cst.FunctionDef) -> Optional[str]:
    """The decorator that makes a function a command-line entry point, if one does:
    ``@click.command()``, ``@cli.command()``, ``@app.command()`` (typer), ``@click.group()``,
    ``@hydra.main(...)``."""
    for decorator in node.decorators:
        expression = decorator.decorator
        if isinstance(expression, cst.Call):
            expression = expression.func
        dotted = dotted_name(expression)
        if dotted is not None and _COMMAND_DECORATORS.search(dotted):
            return dotted
    return None


def algorithm_name(name: str, strong: bool = False) -> bool:
    """Whether a function's name says it is algorithm code (and no glue convention);
    ``strong``: evidence enough for the whole module."""
    if any(pattern.search(name) for _, pattern in _FUNCTION_PATTERNS):
        return False
    return bool(set(name_words(name)) & (MODULE_WORDS if strong else ALGORITHM_WORDS))
