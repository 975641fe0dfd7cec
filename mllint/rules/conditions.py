"""Tests whose outcome is fixed in the source: ML101."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from mllint.evaluate import literal_truth
from mllint.model import Severity
from mllint.rules.base import FileRule, Invalid


def _describe(node: cst.CSTNode, limit: int = 40) -> str:
    code = cst.Module(body=()).code_for_node(node).strip()
    code = " ".join(code.split())
    return code if len(code) <= limit else code[: limit - 3] + "..."


class ConstantCondition(FileRule):
    """
    ## What it does
    Checks for `if`, `elif`, `while` and conditional expressions whose test is a literal, such
    as `if False:`, `if 0:`, `while 0:`, `x if False else y`, or `if True:` with an `else`, so
    that one arm can never run.

    ## Why is this bad?
    A literal test is how experiments get switched off by hand: `if False:` around the old
    loss, `if True:` in front of the new one. The dead arm keeps being read, reviewed, and kept
    compiling against changing APIs, while nobody knows whether it still works. Version control
    already remembers the old path; delete it, or put it behind a real, documented flag.

    ## Example
    ```python
    if False:
        loss = focal_loss(logits, labels)
    else:
        loss = cross_entropy(logits, labels)
    ```

    Use instead:
    ```python
    loss = cross_entropy(logits, labels)
    ```

    ## Notes
    Never reported: `while True:` and `while 1:` loops, `if TYPE_CHECKING:`, `if __debug__:`
    and `if __name__ == "__main__":` (none of them is a literal test), and a plain `if True:`
    or `if 1:` without `elif`/`else`, which has no dead arm. An `elif` with a literal test is
    always reported: `elif True:` is a hidden `else` that makes any later arm dead.
    Containers count as literals when their truth is fixed: `if (a, b):` is always true.
    A literal inside `and`/`or` that decides the whole test counts too: `if dim == d and
    False:` and `while ready and 0:` never run their body, `if x or True:` always does; the
    quick fix deletes such a test with its dead arm, so check that its other operands have no
    side effects worth keeping.

    ## Fix
    Safe: the deleted arm can never run, so the program does what it did. `check --fix` and
    the editor's quick fix delete the dead arm and put the live one in the place of the whole
    statement or expression, dedented: the body of an `if True:`, the `else` of an `if
    False:`, the next `elif` as an `if`, an `else` for an `elif True:`, the `else` of a
    `while` that never runs, the live value of a conditional expression (`pass` where a block
    would be left empty). Comments inside the deleted arm go with it, and so do the imports
    that only the deleted arm used.

    Before:
    ```python
    from losses import cross_entropy, focal_loss

    if False:
        loss = focal_loss(logits, labels)
    else:
        loss = cross_entropy(logits, labels)
    ```

    After:
    ```python
    from losses import cross_entropy

    loss = cross_entropy(logits, labels)
    ```
    """

    code = "ML101"
    name = "constant-condition"
    message = "Test is a literal: one arm can never run"
    severity = Severity.WARNING
    tags = ("maintainability", "dead-code")
    VALID = (
        "while True:\n    break\n",
        "while 1:\n    break\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import numpy\n",
        "if __debug__:\n    check()\n",
        'if __name__ == "__main__":\n    main()\n',
        "if True:\n    run()\n",
        "if use_new_loss:\n    loss = 1\nelse:\n    loss = 2\n",
        "x = a if flag else b\n",
        "while not done:\n    step()\n",
        "if x and True:\n    a()\nelse:\n    b()\n",
        "if x or False:\n    a()\n",
    )
    INVALID = (
        Invalid("if False:\n    old()\n", line=1, message="`if False` is never true"),
        Invalid("if 0:\n    old()\n", line=1, message="`if 0` is never true"),
        Invalid("if x:\n    a()\nelif True:\n    b()\n", line=3, message="`elif True`"),
        Invalid("while 0:\n    step()\n", line=1, message="`while 0` never runs"),
        Invalid("y = new if False else old\n", line=1, message="`new` can never be chosen"),
        Invalid("if True:\n    new()\nelse:\n    old()\n", line=1, message="`else` arm is dead"),
        Invalid("def f():\n    if None:\n        pass\n", line=2),
        Invalid("if (a, b):\n    pass\nelse:\n    pass\n", line=1),
        Invalid("if not True:\n    pass\n", line=1),
        Invalid("if dim == other and False:\n    merge()\n", line=1, message="never true"),
        Invalid("while ready and 0:\n    step()\n", line=1, message="never runs"),
        Invalid("if x or True:\n    a()\nelse:\n    b()\n", line=1, message="`else` arm"),
    )

    def visit_If(self, node: cst.If) -> None:
        truth = literal_truth(node.test, operators=True)
        if truth is None:
            return
        keyword = "elif" if id(node) in self.context.walker.elifs else "if"
        test = _describe(node.test)
        if not truth:
            message = f"`{keyword} {test}` is never true: its body is dead code"
            dead = "body"
        elif node.orelse is not None:
            arm = "elif" if isinstance(node.orelse, cst.If) else "else"
            message = f"`{keyword} {test}` is always true: the `{arm}` arm is dead code"
            dead = "orelse"
        elif keyword == "elif":
            message = f"`elif {test}` is always true: write `else:` or remove the test"
            dead = "none"
        else:
            return
        self.report(node, message, end_node=node.test, properties={"deadArm": dead})

    def visit_While(self, node: cst.While) -> None:
        if literal_truth(node.test, operators=True) is False:
            test = _describe(node.test)
            self.report(
                node,
                f"`while {test}` never runs: its body is dead code",
                end_node=node.test,
                properties={"deadArm": "body"},
            )

    def visit_IfExp(self, node: cst.IfExp) -> None:
        truth = literal_truth(node.test, operators=True)
        if truth is None:
            return
        dead: Optional[cst.BaseExpression] = node.orelse if truth else node.body
        assert dead is not None
        self.report(
            node,
            f"Conditional expression on the literal `{_describe(node.test)}`: "
            f"`{_describe(dead)}` can never be chosen",
            properties={"deadArm": "orelse" if truth else "body"},
        )
