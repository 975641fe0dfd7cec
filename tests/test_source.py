"""Decoding source bytes and refusing what would crash the parser."""

from __future__ import annotations

import re
import warnings

import pytest

from mllint.source import (
    MAX_NESTING,
    SourceError,
    check_depth,
    check_nesting,
    decode,
    looks_deep,
    python_tree,
    split_lines,
)


def test_utf8_default_and_bom() -> None:
    assert decode("x = 'é'\n".encode()).text == "x = 'é'\n"
    bom = decode(b"\xef\xbb\xbfx = 1\n")
    assert bom.text == "x = 1\n" and bom.encoding == "utf-8-sig"


def test_pep263_cookie() -> None:
    data = "# -*- coding: latin-1 -*-\nx = 'café'\n".encode("latin-1")
    decoded = decode(data)
    assert decoded.encoding == "iso8859-1" and "café" in decoded.text


def test_bytes_invalid_in_the_declared_encoding() -> None:
    with pytest.raises(SourceError) as error:
        decode(b"x = 1\ny = '\xff'\n")
    assert error.value.reason == "not valid UTF-8: byte 0xff cannot be decoded"
    assert (error.value.line, error.value.column) == (2, 6)
    with pytest.raises(SourceError, match="not valid ascii"):
        decode(b"# coding: ascii\nx = '\xe9'\n")


def test_unknown_or_contradictory_cookie() -> None:
    with pytest.raises(SourceError, match="bad encoding declaration"):
        decode(b"# coding: klingon\nx = 1\n")
    with pytest.raises(SourceError, match="bad encoding declaration"):
        decode(b"\xef\xbb\xbf# coding: latin-1\nx = 1\n")


def test_nul_byte_position() -> None:
    with pytest.raises(SourceError) as error:
        decode(b"x = 1\nab\x00c\n")
    assert (error.value.line, error.value.column) == (2, 3)
    assert "NUL" in error.value.reason


def test_split_lines_counts_like_python() -> None:
    assert split_lines("a\r\nb\rc\nd\x0ce\x1cf\n") == ["a", "b", "c", "d\x0ce\x1cf"]
    assert split_lines("") == [] and split_lines("x") == ["x"]


def test_looks_deep_triggers() -> None:
    assert not looks_deep("x = f(g(h(1)))\n" * 100)
    # a large ordinary module: thousands of dots and boolean words, none of them deep
    assert not looks_deep("if a.b.c and d.e or f.g.h:\n    x = self.w.weight.data\n" * 1500)
    assert looks_deep("x = " + "(" * 150 + ")" * 150)
    assert looks_deep("x = " + "1 + " * 1000 + "1\n")
    assert looks_deep("x = (\n" + "    1 +\n" * 9000 + "    1)\n")
    assert looks_deep("x = 1 + \\\n" * 600 + "1\n")
    # what LibCST nests and CPython keeps flat, however it is laid out
    assert looks_deep("x = (\n" + "    a or\n" * 1500 + "    a)\n")
    assert looks_deep("import " + ".".join(["a"] * 1000) + "\n")
    assert looks_deep("import " + ".\\\n".join(["a" * 900] * 4) + "\n")


def test_check_nesting_refuses_deep_trees_and_accepts_the_rest() -> None:
    assert check_nesting("x = " + " + ".join(["a"] * 500) + "\n") is not None
    with pytest.raises(SourceError, match=f"more than {MAX_NESTING} levels at line 1"):
        check_nesting("x = " + " + ".join(["a"] * (MAX_NESTING + 50)) + "\n")
    with pytest.raises(SourceError, match="nests too deeply: too many nested parentheses"):
        check_nesting("x = " + "[" * 300 + "]" * 300 + "\n")
    with pytest.raises(SourceError, match="nests too deeply"):
        check_nesting("x = " + "-" * 3000 + "1\n")


