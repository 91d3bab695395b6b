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
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path

from chitieu.errors import ConfigError, LocalityIdError

__all__ = ["data_dir", "params_dir", "outputs_dir", "notebook_path", "project_root", "writable_data_dir",
           "bundled_dir", "ConfigError", "PROTECTED_FOLDERS", "check_output_path", "check_locality_id",
           "RESERVED_IDS", "LOCALITY_ID_PATTERN", "LOCALITY_ID_MAX"]

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
    # chitieu._bundled is a regular package (a real folder); its data/params/notebooks have no __init__.py, and
    # resources.files() of such a namespace package is a MultiplexedPath, not a folder: take the parent's folder
    packaged = Path(str(resources.files("chitieu._bundled"))) / name
    if packaged.is_dir():
        return packaged
    return _CHECKOUT / name  # a development (editable) install: the checkout's own folder


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


# ---------------------------------------------------------------------------------------------------------------
# Outputs never inside the inputs; locality ids checked once, here
# ---------------------------------------------------------------------------------------------------------------

def _protected_folders() -> list[tuple[str, Path]]:
    """The folders no output may be written into, resolved: this command's data, parameters and notebooks, and the
    ``data/``, ``params/``, ``notebooks/`` of the project around the current folder (even when ``--data`` points
    elsewhere: a project's own inputs are never an output's place)."""
    found: list[tuple[str, Path]] = [("data", data_dir()), ("params", params_dir()),
                                     ("notebooks", bundled_dir("notebooks"))]
    root = project_root()
    if root is not None:
        found += [(name, root / name) for name in PROTECTED_FOLDERS]
    out = []
    for name, folder in found:
        try:
            out.append((name, Path(os.path.realpath(folder))))
        except (OSError, RuntimeError, ValueError):  # a link loop: still protected, by its absolute path
            out.append((name, Path(os.path.abspath(folder))))
    return out


def check_output_path(path: str | os.PathLike, *, what: str = "tệp ra") -> Path:
    """Refuse an output path inside (or equal to) ``data/``, ``params/`` or ``notebooks/``; return ``path``.

    The path is resolved as the operating system would follow it (``..``, symbolic links of the file itself and of
    every folder above it, a link to a link), so ``-o data/muong-ang/values.csv``, ``--out data``,
    ``-o link.csv`` where ``link.csv`` points into ``data/``, and ``-o out/x.csv`` where ``out`` is a link to
    ``params/`` are all refused with a :class:`ConfigError` (exit 2, nothing written). A path that cannot be resolved
    (a loop of links) is refused too. Call it before any work, in every command that writes where the user says.

    >>> check_output_path("/tmp/bieu.csv")
    PosixPath('/tmp/bieu.csv')
    """
    given = Path(path)
    try:
        resolved = given.resolve()  # links followed; a loop of links raises (RuntimeError or OSError)
    except (OSError, RuntimeError, ValueError) as exc:
        raise ConfigError(f"{given}: không xác định được đường dẫn ({exc}) (cannot resolve the output path)") from None
    for name, folder in _protected_folders():
        if resolved == folder or folder in resolved.parents:
            shown = "" if resolved == Path(os.path.abspath(given)) else f" (tức là {resolved})"
            raise ConfigError(f"{what} '{given}'{shown} nằm trong thư mục {name}/ ({folder}): chitieu không bao giờ ghi "
                              f"kết quả vào {name}/ — chọn chỗ khác, ví dụ outputs/ (an output may never be written "
                              f"inside {name}/)")
    return given


#: the pattern of a locality id: ascii lower-case letters and digits, in groups joined by single hyphens
LOCALITY_ID_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
LOCALITY_ID_MAX = 60
_LOCALITY_ID = re.compile(LOCALITY_ID_PATTERN)
#: names of folders chitieu keeps beside the localities' folders (``data/sources/``, ``<out>/compare/``) and of a
#: project's own folders: a locality with one of these ids would overwrite them or be overwritten. A new folder
#: name beside the localities' folders is added here, and only here.
RESERVED_IDS = frozenset({"sources", "compare", "data", "params", "notebooks", "outputs"})


def _ascii_hint(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    suggestion = "-".join(re.findall(r"[a-z0-9]+", folded))[:LOCALITY_ID_MAX]
    return f"; có lẽ: '{suggestion}'" if suggestion and suggestion != text else ""


def locality_id_problem(value: object) -> str | None:
    """Why ``value`` is not a valid locality id (Vietnamese, English in brackets), or None when it is. Every
    message starts with ``mã địa phương không hợp lệ: <the id>``."""
    if not isinstance(value, str):
        return f"mã địa phương không hợp lệ: phải là chữ, không phải {type(value).__name__} (a locality id is text)"
    head = f"mã địa phương không hợp lệ: {value!r} — "
    if value == "":
        return head + "để trống (empty locality id)"
    control = [c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    if control:
        names = ", ".join(sorted({f"U+{ord(c):04X}" for c in control}))
        stripped = value.rstrip("".join(control))
        where = "ở cuối " if stripped != value and stripped else ""
        return (head + f"có ký tự điều khiển {where}({names}: xuống dòng, tab, ký tự vô hình) (control characters in "
                f"the id){_ascii_hint(value.strip())}")
    if unicodedata.normalize("NFC", value) != value or not value.isascii():
        return head + f"có chữ có dấu hay ký tự ngoài a-z, 0-9 (ascii only){_ascii_hint(value)}"
    if len(value) > LOCALITY_ID_MAX:
        return head + f"dài {len(value)} ký tự, tối đa {LOCALITY_ID_MAX} (limit: {LOCALITY_ID_MAX} characters)"
    if not _LOCALITY_ID.fullmatch(value):
        return head + f"chỉ chữ thường không dấu, số và '-' giữa các chữ (ví dụ muong-ang){_ascii_hint(value)}"
    if value in RESERVED_IDS:
        return (head + f"trùng tên thư mục chitieu dùng riêng ({', '.join(sorted(RESERVED_IDS))}): chọn mã khác, "
                "ví dụ thêm tên tỉnh (a reserved name)")
    return None


def check_locality_id(value: object) -> str:
    """``value`` when it is a valid locality id, else :class:`LocalityIdError` saying why — the one check of every id,
    wherever it comes from (command line, ``localities.csv``, ``params/*.yaml``, ``chitieu import -l``), made
    before the id is used to build any path.

    Valid: ascii ``a-z``, ``0-9`` in groups joined by single ``-`` (:data:`LOCALITY_ID_PATTERN`), at most
    :data:`LOCALITY_ID_MAX` characters, not one of :data:`RESERVED_IDS` (``sources``, ``compare`` …). Refused with
    the reason: a trailing newline or any control or invisible character, letters with diacritics (the message
    suggests the ascii id), capitals, ``_``, ``..``, ``/``, spaces. The error is a :class:`LocalityIdError` (both an
    ``InputError`` and a ``ConfigError``: exit 2 with the message).

    >>> check_locality_id("muong-ang")
    'muong-ang'
    """
    problem = locality_id_problem(value)
    if problem:
        raise LocalityIdError(problem)
    return value  # type: ignore[return-value]
