"""The rule framework: one small class per rule, its documentation and its examples."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any, ClassVar, Dict, List, Mapping, Optional, Sequence, Tuple, Type, Union

import libcst as cst

from mllint.locate import Locator
from mllint.memo import Memo
from mllint.model import Finding, Severity, Span
from mllint.walker import Walker

DOCS_URI = "https://github.com/mllint-debt/mllint/blob/main/docs/rules.md"


@dataclass(frozen=True)
class Valid:
    """Code on which the rule must stay silent."""

    code: str


@dataclass(frozen=True)
class Invalid:
    """Code on which the rule must report, optionally at ``line`` with ``message`` in its text."""

    code: str
    line: Optional[int] = None
    message: Optional[str] = None


Example = Union[str, Valid, Invalid]


@dataclass(frozen=True)
class RuleDoc:
    """The sections of a rule's documentation."""

    what: str
    why: str
    example: str
    use_instead: str
    notes: str = ""
    fix: str = ""
    """What the rule's automatic fix does (empty: it has none)."""

    def markdown(self) -> str:
        """The documentation as Markdown, ruff's layout."""
        parts = [f"## What it does\n{self.what}", f"## Why is this bad?\n{self.why}"]
        parts.append(f"## Example\n```python\n{self.example}\n```")
        if self.use_instead:
            parts.append(f"Use instead:\n```python\n{self.use_instead}\n```")
        if self.notes:
            parts.append(f"## Notes\n{self.notes}")
        if self.fix:
            parts.append(f"## Fix\n{self.fix}")
        return "\n\n".join(parts)


_SECTION = re.compile(r"^## (.+)$", re.MULTILINE)
_FENCE = re.compile(r"```(?:python)?\n(.*?)\n```", re.DOTALL)


