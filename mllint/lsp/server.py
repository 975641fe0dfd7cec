"""``mllint lsp``: the language server (pygls) that lints open buffers as they are typed.

Every open document is linted on open and save, and on change after a quiet period (the
debounce). Linting runs on a snapshot of the buffer in a worker thread, never on the event
loop; a result for a version of the document that is no longer current is dropped. Clients
that can pull diagnostics (``textDocument/diagnostic``) get them that way, others get them
pushed (``textDocument/publishDiagnostics``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import logging
import os
import sys
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Dict, List, Mapping, Optional, Sequence, Union

from lsprotocol import types
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from mllint import __version__
from mllint.analyze import analyze_path
from mllint.engine import child_start_folder
from mllint.fixes import Fix, fix_all, fix_for, has_fix
from mllint.flags.inventory import Flag
from mllint.lsp.actions import FILE_LEVEL_CODES, file_noqa_edit, flag_text, noqa_edit, rule_text
from mllint.lsp.framing import Event, Framing, ProtocolError
from mllint.lsp.linting import ISOLATED, Lint, WorkspaceIndex, about_flag, findings_on_line
from mllint.lsp.positions import UTF8, UTF16, UTF32, line_of, position_of, to_client
from mllint.lsp.reparse import Reparser
from mllint.lsp.settings import NO_EDITOR_SETTINGS, EditorSettings, parse_editor_settings
from mllint.model import FileResult, Finding, NoqaMap, Severity, Span
from mllint.project import cross_file_facts
from mllint.rules import RULES_BY_CODE
from mllint.safeio import read_limited
from mllint.source import looks_deep, split_lines

logger = logging.getLogger("mllint.lsp")

DEFAULT_DEBOUNCE = 0.25
"""Seconds without a change before a changed buffer is linted."""

SOURCE = "mllint"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.NOTE: types.DiagnosticSeverity.Information,
}
_ENCODINGS = (UTF8, UTF16, UTF32)
_GC_THRESHOLD = (1_000_000, 20, 100)
"""The collector's automatic thresholds while the server runs."""
_THAW_EVERY = 64
"""Idle collections between two that look at every object again (see
:meth:`MllintServer.collect_garbage`)."""
_WATCHED = ("**/pyproject.toml", "**/*.py", "**/*.pyi")
_READ = 64 * 1024
"""Bytes asked of standard input at a time."""
_MAX_RELATED_FILE = 4 << 20
"""The largest file read to position a related location in (bytes)."""


@dataclass
class OpenDocument:
    """What the server keeps about one open buffer."""

    uri: str
    path: str
    pending: Optional[asyncio.Task[None]] = None
    latest: Optional[Lint] = None
    generation: int = -1
    """The workspace generation :attr:`latest` was linted against."""
    reparser: Reparser = field(default_factory=Reparser)
    """Only ever used on the lint thread."""


