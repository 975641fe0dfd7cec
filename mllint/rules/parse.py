"""Files that cannot be analysed at all: ML000."""

from __future__ import annotations

from mllint.model import Severity
from mllint.rules.base import Invalid, Rule


class ParseError(Rule):
    """
    ## What it does
    Reports a file that mllint cannot read as Python: a syntax error as the Python running
    mllint reports it (`compile()`'s verdict, so also `return` outside a function, a duplicate
    argument or an unknown `\\N{...}` name), bytes that are not valid in the file's declared
    encoding (UTF-8 unless a BOM or a PEP 263 coding cookie says otherwise), NUL bytes, a file
    larger than `max-file-size` (1 MiB by default; it is not read), or nesting deeper than
    1,000 levels as LibCST's parser counts them (each term of a boolean chain and each part of
    an imported dotted name is a level: LibCST's parser crashes at a few thousand). The reason
    is in the message. The rest of the run goes on; no other rule looks at this file.

    A file that Python accepts but LibCST's grammar does not (`(x): int = 1`, tens of
    thousands of implicitly concatenated strings) is not reported: the per-file rules cannot
    run on it, its flags are still collected, and a notice on stderr names it.

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
    VALID = ("x = 1\n", "", "# only a comment\n", "(x): int = 1\n")
    INVALID = (
        Invalid("def train(:\n    pass\n", line=1),
        Invalid("x = 1\ny = (\n", line=2, message="was never closed"),
        Invalid("x = 1\n\x00\n", line=2, message="NUL byte"),
        Invalid("x = " + "(" * 1000 + "1" + ")" * 1000 + "\n", message="nests too deeply"),
        Invalid("x = 1\nreturn x\n", line=2, message="'return' outside function"),
        Invalid('name = "\\N{NOPE}"\n', message="unknown Unicode character name"),
        Invalid(
            "x = " + " and ".join(["a"] * 10_000) + "\n",
            message="nests too deeply for the parser: 10000-term boolean chain at line 1",
        ),
    )