def parse_doc(docstring: str) -> RuleDoc:
    """Split a rule docstring into its sections (What it does / Why is this bad? / Example)."""
    text = inspect.cleandoc(docstring)
    sections: Dict[str, str] = {}
    matches = list(_SECTION.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        sections[match.group(1).strip().lower()] = text[match.end() : end].strip()
    example_text = sections.get("example", "")
    before, _, after = example_text.partition("Use instead:")
    example = _FENCE.search(before)
    instead = _FENCE.search(after)
    return RuleDoc(
        what=sections.get("what it does", ""),
        why=sections.get("why is this bad?", ""),
        example=example.group(1) if example else before.strip(),
        use_instead=instead.group(1) if instead else after.strip(),
        notes=sections.get("notes", ""),
        fix=sections.get("fix", ""),
    )


class Rule:
    """A rule: its stable code, kebab-case name, message, severity, docs and examples.

    The class docstring is the rule's documentation, in sections ``## What it does``,
    ``## Why is this bad?``, ``## Example`` (with ``Use instead:``) and optionally ``## Notes``.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]
    """The default message, and the rule's one-line summary."""
    severity: ClassVar[Severity] = Severity.WARNING
    tags: ClassVar[Tuple[str, ...]] = ("maintainability",)
    preview: ClassVar[bool] = False
    """A preview rule runs only when selected by its exact code (``--select ML202``,
    ``--extend-select ML202`` or the same in ``[tool.mllint]``): not precise enough on real
    code yet to report by default (see the README's precision tables)."""
    precision: ClassVar[str] = "high"
    VALID: ClassVar[Sequence[Example]] = ()
    INVALID: ClassVar[Sequence[Example]] = ()

    @classmethod
    def doc(cls) -> RuleDoc:
        """The rule's documentation."""
        return parse_doc(cls.__doc__ or "")

    @classmethod
    def help_uri(cls) -> str:
        """Where the rule's documentation lives on the web."""
        return f"{DOCS_URI}#{cls.code.lower()}-{cls.name}"

    @classmethod
    def examples(cls) -> Tuple[List[Valid], List[Invalid]]:
        """The rule's examples, plain strings taken as code."""
        valid = [v if isinstance(v, Valid) else Valid(str(v)) for v in cls.VALID]
        invalid = [i if isinstance(i, Invalid) else Invalid(str(i)) for i in cls.INVALID]
        return valid, invalid


@dataclass(frozen=True)
class _Report:
    rule: Type[Rule]
    """The rule's class: an instance would tie the rule, its context and the whole
    syntax tree into a reference cycle that only the garbage collector frees."""
    node: cst.CSTNode
    end_node: Optional[cst.CSTNode]
    statement: Optional[cst.CSTNode]
    statement_index: int
    is_elif: bool
    message: Optional[str]
    properties: Mapping[str, Any]
    header_width: int = 0


class FileContext:
    """What a per-file rule sees of its file; collects reports and resolves their positions."""

    def __init__(
        self,
        path: str,
        module: cst.Module,
        locator: Locator,
        walker: Walker,
        memo: Optional[Memo] = None,
    ) -> None:
        self.path = path
        self.module = module
        self.locator = locator
        self.walker = walker
        self.memo = memo
        """Results about nodes from an earlier analysis of the same buffer (see
        :mod:`mllint.memo`); ``None`` outside the language server."""
        self._reports: List[_Report] = []
        self._placed: List[Finding] = []

    def report(
        self,
        rule: Rule,
        node: cst.CSTNode,
        message: Optional[str] = None,
        *,
        end_node: Optional[cst.CSTNode] = None,
        properties: Optional[Mapping[str, Any]] = None,
        statement: Optional[Tuple[cst.CSTNode, int]] = None,
        header_width: int = 0,
    ) -> None:
        """Record a finding of ``rule`` at ``node`` (inside the statement being walked, or
        inside ``statement``: an earlier statement and its index, remembered by the rule).

        With ``header_width``, ``node`` is the statement itself and the finding covers that
        many columns from its start (``def name``), found without regenerating its body.
        """
        walker = self.walker
        where, index = statement or (walker.statement, walker.statement_index)
        self._reports.append(
            _Report(
                rule=type(rule),
                node=node,
                end_node=end_node,
                statement=where,
                statement_index=index,
                is_elif=id(where) in walker.elifs,
                message=message,
                properties=dict(properties or {}),
                header_width=header_width,
            )
        )

    def report_file(
        self, rule: Rule, message: str, properties: Optional[Mapping[str, Any]] = None
    ) -> None:
        """Record a finding about the whole file, placed at line 1, column 1."""
        self.report_at(rule, Span(1, 1, 1, 1), message, properties=properties)

    def report_at(
        self,
        rule: Rule,
        span: Span,
        message: Optional[str] = None,
        *,
        properties: Optional[Mapping[str, Any]] = None,
    ) -> None:
        """Record a finding of ``rule`` whose position is already known."""
        self._placed.append(
            Finding(
                path=self.path,
                span=span,
                code=rule.code,
                name=rule.name,
                message=message or rule.message,
                severity=rule.severity,
                properties=dict(properties or {}),
            )
        )

    def resolve(self) -> List[Finding]:
        """Turn the recorded reports into findings with positions (once the walk is over)."""
        findings = list(self._placed)
        for report in self._reports:
            start = (
                self.locator.statement_start(report.statement_index, self.walker.statement_count)
                if report.header_width
                else None
            )
            span = (
                Span(start[0], start[1], start[0], start[1] + report.header_width)
                if start
                else self.locator.span(
                    report.node,
                    report.statement,
                    report.statement_index,
                    self.walker.statement_count,
                    end_node=report.end_node,
                    is_elif=report.is_elif,
                )
            )
            findings.append(
                Finding(
                    path=self.path,
                    span=span,
                    code=report.rule.code,
                    name=report.rule.name,
                    message=report.message or report.rule.message,
                    severity=report.rule.severity,
                    properties=report.properties,
                )
            )
        return findings


class FileRule(Rule):
    """A rule that looks at one file at a time, during the shared traversal.

    Subclasses define ``visit_<Node>`` / ``leave_<Node>`` methods and call :meth:`report`.
    """

    def __init__(self, context: FileContext) -> None:
        self.context = context

    def report(
        self,
        node: cst.CSTNode,
        message: Optional[str] = None,
        *,
        end_node: Optional[cst.CSTNode] = None,
        properties: Optional[Mapping[str, Any]] = None,
        statement: Optional[Tuple[cst.CSTNode, int]] = None,
        header_width: int = 0,
    ) -> None:
        """Report this rule at ``node`` (see :meth:`FileContext.report`)."""
        self.context.report(
            self,
            node,
            message,
            end_node=end_node,
            properties=properties,
            statement=statement,
            header_width=header_width,
        )

    def facts(self) -> Any:
        """Per-file facts this rule hands to the project stage (JSON-able), or ``None``."""
        return None


class ProjectRule(Rule):
    """A rule that needs the whole project: it runs after every file was analysed."""

    def check(self, project: Any) -> List[Finding]:  # pragma: no cover - interface
        """Return the findings of this rule over the project index."""
        raise NotImplementedError
