"""Re-parsing only what an edit touched gives the module a full parse gives."""

from __future__ import annotations

import ast
import random

import libcst as cst
import pytest

from mllint.analyze import analyze_module, analyze_source
from mllint.lsp.linting import analyze_buffer, buffer_bytes
from mllint.lsp.reparse import Reparser
from tests.conftest import SAMPLE

EDITS = (
    "x = 1",
    "    y = 2",
    "# a comment",
    "",
    "if False:",
    "    pass",
    "def g():",
    "        z = (1,",
)


def _edited(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    n = rng.randrange(len(lines))
    kind = rng.randrange(5)
    if kind == 0:
        lines.insert(n, rng.choice(EDITS))
    elif kind == 1 and len(lines) > 1:
        lines.pop(n)
    elif kind == 2:
        cut = rng.randrange(len(lines[n]) + 1)
        lines[n] = lines[n][:cut] + rng.choice("a( )#:'x") + lines[n][cut:]
    elif kind == 3:
        lines[n] += "  # noqa: ML101"
    else:
        lines.insert(n, lines[n])
    return "\n".join(lines)


def _full(text: str) -> cst.Module:
    return cst.parse_module(text)


@pytest.mark.parametrize("name", ["sample_project/train.py", "sample_project/model.py"])
def test_spliced_modules_equal_full_parses(name: str) -> None:
    text = (SAMPLE / name).read_text(encoding="utf-8")
    rng = random.Random(name)
    reparser = Reparser()
    reparser.parse(text)
    checked = 0
    for _ in range(25):
        text = _edited(text, rng)
        try:
            full = _full(text)
        except cst.ParserSyntaxError:
            with pytest.raises(cst.ParserSyntaxError):
                reparser.parse(text)
            reparser.forget()
            reparser.parse(text := (SAMPLE / name).read_text(encoding="utf-8"))
            continue
        module = reparser.parse(text)
        assert module.code == text
        assert module.deep_equals(full)
        spliced = analyze_module("/p/m.py", module, text)
        assert spliced == analyze_source("/p/m.py", text.encode())
        checked += 1
    assert checked >= 8
    assert reparser.spliced >= checked // 2  # most edits were splices, not full parses


def _statements(n: int) -> str:
    return "".join(f"def f{i}():\n    if False:\n        pass\n\n" for i in range(n))


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t.replace("def f17():\n    if False:", "def f17():\n    if True:"),
        lambda t: "# a header comment\n\n" + t,  # lines above the first statement
        lambda t: t.replace("import os\n", "import os\n\n# about f0\n"),
        lambda t: t.replace("def f3():\n", "# about f3\ndef f3():\n"),
    ],
)
def test_edits_that_are_splices(edit: object) -> None:
    reparser = Reparser()
    text = "import os\n\n" + _statements(30)
    reparser.parse(text)
    edited = edit(text)  # type: ignore[operator]
    module = reparser.parse(edited)
    assert reparser.spliced == 1
    assert module.deep_equals(_full(edited))
    assert module.code == edited


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t + "# trailing\n",  # the footer changed
        lambda t: t.rstrip("\n"),  # no final newline
        lambda t: t.replace("def f3():\n", "def f3(:\n"),  # the piece does not parse
    ],
)
def test_edits_that_cannot_be_spliced_take_a_full_parse(edit: object) -> None:
    reparser = Reparser()
    text = "import os\n\n" + _statements(8)
    reparser.parse(text)
    edited = edit(text)  # type: ignore[operator]
    try:
        full = _full(edited)
    except cst.ParserSyntaxError:
        with pytest.raises(cst.ParserSyntaxError):
            reparser.parse(edited)
        return
    assert reparser.parse(edited).deep_equals(full)
    assert reparser.spliced == 0


@pytest.mark.parametrize(
    "text",
    [
        "x = 1\ny = (\n",  # syntax error: CPython's wording
        "# -*- coding: latin-1 -*-\nname = 'café'\nif False:\n    pass\n",
        "x = '\x00'\n",
        "x = " + "(" * 1000 + "1" + ")" * 1000 + "\n",
    ],
)
def test_analyze_buffer_agrees_with_the_per_file_stage(text: str) -> None:
    reparser = Reparser()
    for version in (text, text + "z = 2\n", "z = 3\n" + text):
        result = analyze_buffer("/p/m.py", version, reparser)
        assert result == analyze_source("/p/m.py", buffer_bytes(version))


