"""``mllint lsp`` end to end: a pytest-lsp client drives the real server over stdio."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator, List, Optional, Union

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.conftest import write_tree
from tests.lsp.lsp_client import (
    apply_edits,
    config,
    diagnostics_for,
    open_document,
    published,
    pull_capabilities,
    push_capabilities,
    replace_text,
    start,
    uri_of,
    wait_for,
)

DEAD = "import torch\n\nif False:\n    loss = 1\nelse:\n    loss = 2\n"
FIXED = "import torch\n\nloss = 2\n"
ML101_LINE = 2  # 0-based line of `if False:`


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A workspace folder with a configuration and two modules on disk."""
    return write_tree(
        tmp_path / "proj",
        {
            "pyproject.toml": '[tool.mllint]\nselect = ["ML"]\n',
            "pkg/__init__.py": "",
            "pkg/train.py": DEAD,
            "pkg/data.py": "X = 1\n",
        },
    )


@pytest_lsp.fixture(config=config())
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    """A client connected to ``mllint lsp``; each test initialises its own session."""
    yield
    await lsp_client.shutdown_session()


def _codes(diagnostics: List[types.Diagnostic]) -> List[str]:
    return [str(d.code) for d in diagnostics]


async def _code_actions(
    client: LanguageClient, uri: str, diagnostics: List[types.Diagnostic]
) -> Optional[List[Union[types.Command, types.CodeAction]]]:
    """The code actions the server offers for ``diagnostics`` (at the first one's range)."""
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )


async def _hover(
    client: LanguageClient, uri: str, line: int, character: int
) -> Optional[types.Hover]:
    return await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line, character),
        )
    )


