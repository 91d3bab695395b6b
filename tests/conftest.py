"""Shared fixtures. Tests never read ../shared: the project's own data/sources/ holds the documents."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may break."""
    dst = tmp_path / "data"
    shutil.copytree(DATA, dst)
    return dst


def run_cli(*args: str, data: Path | None = None, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run the installed ``chitieu`` command as a user would."""
    env = dict(os.environ)
    if data is not None:
        env["CHITIEU_DATA"] = str(data)
    exe = VENV_BIN / "chitieu"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "chitieu.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, cwd=cwd or ROOT, timeout=timeout)
