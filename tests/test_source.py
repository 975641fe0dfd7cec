"""Decoding source bytes and refusing what would crash the parser."""

from __future__ import annotations

import pytest

from mllint.source import MAX_NESTING, SourceError, check_nesting, decode, looks_deep, split_lines


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
    assert looks_deep("x = " + "(" * 150 + ")" * 150)
    assert looks_deep("x = " + "1 + " * 1000 + "1\n")
    assert looks_deep("x = (\n" + "    1 +\n" * 9000 + "    1)\n")
    assert looks_deep("x = 1 + \\\n" * 600 + "1\n")


def test_check_nesting_refuses_deep_trees_and_accepts_the_rest() -> None:
    assert check_nesting("x = " + " + ".join(["a"] * 500) + "\n") is not None
    with pytest.raises(SourceError, match=f"more than {MAX_NESTING} levels"):
        check_nesting("x = " + " + ".join(["a"] * (MAX_NESTING + 50)) + "\n")
    with pytest.raises(SourceError, match="nests too deeply"):
        check_nesting("x = " + "[" * 300 + "]" * 300 + "\n")
    with pytest.raises(SourceError, match="nests too deeply"):
        check_nesting("x = " + "-" * 3000 + "1\n")


def test_check_nesting_leaves_newer_syntax_to_libcst() -> None:
    assert check_nesting("print 'python 2'\n") is None
