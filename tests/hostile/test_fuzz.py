"""Fuzzing (issue 11): random programs and token-level mutants of the fixtures through the
whole pipeline, for a bounded time.

Every batch of files goes through the real ``mllint check`` (in-process for speed, and a few
batches in a real process with the worker pool). A batch fails on any traceback, on an exit
status other than 0 or 1, and on any file where ML000 disagrees with CPython's ``compile()``
(an extra ML000 is allowed only for nesting too deep for LibCST's parser).

Time: ``MLLINT_FUZZ_SECONDS`` (default 30, split between the tests below; the programs of
hypothesmith, when it is installed, come on top at about 2 s each, one for every 5 s) bounds a
run; set it higher for a longer local run. ``MLLINT_FUZZ_SEED`` replays a run; every failure
names the seed of its batch and the file.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import time
import tokenize
import warnings
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Sequence, Tuple

import pytest

from tests.conftest import FIXTURES, invoke

SECONDS = float(os.environ.get("MLLINT_FUZZ_SECONDS", "30"))
SEED = int(os.environ.get("MLLINT_FUZZ_SEED", str(random.SystemRandom().randrange(10**9))))
BATCH = 24
HANG = 300  # seconds for one subprocess batch: only to detect a hang

NAMES = ("x", "y", "model", "loss", "args", "cfg", "np", "torch", "df", "os", "USE_NEW", "_v")
FLAGS = ("USE_MIXUP", "use_amp", "enable_cache", "EXP_RANKER", "legacy_loss", "new_head")
BINARY = ("+", "-", "*", "/", "//", "%", "**", "@", "|", "&", "^", "<<")
COMPARE = ("<", "==", "is not", "not in", ">=", "is")
ATTRIBUTES = ("mean", "to", "get", "use_x", "model.use_new")
ENV_KEYS = ('"USE_NEW"', '"EXP_X"', "key")
SIGNATURES = ("", "a, b=1", "*args, **kw", "a, /, b", "x: int")


class Programs:
    """A random Python program generator: mostly valid code, some of it not (``break``
    outside a loop, ``await`` outside ``async def``...), all of it in the shapes mllint
    reads: flags, branches, glue and algorithm calls, comments that hold code."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.wild = rng.random() < 0.3  # let in what is valid only in some places
        self.signatures = SIGNATURES + (("a, a",) if self.wild else ())

    def program(self) -> str:
        lines: List[str] = []
        for _ in range(self.rng.randint(1, 12)):
            lines.extend(self.statement(self.rng.randint(0, 3), ""))
        return "\n".join(lines) + ("\n" if self.rng.random() < 0.9 else "")

    # -- expressions ----------------------------------------------------------------------

    def atom(self) -> str:
        r = self.rng
        if self.wild and r.random() < 0.02:
            return '"\\N{NOPE}"'  # an unknown character name: CPython refuses it, LibCST not
        return r.choice(
            [
                lambda: r.choice(NAMES + FLAGS),
                lambda: str(r.randint(-3, 10 ** r.randint(1, 20))),
                lambda: r.choice(["0x1f", "1_000", "1e-3", "2j", ".5", "0o7", "0b1"]),
                lambda: r.choice(["True", "False", "None", "...", "__debug__"]),
                lambda: r.choice(['"s"', "'t'", 'b"b"', 'r"\\d"', '"\\d"', '"é\\n"', "'''m'''"]),
                lambda: r.choice(
                    ['f"{x}"', 'f"{x!r:>{y}}"', "f'{a}{b=}'", 'rb"x"', '"\\N{EN DASH}"']
                ),
                lambda: r.choice(['"\\N{EM DASH}"', '"\\x41"', '"\\u00e9"']),
            ]
        )()

    def expr(self, depth: int) -> str:
        r = self.rng
        if depth <= 0 or r.random() < 0.25:
            return self.atom()
        e = lambda: self.expr(depth - 1)  # noqa: E731
        makers: List[Callable[[], str]] = [
            lambda: f"{e()} {r.choice(BINARY)} {e()}",
            lambda: f" {r.choice(['and', 'or'])} ".join(e() for _ in range(r.randint(2, 5))),
            lambda: "".join(f"{e()} {r.choice(COMPARE)} " for _ in range(r.randint(1, 3))) + e(),
            lambda: f"{r.choice(['not ', '-', '~', '+'])}{e()}",
            lambda: f"{r.choice(NAMES)}({', '.join(e() for _ in range(r.randint(0, 3)))})",
            lambda: f"{r.choice(NAMES)}.{r.choice(ATTRIBUTES)}",
            lambda: f"{r.choice(NAMES)}[{e()}]",
            lambda: f"{r.choice(NAMES)}[{e()}:{e()}]",
            lambda: f"(lambda {r.choice(['', 'a', 'a, *b', 'a=1'])}: {e()})",
            lambda: f"({e()} if {e()} else {e()})",
            lambda: f"[{', '.join(e() for _ in range(r.randint(0, 3)))}]",
            lambda: f"{{{e()}: {e()}}}",
            lambda: f"({e()},)",
            lambda: f"[{e()} for {r.choice(NAMES)} in {e()} if {e()}]",
            lambda: f"({r.choice(NAMES)} := {e()})",
            lambda: f"os.environ.get({r.choice(ENV_KEYS)})",
            lambda: f"json.loads(json.dumps({e()}))",
            lambda: f"np.array(({e()}).tolist())",
            lambda: " ".join(r.choice(['"a"', "'b'", 'f"{x}"']) for _ in range(r.randint(2, 6))),
        ]
        if self.wild:
            makers += [lambda: f"await {e()}", lambda: f"(yield {e()})", lambda: f"*{e()}"]
        if r.random() < 0.01:  # once in a while, what LibCST's parser recursed on
            count = r.choice([900, 1_100, 8_000])
            return " and ".join(["a"] * count)
        return r.choice(makers)()

    # -- statements -----------------------------------------------------------------------

    def block(self, depth: int, indent: str) -> List[str]:
        inner = indent + self.rng.choice(["    ", "  ", "\t"] if not indent else ["    "])
        body: List[str] = []
        for _ in range(self.rng.randint(1, 3)):
            body.extend(self.statement(depth - 1, inner))
        if all(line.lstrip().startswith("#") for line in body) and not self.wild:
            body.append(inner + "pass")
        return body

    def statement(self, depth: int, indent: str) -> List[str]:
        r = self.rng
        e = lambda: self.expr(r.randint(0, 3))  # noqa: E731
        simple: List[Callable[[], str]] = [
            lambda: f"{r.choice(NAMES + FLAGS)} = {e()}",
            lambda: f"{r.choice(FLAGS)} = {r.choice(['True', 'False', '0', '1', 'None'])}",
            lambda: f"{r.choice(NAMES)} += {e()}",
            lambda: f"{r.choice(NAMES)}: {r.choice(['int', 'List[int]', 'np.ndarray'])} = {e()}",
            lambda: e(),
            lambda: (
                f"parser.add_argument('--{r.choice(FLAGS).lower().replace('_', '-')}', "
                f"action='store_true')"
            ),
            lambda: f"print({e()})  # noqa: {r.choice(['ML101', 'ML1', 'E501'])}",
            lambda: f"# {r.choice(NAMES)} = {e()}",
            lambda: r.choice(["pass", "raise", "del x", "import os.path"]),
            lambda: f"assert {e()}, {e()}",
            lambda: f"import {r.choice(['os', 'numpy as np', 'torch.nn as nn', 'a.b.c'])}",
            lambda: (
                f"from {r.choice(['.', '..m', 'os'])} import "
                f"{r.choice(['x', 'path as p', '(a, b)'])}"
            ),
        ]
        if self.wild:
            simple += [
                lambda: f"return {e()}",
                lambda: f"yield {e()}",
                lambda: r.choice(["break", "continue", "nonlocal x", "global x"]),
                lambda: "from __future__ import annotations",
                lambda: "from os import *",
                lambda: "(x): int = 1",  # valid, and LibCST refuses it
            ]
        if depth <= 0 or r.random() < 0.5:
            return [indent + r.choice(simple)()]
        head = r.choice(
            [
                f"if {e()}:",
                f"if {r.choice(FLAGS)}:",
                f"while {r.choice(['True', 'False', e()])}:",
                f"for {r.choice(NAMES)} in {e()}:",
                f"with open({e()}) as f:",
                f"def {r.choice(NAMES)}({r.choice(self.signatures)}):",
                f"async def {r.choice(NAMES)}():",
                f"class {r.choice(['Model', 'Cfg'])}({r.choice(['', 'nn.Module', 'object'])}):",
                "try:",
                f"match {e()}:",
            ]
        )
        out = [indent + head]
        if head.startswith("match"):
            inner = indent + "    "
            patterns = ["1", "[a, *b]", "{'k': v}", "Point(x=0)", "1 | 2", "str()"]
            for pattern in r.sample(patterns, 2) + (["_"] if r.random() < 0.5 else []):
                out.append(f"{inner}case {pattern}:")
                out.extend(self.block(depth, inner))
            return out
        out.extend(self.block(depth, indent))
        if head.startswith("if") and r.random() < 0.5:
            for _ in range(r.randint(0, 2)):
                out.append(f"{indent}elif {e()}:")
                out.extend(self.block(depth, indent))
            out.append(f"{indent}else:")
            out.extend(self.block(depth, indent))
        if head == "try:":
            out.append(f"{indent}{r.choice(['except ValueError as err:', 'except:', 'finally:'])}")
            out.extend(self.block(depth, indent))
        return out


