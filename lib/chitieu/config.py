"""Where chitieu finds its data, parameters, notebooks and outputs: the one place paths are decided.

A **project** is a folder holding ``data/localities.csv`` (and usually ``params/`` and ``outputs/``), like the
checkout of this repository. Each path is resolved in this order, first match wins:

1. an environment variable: ``CHITIEU_DATA``, ``CHITIEU_PARAMS``, ``CHITIEU_OUTPUTS`` (the CLI's global options
   ``--data``, ``--params``, ``--out`` set them for the command);
2. the project found by walking up from the current folder (as git finds a repository);
3. the sample project shipped with chitieu: the checkout's own folders in a development install, or the copies
   packaged inside the wheel (``chitieu/_bundled``) in a regular ``pip install``. The packaged copy is read-only:
   :func:`writable_data_dir` refuses it, so an import never writes into site-packages.

Notebooks always come from the package (they are part of the program, not of a project).

>>> data_dir().joinpath("localities.csv").exists()
True
"""
from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from chitieu.errors import ConfigError

__all__ = ["data_dir", "params_dir", "outputs_dir", "notebook_path", "project_root", "writable_data_dir",
           "bundled_dir", "ConfigError", "PROTECTED_FOLDERS"]

#: folders of a project that hold its inputs and the program: no output may be written inside them
PROTECTED_FOLDERS = ("data", "params", "notebooks")
_CHECKOUT = Path(__file__).resolve().parents[2]  # lib/chitieu/config.py -> the repository, in a development install


def _is_project(folder: Path) -> bool:
    return (folder / "data" / "localities.csv").is_file()


def project_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (default: the current folder) that is a project, or None."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _is_project(folder):
            return folder
    return None


@lru_cache(maxsize=None)
def bundled_dir(name: str) -> Path:
    """The sample project's ``data``, ``params`` or ``notebooks`` folder shipped with chitieu."""
    try:
        return Path(str(resources.files(f"chitieu._bundled.{name}")))
    except ModuleNotFoundError:  # a development (editable) install: the checkout's own folder
        return _CHECKOUT / name


def _resolve(env: str, name: str) -> Path:
    value = os.environ.get(env)
    if value:
        return Path(value)
    root = project_root()
    if root is not None and (root / name).exists():
        return root / name
    return bundled_dir(name)


def data_dir() -> Path:
    """``$CHITIEU_DATA``, else the project's ``data/``, else the sample data."""
    return _resolve("CHITIEU_DATA", "data")


def params_dir() -> Path:
    """``$CHITIEU_PARAMS``, else the project's ``params/``, else the sample parameters."""
    return _resolve("CHITIEU_PARAMS", "params")


def outputs_dir() -> Path:
    """``$CHITIEU_OUTPUTS``, else the project's ``outputs/``, else ``outputs/`` in the current folder."""
    value = os.environ.get("CHITIEU_OUTPUTS")
    if value:
        return Path(value)
    root = project_root()
    return (root / "outputs") if root is not None else Path("outputs")


def notebook_path(name: str) -> Path:
    """A notebook shipped with chitieu (``locality_report.ipynb``, …)."""
    return bundled_dir("notebooks") / name


def writable_data_dir() -> Path:
    """:func:`data_dir`, refused when it is the copy packaged inside an installed chitieu (never written)."""
    root = data_dir()
    packaged = bundled_dir("data")
    if packaged != _CHECKOUT / "data" and root.resolve() == packaged.resolve():
        raise ConfigError(f"{root} là dữ liệu mẫu cài kèm chitieu, không ghi vào đó được: chạy lệnh trong thư mục dự án "
                          "của mình (có data/localities.csv), hoặc đặt CHITIEU_DATA / --data (the packaged sample data "
                          "is read-only)")
    return root
