"""The before/after examples of a rule's ``## Fix`` section (run by the example tests)."""

from __future__ import annotations

import re
from typing import List, Tuple

_PAIR = re.compile(
    r"Before:\s*\n```python\n(?P<before>.*?)\n```\s*\nAfter:\s*\n```python\n(?P<after>.*?)```",
    re.DOTALL,
)


def fix_examples(fix_doc: str) -> List[Tuple[str, str]]:
    """``(before, after)`` code of every ``Before:``/``After:`` pair of fenced blocks (an
    empty ``After`` block: the fix deletes everything)."""
    return [(m.group("before") + "\n", m.group("after")) for m in _PAIR.finditer(fix_doc)]
