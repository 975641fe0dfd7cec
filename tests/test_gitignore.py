"""Tests for mllint.gitignore: gitignore(5) semantics, nested stacks and file reading."""

from __future__ import annotations

import pathlib
from typing import List, Optional

import pytest

from mllint.gitignore import IgnoreSpec, IgnoreStack, compile_globs


def spec(*lines: str, base: str = "") -> IgnoreSpec:
    """A spec from pattern lines."""
    return IgnoreSpec.from_lines(lines, base)


# --- blank lines, comments, escapes, trailing spaces -------------------------------------


def test_blank_lines_and_comments_are_skipped() -> None:
    s = spec("", "   ", "# build", "#*.py")
    assert s.patterns == ()
    assert s.match("# build", False) is None
    assert s.match("#x.py", False) is None
    assert s.match("x.py", False) is None


def test_comment_does_not_hide_following_patterns() -> None:
    s = spec("# comment", "*.log")
    assert s.patterns == ("*.log",)
    assert s.match("a.log", False) is True


def test_escaped_hash_is_a_literal_pattern() -> None:
    s = spec(r"\#notes")
    assert s.match("#notes", False) is True
    assert s.match("notes", False) is None
    assert s.match("sub/#notes", False) is True


def test_escaped_bang_is_a_literal_not_a_negation() -> None:
    s = spec("*", r"\!important")
    assert s.match("!important", False) is True
    assert spec(r"\!important").match("!important", False) is True
    assert spec(r"\!important").match("important", False) is None


def test_hash_inside_a_pattern_is_literal() -> None:
    s = spec("a#b")
    assert s.match("a#b", False) is True
    assert s.match("a", False) is None


def test_trailing_spaces_are_stripped() -> None:
    s = spec("foo   ")
    assert s.match("foo", False) is True
    assert s.match("foo   ", False) is None


def test_escaped_trailing_space_is_kept() -> None:
    s = spec("foo\\ ")
    assert s.match("foo ", False) is True
    assert s.match("foo", False) is None
    two = spec("foo\\  \\  ")  # unescaped spaces between escaped ones stay
    assert two.match("foo   ", False) is True
    assert two.match("foo ", False) is None


def test_trailing_tab_is_not_stripped() -> None:
    s = spec("foo\t")
    assert s.match("foo\t", False) is True
    assert s.match("foo", False) is None


def test_leading_spaces_are_significant() -> None:
    s = spec("  foo")
    assert s.match("  foo", False) is True
    assert s.match("foo", False) is None


# --- negation and precedence ----------------------------------------------------------


def test_negation_reincludes() -> None:
    s = spec("*.log", "!keep.log")
    assert s.match("a.log", False) is True
    assert s.match("keep.log", False) is False
    assert s.match("d/keep.log", False) is False
    assert s.match("a.txt", False) is None


def test_last_matching_pattern_wins() -> None:
    s = spec("!keep.log", "*.log")
    assert s.match("keep.log", False) is True
    t = spec("*.log", "!*.log", "*.log")
    assert t.match("x.log", False) is True
    u = spec("*.log", "!*.log")
    assert u.match("x.log", False) is False


def test_negation_alone_returns_false_only_for_its_matches() -> None:
    s = spec("!*.py")
    assert s.match("a.py", False) is False
    assert s.match("a.txt", False) is None


def test_lone_bang_and_lone_slash_are_no_patterns() -> None:
    s = spec("!", "/", "!/")
    assert s.patterns == ()
    assert s.match("anything", True) is None


# --- directory-only patterns ----------------------------------------------------------


def test_trailing_slash_matches_directories_only() -> None:
    s = spec("build/")
    assert s.match("build", True) is True
    assert s.match("build", False) is None
    assert s.match("src/build", True) is True
    assert s.match("src/build", False) is None


def test_trailing_slash_does_not_anchor() -> None:
    s = spec("cache/")
    assert s.match("a/b/cache", True) is True


def test_pattern_without_slash_matches_files_and_directories() -> None:
    s = spec("build")
    assert s.match("build", False) is True
    assert s.match("build", True) is True
    assert s.match("x/build", False) is True