class MllintServer(LanguageServer):
    """The mllint language server."""

    def __init__(self, debounce: float = DEFAULT_DEBOUNCE, use_cache: bool = True) -> None:
        super().__init__(
            "mllint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental
        )
        self.debounce = debounce
        self.use_cache = use_cache
        self.pull = False
        self.encoding = UTF16
        self.editor: EditorSettings = NO_EDITOR_SETTINGS
        """Settings from ``initializationOptions`` and ``workspace/didChangeConfiguration``."""
        self.documents: Dict[str, OpenDocument] = {}
        self.indexes: Dict[str, asyncio.Task[WorkspaceIndex]] = {}
        self.generation = 0
        """Bumped whenever something outside a buffer (configuration, files on disk, another
        buffer's facts) changes, so that cached pull results are linted again."""
        self.linter = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="mllint-lint")
        self.git = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="mllint-git")
        """Asks git for flag ages (for hover), off the event loop and the lint thread."""
        self.collections = 0

    def collect_garbage(self) -> None:
        """One garbage collection, run on the lint thread once a result is out.

        :func:`serve` all but turns the collector's automatic runs off: with a workspace and a
        parsed 2,000-line buffer alive, the collections that linting triggers cost a quarter
        of a lint and free almost nothing (syntax trees hold no reference cycles). Collecting
        here, when the diagnostics have been sent, frees the cycles there are; freezing what
        survives keeps the next collection to the objects made since. Every
        :data:`_THAW_EVERY`-th collection looks at every object again, so a cycle among frozen
        objects is freed too.
        """
        self.collections += 1
        if self.collections % _THAW_EVERY == 0:
            gc.unfreeze()
        gc.collect()
        gc.freeze()

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Errors go to the log, never to a pop-up."""
        logger.error("mllint lsp: %s: %s", type(error).__name__, error)

    # -- the wire -------------------------------------------------------------------------

    def start_io(self, stdin: Optional[BinaryIO] = None, stdout: Optional[BinaryIO] = None) -> None:
        """Serve over standard input and output until the client exits or hangs up.

        Messages are framed by :class:`~mllint.lsp.framing.Framing` rather than pygls's
        reader, and checked by :meth:`receive` before pygls sees them.
        """
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(self._serve_stream(stdin or sys.stdin.buffer))
        except BrokenPipeError:
            logger.error("mllint lsp: the client hung up")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]

    async def _serve_stream(self, stdin: BinaryIO) -> None:
        loop = asyncio.get_running_loop()
        chunks: asyncio.Queue[bytes] = asyncio.Queue(maxsize=16)
        try:
            fd: Optional[int] = stdin.fileno()
        except (OSError, ValueError, AttributeError):
            fd = None

        def pump() -> None:
            # A daemon thread, so that a read blocked on a silent client does not hold up the
            # exit; reading the file descriptor, not the buffered stream, takes no lock that
            # the interpreter's shutdown would wait for.
            while True:
                try:
                    data = os.read(fd, _READ) if fd is not None else stdin.read(_READ)
                except (OSError, ValueError):
                    data = b""
                try:
                    asyncio.run_coroutine_threadsafe(chunks.put(data), loop).result()
                except RuntimeError:  # the loop is closed: the server is exiting
                    return
                if not data:
                    return

        threading.Thread(target=pump, name="mllint-stdin", daemon=True).start()
        framing = Framing()
        assert self._stop_event is not None
        while not self._stop_event.is_set():
            data = await chunks.get()
            if not data:
                return
            framing.feed(data)
            while (event := framing.next_event()) is not None:
                self.receive(event)

    def receive(self, event: Event) -> None:
        """Hand a message to pygls, or answer it as JSON-RPC says when it is not one: -32700
        (parse error) for bytes that are not a JSON message, -32600 (invalid request) for a
        request of the wrong shape, -32602 (invalid params) for a request whose params do
        not fit its method. Notifications and responses are never answered."""
        if isinstance(event, ProtocolError):
            logger.warning("mllint lsp: %s", event.reason)
            self.reply_error(None, types.ErrorCodes.ParseError, f"Parse error: {event.reason}")
            return
        value = event.value
        if not isinstance(value, dict):
            self.reply_error(
                None, types.ErrorCodes.InvalidRequest, "Invalid request: not an object"
            )
            return
        request = "id" in value and "method" in value
        msg_id = value.get("id")
        if request and (isinstance(msg_id, bool) or not isinstance(msg_id, (int, str))):
            self.reply_error(None, types.ErrorCodes.InvalidRequest, "Invalid request: bad id")
            return
        if value.get("jsonrpc") != "2.0" or not isinstance(value.get("method", ""), str):
            logger.warning("mllint lsp: not a JSON-RPC 2.0 message")
            if request:
                self.reply_error(msg_id, types.ErrorCodes.InvalidRequest, "Invalid request")
            return
        if request and self.protocol._shutdown:
            self.reply_error(msg_id, types.ErrorCodes.InvalidRequest, "The server is shut down")
            return
        if "method" in value:
            value.setdefault("params", None)  # optional in JSON-RPC; pygls's generic type needs it
        try:
            message = self.protocol.structure_message(value)
        except Exception as exc:
            logger.warning("mllint lsp: %s: invalid params (%s)", value.get("method"), exc)
            if request:
                self.reply_error(msg_id, types.ErrorCodes.InvalidParams, "Invalid params")
            return
        try:
            self.protocol.handle_message(message)
        except Exception as exc:  # pygls answers a failing request itself; keep serving
            logger.exception("mllint lsp: %s: %s", value.get("method"), exc)

    def reply_error(self, msg_id: Union[int, str, None], code: int, message: str) -> None:
        """Send a JSON-RPC error response (``id`` null when the request's is unknown)."""
        self.protocol._send_data(
            {"jsonrpc": "2.0", "id": msg_id, "error": {"code": int(code), "message": message}}
        )

    # -- workspace folders ------------------------------------------------------------------

    def folder_roots(self) -> List[Path]:
        """The folders of the workspace (the root folder when the client named no folders)."""
        roots = [to_fs_path(f.uri) for f in self.workspace.folders.values()]
        if not roots and self.workspace.root_path:
            roots = [self.workspace.root_path]
        return [Path(os.path.abspath(r)) for r in roots if r]

    def load_folder(self, root: Path) -> asyncio.Task[WorkspaceIndex]:
        """Start (re)reading the configuration and files of a workspace folder."""
        self.indexes[str(root)] = task = asyncio.ensure_future(self._load(root, scan=True))
        return task

    async def _load(self, root: Path, scan: bool) -> WorkspaceIndex:
        loop = asyncio.get_running_loop()
        editor = self.editor
        index, errors = await loop.run_in_executor(
            None,
            lambda: WorkspaceIndex.load(root, scan=scan, use_cache=self.use_cache, editor=editor),
        )
        if index.config_error:
            self.log(types.MessageType.Error, f"{index.config_error} (using the defaults)")
        for error in errors:
            self.log(types.MessageType.Error, error)
        logger.info("mllint lsp: %s: %d files", root, len(index.results))
        self.linter.submit(self.collect_garbage)
        return index

    async def index_for(self, path: str) -> WorkspaceIndex:
        """The index of the workspace folder holding ``path`` (the innermost one); a file
        outside every folder is a project of its own."""
        best: Optional[str] = None
        for root in self.indexes:
            inside = path.startswith(root.rstrip(os.sep) + os.sep)
            if inside and (best is None or len(root) > len(best)):
                best = root
        if best is None:
            best = "file:" + path
            if best not in self.indexes:
                folder = Path(path).parent
                self.indexes[best] = asyncio.ensure_future(self._load(folder, scan=False))
        # shielded: a cancelled lint must not cancel the loading shared by every buffer
        return await asyncio.shield(self.indexes[best])

    async def configure(self, editor: EditorSettings) -> None:
        """New settings from the editor: put them on every workspace folder (loading again
        those whose per-file results they change) and lint the open buffers again."""
        self.editor = editor
        for key in list(self.indexes):
            if key.startswith("file:"):
                del self.indexes[key]  # loaded again, with the new settings, when needed
                continue
            try:
                index = await asyncio.shield(self.indexes[key])
            except Exception:  # the load failed (it is in the log): load it again
                self.load_folder(Path(key))
                continue
            if not index.reconfigure(editor):
                self.load_folder(Path(key))
        self.workspace_changed(None)

    def take_settings(self, value: Any, where: str) -> EditorSettings:
        """The editor settings in ``value``; what is wrong with them goes to the log."""
        editor, problems = parse_editor_settings(value, where)
        for problem in problems:
            self.log(types.MessageType.Error, f"{problem} (ignored)")
        return editor

    def log(self, kind: types.MessageType, message: str) -> None:
        """A line in the client's log (``window/logMessage``), mirrored to stderr."""
        logger.log(logging.ERROR if kind == types.MessageType.Error else logging.INFO, message)
        self.window_log_message(types.LogMessageParams(type=kind, message=f"mllint: {message}"))

    # -- linting ----------------------------------------------------------------------------

    def schedule(self, document: OpenDocument, delay: float) -> None:
        """Lint ``document`` after ``delay`` seconds, replacing any lint still pending."""
        if document.pending is not None:
            document.pending.cancel()
        document.pending = asyncio.ensure_future(self._lint_later(document, delay))

    async def _lint_later(self, document: OpenDocument, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            await self.lint(document)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # half-typed code or a bug: log it, keep serving
            logger.exception("mllint lsp: linting %s failed", document.path)
            self.log(types.MessageType.Error, f"{document.path}: internal error: {exc}")

    async def lint(self, document: OpenDocument) -> None:
        """Lint the current text of ``document`` and publish the result if still current."""
        index = await self.index_for(document.path)
        buffer = self.workspace.get_text_document(document.uri)
        version, text, generation = buffer.version, buffer.source, self.generation
        others = {
            d.path: d.latest.result
            for d in self.documents.values()
            if d is not document and d.latest is not None and index.contains(d.path)
        }
        files = index.snapshot(others)
        loop = asyncio.get_running_loop()
        lint = await loop.run_in_executor(
            self.linter, index.lint, document.path, text, version, files, document.reparser
        )
        try:
            if self.documents.get(document.uri) is not document or version != document_version(
                self, document
            ):
                logger.debug("mllint lsp: dropped a result for %s v%s", document.uri, version)
                return
            facts_changed = document.latest is None or cross_file_facts(
                document.latest.result, index.settings
            ) != cross_file_facts(lint.result, index.settings)
            document.latest, document.generation = lint, generation
            if not self.pull:
                self.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(
                        uri=document.uri, diagnostics=self.diagnostics(lint), version=version
                    )
                )
            if facts_changed and any(index.contains(d.path) for d in self.others(document)):
                self.workspace_changed(index, exclude=document)
        finally:
            self.linter.submit(self.collect_garbage)

    def others(self, document: OpenDocument) -> List[OpenDocument]:
        """The open documents but ``document``."""
        return [d for d in self.documents.values() if d is not document]

    def workspace_changed(
        self, index: Optional[WorkspaceIndex], exclude: Optional[OpenDocument] = None
    ) -> None:
        """Something the project stage reads changed: lint the open buffers again."""
        self.generation += 1
        for document in self.others(exclude) if exclude else list(self.documents.values()):
            if index is None or index.contains(document.path):
                self.schedule(document, self.debounce)
        if self.pull and self._client_refreshes():
            self.workspace_diagnostic_refresh(None)

    def _client_refreshes(self) -> bool:
        workspace = self.client_capabilities.workspace
        diagnostics = workspace.diagnostics if workspace else None
        return bool(diagnostics and diagnostics.refresh_support)

    async def current_lint(self, document: OpenDocument) -> Lint:
        """The lint of the document's current version, waiting for it when needed."""
        while True:
            buffer = self.workspace.get_text_document(document.uri)
            latest = document.latest
            if (
                latest is not None
                and latest.version == buffer.version
                and document.generation == self.generation
            ):
                return latest
            if document.pending is None or document.pending.done():
                self.schedule(document, 0)
            pending = document.pending
            assert pending is not None
            try:
                await asyncio.shield(pending)
            except asyncio.CancelledError:
                if pending.cancelled():
                    continue  # a newer change replaced that lint: wait for the new one
                raise
            if document.latest is latest and buffer.version == document_version(self, document):
                # the lint failed (it is in the log): report nothing rather than wait forever
                return Lint(document.path, buffer.version, buffer.source, _EMPTY, ())

    # -- conversions ------------------------------------------------------------------------

    def diagnostics(self, lint: Lint) -> List[types.Diagnostic]:
        """The findings of a lint as LSP diagnostics, positioned in the negotiated encoding.

        A client that fades unnecessary code also gets, for each dead arm that ML101 or
        ML102 reports, a hint over the arm tagged ``Unnecessary``; a client that shows
        related information gets each finding's related locations."""
        lines = split_lines(lint.text)
        related = self._supports("related_information")
        found = [
            self.diagnostic(f, lines, self._related(f, lint, lines) if related else None)
            for f in lint.findings
        ]
        if lint.dead and self._supports_unnecessary():
            for index, span in sorted(lint.dead.items()):
                found.append(self._dead_arm(lint.findings[index], span, lines))
        return found

    def diagnostic(
        self,
        finding: Finding,
        lines: Sequence[str],
        related: Optional[List[types.DiagnosticRelatedInformation]] = None,
    ) -> types.Diagnostic:
        """One finding as an LSP diagnostic."""
        rule = RULES_BY_CODE.get(finding.code)
        return types.Diagnostic(
            range=self.range_of(finding.span, lines, point_to_line_end=True),
            message=finding.message,
            severity=_SEVERITY[finding.severity],
            code=finding.code,
            code_description=(
                types.CodeDescription(href=rule.help_uri()) if rule is not None else None
            ),
            source=SOURCE,
            related_information=related or None,
        )

    def range_of(
        self, span: Span, lines: Sequence[str], point_to_line_end: bool = False
    ) -> types.Range:
        """A span of a document with ``lines`` as an LSP range in the negotiated encoding."""
        start_text, end_text = line_of(lines, span.line), line_of(lines, span.end_line)
        start = types.Position(
            max(span.line - 1, 0), to_client(start_text, span.column, self.encoding)
        )
        end = types.Position(
            max(span.end_line - 1, 0), to_client(end_text, span.end_column, self.encoding)
        )
        if point_to_line_end and (end.line, end.character) <= (start.line, start.character):
            # a point finding (ML000): underline the rest of the line so that it can be seen
            line_end = to_client(start_text, len(start_text) + 1, self.encoding)
            end = types.Position(start.line, max(start.character, line_end))
        return types.Range(start=start, end=end)

    def _dead_arm(self, finding: Finding, span: Span, lines: Sequence[str]) -> types.Diagnostic:
        """The hint that fades the arm a finding says can never run."""
        return types.Diagnostic(
            range=self.range_of(span, lines),
            message=f"Never runs: {finding.message}",
            severity=types.DiagnosticSeverity.Hint,
            code=finding.code,
            source=SOURCE,
            tags=[types.DiagnosticTag.Unnecessary],
        )

    def _related(
        self, finding: Finding, lint: Lint, lines: Sequence[str]
    ) -> List[types.DiagnosticRelatedInformation]:
        """The finding's related locations, positioned with the text of their files: the
        buffer's own, another open buffer's, or the file on disk (read with a size bound)."""
        out: List[types.DiagnosticRelatedInformation] = []
        texts: Dict[str, Sequence[str]] = {lint.path: lines}
        for related in finding.related:
            if related.path not in texts:
                texts[related.path] = self._lines_of(related.path)
            out.append(
                types.DiagnosticRelatedInformation(
                    location=types.Location(
                        uri=_uri(related.path),
                        range=self.range_of(related.span, texts[related.path]),
                    ),
                    message=related.message,
                )
            )
        return out

    def _lines_of(self, path: str) -> Sequence[str]:
        """The lines of ``path``: its open buffer, else the file (nothing when unreadable)."""
        for document in self.documents.values():
            if document.path == path:
                return split_lines(self.workspace.get_text_document(document.uri).source)
        try:
            data = read_limited(Path(path), _MAX_RELATED_FILE)
        except OSError:
            return []
        return split_lines(data.decode("utf-8", "replace"))

    def _supports(self, feature: str) -> bool:
        """Whether the client's diagnostics (pushed or pulled) take ``feature``."""
        text_document = self.client_capabilities.text_document
        if text_document is None:
            return False
        taken = text_document.diagnostic if self.pull else text_document.publish_diagnostics
        return bool(taken is not None and getattr(taken, feature, None))

    def _supports_unnecessary(self) -> bool:
        if not self._supports("tag_support"):
            return False
        text_document = self.client_capabilities.text_document
        assert text_document is not None
        taken = text_document.diagnostic if self.pull else text_document.publish_diagnostics
        tags = getattr(taken, "tag_support", None)
        return types.DiagnosticTag.Unnecessary in (getattr(tags, "value_set", None) or [])

    def markdown_hover(self) -> bool:
        """Whether the client renders Markdown in hovers."""
        text_document = self.client_capabilities.text_document
        hover = text_document.hover if text_document else None
        formats = hover.content_format if hover else None
        return bool(formats) and types.MarkupKind.Markdown in (formats or [])


_EMPTY = FileResult(findings=(), noqa=NoqaMap())


def document_version(ls: MllintServer, document: OpenDocument) -> Optional[int]:
    """The version of the open buffer as the client last described it."""
    return ls.workspace.get_text_document(document.uri).version


def _path(uri: str) -> str:
    return os.path.abspath(to_fs_path(uri) or uri)


def _uri(path: str) -> str:
    return from_fs_path(path) or Path(path).as_uri()


def create_server(debounce: float = DEFAULT_DEBOUNCE, use_cache: bool = True) -> MllintServer:
    """The server with every feature registered."""
    server = MllintServer(debounce=debounce, use_cache=use_cache)

    @server.feature(types.INITIALIZE)
    def initialize(ls: MllintServer, params: types.InitializeParams) -> None:
        negotiated = str(ls.workspace.position_encoding or UTF16)
        ls.encoding = negotiated if negotiated in _ENCODINGS else UTF16
        text_document = params.capabilities.text_document
        ls.pull = bool(text_document and text_document.diagnostic)
        logger.info("mllint lsp: %s diagnostics, %s", "pull" if ls.pull else "push", ls.encoding)
        ls.editor = ls.take_settings(params.initialization_options, "initializationOptions")
        for root in ls.folder_roots():  # start reading the workspace before the first buffer
            ls.load_folder(root)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: MllintServer, params: types.InitializedParams) -> None:
        workspace = ls.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace else None
        if watched and watched.dynamic_registration:
            options = types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern=g) for g in _WATCHED]
            )
            registration = types.Registration(
                id="mllint-watch",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=options,
            )
            try:
                await ls.client_register_capability_async(
                    types.RegistrationParams(registrations=[registration])
                )
            except Exception as exc:  # the client refused: saves still reload the config
                logger.warning("mllint lsp: cannot watch files: %s", exc)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MllintServer, params: types.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        if not _is_python(params.text_document.language_id, uri):
            return
        document = ls.documents[uri] = OpenDocument(uri, _path(uri))
        ls.schedule(document, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MllintServer, params: types.DidChangeTextDocumentParams) -> None:
        document = ls.documents.get(params.text_document.uri)
        if document is not None:
            ls.schedule(document, ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: MllintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = _path(uri)
        if os.path.basename(path) == "pyproject.toml":
            await _reload(ls, [path])
            return
        document = ls.documents.get(uri)
        if document is None:
            return
        ls.schedule(document, 0)
        await _refresh_files(ls, [path])

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: MllintServer, params: types.DidCloseTextDocumentParams) -> None:
        document = ls.documents.pop(params.text_document.uri, None)
        if document is None:
            return
        if document.pending is not None:
            document.pending.cancel()
        if not ls.pull:
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=document.uri, diagnostics=[])
            )

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier=SOURCE, inter_file_dependencies=True, workspace_diagnostics=False
        ),
    )
    async def diagnostic(
        ls: MllintServer, params: types.DocumentDiagnosticParams
    ) -> types.RelatedFullDocumentDiagnosticReport:
        document = ls.documents.get(params.text_document.uri)
        if document is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        lint = await ls.current_lint(document)
        return types.RelatedFullDocumentDiagnosticReport(items=ls.diagnostics(lint))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def watched(ls: MllintServer, params: types.DidChangeWatchedFilesParams) -> None:
        configs = [c for c in params.changes if c.uri.endswith("pyproject.toml")]
        if configs:
            await _reload(ls, [_path(c.uri) for c in configs])
            return
        await _refresh_files(
            ls,
            [_path(c.uri) for c in params.changes if c.type != types.FileChangeType.Deleted],
            deleted=[
                _path(c.uri) for c in params.changes if c.type == types.FileChangeType.Deleted
            ],
        )

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def configuration_changed(
        ls: MllintServer, params: types.DidChangeConfigurationParams
    ) -> None:
        value = params.settings
        workspace = ls.client_capabilities.workspace
        if not value and workspace is not None and workspace.configuration:
            # the notification is only a nudge: ask for the "mllint" section
            try:
                answer = await ls.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section=SOURCE)])
                )
            except Exception as exc:
                ls.log(types.MessageType.Error, f"cannot read the editor's settings: {exc}")
                return
            value = answer[0] if answer else None
        await ls.configure(ls.take_settings(value, "settings"))

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders_changed(ls: MllintServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        for folder in params.event.removed:
            ls.indexes.pop(_path(folder.uri), None)
        for folder in params.event.added:
            ls.load_folder(Path(_path(folder.uri)))
        ls.workspace_changed(None)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    async def code_action(
        ls: MllintServer, params: types.CodeActionParams
    ) -> Optional[List[Union[types.Command, types.CodeAction]]]:
        buffer = ls.workspace.get_text_document(params.text_document.uri)
        lines = split_lines(buffer.source)
        actions: List[Union[types.Command, types.CodeAction]] = []
        offered = set()
        wanted = _wants(params.context.only, types.CodeActionKind.QuickFix)
        for diagnostic in params.context.diagnostics if wanted else ():
            if diagnostic.source != SOURCE or not isinstance(diagnostic.code, str):
                continue
            if types.DiagnosticTag.Unnecessary in (diagnostic.tags or ()):
                continue  # a faded dead arm: the finding's own diagnostic has the actions
            key = (diagnostic.range.start.line, diagnostic.code)
            if key in offered:
                continue  # one action per code and line
            offered.add(key)
            fix = await _fix_action(ls, buffer, lines, diagnostic)
            if fix is not None:
                actions.append(fix)
            actions.extend(_suppress_actions(ls, buffer, lines, diagnostic))
        if _wants(params.context.only, FIX_ALL_KIND):
            fix_all_action = await _fix_all_action(ls, buffer)
            if fix_all_action is not None:
                actions.append(fix_all_action)
        return actions or None

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: MllintServer, params: types.HoverParams) -> Optional[types.Hover]:
        document = ls.documents.get(params.text_document.uri)
        if document is None or document.latest is None:
            return None
        markdown = ls.markdown_hover()
        lint = document.latest
        findings = lint.findings
        buffer = ls.workspace.get_text_document(params.text_document.uri)
        word = buffer.word_at_position(params.position)
        parts: List[str] = []
        about: List[Finding] = []
        if word and any(f.properties.get("flag") == word for f in findings):
            loop = asyncio.get_running_loop()
            about, flags = await loop.run_in_executor(ls.linter, about_flag, lint, word)
            about = await _with_ages(ls, document, flags, about)
        flag = flag_text(word, about, markdown) if about else None
        if flag is not None:
            parts.append(flag)
        parts.extend(
            rule_text(f, markdown) for f in findings_on_line(findings, params.position.line + 1)
        )
        if not parts:
            return None
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText,
                value=("\n\n---\n\n" if markdown else "\n\n").join(parts),
            )
        )

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: MllintServer, params: None) -> None:
        for document in ls.documents.values():
            if document.pending is not None:
                document.pending.cancel()
        ls.linter.shutdown(wait=False, cancel_futures=True)
        ls.git.shutdown(wait=False, cancel_futures=True)

    return server


