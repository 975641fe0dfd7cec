"""Files that cannot be analysed at all: ML000."""

from __future__ import annotations

from mllint.model import Severity
from mllint.rules.base import Invalid, Rule


class ParseError(Rule):
    """
    ## What it does
    Reports a file that mllint cannot read as Python: a syntax error, bytes that are not valid
    in the file's declared encoding (UTF-8 unless a BOM or a PEP 263 coding cookie says
    otherwise), NUL bytes, or nesting deeper than 1,000 levels. The reason is in the message.
    The rest of the run goes on; no other rule looks at this file.

    ## Why is this bad?
    Code that does not parse is not checked by mllint (nor run by Python); debt hides there.

    ## Example
    ```python
    def train(:
        pass
    ```

    Use instead:
    ```python
    def train():
        pass
    ```
    """

    code = "ML000"
    name = "parse-error"
    message = "File cannot be parsed"
    severity = Severity.ERROR
    tags = ("correctness",)
    VALID = ("x = 1\n", "", "# only a comment\n")
    INVALID = (
        Invalid("def train(:\n    pass\n", line=1),
        Invalid("x = 1\ny = (\n", line=2, message="was never closed"),
        Invalid("x = 1\n\x00\n", line=2, message="NUL byte"),
        Invalid("x = " + "(" * 1000 + "1" + ")" * 1000 + "\n", message="nests too deeply"),
    )