def test_negated_directory_only_pattern() -> None:
    s = spec("out*", "!outdir/")
    assert s.match("outdir", True) is False
    assert s.match("outdir", False) is True
    assert s.match("outfile", False) is True


# --- anchoring -----------------------------------------------------------------------


def test_leading_slash_anchors_to_base() -> None:
    s = spec("/foo")
    assert s.match("foo", False) is True
    assert s.match("a/foo", False) is None


def test_middle_slash_anchors_to_base() -> None:
    s = spec("a/b")
    assert s.match("a/b", False) is True
    assert s.match("x/a/b", False) is None
    assert s.match("a/b/c", False) is True  # below the matched directory a/b
    assert s.match("a/bc", False) is None


def test_pattern_without_slash_matches_at_any_depth() -> None:
    s = spec("foo")
    assert s.match("foo", False) is True
    assert s.match("x/y/foo", False) is True
    assert s.match("x/foox", False) is None
    assert s.match("xfoo", False) is None


def test_anchored_directory_only_pattern() -> None:
    s = spec("/build/")
    assert s.match("build", True) is True
    assert s.match("build", False) is None
    assert s.match("src/build", True) is None
    assert s.match("build/lib/a.py", False) is True


# --- wildcards -----------------------------------------------------------------------


def test_star_matches_within_one_segment() -> None:
    s = spec("*.py")
    assert s.match("a.py", False) is True
    assert s.match("d/e/a.py", False) is True
    assert s.match(".py", False) is True
    assert s.match("a.pyc", False) is None


def test_star_does_not_cross_slash() -> None:
    s = spec("a/*.py")
    assert s.match("a/x.py", False) is True
    assert s.match("a/b/x.py", False) is None
    assert s.match("x.py", False) is None
    t = spec("/a*b")
    assert t.match("axxb", False) is True
    assert t.match("a/b", False) is None


def test_star_matches_empty() -> None:
    s = spec("foo*")
    assert s.match("foo", False) is True
    assert s.match("foobar", False) is True
    assert s.match("fo", False) is None


def test_question_mark_matches_one_character_except_slash() -> None:
    s = spec("?.py")
    assert s.match("a.py", False) is True
    assert s.match("ab.py", False) is None
    assert s.match(".py", False) is None
    t = spec("/a?b")
    assert t.match("axb", False) is True
    assert t.match("a/b", False) is None


def test_regex_metacharacters_are_literal() -> None:
    s = spec("a.b", "c+d", "(e)", "f$", "g^h", "{i}", "j|k")
    for name in ("a.b", "c+d", "(e)", "f$", "g^h", "{i}", "j|k"):
        assert s.match(name, False) is True, name
    for name in ("axb", "ccd", "e", "f", "gh", "i", "j", "k"):
        assert s.match(name, False) is None, name


def test_escaped_wildcards_are_literal() -> None:
    s = spec(r"\*", r"\?x", r"\[y]")
    assert s.match("*", False) is True
    assert s.match("a", False) is None
    assert s.match("?x", False) is True
    assert s.match("ax", False) is None
    assert s.match("[y]", False) is True
    assert s.match("y", False) is None


def test_trailing_backslash_never_matches() -> None:
    s = spec("foo\\")
    assert s.match("foo", False) is None
    assert s.match("foo\\", False) is None


# --- character classes ---------------------------------------------------------------


def test_character_class() -> None:
    s = spec("[abc].py")
    assert s.match("a.py", False) is True
    assert s.match("c.py", False) is True
    assert s.match("d.py", False) is None
    assert s.match("ab.py", False) is None


@pytest.mark.parametrize("pattern", ["[!abc].py", "[^abc].py"])
def test_negated_character_class(pattern: str) -> None:
    s = spec(pattern)
    assert s.match("d.py", False) is True
    assert s.match("a.py", False) is None
    assert s.match("b.py", False) is None


def test_character_range() -> None:
    s = spec("file[0-9].txt")
    assert s.match("file5.txt", False) is True
    assert s.match("filex.txt", False) is None
    t = spec("[!a-y]")
    assert t.match("z", False) is True
    assert t.match("m", False) is None