async def _with_ages(
    ls: MllintServer, document: OpenDocument, flags: Mapping[str, Flag], findings: List[Finding]
) -> List[Finding]:
    """``findings`` about ``flags`` with each flag's age from git, as ``mllint check`` gives
    it: introduced, last modified, age in days, and ``maxAgeDays`` when it is older than
    ``max-age-days`` (what ML301 reports in ``mllint check``). Unchanged outside git."""
    if not flags:
        return findings
    index = await ls.index_for(document.path)
    limit = index.settings_for(document.path).max_age_days
    loop = asyncio.get_running_loop()
    ages = await loop.run_in_executor(ls.git, index.flag_ages, list(flags.values()))
    out: List[Finding] = []
    for finding in findings:
        age = ages.get(finding.properties.get("flagKey", ""))
        if age is None:
            out.append(finding)
            continue
        stale = {"maxAgeDays": limit} if age.get("ageDays", 0) > limit else {}
        out.append(replace(finding, properties={**finding.properties, **age, **stale}))
    return out


def _is_python(language_id: str, uri: str) -> bool:
    return language_id == "python" or uri.endswith((".py", ".pyi"))


def _fix(reparser: Reparser, text: str, finding: Finding) -> Optional[Fix]:
    """:func:`fix_for` with what the last lint of ``text`` left (on the lint thread); none
    for text that might crash the parser (see :class:`~mllint.lsp.linting.IsolatedAnalysis`)."""
    module = reparser.parsed(text)
    if module is None and looks_deep(text):
        return None
    tree = reparser.ast_tree() if module is not None else None
    return fix_for(text, finding, module, tree, reparser.memo if module is not None else None)


