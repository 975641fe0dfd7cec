"""The memo that carries results about unchanged nodes from one analysis to the next."""

from __future__ import annotations

import libcst as cst

from mllint.memo import Memo


def test_a_hit_is_the_same_node_under_the_same_context() -> None:
    memo = Memo()
    node, twin = cst.Name("x"), cst.Name("x")
    memo.put("kind", node, "value", "context")
    assert memo.get("kind", node, "context") == "value"
    assert memo.get("kind", node, "other context") is None
    assert memo.get("other kind", node, "context") is None
    assert memo.get("kind", twin, "context") is None  # equal, but another node
    assert (memo.hits, memo.misses) == (1, 3)


def test_entries_unused_for_a_whole_round_are_dropped() -> None:
    memo = Memo()
    kept, dropped = cst.Name("kept"), cst.Name("dropped")
    memo.put("kind", kept, 1)
    memo.put("kind", dropped, 2)
    memo.next_round()
    assert memo.get("kind", kept) == 1  # used in this round: carried into the next
    memo.next_round()
    assert memo.get("kind", kept) == 1
    assert memo.get("kind", dropped) is None
    assert len(memo) == 1
