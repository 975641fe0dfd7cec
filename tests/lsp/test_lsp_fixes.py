"""The editor's fixes beyond ML101: the ML102 and ML106 quick fixes and ``source.fixAll.mllint``,
driven by a real LSP client over stdio."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator, List, Optional, Sequence, Union

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
    push_capabilities,
    replace_text,
    start,
)

CONFIG = "USE_NEW_LOSS = False\n"
MODEL = """\
from focal import focal_loss
from proj_cfg import USE_NEW_LOSS


def legacy_head(n):
    return n


def loss(x):
    if USE_NEW_LOSS:
        return focal_loss(x)
    else:
        return x * 2


if False:
    head = legacy_head(1)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "proj",
        {
            "pyproject.toml": '[tool.mllint]\nselect = ["ML"]\n',
            "proj_cfg.py": CONFIG,
            "model.py": MODEL,
        },
    )


@pytest_lsp.fixture(config=config())
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    """A client connected to ``mllint lsp``."""
    yield
    await lsp_client.shutdown_session()


async def _actions(
    client: LanguageClient,
    uri: str,
    diagnostics: List[types.Diagnostic],
    only: Optional[Sequence[str]] = None,
) -> List[types.CodeAction]:
    found = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=diagnostics, only=only),
        )
    )
    return [a for a in found or [] if isinstance(a, types.CodeAction)]


def _titled(actions: List[types.CodeAction], title: str) -> types.CodeAction:
    found = [a for a in actions if a.title == title]
    assert len(found) == 1, [a.title for a in actions]
    return found[0]


def _applied(text: str, action: Union[types.CodeAction, types.Command], uri: str) -> str:
    assert isinstance(action, types.CodeAction)
    assert action.edit is not None and action.edit.changes is not None
    return apply_edits(text, action.edit.changes[uri], "utf-16-le")


@pytest.mark.asyncio
async def test_the_stale_flag_quick_fix_keeps_the_live_arm(
    client: LanguageClient, project: Path
) -> None:
    await start(client, project, push_capabilities())
    uri = open_document(client, project / "model.py", MODEL)
    diagnostics = await diagnostics_for(client, uri, 1)
    stale = [d for d in diagnostics if d.code == "ML102"]
    assert stale
    action = _titled(
        await _actions(client, uri, stale),
        "Delete the arm that `USE_NEW_LOSS` never selects (ML102)",
    )
    assert action.kind == types.CodeActionKind.QuickFix
    edited = _applied(MODEL, action, uri)
    assert "focal_loss" not in edited  # the dead arm and the import only it used
    assert "    return x * 2\n" in edited and "if USE_NEW_LOSS" not in edited
    replace_text(client, uri, 2, edited)
    assert "ML102" not in [d.code for d in await diagnostics_for(client, uri, 2)]


@pytest.mark.asyncio
async def test_the_dead_definition_quick_fix_deletes_it(
    client: LanguageClient, project: Path
) -> None:
    await start(client, project, push_capabilities())
    uri = open_document(client, project / "model.py", MODEL)
    diagnostics = await diagnostics_for(client, uri, 1)
    dead = [d for d in diagnostics if d.code == "ML106"]
    assert dead
    action = _titled(
        await _actions(client, uri, dead), "Delete `legacy_head`: only dead arms use it (ML106)"
    )
    edited = _applied(MODEL, action, uri)
    assert "def legacy_head" not in edited
    assert edited == MODEL.replace("def legacy_head(n):\n    return n\n\n\n", "")


@pytest.mark.asyncio
async def test_fix_all_makes_every_safe_fix_of_the_document(
    client: LanguageClient, project: Path
) -> None:
    initialized = await start(client, project, push_capabilities())
    provider = initialized.capabilities.code_action_provider
    assert isinstance(provider, types.CodeActionOptions)
    assert "source.fixAll.mllint" in (provider.code_action_kinds or [])
    uri = open_document(client, project / "model.py", MODEL)
    diagnostics = await diagnostics_for(client, uri, 1)
    actions = await _actions(client, uri, diagnostics, only=["source.fixAll"])
    (action,) = actions
    assert action.kind == "source.fixAll.mllint"
    edited = _applied(MODEL, action, uri)
    assert edited == ("def legacy_head(n):\n    return n\n\n\ndef loss(x):\n    return x * 2\n")
    replace_text(client, uri, 2, edited)
    left = [d.code for d in await diagnostics_for(client, uri, 2)]
    assert "ML101" not in left and "ML102" not in left
    # a quick-fix-only request gets no fix-all action
    quick = await _actions(client, uri, diagnostics, only=[types.CodeActionKind.QuickFix])
    assert all(a.kind != "source.fixAll.mllint" for a in quick)