def test_reversed_range_matches_only_its_first_character() -> None:
    s = spec("[z-a]")
    assert s.match("z", False) is True
    assert s.match("m", False) is None
    assert s.match("a", False) is None


def test_dash_at_edges_of_class_is_literal() -> None:
    s = spec("[-a]", "[b-]")
    assert s.match("-", False) is True
    assert s.match("a", False) is True
    assert s.match("b", False) is True
    assert s.match("c", False) is None


def test_close_bracket_first_in_class_is_literal() -> None:
    s = spec("[]]")
    assert s.match("]", False) is True
    assert s.match("a", False) is None
    t = spec("[!]]")
    assert t.match("a", False) is True
    assert t.match("]", False) is None


def test_class_never_matches_slash() -> None:
    s = spec("/a[+-0]b", "/c[!x]d")
    assert s.match("a+b", False) is True
    assert s.match("a/b", False) is None
    assert s.match("c/d", False) is None
    assert s.match("cyd", False) is True


def test_posix_character_classes() -> None:
    s = spec("v[[:digit:]]", "[[:upper:]][[:lower:]]")
    assert s.match("v1", False) is True
    assert s.match("vx", False) is None
    assert s.match("Ab", False) is True
    assert s.match("aB", False) is None


def test_unknown_posix_class_never_matches() -> None:
    s = spec("x[[:nope:]]")
    assert s.match("x1", False) is None
    assert s.match("x[[:nope:]]", False) is None


def test_unterminated_class_never_matches() -> None:
    s = spec("[abc", "ok")
    assert s.match("a", False) is None
    assert s.match("[abc", False) is None
    assert s.patterns == ("ok",)


def test_escapes_inside_class() -> None:
    s = spec(r"[\]x]")
    assert s.match("]", False) is True
    assert s.match("x", False) is True
    assert s.match("\\", False) is None


# --- double stars --------------------------------------------------------------------


def test_leading_double_star() -> None:
    s = spec("**/foo")
    assert s.match("foo", False) is True
    assert s.match("a/b/foo", False) is True
    assert s.match("a/foox", False) is None
    t = spec("**/a/b")
    assert t.match("a/b", False) is True
    assert t.match("x/y/a/b", False) is True
    assert t.match("a/x/b", False) is None


def test_trailing_double_star() -> None:
    s = spec("abc/**")
    assert s.match("abc/x", False) is True
    assert s.match("abc/x/y", False) is True
    assert s.match("abc", True) is None
    assert s.match("xabc/y", False) is None
    assert s.match("d/abc/x", False) is None


def test_trailing_double_star_reaches_all_depths_by_itself() -> None:
    # The re-included directories rule out "ignored because a parent is".
    s = spec("abc/**", "!abc/*/", "!abc/*/*/")
    assert s.match("abc/x", True) is False
    assert s.match("abc/x/y", True) is False
    assert s.match("abc/x/y", False) is True
    assert s.match("abc/x/y/z", False) is True


def test_middle_double_star() -> None:
    s = spec("a/**/b")
    assert s.match("a/b", False) is True
    assert s.match("a/x/b", False) is True
    assert s.match("a/x/y/b", False) is True
    assert s.match("a/xb", False) is None
    assert s.match("x/a/b", False) is None
    assert s.match("a/x/bb", False) is None


def test_double_star_not_a_whole_segment_is_a_single_star() -> None:
    s = spec("/a**b")
    assert s.match("axxb", False) is True
    assert s.match("a/x/b", False) is None
    t = spec("x/**y")
    assert t.match("x/zzy", False) is True
    assert t.match("x/z/y", False) is None


def test_more_than_two_stars_as_a_segment_are_a_double_star() -> None:
    s = spec("a/***/b")
    assert s.match("a/b", False) is True
    assert s.match("a/x/y/b", False) is True
    assert s.match("a/x/y/c", False) is None


def test_double_star_alone_matches_everything() -> None:
    s = spec("**")
    assert s.match("a", False) is True
    assert s.match("a/b/c", True) is True


