"""``mllint stats`` as a user runs it: table, JSON, --explain, errors."""

from __future__ import annotations

import json
from pathlib import Path

from mllint.cache import Store
from tests.conftest import ROOT, SAMPLE, Run, invoke, run_subprocess, write_tree


def test_stats_json_matches_the_spec_and_adds_up() -> None:
    run = _cli("stats", ".", "--format", "json", "--no-cache", cwd=SAMPLE)
    assert run.exit_code == 0, run.stderr
    data = json.loads(run.stdout)
    paths = [f["path"] for f in data["files"]]
    assert "sample_project/serve.py" in paths
    assert not any(p.startswith("notebooks/") or p.startswith("outputs/") for p in paths)
    for entry in data["files"]:
        assert set(entry) == {"path", "glue", "algorithm", "other", "glue_ratio", "role"}
    total = data["total"]
    assert set(total) == {"glue", "algorithm", "other", "glue_ratio"}
    for key in ("glue", "algorithm", "other"):
        assert total[key] == sum(f[key] for f in data["files"])
    assert total["glue_ratio"] == round(total["glue"] / (total["glue"] + total["algorithm"]), 4)
    folders = {f["path"]: f for f in data["folders"]}
    assert folders["."]["glue"] == total["glue"]
    serve = next(f for f in data["files"] if f["path"] == "sample_project/serve.py")
    model = next(f for f in data["files"] if f["path"] == "sample_project/model.py")
    assert serve["glue_ratio"] > 0.8 > 0.5 > model["glue_ratio"]


def test_stats_text_table_is_sorted_by_glue_ratio() -> None:
    run = _cli("stats", "sample_project", "--no-cache", cwd=SAMPLE)
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["glue", "algo", "other", "ratio", "role", "file"]
    file_rows = lines[1 : lines.index("")]
    ratios = [int(row.split()[3].rstrip("%")) for row in file_rows]
    assert ratios == sorted(ratios, reverse=True)
    model = next(row for row in file_rows if row.endswith("sample_project/model.py"))
    # `layers += [nn.Conv2d(...), ...]` builds layers: the module has no glue left
    assert model.split()[-2] == "algorithm" and model.split()[3] == "0%"
    assert lines[-1].split()[-1] == "total"


def test_stats_uses_the_cache(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "import numpy as np\nx = np.mean(y)\nprint(x)\n"})
    first = _cli("stats", ".", "--format", "json", cwd=tmp_path)
    assert (tmp_path / ".mllint_cache").is_dir()
    second = _cli("stats", ".", "--format", "json", cwd=tmp_path)
    assert first.stdout == second.stdout
    assert json.loads(second.stdout)["total"]["glue_ratio"] == 0.5


def test_stats_with_empty_and_unparsable_files(tmp_path: Path) -> None:
    write_tree(tmp_path, {"empty.py": "", "bad.py": "def (:\n", "ok.py": "import os\n"})
    run = _cli("stats", ".", "--format", "json", "--no-cache", cwd=tmp_path)
    assert run.exit_code == 0
    data = json.loads(run.stdout)
    assert data["total"]["glue_ratio"] is None
    assert [u["path"] for u in data["unparsed"]] == ["bad.py"]
    text = _cli("stats", ".", "--no-cache", cwd=tmp_path)
    assert "n/a" in text.stdout and "not measured: bad.py" in text.stdout


def test_stats_missing_path_exits_2(tmp_path: Path) -> None:
    run = _cli("stats", "nope/", "--no-cache", cwd=tmp_path)
    assert run.exit_code == 2
    assert "nope: no such file or folder" in run.stderr


def test_explain_prints_every_statement_with_class_and_reason() -> None:
    run = _cli("stats", "--explain", "sample_project/features.py", cwd=SAMPLE)
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "sample_project/features.py:68:5: glue      calls numpy.array" in lines[-6] + "".join(
        line for line in lines if ":68:" in line
    )
    mean_line = next(line for line in lines if ":45:" in line)
    assert " algorithm " in mean_line and ".mean() is algorithm by method name" in mean_line
    assert lines[-1].startswith("sample_project/features.py: ") and "glue ratio" in lines[-1]


