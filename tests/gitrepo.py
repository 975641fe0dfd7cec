"""Real git repositories with back-dated commits, for the history tests."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, Optional, Union

NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=timezone.utc)


class GitRepo:
    """A scratch repository whose commits are dated N days before :data:`NOW`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "dev@example.com")
        self.git("config", "user.name", "Dev")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, days_ago: Optional[float] = None) -> str:
        env = dict(os.environ)
        if days_ago is not None:
            stamp = (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S+0000")
            env["GIT_AUTHOR_DATE"] = stamp
            env["GIT_COMMITTER_DATE"] = stamp
        done = subprocess.run(
            ["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=True
        )
        return done.stdout

    def write(self, files: Dict[str, Union[str, None]]) -> None:
        for name, content in files.items():
            path = self.root / name
            if content is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")

    def commit(
        self, files: Dict[str, Union[str, None]], days_ago: float, message: str = "change"
    ) -> str:
        self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, days_ago=days_ago)
        return self.git("rev-parse", "HEAD").strip()