def test_double_star_directory_only() -> None:
    s = spec("logs/**/")
    assert s.match("logs/2024", True) is True
    assert s.match("logs/2024", False) is None
    assert s.match("logs/2024/x.txt", False) is True  # below an ignored directory


# --- parent directories --------------------------------------------------------------


def test_ignored_directory_ignores_everything_below() -> None:
    s = spec("build/")
    assert s.match("build/x/y.py", False) is True
    assert s.match("src/build/x.py", False) is True
    assert s.match("builder/x.py", False) is None


def test_excluded_parent_cannot_be_reincluded() -> None:
    s = spec("build/", "!build/keep.py")
    assert s.match("build/keep.py", False) is True
    t = spec("build", "!keep.py")
    assert t.match("build/keep.py", False) is True


def test_contents_glob_allows_reinclusion() -> None:
    s = spec("build/*", "!build/keep.py")
    assert s.match("build", True) is None
    assert s.match("build/keep.py", False) is False
    assert s.match("build/other.py", False) is True


def test_reincluded_directory_is_not_a_blocking_parent() -> None:
    s = spec("build/", "!build/")
    assert s.match("build", True) is False
    assert s.match("build/a.py", False) is None


def test_reincluding_a_directory_does_not_reinclude_its_files() -> None:
    # git's well-known gotcha: '*' still matches the files inside the re-included dir.
    s = spec("*", "!src/")
    assert s.match("src", True) is False
    assert s.match("src/a.py", False) is True
    allow = spec("*", "!*/", "!*.py")
    assert allow.match("src", True) is False
    assert allow.match("src/a.py", False) is False
    assert allow.match("src/a.txt", False) is True


# --- base directory ------------------------------------------------------------------


def test_patterns_are_relative_to_base() -> None:
    s = spec("*.py", base="sub")
    assert s.base == "sub"
    assert s.match("sub/a.py", False) is True
    assert s.match("sub/d/a.py", False) is True
    assert s.match("a.py", False) is None
    assert s.match("subx/a.py", False) is None
    assert s.match("other/sub/a.py", False) is None


def test_anchored_pattern_is_anchored_at_base() -> None:
    s = spec("/a.py", "d/e", base="sub/dir")
    assert s.match("sub/dir/a.py", False) is True
    assert s.match("sub/dir/x/a.py", False) is None
    assert s.match("a.py", False) is None
    assert s.match("sub/dir/d/e", False) is True
    assert s.match("d/e", False) is None


def test_base_directory_itself_is_outside_the_spec() -> None:
    s = spec("*", base="sub")
    assert s.match("sub", True) is None
    assert s.match("sub/x", False) is True


@pytest.mark.parametrize("base", ["sub/", "/sub", "./sub", "sub//"])
def test_base_is_normalized(base: str) -> None:
    s = spec("x", base=base)
    assert s.base == "sub"
    assert s.match("sub/x", False) is True
    assert s.match("x", False) is None


def test_base_prefix_matching_is_not_a_glob() -> None:
    s = spec("x", base="a.b")
    assert s.match("a.b/x", False) is True
    assert s.match("axb/x", False) is None


def test_relpath_is_normalized() -> None:
    s = spec("build/")
    assert s.match("./build", True) is True
    assert s.match("build/", True) is True
    assert s.match("", True) is None
    assert s.match(".", True) is None


# --- files, line endings, unicode, spaces --------------------------------------------


def test_from_file_missing_gives_empty_spec(tmp_path: pathlib.Path) -> None:
    s = IgnoreSpec.from_file(tmp_path / "nope" / ".gitignore", "nope")
    assert s.patterns == ()
    assert s.base == "nope"
    assert s.match("nope/x", False) is None


def test_from_file_on_a_directory_gives_empty_spec(tmp_path: pathlib.Path) -> None:
    s = IgnoreSpec.from_file(tmp_path)
    assert s.patterns == ()


def test_from_file_reads_patterns(tmp_path: pathlib.Path) -> None:
    path = tmp_path / ".gitignore"
    path.write_text("# comment\n*.pyc\n\n!keep.pyc\nbuild/\n", encoding="utf-8")
    s = IgnoreSpec.from_file(path, "pkg")
    assert s.patterns == ("*.pyc", "!keep.pyc", "build/")
    assert s.match("pkg/a.pyc", False) is True
    assert s.match("pkg/keep.pyc", False) is False
    assert s.match("pkg/build/a.py", False) is True
    assert s.match("a.pyc", False) is None