async def _fix_action(
    ls: MllintServer, buffer: TextDocument, lines: Sequence[str], diagnostic: types.Diagnostic
) -> Optional[types.CodeAction]:
    """The rule's fix of the finding behind ``diagnostic``, when the rule has one and the
    finding is from the buffer's current text. Computed on the lint thread, with the
    buffer's last parse and memo."""
    document = ls.documents.get(buffer.uri)
    if not has_fix(str(diagnostic.code)) or document is None or document.latest is None:
        return None
    lint = document.latest
    if lint.version != buffer.version or lint.text != buffer.source:
        return None
    for finding in lint.findings:
        if finding.code != diagnostic.code:
            continue
        if ls.diagnostic(finding, lines).range != diagnostic.range:
            continue
        loop = asyncio.get_running_loop()
        fix = await loop.run_in_executor(ls.linter, _fix, document.reparser, lint.text, finding)
        if fix is None:
            return None
        start = types.Position(*position_of(lint.text, fix.start, ls.encoding))
        end = types.Position(*position_of(lint.text, fix.end, ls.encoding))
        title = f"{fix.title} ({finding.code})"
        return _quick_fix(title, buffer, diagnostic, types.Range(start, end), fix.replacement)
    return None


FIX_ALL_KIND = "source.fixAll.mllint"
"""The code action kind of "fix everything safe" (as ruff's ``source.fixAll.ruff``)."""