@pytest.mark.asyncio
async def test_open_publishes_diagnostics_with_code_link_source_and_severity(
    client: LanguageClient, project: Path
) -> None:
    await start(client, project, push_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", DEAD)
    (diagnostic,) = await diagnostics_for(client, uri, 1)
    assert diagnostic.code == "ML101"
    assert diagnostic.source == "mllint"
    assert diagnostic.severity == types.DiagnosticSeverity.Warning
    assert diagnostic.code_description is not None
    assert diagnostic.code_description.href.endswith("#ml101-constant-condition")
    assert diagnostic.range.start == types.Position(ML101_LINE, 0)
    assert diagnostic.range.end == types.Position(ML101_LINE, len("if False"))
    assert "never true" in diagnostic.message


@pytest.mark.asyncio
async def test_an_edit_that_fixes_the_code_clears_the_diagnostics(
    client: LanguageClient, project: Path
) -> None:
    await start(client, project, push_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", DEAD)
    assert _codes(await diagnostics_for(client, uri, 1)) == ["ML101"]
    replace_text(client, uri, 2, FIXED)
    assert await diagnostics_for(client, uri, 2) == []


@pytest.mark.asyncio
async def test_the_buffer_not_the_file_on_disk_is_linted(
    client: LanguageClient, project: Path
) -> None:
    # pkg/train.py on disk has the dead branch; the open buffer does not
    await start(client, project, push_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", FIXED)
    assert await diagnostics_for(client, uri, 1) == []


@pytest.mark.asyncio
async def test_invalid_code_mid_edit_does_not_crash_and_the_next_edit_is_linted(
    client: LanguageClient, project: Path
) -> None:
    await start(client, project, push_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", FIXED)
    assert await diagnostics_for(client, uri, 1) == []
    for version, text in enumerate(
        ["if False:\n    x = (\n", "def f(:\n", "x = '\x00'\n", "if (" * 400 + "\n"], start=2
    ):
        replace_text(client, uri, version, text)
        codes = _codes(await diagnostics_for(client, uri, version))
        assert codes == ["ML000"], (text, codes)
    replace_text(client, uri, 6, DEAD)
    assert _codes(await diagnostics_for(client, uri, 6)) == ["ML101"]
    assert not client.messages  # nothing popped up


@pytest.mark.asyncio
async def test_results_of_older_versions_are_never_published(
    client: LanguageClient, project: Path
) -> None:
    await start(client, project, push_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", DEAD)
    texts = {1: DEAD}
    for version in range(2, 12):  # faster than the debounce: only the last one is linted
        texts[version] = FIXED if version % 2 else DEAD
        replace_text(client, uri, version, texts[version])
    await diagnostics_for(client, uri, 11)
    for publication in published(client):
        assert publication.version in (1, 11)
        assert bool(publication.diagnostics) == (texts[publication.version or 0] == DEAD)
    assert published(client)[-1].version == 11


@pytest.mark.asyncio
async def test_close_clears_the_diagnostics(client: LanguageClient, project: Path) -> None:
    await start(client, project, push_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", DEAD)
    await diagnostics_for(client, uri, 1)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await wait_for(client, lambda p: p[-1].uri == uri and not p[-1].diagnostics)


@pytest.mark.asyncio
async def test_the_suppress_action_inserts_a_noqa_that_silences_the_finding(
    client: LanguageClient, project: Path
) -> None:
    await start(client, project, push_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", DEAD)
    diagnostics = await diagnostics_for(client, uri, 1)
    actions = await _code_actions(client, uri, diagnostics)
    action = _titled(actions, "Suppress ML101 on this line")
    assert action.edit is not None and action.edit.changes is not None
    edited = apply_edits(DEAD, action.edit.changes[uri], "utf-16-le")
    assert edited.splitlines()[ML101_LINE] == "if False:  # noqa: ML101"
    replace_text(client, uri, 2, edited)
    assert await diagnostics_for(client, uri, 2) == []

    # two findings of one code on a line: one action silences both
    twice = "a = 1 if False else 2; b = 3 if 0 else 4\n"
    other = open_document(client, project / "pkg" / "twice.py", twice)
    diagnostics = await diagnostics_for(client, other, 1)
    assert _codes(diagnostics) == ["ML101", "ML101"]
    actions = await _code_actions(client, other, diagnostics)
    assert actions is not None
    assert [a.title for a in actions].count("Suppress ML101 on this line") == 1
    action = _titled(actions, "Suppress ML101 on this line")
    assert action.edit is not None and action.edit.changes is not None
    replace_text(client, other, 2, apply_edits(twice, action.edit.changes[other], "utf-16-le"))
    assert await diagnostics_for(client, other, 2) == []


def _titled(
    actions: Optional[List[Union[types.Command, types.CodeAction]]], title: str
) -> types.CodeAction:
    """The code action called ``title``."""
    assert actions is not None
    found = [a for a in actions if isinstance(a, types.CodeAction) and a.title == title]
    assert len(found) == 1, [a.title for a in actions]
    return found[0]


@pytest.mark.asyncio
async def test_the_fix_action_deletes_the_dead_branch(
    client: LanguageClient, project: Path
) -> None:
    await start(client, project, push_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", DEAD)
    diagnostics = await diagnostics_for(client, uri, 1)
    actions = await _code_actions(client, uri, diagnostics)
    fix = _titled(actions, "Delete the dead `if` branch: its test is never true (ML101)")
    assert fix.is_preferred and fix.kind == types.CodeActionKind.QuickFix
    assert fix.edit is not None and fix.edit.changes is not None
    edited = apply_edits(DEAD, fix.edit.changes[uri], "utf-16-le")
    assert edited == FIXED
    replace_text(client, uri, 2, edited)
    assert await diagnostics_for(client, uri, 2) == []
    # a diagnostic of an older version of the buffer gets no fix
    replace_text(client, uri, 3, DEAD)
    stale = diagnostics
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=4),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="\n" + DEAD)],
        )
    )
    actions = await _code_actions(client, uri, stale)
    assert actions is not None and all("Delete" not in a.title for a in actions)


@pytest.mark.asyncio
async def test_hover_on_a_flagged_line_shows_the_rule_doc(
    client: LanguageClient, project: Path
) -> None:
    await start(client, project, push_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", DEAD)
    await diagnostics_for(client, uri, 1)
    hover = await _hover(client, uri, ML101_LINE, 4)
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    text = hover.contents.value
    assert "**ML101** `constant-condition`" in text
    assert "## What it does" in text and "## Why is this bad?" in text
    assert "docs/rules.md#ml101-constant-condition" in text
    nothing = await _hover(client, uri, 0, 2)
    assert nothing is None


EMOJI = 's = "😀😀"; y = 2 if False else 3\n'
EMOJI_START = len('s = "😀😀"; y = ')  # code points before the conditional expression


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("offered", "negotiated", "extra_units"),
    [
        ((), "utf-16", 1),  # each emoji is two UTF-16 code units: one more than a code point
        (("utf-8", "utf-16"), "utf-8", 3),  # and four bytes in UTF-8: three more
    ],
)
async def test_positions_of_a_line_with_emoji_in_the_negotiated_encoding(
    client: LanguageClient,
    project: Path,
    offered: tuple[str, ...],
    negotiated: str,
    extra_units: int,
) -> None:
    result = await start(client, project, push_capabilities(offered))
    assert result.capabilities.position_encoding == negotiated
    uri = open_document(client, project / "pkg" / "emoji.py", EMOJI)
    (diagnostic,) = await diagnostics_for(client, uri, 1)
    expected_start = EMOJI_START + 2 * extra_units
    assert diagnostic.range.start == types.Position(0, expected_start)
    assert diagnostic.range.end == types.Position(0, expected_start + len("2 if False else 3"))
    # the suppress action lands at the end of the line in the same encoding
    actions = await _code_actions(client, uri, [diagnostic])
    action = _titled(actions, "Suppress ML101 on this line")
    assert action.edit is not None and action.edit.changes is not None
    (edit,) = action.edit.changes[uri]
    assert edit.range.start.character == len(EMOJI.rstrip("\n")) + 2 * extra_units
    # and the fix replaces the conditional expression, counted in the same encoding
    fix = _titled(
        actions, "Keep the arm of the conditional expression that is always chosen (ML101)"
    )
    assert fix.edit is not None and fix.edit.changes is not None
    (edit,) = fix.edit.changes[uri]
    assert edit.range.start == diagnostic.range.start
    codec = "utf-16-le" if negotiated == "utf-16" else "utf-8"
    assert apply_edits(EMOJI, [edit], codec) == 's = "😀😀"; y = 3\n'


@pytest.mark.asyncio
async def test_pull_diagnostics_when_the_client_offers_them(
    client: LanguageClient, project: Path
) -> None:
    result = await start(client, project, pull_capabilities())
    assert result.capabilities.diagnostic_provider is not None
    uri = open_document(client, project / "pkg" / "train.py", DEAD)

    async def pull() -> List[types.Diagnostic]:
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        return list(report.items)

    assert _codes(await pull()) == ["ML101"]
    replace_text(client, uri, 2, FIXED)
    assert await pull() == []
    assert published(client) == []  # a pulling client gets nothing pushed


@pytest.mark.asyncio
async def test_configuration_is_reloaded_when_pyproject_changes(
    client: LanguageClient, project: Path
) -> None:
    (project / "pyproject.toml").write_text('[tool.mllint]\nignore = ["ML101"]\n')
    await start(client, project, push_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", DEAD)
    assert await diagnostics_for(client, uri, 1) == []
    (project / "pyproject.toml").write_text('[tool.mllint]\nselect = ["ML1"]\n')
    count = len(published(client))
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(
                    uri=uri_of(project / "pyproject.toml"), type=types.FileChangeType.Changed
                )
            ]
        )
    )
    found = await wait_for(client, lambda p: len(p) > count and p[-1].uri == uri)
    assert _codes(list(found[-1].diagnostics)) == ["ML101"]


@pytest.mark.asyncio
async def test_a_broken_configuration_is_logged_and_the_defaults_are_used(
    client: LanguageClient, project: Path
) -> None:
    (project / "pyproject.toml").write_text('[tool.mllint]\nselect = "ML1"\n')
    await start(client, project, push_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", DEAD)
    assert _codes(await diagnostics_for(client, uri, 1)) == ["ML101"]
    assert any("'select'" in m.message for m in client.log_messages)
    assert not client.messages


FLAGGED = "from pkg.settings import USE_NEW_LOSS\n\nif USE_NEW_LOSS:\n    loss = 1\n"


@pytest.mark.asyncio
async def test_hover_on_a_flag_name_shows_its_definition_value_and_reads(
    client: LanguageClient, tmp_path: Path
) -> None:
    project = write_tree(
        tmp_path / "flagged",
        {
            "pyproject.toml": '[tool.mllint]\nselect = ["ML"]\n',
            "pkg/__init__.py": "",
            "pkg/settings.py": "USE_NEW_LOSS = False\n",
            "pkg/train.py": FLAGGED,
        },
    )
    await start(client, project, push_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", FLAGGED)
    codes = _codes(await diagnostics_for(client, uri, 1))
    assert "ML102" in codes
    hover = await _hover(client, uri, 2, len("if USE_"))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    assert "**Flag `USE_NEW_LOSS`**" in text
    assert "- kind: 'constant'" in text and "- value: False" in text
    assert "settings.py:1" in text and "train.py:3" in text
    assert "ML102 stale-flag-branch" in text


@pytest.mark.asyncio
async def test_hover_on_a_flag_name_shows_its_age_from_git(
    client: LanguageClient, tmp_path: Path
) -> None:
    from datetime import datetime, timezone

    from tests.gitrepo import NOW, GitRepo

    repo = GitRepo(tmp_path / "aged")
    repo.commit(
        {
            "pyproject.toml": '[tool.mllint]\nselect = ["ML"]\n',
            "pkg/__init__.py": "",
            "pkg/settings.py": "USE_NEW_LOSS = True\n",
        },
        days_ago=400,
        message="add the flag",
    )
    last = repo.commit({"pkg/settings.py": "USE_NEW_LOSS = False\n"}, days_ago=100)
    repo.commit({"pkg/train.py": FLAGGED}, days_ago=10)
    await start(client, repo.root, push_capabilities())
    uri = open_document(client, repo.root / "pkg" / "train.py", FLAGGED)
    assert "ML102" in _codes(await diagnostics_for(client, uri, 1))
    hover = await _hover(client, uri, 2, len("if USE_"))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    introduced = (NOW.timestamp() - 400 * 86400) // 86400
    expected_days = int(datetime.now(timezone.utc).timestamp() // 86400 - introduced)
    assert "- introduced: '2025-04-27T12:00:00+00:00'" in text
    assert "- last modified: '2026-02-21T12:00:00+00:00'" in text
    assert f"introduced in: '{repo.git('rev-list', '--max-parents=0', 'HEAD').strip()}'" in text
    assert last not in text  # the age is the flag's, not its last change's
    ages = [int(line.split(": ")[1]) for line in text.splitlines() if "age (days)" in line]
    assert ages and abs(ages[0] - expected_days) <= 1
    # a commit made outside the editor moves HEAD: the next hover asks git again
    repo.commit({"pkg/settings.py": "USE_NEW_LOSS = False  # still off\n"}, days_ago=5)
    hover = await _hover(client, uri, 2, len("if USE_"))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "- last modified: '2026-05-27T12:00:00+00:00'" in hover.contents.value
    assert "- introduced: '2025-04-27T12:00:00+00:00'" in hover.contents.value


def test_idle_collections_free_cycles_even_among_frozen_objects() -> None:
    """The server collects garbage itself, after each lint (automatic collection is all but
    off in ``serve``): a cycle made since the last collection is freed by the next one, and
    one made of objects that were alive, and so frozen, at an earlier collection by a later
    one."""
    import gc
    import weakref

    from mllint.lsp.server import _THAW_EVERY, create_server

    class Node:
        link: object = None

    server = create_server()
    enabled = gc.isenabled()
    gc.disable()
    try:
        fresh = Node()
        fresh.link = fresh
        fresh_ref = weakref.ref(fresh)
        del fresh
        server.collect_garbage()
        assert fresh_ref() is None
        old = Node()
        old.link = old
        old_ref = weakref.ref(old)
        server.collect_garbage()  # alive: frozen
        del old
        server.collect_garbage()
        assert old_ref() is not None  # frozen objects are not looked at every time
        for _ in range(_THAW_EVERY):
            server.collect_garbage()
        assert old_ref() is None
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