def test_from_file_crlf(tmp_path: pathlib.Path) -> None:
    path = tmp_path / ".gitignore"
    path.write_bytes(b"*.log\r\n!keep.log\r\ndist/\r\nfoo  \r\n")
    s = IgnoreSpec.from_file(path)
    assert s.patterns == ("*.log", "!keep.log", "dist/", "foo")
    assert s.match("keep.log", False) is False
    assert s.match("a.log", False) is True
    assert s.match("dist", True) is True
    assert s.match("dist", False) is None
    assert s.match("foo", False) is True


def test_from_file_bom_and_invalid_utf8(tmp_path: pathlib.Path) -> None:
    path = tmp_path / ".gitignore"
    path.write_bytes(b"\xef\xbb\xbf*.tmp\nbad\xff\n")
    s = IgnoreSpec.from_file(path)
    assert s.match("a.tmp", False) is True
    assert s.match("bad\ufffd", False) is True


def test_from_lines_crlf_and_newlines() -> None:
    s = IgnoreSpec.from_lines(["*.log\r\n", "!keep.log\r\n", "cache/\r"])
    assert s.patterns == ("*.log", "!keep.log", "cache/")
    assert s.match("keep.log", False) is False
    assert s.match("cache", True) is True
    assert s.match("cache", False) is None
    whole = IgnoreSpec.from_lines(["a\r\nb\n"])
    assert whole.patterns == ("a", "b")


def test_unicode_names() -> None:
    s = spec("résumé.txt", "日本/", "caf?.md", "[éè]t", "/ünï/*.py")
    assert s.match("docs/résumé.txt", False) is True
    assert s.match("resume.txt", False) is None
    assert s.match("src/日本/x.py", False) is True
    assert s.match("日本", False) is None
    assert s.match("café.md", False) is True
    assert s.match("cafés.md", False) is None
    assert s.match("ét", False) is True
    assert s.match("et", False) is None
    assert s.match("ünï/a.py", False) is True
    assert s.match("uni/a.py", False) is None


def test_spaces_in_names() -> None:
    s = spec("my file.txt", "dir with space/", "/a b/*.c")
    assert s.match("my file.txt", False) is True
    assert s.match("x/my file.txt", False) is True
    assert s.match("myfile.txt", False) is None
    assert s.match("dir with space/a.py", False) is True
    assert s.match("dir with space", False) is None
    assert s.match("a b/z.c", False) is True
    assert s.match("ab/z.c", False) is None


def test_newline_in_a_path_name() -> None:
    assert spec("**/x").match("we\nird/x", False) is True
    assert spec("/a*b").match("a\nb", False) is True
    assert spec("a/**").match("a/b\nc/d", False) is True


# --- compile_globs -------------------------------------------------------------------


def test_compile_globs() -> None:
    s = compile_globs(["*.pyc", "build/", "/docs", "!keep.pyc"])
    assert s.base == ""
    assert s.match("a/b.pyc", False) is True
    assert s.match("a/keep.pyc", False) is False
    assert s.match("x/build/y.py", False) is True
    assert s.match("docs/conf.py", False) is True
    assert s.match("x/docs/conf.py", False) is None
    assert s.match("main.py", False) is None


def test_compile_globs_empty() -> None:
    s = compile_globs([])
    assert s.patterns == ()
    assert s.match("anything", False) is None


# --- stacks --------------------------------------------------------------------------


def test_empty_stack_ignores_nothing() -> None:
    stack = IgnoreStack()
    assert stack.is_ignored("a.py", False) is False
    assert IgnoreStack([spec()]).is_ignored("a.py", False) is False


def test_stack_single_spec() -> None:
    stack = IgnoreStack([spec("*.pyc", "build/")])
    assert stack.is_ignored("a.pyc", False) is True
    assert stack.is_ignored("a.py", False) is False
    assert stack.is_ignored("x/build/y/z.py", False) is True
    assert stack.is_ignored("build", True) is True
    assert stack.is_ignored("build", False) is False