def _wants(only: Optional[Sequence[str]], kind: str) -> bool:
    """Whether a request limited to the kinds ``only`` asks for ``kind`` (a kind includes
    its refinements: ``source.fixAll`` asks for ``source.fixAll.mllint``)."""
    return only is None or any(kind == k or kind.startswith(f"{k}.") for k in only)


async def _fix_all_action(ls: MllintServer, buffer: TextDocument) -> Optional[types.CodeAction]:
    """Every safe fix of the buffer's findings as one edit, when the last lint is of the
    buffer's current text and something would change."""
    document = ls.documents.get(buffer.uri)
    if document is None or document.latest is None:
        return None
    lint = document.latest
    if lint.version != buffer.version or lint.text != buffer.source:
        return None
    loop = asyncio.get_running_loop()
    fix = await loop.run_in_executor(ls.linter, fix_all, lint.text, list(lint.findings))
    if fix is None:
        return None
    start = types.Position(*position_of(lint.text, fix.start, ls.encoding))
    end = types.Position(*position_of(lint.text, fix.end, ls.encoding))
    return types.CodeAction(
        title=f"{fix.title} (mllint)",
        kind=FIX_ALL_KIND,
        edit=types.WorkspaceEdit(
            changes={buffer.uri: [types.TextEdit(types.Range(start, end), fix.replacement)]}
        ),
    )


