"""A test client for ``mllint lsp`` over stdio (pytest-lsp), recording every publication."""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

DEBOUNCE_MS = 50
TIMEOUT = 20.0


@dataclass
class Published:
    """One ``textDocument/publishDiagnostics`` notification."""

    uri: str
    version: Optional[int]
    diagnostics: Sequence[types.Diagnostic]


def _make_client() -> LanguageClient:
    client = LanguageClient()
    published: List[Published] = []

    def record(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        published.append(Published(params.uri, params.version, params.diagnostics))
        client.diagnostics[params.uri] = params.diagnostics

    def accept(client: LanguageClient, params: types.RegistrationParams) -> None:
        return None

    settings: Dict[str, Any] = {}

    def configuration(client: LanguageClient, params: types.ConfigurationParams) -> List[Any]:
        return [settings.get(item.section or "") for item in params.items]

    features: Dict[str, Any] = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record
    features[types.CLIENT_REGISTER_CAPABILITY] = accept
    features[types.WORKSPACE_CONFIGURATION] = configuration
    register_lsp_features(client, features)
    client.published = published  # type: ignore[attr-defined]
    client.settings = settings  # type: ignore[attr-defined]
    return client


def config(*extra: str) -> ClientServerConfig:
    """Start ``python -m mllint lsp`` (the real command) with a short debounce."""
    return ClientServerConfig(
        server_command=[
            sys.executable,
            "-m",
            "mllint",
            "lsp",
            "--no-cache",
            f"--debounce-ms={DEBOUNCE_MS}",
            *extra,
        ],
        client_factory=_make_client,
    )


def push_capabilities(encodings: Sequence[str] = ()) -> types.ClientCapabilities:
    """An editor that takes pushed diagnostics (no ``textDocument/diagnostic``)."""
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=list(encodings) or None),
        text_document=types.TextDocumentClientCapabilities(
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
            hover=types.HoverClientCapabilities(
                content_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText]
            ),
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(
                        value_set=[types.CodeActionKind.QuickFix]
                    )
                )
            ),
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
        ),
        workspace=types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True
            ),
        ),
    )


def rich_capabilities(pull: bool = False) -> types.ClientCapabilities:
    """An editor like VS Code or Neovim: it fades code tagged ``Unnecessary``, shows related
    information and answers ``workspace/configuration``."""
    capabilities = pull_capabilities() if pull else push_capabilities()
    assert capabilities.text_document is not None and capabilities.workspace is not None
    tags = types.ClientDiagnosticsTagOptions(value_set=[types.DiagnosticTag.Unnecessary])
    if pull:
        capabilities.text_document.diagnostic = types.DiagnosticClientCapabilities(
            related_information=True, tag_support=tags
        )
    else:
        capabilities.text_document.publish_diagnostics = types.PublishDiagnosticsClientCapabilities(
            version_support=True, related_information=True, tag_support=tags
        )
    capabilities.workspace.configuration = True
    return capabilities


def pull_capabilities() -> types.ClientCapabilities:
    """An editor that pulls diagnostics (``textDocument/diagnostic``, LSP 3.17)."""
    capabilities = push_capabilities()
    assert capabilities.text_document is not None
    capabilities.text_document.diagnostic = types.DiagnosticClientCapabilities()
    return capabilities


async def start(
    client: LanguageClient, root: Path, capabilities: types.ClientCapabilities
) -> types.InitializeResult:
    """Initialise a session on the workspace folder ``root``."""
    uri = uri_of(root)
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=uri,
            workspace_folders=[types.WorkspaceFolder(uri=uri, name=root.name)],
        )
    )


def uri_of(path: Path) -> str:
    """The ``file:`` URI of ``path``."""
    uri = from_fs_path(str(path))
    assert uri is not None
    return uri


def published(client: LanguageClient) -> List[Published]:
    """Every diagnostics notification received so far."""
    return client.published  # type: ignore[attr-defined,no-any-return]


async def wait_for(
    client: LanguageClient, condition: Callable[[List[Published]], bool]
) -> List[Published]:
    """Wait until the publications received satisfy ``condition``."""
    deadline = time.monotonic() + TIMEOUT
    while not condition(published(client)):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; received: {published(client)}")
        await asyncio.sleep(0.01)
    return published(client)


async def diagnostics_for(client: LanguageClient, uri: str, version: int) -> List[types.Diagnostic]:
    """The diagnostics published for ``version`` of ``uri`` (waiting for them)."""
    found = await wait_for(client, lambda p: any(x.uri == uri and x.version == version for x in p))
    return list([x for x in found if x.uri == uri and x.version == version][-1].diagnostics)


def open_document(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    """Send ``didOpen`` for ``path`` with ``text``; return its URI."""
    uri = uri_of(path)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=version, text=text
            )
        )
    )
    return uri


def replace_text(client: LanguageClient, uri: str, version: int, text: str) -> None:
    """Send ``didChange`` replacing the whole buffer."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def apply_edits(text: str, edits: Sequence[types.TextEdit], encoding: str) -> str:
    """``text`` with LSP ``edits`` applied (positions in ``encoding`` code units)."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        line = lines[position.line]
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return sum(len(x) + 1 for x in lines[: position.line]) + index
            units += len(char.encode(encoding)) // (2 if encoding == "utf-16-le" else 1)
        return sum(len(x) + 1 for x in lines[: position.line]) + len(line)

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))[::-1]:
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text