def _chain(terms: int, word: str = "and") -> str:
    return f" {word} ".join(["a"] * terms)


def _nested_chains(count: int, terms: int) -> str:
    source = _chain(terms)
    for _ in range(count - 1):
        source = f"({source}) or {_chain(terms, 'or')}"
    return source


@pytest.mark.parametrize(
    ("source", "line", "what"),
    [
        # LibCST's parser overflows its stack at about 7,000 terms (issue 11, item 8)
        ("x = " + _chain(10_000) + "\n", 1, "10000-term boolean chain"),
        ("def f():\n    if (\n" + _chain(2_000, "or") + "):\n        pass\n", 3, "2000-term"),
        ("x = 1\nassert not (" + _chain(1_500) + ")\n", 2, "1500-term boolean chain"),
        ("import os, " + ".".join(["a"] * 8_000) + "\n", 1, "8000-part dotted name"),
        ("def f():\n    from " + ".".join(["a"] * 7_000) + " import b\n", 2, "7000-part"),
        # a chain whose first term is a chain...: LibCST nests each inside the next
        ("x = " + _nested_chains(5, 300) + "\n", 1, "more than 1000 levels"),
    ],
)
def test_check_depth_counts_what_libcst_nests(source: str, line: int, what: str) -> None:
    tree = python_tree(source)  # CPython takes all of them
    with pytest.raises(SourceError, match=f"nests too deeply for the parser: {what}") as error:
        check_depth(tree, source)
    assert error.value.line == line


@pytest.mark.parametrize(
    "source",
    [
        "x = " + _chain(900) + "\n",
        "x = " + " or ".join(["(" + _chain(300) + ")"] * 5) + "\n",  # side by side: 300 deep
        "x = " + _nested_chains(3, 300) + "\n",
        "x = " + " < ".join(["a"] * 20_000) + "\n",  # LibCST keeps comparisons flat
        "x = [" + ", ".join(["a"] * 20_000) + "]\n",
        "from " + "." * 5_000 + " import b\n",
        "import " + ".".join(["a"] * 900) + "\n",
        "x = " + " ".join(['"a"'] * 50_000) + "\n",  # LibCST refuses it cleanly: not nesting
        "é = 'ü' * 3\n" * 400 + "x = (\n" + "    a or\n" * 900 + "    a)\n",
    ],
)
def test_check_depth_accepts_what_libcst_takes(source: str) -> None:
    check_depth(python_tree(source), source)


@pytest.mark.parametrize(
    ("source", "message", "line"),
    [
        ("print 'python 2'\n", "Missing parentheses in call to 'print'", 1),
        ("x = 1\nreturn x\n", "'return' outside function", 2),  # found by the compiler
        ("def f(a, a):\n    pass\n", "duplicate argument 'a'", 1),
        ('x = 1\nname = "\\N{NOPE}"\n', "unknown Unicode character name", 2),
        ("x = (\n", "'(' was never closed", 1),
    ],
)
def test_python_tree_is_cpythons_verdict(source: str, message: str, line: int) -> None:
    with pytest.raises(SourceError, match=re.escape(message)) as error:
        python_tree(source)
    assert error.value.line == line
    assert f"(line {line})" in error.value.reason


def test_python_tree_accepts_what_cpython_compiles() -> None:
    for source in ("(x): int = 1\n", "x = " + " ".join(['"a"'] * 50_000) + "\n"):
        assert python_tree(source).body


def test_a_tree_too_deep_to_convert_back_is_compiled_from_the_text() -> None:
    # compile(tree) gives up at a smaller depth than compile(text); the verdict is the text's
    source = "x = " + "-" * 1_500 + "1\n"
    assert python_tree(source).body


def test_python_tree_keeps_cpythons_warnings_quiet() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        python_tree('import re\nx = re.compile("\\d")\ny = x is 1\n')
        python_tree('"\\d"\n')
    assert [str(w.message) for w in caught] == []