def _suppress_actions(
    ls: MllintServer, buffer: TextDocument, lines: Sequence[str], diagnostic: types.Diagnostic
) -> List[types.CodeAction]:
    """How to silence the finding: ``# noqa: CODE`` on its line, or, for a finding about the
    whole module (ML201, ML205) or a commented-out block at module level (ML105), a
    ``# mllint: noqa: CODE`` line for the whole file."""
    code = str(diagnostic.code)
    actions: List[Optional[types.CodeAction]] = []
    if code not in FILE_LEVEL_CODES:
        actions.append(_noqa_action(ls, buffer, lines, diagnostic))
    if code in FILE_LEVEL_CODES or (code == "ML105" and diagnostic.range.start.character == 0):
        actions.append(_file_noqa_action(ls, buffer, lines, diagnostic))
    return [a for a in actions if a is not None]


def _file_noqa_action(
    ls: MllintServer, buffer: TextDocument, lines: Sequence[str], diagnostic: types.Diagnostic
) -> Optional[types.CodeAction]:
    code = str(diagnostic.code)
    found = file_noqa_edit(lines, code)
    if found is None:
        return None
    number, edit = found.line, found.edit
    if number > len(lines):  # a file without a final newline, below its last line
        last = line_of(lines, len(lines))
        end = types.Position(max(len(lines) - 1, 0), to_client(last, len(last) + 1, ls.encoding))
        where, text = types.Range(end, end), "\n" + edit.text.rstrip("\n")
    else:
        text_of_line = line_of(lines, number)
        start = types.Position(number - 1, to_client(text_of_line, edit.start + 1, ls.encoding))
        end = types.Position(number - 1, to_client(text_of_line, edit.end + 1, ls.encoding))
        where, text = types.Range(start, end), edit.text
    title = f"Suppress {code} in this file"
    return _quick_fix(title, buffer, diagnostic, where, text, False)


