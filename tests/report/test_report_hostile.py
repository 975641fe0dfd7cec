"""``mllint report`` on a hostile repository: names that are markup or URLs, links and huge
blobs in past commits, templates that are not templates."""

from __future__ import annotations

import os
import re
from pathlib import Path

from mllint.config import load_settings
from mllint.history import Repository, first_parent_commits
from mllint.report.trend import CommitAnalyser
from tests.conftest import run_subprocess
from tests.gitrepo import GitRepo
from tests.report.report_history import REF

DEAD = "def f(x):\n    if False:\n        x = 1\n    return x\n"


def test_file_names_are_text_and_links_stay_relative(tmp_path: Path) -> None:
    root = tmp_path / "project"
    repo = GitRepo(root)
    repo.commit(
        {
            "pkg/__init__.py": "",
            "pkg/<img src=x onerror=alert(1)>.py": DEAD,
            "pkg/javascript:alert(2).py": DEAD,
        },
        days_ago=30,
    )
    done = run_subprocess(["report", REF, "--history", "1y", "-o", "r.html"], cwd=root)
    assert done.exit_code == 0, done.stderr
    page = (root / "r.html").read_text(encoding="utf-8")
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.py" in page
    links = re.findall(r'(?:href|xlink:href)="([^"]*)"', page)
    assert links
    assert not [link for link in links if ":" in link.split("#")[0]]
    assert "pkg/javascript%3Aalert%282%29.py#L2" in links


def test_past_links_and_huge_blobs_are_not_read(tmp_path: Path) -> None:
    root = tmp_path / "project"
    repo = GitRepo(root)
    secret = tmp_path / "secret.py"
    secret.write_text("USE_SECRET = True\nif USE_SECRET:\n    pass\n", encoding="utf-8")
    os.symlink(secret, root / "link.py")
    repo.commit(
        {
            "pyproject.toml": "[tool.mllint]\nmax-file-size = 2000\n",
            "big.py": "x = 1\n" * 1000,
            "small.py": DEAD,
        },
        days_ago=10,
    )
    (root / "link.py").unlink()
    (root / "big.py").unlink()
    settings = load_settings(root / "pyproject.toml", root)
    found = Repository.find(root)
    assert found is not None
    analyser = CommitAnalyser(found, settings, [""], jobs=1, use_cache=False)
    snapshot = analyser.snapshot(first_parent_commits(found)[-1])
    names = {Path(p).name for p in snapshot.results}
    assert names == {"big.py", "small.py"}  # the link is not a file of the tree
    (big,) = [r for p, r in snapshot.results.items() if p.endswith("big.py")]
    assert big.findings[0].code == "ML000" and "too large" in big.findings[0].message
    assert analyser.analysed == 1
    assert not [f for f in snapshot.flags if f.name == "USE_SECRET"]


def test_a_link_template_with_other_fields_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(DEAD, encoding="utf-8")
    for template in (
        "https://x/{0}",
        "https://x/{path.__class__}",
        "https://x/{line[0]}",
        "https://x/{path!r}",
        "https://x/{nope}",
        "https://x/{",
    ):
        done = run_subprocess(
            ["report", "--format", "json", "--link-template", template], cwd=tmp_path
        )
        assert done.exit_code == 2, template
        assert "--link-template" in done.stderr
        assert "Traceback" not in done.stderr


def test_the_link_template_builds_links_to_the_commit(tmp_path: Path) -> None:
    root = tmp_path / "project"
    repo = GitRepo(root)
    sha = repo.commit({"pkg/m.py": DEAD}, days_ago=3)
    template = "https://github.com/o/r/blob/{commit}/{path}#L{line}"
    done = run_subprocess(["report", REF, "--link-template", template, "-o", "r.html"], cwd=root)
    assert done.exit_code == 0, done.stderr
    page = (root / "r.html").read_text(encoding="utf-8")
    assert f'href="https://github.com/o/r/blob/{sha}/pkg/m.py#L2"' in page


BLOCK_EXTRA = """
import sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("jinja2", "matplotlib"):
            raise ImportError(name)
        return None

sys.meta_path.insert(0, Block())
sys.argv = ["mllint", *sys.argv[1:]]
from mllint.cli import run
run()
"""


def test_without_the_report_extra_html_says_what_to_install(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "m.py").write_text(DEAD, encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", BLOCK_EXTRA, "report", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )

    html = run("-o", "r.html")
    assert html.returncode == 2
    assert "pip install 'mllint-debt[report]'" in html.stderr
    assert "Traceback" not in html.stderr
    assert not (tmp_path / "r.html").exists()
    markdown = run("--format", "markdown")
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.startswith("**mllint debt report**")
