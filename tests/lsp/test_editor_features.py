"""Issue 15, item 15, with a real client over stdio: faded dead arms, related information,
settings from the editor, and the file-level ``# mllint: noqa`` action."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Optional, Union

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
    rich_capabilities,
    start,
    uri_of,
)

CONFIG = "USE_OLD_HEAD = False\n"
TRAIN = (
    "from pkg.config import USE_OLD_HEAD\n"  # 0
    "\n"
    "def legacy_head(n):\n"  # 2
    "    return n\n"
    "\n"
    "def head(n):\n"  # 5
    "    if USE_OLD_HEAD:\n"  # 6
    "        return legacy_head(n)\n"  # 7
    "    return n + 1\n"
)
ALWAYS_TRUE = (
    "import torch\n"
    "\n"
    "if True:\n"  # 2
    "    loss = 1\n"
    "# the old loss\n"
    "else:  # kept for a while\n"  # 5
    "    loss = 2\n"
    "    loss += 1\n"  # 7
)
# 60 % glue: an ML201 finding only with glue-threshold below 0.6
GLUE = (
    "import json\nimport numpy as np\nfrom torch import nn\n"
    "class Net(nn.Module):\n    def forward(self, x):\n        return x\n"
    + "".join(f"d{i} = json.load(open(s{i}))\n" for i in range(15))
    + "".join(f"y{i} = np.mean(x{i})\n" for i in range(10))
)
PREVIEW = '[tool.mllint]\nextend-select = ["ML201"]\n'
"""ML201 is a preview rule: selected by its code."""
COMMENTED = '"""Training."""\n\n# x = compute(a, b)\n# y = x + 1\n# print(y)\nz = 1\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "proj",
        {
            "pyproject.toml": '[tool.mllint]\nselect = ["ML"]\n',
            "pkg/__init__.py": "",
            "pkg/config.py": CONFIG,
            "pkg/train.py": TRAIN,
        },
    )


@pytest_lsp.fixture(config=config())
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    yield
    await lsp_client.shutdown_session()


def _faded(diagnostics: List[types.Diagnostic]) -> List[types.Diagnostic]:
    return [d for d in diagnostics if types.DiagnosticTag.Unnecessary in (d.tags or [])]


def _plain(diagnostics: List[types.Diagnostic]) -> List[types.Diagnostic]:
    return [d for d in diagnostics if not d.tags]


def _range(a: int, b: int, c: int, d: int) -> types.Range:
    return types.Range(types.Position(a, b), types.Position(c, d))


async def _actions(
    client: LanguageClient, uri: str, diagnostics: List[types.Diagnostic]
) -> List[types.CodeAction]:
    found: Optional[
        List[Union[types.Command, types.CodeAction]]
    ] = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range,
            context=types.CodeActionContext(
                diagnostics=diagnostics, only=[types.CodeActionKind.QuickFix]
            ),
        )
    )
    return [a for a in found or [] if isinstance(a, types.CodeAction)]


def _titled(actions: List[types.CodeAction], title: str) -> types.CodeAction:
    (action,) = [a for a in actions if a.title == title]
    return action


def _edited(text: str, action: types.CodeAction, uri: str) -> str:
    assert action.edit is not None and action.edit.changes is not None
    return apply_edits(text, action.edit.changes[uri], "utf-16-le")


# -- dead arms, faded -----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_dead_arm_of_a_stale_flag_is_faded(client: LanguageClient, project: Path) -> None:
    await start(client, project, rich_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", TRAIN)
    diagnostics = await diagnostics_for(client, uri, 1)
    (faded,) = _faded(diagnostics)
    assert faded.code == "ML102" and faded.source == "mllint"
    assert faded.severity == types.DiagnosticSeverity.Hint
    assert faded.range == _range(7, 8, 7, len("        return legacy_head(n)"))
    assert faded.message.startswith("Never runs: `if USE_OLD_HEAD` is always false")
    # the finding itself is unchanged, at the `if`
    stale = [d for d in _plain(diagnostics) if d.code == "ML102"]
    assert [d.range.start for d in stale] == [types.Position(6, 4)]
    # the faded arm offers nothing: the finding's own diagnostic carries the actions
    assert await _actions(client, uri, [faded]) == []


@pytest.mark.asyncio
async def test_an_else_arm_is_faded_from_its_keyword(client: LanguageClient, project: Path) -> None:
    await start(client, project, rich_capabilities(pull=True))
    uri = open_document(client, project / "pkg" / "true.py", ALWAYS_TRUE)
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    (faded,) = _faded(list(report.items))
    assert faded.code == "ML101"
    assert faded.range == _range(5, 0, 7, len("    loss += 1"))


@pytest.mark.asyncio
async def test_a_client_that_cannot_fade_gets_no_hints(
    client: LanguageClient, project: Path
) -> None:
    await start(client, project, push_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", TRAIN)
    diagnostics = await diagnostics_for(client, uri, 1)
    assert _faded(diagnostics) == []
    assert all(d.related_information is None for d in diagnostics)
    assert sorted(str(d.code) for d in diagnostics) == ["ML102", "ML106"]


# -- related information --------------------------------------------------------------------


@pytest.mark.asyncio
async def test_related_locations_are_related_information(
    client: LanguageClient, project: Path
) -> None:
    await start(client, project, rich_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", TRAIN)
    diagnostics = {str(d.code): d for d in _plain(await diagnostics_for(client, uri, 1))}
    (constant,) = diagnostics["ML102"].related_information or []
    assert constant.location.uri == uri_of(project / "pkg" / "config.py")
    assert constant.location.range == _range(0, 0, 0, len("USE_OLD_HEAD"))
    assert constant.message == "definition of `USE_OLD_HEAD = False`"
    (reference,) = diagnostics["ML106"].related_information or []
    assert reference.location.uri == uri
    assert reference.location.range == _range(7, 15, 7, 15 + len("legacy_head"))
    assert reference.message == "reference to `legacy_head` in code that never runs"


# -- settings from the editor ---------------------------------------------------------------


@pytest.mark.asyncio
async def test_initialization_options_select_the_rules(
    client: LanguageClient, project: Path
) -> None:
    uri = uri_of(project)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=rich_capabilities(),
            root_uri=uri,
            workspace_folders=[types.WorkspaceFolder(uri=uri, name="proj")],
            initialization_options={"mllint": {"extendIgnore": ["ML106"], "bogus": 1}},
        )
    )
    doc = open_document(client, project / "pkg" / "train.py", TRAIN)
    assert [str(d.code) for d in _plain(await diagnostics_for(client, doc, 1))] == ["ML102"]
    await _logged(client, "initializationOptions: unknown setting 'bogus'")


@pytest.mark.asyncio
async def test_changed_settings_apply_at_once(client: LanguageClient, project: Path) -> None:
    await start(client, project, rich_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", TRAIN)
    assert len(_plain(await diagnostics_for(client, uri, 1))) == 2
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"mllint": {"ignore": ["ML102"]}})
    )
    await _published(client, uri, lambda codes: codes == ["ML106"])
    # a wrong value is logged and ignored; the rest applies
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"mllint": {"select": ["ML106"], "extend-ignore": "ML1"}}
        )
    )
    await _logged(client, "settings: 'extend-ignore' must be a list of strings, got str")
    await _published(client, uri, lambda codes: codes == ["ML106"])
    # a client that only nudges is asked for the "mllint" section
    client.settings["mllint"] = {"select": ["ML102"]}  # type: ignore[attr-defined]
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await _published(client, uri, lambda codes: codes == ["ML102"])
    client.settings["mllint"] = {}  # type: ignore[attr-defined]
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await _published(client, uri, lambda codes: sorted(codes) == ["ML102", "ML106"])


@pytest.mark.asyncio
async def test_a_glue_threshold_from_the_editor_analyses_the_workspace_again(
    client: LanguageClient, project: Path
) -> None:
    write_tree(project, {"pkg/mod.py": GLUE, "pyproject.toml": PREVIEW})
    await start(client, project, rich_capabilities())
    uri = open_document(client, project / "pkg" / "train.py", TRAIN)
    await diagnostics_for(client, uri, 1)
    other = open_document(client, project / "pkg" / "mod.py", GLUE)
    assert await diagnostics_for(client, other, 1) == []  # 60 % < 80 %
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"glueThreshold": 0.5})
    )
    await _published(client, other, lambda codes: codes == ["ML201"])


# -- file-level suppression -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_module_finding_is_suppressed_for_the_file(
    client: LanguageClient, project: Path
) -> None:
    write_tree(project, {"pyproject.toml": PREVIEW + "glue-threshold = 0.5\n"})
    text = "#!/usr/bin/env python\n" + GLUE
    await start(client, project, rich_capabilities())
    uri = open_document(client, project / "pkg" / "mod.py", text)
    diagnostics = await diagnostics_for(client, uri, 1)
    assert [str(d.code) for d in diagnostics] == ["ML201"]
    actions = await _actions(client, uri, diagnostics)
    assert [a.title for a in actions] == ["Suppress ML201 in this file"]  # no noqa on line 1
    edited = _edited(text, actions[0], uri)
    assert edited.splitlines()[:2] == ["#!/usr/bin/env python", "# mllint: noqa: ML201"]
    replace_text(client, uri, 2, edited)
    assert await diagnostics_for(client, uri, 2) == []


@pytest.mark.asyncio
async def test_module_level_commented_code_can_be_suppressed_for_the_file(
    client: LanguageClient, project: Path
) -> None:
    text = "# mllint: noqa: ML201\n" + COMMENTED
    await start(client, project, rich_capabilities())
    uri = open_document(client, project / "pkg" / "old.py", text)
    diagnostics = await diagnostics_for(client, uri, 1)
    assert [str(d.code) for d in diagnostics] == ["ML105"]
    actions = await _actions(client, uri, diagnostics)
    assert [a.title for a in actions] == [
        "Suppress ML105 on this line",
        "Suppress ML105 in this file",
    ]
    edited = _edited(text, _titled(actions, "Suppress ML105 in this file"), uri)
    assert edited == "# mllint: noqa: ML201,ML105\n" + COMMENTED  # the comment there grows
    replace_text(client, uri, 2, edited)
    assert await diagnostics_for(client, uri, 2) == []


# -- helpers --------------------------------------------------------------------------------


async def _published(client: LanguageClient, uri: str, wanted: Any) -> None:
    """Wait for a publication for ``uri`` whose codes (fades left out) satisfy ``wanted``."""
    from tests.lsp.lsp_client import wait_for

    def seen(found: List[Any]) -> bool:
        mine = [p for p in found if p.uri == uri]
        return bool(mine) and wanted([str(d.code) for d in _plain(list(mine[-1].diagnostics))])

    await wait_for(client, seen)


async def _logged(client: LanguageClient, text: str) -> None:
    for _ in range(2000):
        if any(text in m.message for m in client.log_messages):
            return
        await asyncio.sleep(0.01)
    messages: Dict[int, str] = dict(enumerate(m.message for m in client.log_messages))
    raise AssertionError(f"not logged: {text!r}; log: {messages}")


@pytest.mark.asyncio
@pytest.mark.parametrize(("options", "stale"), [(None, True), ({"maxAgeDays": 100000}, False)])
async def test_max_age_days_from_the_editor_marks_a_stale_flag_in_the_hover(
    client: LanguageClient, tmp_path: Path, options: Optional[Dict[str, Any]], stale: bool
) -> None:
    from tests.gitrepo import GitRepo

    repo = GitRepo(tmp_path / "aged")
    flagged = "from pkg.settings import USE_NEW_LOSS\n\nif USE_NEW_LOSS:\n    x = 1\n"
    repo.commit(
        {
            "pyproject.toml": "[tool.mllint]\nmax-age-days = 90\n",
            "pkg/__init__.py": "",
            "pkg/settings.py": "USE_NEW_LOSS = False\n",
            "pkg/train.py": flagged,
        },
        days_ago=400,
    )
    uri = uri_of(repo.root)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=rich_capabilities(),
            root_uri=uri,
            workspace_folders=[types.WorkspaceFolder(uri=uri, name="aged")],
            initialization_options=options,
        )
    )
    doc = open_document(client, repo.root / "pkg" / "train.py", flagged)
    await diagnostics_for(client, doc, 1)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=doc),
            position=types.Position(2, len("if USE_")),
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "- age (days): " in hover.contents.value
    assert ("- stale: older than max-age-days: 90" in hover.contents.value) == stale