def _noqa_action(
    ls: MllintServer, buffer: TextDocument, lines: Sequence[str], diagnostic: types.Diagnostic
) -> Optional[types.CodeAction]:
    code = str(diagnostic.code)
    number = diagnostic.range.start.line + 1
    text = line_of(lines, number)
    edit = noqa_edit(text, code)
    if edit is None:
        return None
    start = types.Position(number - 1, to_client(text, edit.start + 1, ls.encoding))
    end = types.Position(number - 1, to_client(text, edit.end + 1, ls.encoding))
    title = f"Suppress {code} on this line"
    return _quick_fix(title, buffer, diagnostic, types.Range(start, end), edit.text, False)


def _quick_fix(
    title: str,
    buffer: TextDocument,
    diagnostic: types.Diagnostic,
    where: types.Range,
    text: str,
    preferred: bool = True,
) -> types.CodeAction:
    """A quick fix of ``diagnostic``: one edit that puts ``text`` at ``where``."""
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        is_preferred=preferred or None,
        edit=types.WorkspaceEdit(
            changes={buffer.uri: [types.TextEdit(range=where, new_text=text)]}
        ),
    )


async def _reload(ls: MllintServer, configs: Sequence[str]) -> None:
    """A pyproject.toml changed: read the configuration and files of the folders it governs."""
    roots = [Path(r) for r in ls.indexes if not r.startswith("file:")]
    folders = [Path(c).parent for c in configs]
    # a configuration governs the folders below it, and a nested one the folder above it
    touched = [r for r in roots if any(f == r or f in r.parents or r in f.parents for f in folders)]
    for key in [k for k in ls.indexes if k.startswith("file:")]:
        del ls.indexes[key]
    for root in touched:
        ls.load_folder(root)
    ls.log(types.MessageType.Info, "configuration changed, reloaded")
    ls.workspace_changed(None)