def test_deeper_spec_reincludes() -> None:
    stack = IgnoreStack([spec("*.py")]).push(spec("!keep.py", base="sub"))
    assert stack.is_ignored("sub/keep.py", False) is False
    assert stack.is_ignored("sub/deeper/keep.py", False) is False
    assert stack.is_ignored("sub/other.py", False) is True
    assert stack.is_ignored("keep.py", False) is True
    assert stack.is_ignored("other/keep.py", False) is True


def test_deeper_spec_excludes_what_shallower_reincluded() -> None:
    root = spec("*.log", "!important.log")
    stack = IgnoreStack([root, spec("important.log", base="a")])
    assert stack.is_ignored("a/important.log", False) is True
    assert stack.is_ignored("important.log", False) is False


def test_stack_excluded_parent_cannot_be_reincluded_by_deeper_spec() -> None:
    stack = IgnoreStack([spec("build/")]).push(spec("!keep.py", "!*", base="build"))
    assert stack.is_ignored("build", True) is True
    assert stack.is_ignored("build/keep.py", False) is True
    assert stack.is_ignored("build/x/keep.py", False) is True


def test_stack_deeper_spec_excludes_a_directory() -> None:
    stack = IgnoreStack([spec("!*.py")]).push(spec("gen/", base="pkg"))
    assert stack.is_ignored("pkg/gen/a.py", False) is True
    assert stack.is_ignored("pkg/a.py", False) is False
    assert stack.is_ignored("gen/a.py", False) is False


def test_stack_deeper_negation_of_directory_wins() -> None:
    stack = IgnoreStack([spec("data/")]).push(spec("!data/", base="keep"))
    assert stack.is_ignored("keep/data/x.csv", False) is False
    assert stack.is_ignored("other/data/x.csv", False) is True


def test_stack_precedence_is_by_order() -> None:
    a = spec("x")
    b = spec("!x")
    assert IgnoreStack([a, b]).is_ignored("x", False) is False
    assert IgnoreStack([b, a]).is_ignored("x", False) is True


def test_push_returns_a_new_stack() -> None:
    base = IgnoreStack([spec("*.tmp")])
    pushed = base.push(spec("*.py"))
    assert pushed is not base
    assert len(base.specs) == 1
    assert len(pushed.specs) == 2
    assert base.is_ignored("a.py", False) is False
    assert pushed.is_ignored("a.py", False) is True
    assert pushed.is_ignored("a.tmp", False) is True


def test_stack_answers_are_stable_across_repeated_queries() -> None:
    # Directory verdicts are memoised; asking in different orders must not change answers.
    stack = IgnoreStack([spec("out/", "!src/")]).push(spec("!out/", base="src"))
    queries = [
        ("src/out/a.py", False),
        ("out/a.py", False),
        ("src/out", True),
        ("x/out/y/z", False),
        ("src/a.py", False),
    ]
    first: List[bool] = [stack.is_ignored(p, d) for p, d in queries]
    again: List[bool] = [stack.is_ignored(p, d) for p, d in reversed(queries)]
    assert first == [False, True, False, True, False]
    assert again == list(reversed(first))


def test_spec_match_is_stable_across_repeated_queries() -> None:
    s = spec("tmp/", "!keep/tmp/")
    results: List[Optional[bool]] = []
    for _ in range(2):
        results.append(s.match("keep/tmp/a", False))
        results.append(s.match("x/tmp/a", False))
    assert results == [None, True, None, True]


def test_many_paths_are_matched() -> None:
    s = spec("*.pyc", "__pycache__/", "/build/", "!build/keep")
    stack = IgnoreStack([s])
    ignored = [
        f"pkg{i}/mod{j}.py"
        for i in range(30)
        for j in range(30)
        if stack.is_ignored(f"pkg{i}/mod{j}.py", False)
    ]
    assert ignored == []
    assert all(stack.is_ignored(f"pkg{i}/__pycache__/m.pyc", False) for i in range(30))
    assert all(stack.is_ignored(f"build/d{i}/keep", False) for i in range(30))