# edits that change what unchanged statements mean: imports (glue classes), module constants
# (flag facts), a line inserted at the top (every statement below moves)
MEANING_EDITS = (
    ("import numpy as np\n", "import numpy as npx\n"),
    ("import torch\n", "import torch\nimport json as torch\n"),
    ("import torch\n", "torch = 1\n"),
    ("logger = logging.getLogger(__name__)\n", "logger = 1\nDEBUG = False\n"),
    ('"""\nfrom __future__', '"""\n\n\nfrom __future__'),
)


@pytest.mark.parametrize(
    "name",
    ["sample_project/train.py", "sample_project/model.py", "sample_project/data.py"],
)
def test_buffer_analyses_reusing_earlier_ones_equal_fresh_ones(name: str) -> None:
    """A buffer analysed edit after edit, with the memo of the statements an edit left alone,
    gives exactly what the per-file stage gives for each version."""
    original = (SAMPLE / name).read_text(encoding="utf-8")
    rng = random.Random("memo" + name)
    reparser = Reparser()
    text = original
    versions = [original]
    for step in range(40):
        if step % 6 == 5:
            old, new = MEANING_EDITS[(step // 6) % len(MEANING_EDITS)]
            candidate = text.replace(old, new, 1) if old in text else text.replace(new, old, 1)
        else:
            candidate = _edited(text, rng)
        versions.append(candidate)
        try:  # half-typed code is analysed too, and the next edit starts from the last good
            cst.parse_module(candidate)
            text = candidate
        except cst.ParserSyntaxError:
            pass
        if step % 10 == 9:
            versions.append(original)  # and back: statements come back to old lines
    for version in versions:
        result = analyze_buffer("/p/m.py", version, reparser)
        assert result == analyze_source("/p/m.py", buffer_bytes(version))
        tree = reparser.ast_tree()
        if tree is not None:
            expected = ast.dump(ast.parse(version), include_attributes=True)
            assert ast.dump(tree, include_attributes=True) == expected
    assert reparser.memo.hits > 100
    assert reparser.spliced_inside > 0  # edits inside function bodies took that path
    assert len(reparser.memo) < 20 * len(original.splitlines())  # one version's worth


NESTED = '''\
import torch


class Model(torch.nn.Module):
    """A model."""

    def __init__(self, width):
        super().__init__()
        self.width = width
# a comment at column 0, inside the class

    @property
    def size(self):
        return self.width  # trailing

    class Config:
        def defaults(self):
            if False:
                return {}
            return {"width": 1}

    def forward(self, x):
        y = x * 2
        """A string
   with a line less indented than the code."""
        return (y +
  1)


def helper():
\tif True:
\t\treturn 1
\treturn 2
'''


@pytest.mark.parametrize(
    "old, new",
    [
        ("y = x * 2", "y = x * 3"),  # inside a method
        ("return self.width  # trailing", "return self.width + 1"),  # property body
        (
            "if False:\n                return {}",
            "if True:\n                return {}",
        ),  # nested class
        ("        y = x * 2\n", "        y = x * 2\n        z = y\n"),  # a new statement
        ("        y = x * 2\n", ""),  # a statement removed
        ("    def forward(self, x):", "    def forward(self, x, y=None):"),  # a method header
        ("# a comment at column 0, inside the class\n", ""),
        ("\t\treturn 1", "\t\treturn 3"),  # tabs
        ("return (y +\n  1)", "return (y +\n      2)"),  # a continuation line
        ('    """A model."""\n', '    """A model!"""\n'),  # first statement of a body
    ],
)
def test_edits_inside_bodies_parse_just_the_statements_there(old: str, new: str) -> None:
    reparser = Reparser()
    text = NESTED + "".join(f"\ndef f{i}():\n    return {i}\n" for i in range(6))
    reparser.parse(text)
    assert old in text
    edited = text.replace(old, new, 1)
    module = reparser.parse(edited)
    assert module.code == edited
    assert module.deep_equals(_full(edited))
    assert reparser.spliced == 1
    # a body indented otherwise than the module's default (tabs) is parsed whole
    assert reparser.spliced_inside == (0 if "\t" in old else 1)
    # and back: a second edit in the same body starts from the offsets the first one left
    module = reparser.parse(text)
    assert module.code == text and module.deep_equals(_full(text))


def test_most_random_edits_of_sample_modules_splice_inside_bodies() -> None:
    text = (SAMPLE / "sample_project" / "model.py").read_text(encoding="utf-8")
    rng = random.Random("inside")
    reparser = Reparser()
    reparser.parse(text)
    for _ in range(40):
        candidate = _edited(text, rng)
        try:
            full = _full(candidate)
        except cst.ParserSyntaxError:
            continue
        text = candidate
        module = reparser.parse(text)
        assert module.code == text
        assert module.deep_equals(full)
    assert reparser.spliced_inside >= 5