async def _refresh_files(
    ls: MllintServer, paths: Sequence[str], deleted: Sequence[str] = ()
) -> None:
    """Files changed on disk: analyse them again for the project stage."""
    loop = asyncio.get_running_loop()
    changed = False
    for path in [*paths, *deleted]:
        if not path.endswith((".py", ".pyi")):
            continue
        index = await ls.index_for(path)
        if not index.contains(path):
            continue
        result = (
            None
            if path in deleted
            else await loop.run_in_executor(
                ls.linter,
                ISOLATED.analyze,
                path,
                analyze_path,
                path,
                index.settings.max_file_size,
            )
        )
        changed = index.update_file(path, result) or changed
    if changed:
        ls.workspace_changed(None)


def leave_workspace() -> None:
    """Make sure no process the server starts imports code from its working folder.

    Editors start the server in the workspace, and the processes multiprocessing starts for
    the workspace scan (forkserver, resource tracker, workers) run ``python -c ...``, which
    puts the working folder first on their ``sys.path``. The server needs no working folder
    (every path it handles comes from an absolute URI), so it moves to
    :func:`~mllint.engine.child_start_folder` for good before any thread or child starts.
    A ``''`` entry of ``sys.path`` (the server embedded in ``python -c``) would be handed to
    spawned workers as the original working folder: it goes. ``PYTHONSAFEPATH`` tells
    Python 3.11+ children the same again.
    """
    os.chdir(child_start_folder())
    sys.path[:] = [entry for entry in sys.path if entry != ""]
    os.environ["PYTHONSAFEPATH"] = "1"


def serve(debounce: float = DEFAULT_DEBOUNCE, use_cache: bool = True) -> None:
    """Run the language server over standard input and output until the client exits.

    The collector runs when the server asks (see :meth:`MllintServer.collect_garbage`), and
    on its own only after a million more objects than it freed (a safety net for a session
    of hovers and code actions without lints; a lint makes far fewer).
    """
    leave_workspace()
    gc.set_threshold(*_GC_THRESHOLD)
    create_server(debounce=debounce, use_cache=use_cache).start_io()


__all__ = ["DEFAULT_DEBOUNCE", "MllintServer", "create_server", "serve"]