def _fixture_sources() -> List[bytes]:
    return [p.read_bytes() for p in sorted(FIXTURES.rglob("*.py"))]


_SNIPPETS = (
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    ",",
    "\n",
    "\\\n",
    "    ",
    "\t",
    "if ",
    "else",
    "elif x:",
    "lambda",
    "'",
    '"',
    '"""',
    "f'{",
    "}",
    "#",
    "and",
    "not",
    "=",
    ":=",
    "**",
    "@",
    "yield",
    "\x00",
    "\r",
    "\ufeff",
    "é",
    "\udcff",
    "async ",
    "await ",
    "return",
    "import ",
    "from . ",
)


def mutants(rng: random.Random, source: bytes) -> str:
    """``source`` with a few token-level edits: a token deleted, doubled, swapped with the
    next, or a random snippet put in front of one."""
    text = source.decode("utf-8", "surrogateescape")
    spans: List[Tuple[int, int]] = []
    starts = [0]
    for line in io.StringIO(text).readlines():
        starts.append(starts[-1] + len(line))
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            start = starts[token.start[0] - 1] + token.start[1]
            end = starts[token.end[0] - 1] + token.end[1]
            if end > start:
                spans.append((start, end))
    except (tokenize.TokenError, SyntaxError, IndexError):
        pass
    if not spans:
        spans = [(0, len(text))]
    for _ in range(rng.randint(1, 4)):
        start, end = rng.choice(spans)
        start, end = min(start, len(text)), min(end, len(text))
        kind = rng.randrange(4)
        if kind == 0:
            text = text[:start] + text[end:]
        elif kind == 1:
            text = text[:end] + " " + text[start:end] + text[end:]
        elif kind == 2:
            other = rng.choice(spans)
            text = text[:start] + text[other[0] : other[1]] + text[end:]
        else:
            text = text[:start] + rng.choice(_SNIPPETS) + text[start:]
    return text


