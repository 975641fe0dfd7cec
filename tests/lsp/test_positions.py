"""Code-point columns converted to the negotiated LSP position encoding."""

from __future__ import annotations

import pytest

from mllint.lsp.positions import UTF8, UTF16, UTF32, line_of, to_client, units


@pytest.mark.parametrize(
    ("text", "utf8", "utf16", "utf32"),
    [
        ("abc", 3, 3, 3),
        ("é", 2, 1, 1),  # two bytes in UTF-8, one UTF-16 unit
        ("€", 3, 1, 1),
        ("😀", 4, 2, 1),  # outside the BMP: a surrogate pair in UTF-16
        ("a😀b", 6, 4, 3),
        ("", 0, 0, 0),
    ],
)
def test_units(text: str, utf8: int, utf16: int, utf32: int) -> None:
    assert units(text, UTF8) == utf8 == len(text.encode("utf-8"))
    assert units(text, UTF16) == utf16 == len(text.encode("utf-16-le")) // 2
    assert units(text, UTF32) == utf32


def test_to_client_counts_the_characters_before_the_column() -> None:
    line = 'x = "😀"; y'
    column = line.index("y") + 1  # 1-based code points
    assert to_client(line, column, UTF32) == line.index("y")
    assert to_client(line, column, UTF16) == line.index("y") + 1
    assert to_client(line, column, UTF8) == line.index("y") + 3
    assert to_client(line, 1, UTF16) == 0


def test_line_of_is_empty_past_the_end() -> None:
    assert line_of(["a", "b"], 2) == "b"
    assert line_of(["a", "b"], 3) == ""
    assert line_of(["a"], 0) == ""


def test_position_of_an_offset_counts_lines_as_python_does_and_units_as_negotiated() -> None:
    from mllint.lsp.positions import position_of

    text = 'a = 1\r\ns = "😀"; x = 2\rlast\n'
    x = text.index("x")
    assert position_of(text, x, UTF16) == (1, len('s = "😀"; ') + 1)
    assert position_of(text, x, UTF8) == (1, len('s = "😀"; ') + 3)
    assert position_of(text, text.index("last"), UTF16) == (2, 0)
    assert position_of(text, 0, UTF8) == (0, 0)
    assert position_of(text, len(text), UTF8) == (3, 0)
