"""What one analysis of a buffer can hand to the next: results about unchanged syntax nodes.

The language server analyses the same buffer again after every edit, and
:class:`mllint.lsp.reparse.Reparser` keeps every top-level statement the edit did not touch as
the *same* LibCST node object. Work that depends only on such a node (where a node lies inside
its statement, a statement's CPython ``ast``, a statement's glue class) can be looked up by the
node's identity instead of being done again.

Entries are keyed by ``id(node)`` and hold the node itself, so an id cannot be re-used by
another node while its entry lives, and a hit is checked to be the very same object. An entry
not used during one whole analysis (:meth:`Memo.next_round`) is dropped, so the memo holds
about one version of the buffer.
"""

from __future__ import annotations

from typing import Any, Dict, Hashable, Optional, Tuple

_Entry = Tuple[object, Any]


class Memo:
    """Results about syntax nodes of one buffer, kept from one analysis to the next."""

    def __init__(self) -> None:
        self._now: Dict[Hashable, _Entry] = {}
        self._before: Dict[Hashable, _Entry] = {}
        self.hits = 0
        self.misses = 0

    def next_round(self) -> None:
        """A new analysis starts: entries the last one did not use are dropped."""
        self._before, self._now = self._now, {}

    def get(self, kind: str, node: object, *context: Hashable) -> Optional[Any]:
        """The ``kind`` result stored for ``node`` under ``context``, or ``None``."""
        key = (kind, id(node), *context)
        entry = self._now.get(key)
        if entry is None:
            entry = self._before.pop(key, None)
            if entry is not None:
                self._now[key] = entry
        if entry is None or entry[0] is not node:
            self.misses += 1
            return None
        self.hits += 1
        return entry[1]

    def put(self, kind: str, node: object, value: Any, *context: Hashable) -> None:
        """Store the ``kind`` result for ``node`` under ``context``."""
        key = (kind, id(node), *context)
        self._now[key] = (node, value)

    def __len__(self) -> int:
        return len(self._now) + len(self._before)
