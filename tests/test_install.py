"""A regular (non-editable) install works from any folder: the wheel is built from a copy of the checkout, installed
into a fresh virtual environment, and ``chitieu run --all --out DIR`` is run from a folder outside the checkout.

Offline and fast: the wheel is installed with ``--no-deps`` and the new environment reaches the project's
dependencies through a ``.pth`` file naming ``.venv``'s site-packages (a ``.pth`` line adds a folder to
``sys.path`` without running the ``.pth`` files inside it, so the checkout's editable install stays invisible).
``JUPYTER_PATH`` names ``.venv``'s Jupyter data (nbconvert's templates), which a regular install of the dependencies
would have put in the new environment's own ``share/jupyter``.
"""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

_SOURCES = ("pyproject.toml", "README.md", "lib", "data", "params", "notebooks")


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    out = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert out.returncode == 0, f"{cmd}\nstdout: {out.stdout[-3000:]}\nstderr: {out.stderr[-3000:]}"
    return out


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the wheel, the new environment's bin/) — the checkout copied, built, installed without editable mode."""
    base = tmp_path_factory.mktemp("install")
    src = base / "src"
    src.mkdir()
    for name in _SOURCES:
        item = ROOT / name
        if item.is_dir():
            shutil.copytree(item, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", ".*"))
        else:
            shutil.copy2(item, src / name)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", base / "wheels", src])
    wheel = next((base / "wheels").glob("chitieu-*.whl"))
    shutil.rmtree(src)  # the install may not lean on the sources it was built from
    env_dir = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", env_dir])
    _run([sys.executable, "-m", "pip", "--python", env_dir / "bin" / "python", "install", "-q", "--no-deps",
          "--no-index", wheel])
    site = Path(_run([env_dir / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
                .stdout.strip())
    (site / "_chitieu_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return wheel, env_dir / "bin"


def _user_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHITIEU_")}
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return env


def _tracked(*folders: str) -> list[str]:
    """Files under ``folders`` as git sees them (tracked or new, not ignored), or every file without git."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", *folders],
                            cwd=ROOT, capture_output=True, text=True)
    if listed.returncode == 0 and listed.stdout.strip():
        return [f for f in listed.stdout.splitlines() if (ROOT / f).is_file()]
    return [str(p.relative_to(ROOT)) for f in folders for p in (ROOT / f).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts]


def test_the_wheel_holds_the_program_the_sample_project_and_the_notebooks(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in _tracked("data", "params", "notebooks"):
        assert f"chitieu/_bundled/{path}" in names, path
    rules = [p for p in _tracked("lib/chitieu/core/rules") if p.endswith(".csv")]
    assert rules and all(p.removeprefix("lib/") in names for p in rules)
    modules = [p.removeprefix("lib/") for p in _tracked("lib/chitieu") if p.endswith(".py")]
    missing = [m for m in modules if m not in names]
    assert not missing, missing


def test_the_installed_package_reads_its_own_copies(installed, tmp_path):
    _, bin_dir = installed
    out = _run([bin_dir / "python", "-c", "import chitieu, chitieu.config as c; "
                "print(chitieu.__file__); print(c.data_dir()); print(c.notebook_path('locality_report.ipynb'))"],
               cwd=tmp_path, env=_user_env()).stdout.splitlines()
    site = Path(out[0]).parent
    assert str(ROOT) not in out[0], "imported the checkout, not the installed package"
    assert Path(out[1]) == site / "_bundled" / "data"
    assert Path(out[2]) == site / "_bundled" / "notebooks" / "locality_report.ipynb" and Path(out[2]).is_file()


def test_run_all_from_a_folder_outside_the_checkout(installed, tmp_path):
    _, bin_dir = installed
    here = tmp_path / "elsewhere"
    here.mkdir()
    out_dir = tmp_path / "reports"
    run = subprocess.run([str(bin_dir / "chitieu"), "run", "--all", "--out", str(out_dir)], cwd=here,
                         env=_user_env(), capture_output=True, text=True, timeout=800)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    with open(ROOT / "data" / "localities.csv", encoding="utf-8") as fh:
        ids = [row["id"] for row in csv.DictReader(fh)]
    assert ids
    for loc in ids:
        report = out_dir / loc / "report.html"
        assert report.is_file() and report.stat().st_size > 10_000, loc
        assert (out_dir / loc / "bieu-ket-qua.xlsx").is_file(), loc
        assert str(ROOT) not in report.read_text(encoding="utf-8"), f"{loc}: the report names the checkout"
    assert (out_dir / "index.html").is_file()
    assert not any(here.iterdir()), "nothing is written in the current folder when --out is given"
