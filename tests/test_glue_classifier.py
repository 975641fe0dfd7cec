"""The statement classifier against a labelled set of realistic ML code."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from mllint.glue import GlueOptions, configure
from mllint.stats import explain_source

LABELLED = Path(__file__).resolve().parent / "data" / "glue_labelled"
_LABEL = re.compile(r"#\s*(glue|algorithm|other)\s*$")


def _labels(text: str) -> Dict[int, str]:
    labels = {}
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            match = _LABEL.search(token.string)
            if match:
                labels[token.start[0]] = match.group(1)
    return labels


def _compare() -> Tuple[int, List[str]]:
    configure(GlueOptions())
    total, disagreements = 0, []
    for path in sorted(LABELLED.glob("*.py")):
        data = path.read_bytes()
        labels = _labels(data.decode("utf-8"))
        rows = explain_source(data)
        seen = {row.line for row in rows}
        assert len(seen) == len(rows), f"{path.name}: two statements share a line"
        assert set(labels) == seen, (
            f"{path.name}: unlabelled statements at {sorted(seen - set(labels))}, "
            f"labels on no statement at {sorted(set(labels) - seen)}"
        )
        for row in rows:
            total += 1
            if labels[row.line] != row.kind:
                disagreements.append(
                    f"{path.name}:{row.line}: labelled {labels[row.line]}, classified "
                    f"{row.kind} ({row.reason}): {row.source}"
                )
    return total, disagreements


def test_labelled_set_is_large_enough_and_fully_labelled() -> None:
    total, _ = _compare()
    assert total >= 300


def test_classifier_agrees_with_the_labelled_set() -> None:
    total, disagreements = _compare()
    agreement = 1 - len(disagreements) / total
    assert agreement >= 0.95, f"agreement {agreement:.1%}:\n" + "\n".join(disagreements)


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("import numpy as np\ny = np.mean(x)\n", "algorithm"),
        ("from torch import nn\nlayer = nn.Linear(3, 4)\n", "algorithm"),
        ("from torch.nn import functional as F\ny = F.relu(x)\n", "algorithm"),
        ("import numpy as np\nprint(np.mean(x))\n", "glue"),
        ("import numpy as np\ny = np.array(t.tolist())\n", "glue"),
        ("y = frame.to_csv(path)\n", "glue"),
        ("loss.backward()\n", "algorithm"),
        ("c = a @ b\n", "algorithm"),
        ("from . import utils\ny = utils.average(x)\n", "other"),
        ("import numpy as np\nnp = load()\ny = np.linalg.solve(a, b)\n", "other"),
    ],
)
def test_last_statement_class(source: str, kind: str) -> None:
    configure(GlueOptions())
    rows = explain_source(source.encode())
    assert rows[-1].kind == kind, rows[-1]


def test_configured_modules_extend_the_vocabulary() -> None:
    source = b"import acme.io as aio\nimport acme.ml\nx = aio.fetch(u)\ny = acme.ml.solve(x)\n"
    configure(GlueOptions())
    assert [r.kind for r in explain_source(source)][2:] == ["other", "other"]
    configure(GlueOptions(glue_modules=("acme.io",), algorithm_modules=("acme.ml",)))
    try:
        rows = explain_source(source)
        assert [r.kind for r in rows][2:] == ["glue", "algorithm"]
        assert "(configured)" in rows[2].reason
    finally:
        configure(GlueOptions())
