"""# noqa comments, read as flake8 reads them."""

from __future__ import annotations

from mllint.suppress import parse_noqa


def test_forms_of_noqa() -> None:
    noqa = parse_noqa(
        "a = 1  # noqa\n"
        "b = 2  # noqa: ML101, ML2\n"
        "c = 3  #NOQA:ML1 because the experiment is live\n"
        "d = '# not a noqa'\n"
        "e = 5  # noqa:ML101,ML102\n"
    )
    assert noqa.silences("ML999", 1)
    assert noqa.silences("ML101", 2) and noqa.silences("ML203", 2)
    assert not noqa.silences("ML102", 2)
    assert noqa.silences("ML105", 3) and not noqa.silences("ML201", 3)
    assert not noqa.silences("ML101", 4)
    assert noqa.silences("ML102", 5) and not noqa.silences("ML103", 5)
    assert not noqa.silences("ML101", 6)


def test_file_level_noqa() -> None:
    assert parse_noqa("# mllint: noqa\nx = 1\n").silences("ML101", 2)
    only = parse_noqa("x = 1\n# mllint: noqa: ML2\n")
    assert only.silences("ML201", 1) and not only.silences("ML101", 1)
    blanket = parse_noqa("# mllint: noqa: ML2\n# mllint: noqa\n")
    assert blanket.silences("ML101", 9)
    assert parse_noqa("x = 1\n").file_codes is None


def test_line_numbers_count_like_python() -> None:
    noqa = parse_noqa("a = 1\x0c\nb = 2  # noqa\r\nc = 3\n")
    assert noqa.silences("ML101", 2) and not noqa.silences("ML101", 3)