def test_explain_json_and_bad_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m.py": "import torch\nloss.backward()\n", "bad.py": "x = (\n"})
    run = _cli("stats", "--explain", "m.py", "--format", "json", cwd=tmp_path)
    data = json.loads(run.stdout)
    rows = data["statements"]
    assert [(r["line"], r["class"]) for r in rows] == [(1, "other"), (2, "algorithm")]
    assert data["role"] == "general" and data["functions"] == []
    bad = _cli("stats", "--explain", "bad.py", cwd=tmp_path)
    assert bad.exit_code == 2 and "bad.py:" in bad.stderr and "Traceback" not in bad.stderr


def test_stats_in_a_subprocess_with_output_file(tmp_path: Path) -> None:
    out = tmp_path / "stats.json"
    run = run_subprocess(["stats", str(SAMPLE), "--format", "json", "--output", str(out)], ROOT)
    assert run.exit_code == 0, run.stderr
    assert json.loads(out.read_text())["total"]["glue"] > 0


def _cli(*args: str, cwd: Path) -> Run:
    return invoke(args, cwd)


def test_stats_reanalyses_cached_results_without_glue_facts(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "import numpy as np\nx = np.mean(y)\nprint(x)\n"})
    assert invoke(["stats", "."], tmp_path).exit_code == 0
    entries = list((tmp_path / ".mllint_cache").rglob("*.json"))
    assert entries
    for entry in entries:  # what a build without the classifier would have cached
        store = Store.at(entry.parent)  # entries are signed: rewrite them as mllint would
        data = json.loads(store.read((), entry.name) or b"null")
        data["facts"] = {}
        store.write((), entry.name, json.dumps(data).encode())
    run = invoke(["stats", ".", "--format", "json"], tmp_path)
    assert json.loads(run.stdout)["files"][0]["glue"] == 1


def test_stats_shows_roles_and_packages(tmp_path: Path) -> None:
    model = (
        "import json\nfrom torch import nn\n"
        "class Net(nn.Module):\n"
        "    def __init__(self, n):\n        super().__init__()\n        self.n = n\n"
        "        self.fc = nn.Linear(n, n)\n"
        "    def forward(self, x):\n        h = self.fc(x)\n        return h.relu()\n"
        "def save(net, path):\n    json.dump(net.n, open(path, 'w'))\n"
    )
    write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/model.py": model,
            "pkg/config.py": (
                "import os\nROOT = os.environ.get('ROOT')\nOUT = os.path.join(ROOT, 'o')\n"
            ),
            "pkg/sub/__init__.py": "",
            "pkg/sub/io.py": "import json\ndef read(p):\n    return json.load(open(p))\n",
            "tests/test_model.py": "import json\ndef test_it():\n    json.loads('1')\n",
            "script.py": "print('hi')\n",
        },
    )
    data = json.loads(_cli("stats", ".", "--format", "json", "--no-cache", cwd=tmp_path).stdout)
    roles = {f["path"]: f["role"] for f in data["files"]}
    assert roles["pkg/model.py"] == "algorithm"
    assert roles["pkg/config.py"] == "config"
    assert roles["pkg/sub/io.py"] == "io"
    assert roles["tests/test_model.py"] == "test"
    (package,) = data["packages"]  # one package, tests and scripts left out
    assert package["path"] == "pkg" and package["modules"] == 5
    files = {f["path"]: f for f in data["files"] if f["path"].startswith("pkg/")}
    assert package["glue"] == sum(f["glue"] for f in files.values())
    text = _cli("stats", ".", "--no-cache", cwd=tmp_path).stdout
    assert "package (tests left out)" in text and "pkg (5 modules)" in text
    explained = _cli("stats", "--explain", "pkg/model.py", cwd=tmp_path).stdout.splitlines()
    assert explained[0] == ("pkg/model.py: role algorithm (defines class Net(torch.nn.Module))")
    assert "pkg/model.py: function Net.__init__: 0 glue, 1 algorithm, 2 other; role wiring" in (
        "\n".join(explained)
    )
    assert any(
        line.startswith("pkg/model.py: function Net.forward:") and "role algorithm" in line
        for line in explained
    )
    assert any(
        line.startswith("pkg/model.py: function save:") and "role io" in line for line in explained
    )
    stored = next(line for line in explained if ":6:9:" in line)
    assert " other " in stored and "stores an attribute" in stored