def _expected_ml000(data: bytes) -> bool:
    """Whether CPython refuses the file (what ML000 must say, nesting aside).

    ``compile()`` of bytes does not check that comments are valid in the file's encoding,
    but running the file does (``Non-UTF-8 code starting with '\\xff'``), and so does
    mllint: the text must decode first."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(data, "<fuzz>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return True
    return False


def _write_batch(folder: Path, sources: Sequence[str]) -> Dict[str, bytes]:
    folder.mkdir(parents=True)
    written: Dict[str, bytes] = {}
    for i, source in enumerate(sources):
        data = source.encode("utf-8", "surrogateescape")
        (folder / f"f{i:03d}.py").write_bytes(data)
        written[f"f{i:03d}.py"] = data
    return written


def _check_batch(seed: int, written: Dict[str, bytes], code: int, stdout: str, stderr: str) -> None:
    where = f"(MLLINT_FUZZ_SEED={seed})"
    assert code in (0, 1), f"exit {code} {where}\n{stderr[-3000:]}"
    assert "Traceback" not in stderr and "internal error" not in stderr, f"{where}\n{stderr}"
    parse_errors: Dict[str, str] = {}
    for item in json.loads(stdout):
        if item["code"] == "ML000":
            parse_errors[item["path"]] = item["message"]
    for name, data in written.items():
        expected = _expected_ml000(data)
        found = name in parse_errors
        shown = data.decode("utf-8", "backslashreplace")[:1500]
        if found and not expected:
            assert "nests too deeply" in parse_errors[name], (
                f"{name}: ML000 ({parse_errors[name]}) but compile() accepts it {where}\n{shown}"
            )
        assert found or not expected, f"{name}: compile() refuses it, no ML000 {where}\n{shown}"


def _batches(
    seconds: float, make: Callable[[random.Random], str]
) -> Iterator[Tuple[int, List[str]]]:
    deadline = time.monotonic() + seconds
    batch = 0
    while batch == 0 or time.monotonic() < deadline:
        seed = SEED + batch
        rng = random.Random(seed)
        yield seed, [make(rng) for _ in range(BATCH)]
        batch += 1


def _run_in_process(tmp_path: Path, seconds: float, make: Callable[[random.Random], str]) -> int:
    files = 0
    for seed, sources in _batches(seconds, make):
        folder = tmp_path / f"batch{seed}"
        written = _write_batch(folder, sources)
        run = invoke(["check", ".", "--no-cache", "--jobs", "1", "--format", "json"], folder)
        _check_batch(seed, written, run.exit_code, run.stdout, run.stderr)
        files += len(written)
    return files


def test_generated_programs(tmp_path: Path) -> None:
    print(f"MLLINT_FUZZ_SEED={SEED}")
    files = _run_in_process(tmp_path, SECONDS * 0.35, lambda rng: Programs(rng).program())
    print(f"{files} generated programs")
    assert files >= BATCH


def test_token_mutants_of_the_fixtures(tmp_path: Path) -> None:
    print(f"MLLINT_FUZZ_SEED={SEED}")
    fixtures = _fixture_sources()
    assert fixtures
    files = _run_in_process(
        tmp_path, SECONDS * 0.35, lambda rng: mutants(rng, rng.choice(fixtures))
    )
    print(f"{files} mutants")
    assert files >= BATCH


@pytest.mark.parametrize("jobs", ["2"])
def test_a_few_batches_in_a_real_process_with_the_pool(tmp_path: Path, jobs: str) -> None:
    print(f"MLLINT_FUZZ_SEED={SEED}")
    fixtures = _fixture_sources()

    def make(rng: random.Random) -> str:
        if rng.random() < 0.5:
            return Programs(rng).program()
        return mutants(rng, rng.choice(fixtures))

    for seed, sources in _batches(SECONDS * 0.15, make):
        folder = tmp_path / f"batch{seed}"
        written = _write_batch(folder, sources)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "mllint",
                "check",
                ".",
                "--no-cache",
                "--jobs",
                jobs,
                "--format",
                "json",
            ],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=HANG,
        )
        _check_batch(seed, written, done.returncode, done.stdout, done.stderr)


def test_the_generators_make_valid_and_invalid_code() -> None:
    """The generators are worth running: most programs compile, some do not."""
    rng = random.Random(7)
    programs = [Programs(rng).program().encode() for _ in range(200)]
    refused = sum(_expected_ml000(p) for p in programs)
    assert 10 < refused < 150
    fixtures = _fixture_sources()
    changed = [
        mutants(rng, rng.choice(fixtures)).encode("utf-8", "surrogateescape") for _ in range(100)
    ]
    assert sum(_expected_ml000(p) for p in changed) > 20


def test_hypothesmith_programs(tmp_path: Path) -> None:
    """Programs from Python's grammar (hypothesmith, when installed: the dev extra), one file
    at a time through the per-file stage of ``check``; hypothesis prints the failing program
    and how to replay it."""
    hypothesmith = pytest.importorskip("hypothesmith")
    from hypothesis import HealthCheck, given, settings

    count = max(3, int(SECONDS / 5))  # (slow to generate: about 2 s a program)
    programs = hypothesmith.from_grammar() | hypothesmith.from_node()

    @settings(max_examples=count, deadline=None, suppress_health_check=list(HealthCheck))
    @given(programs)
    def lint(source: str) -> None:
        written = {"f.py": source.encode("utf-8", "surrogateescape")}
        (tmp_path / "f.py").write_bytes(written["f.py"])
        run = invoke(["check", "f.py", "--no-cache", "--jobs", "1", "--format", "json"], tmp_path)
        _check_batch(SEED, written, run.exit_code, run.stdout, run.stderr)

    lint()
